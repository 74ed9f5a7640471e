from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from networks import services, webhooks
from networks.models import (
    ApiClient,
    BudgetStream,
    Contract,
    CooperativeMembership,
    GeneralProvision,
    Organisation,
    OrganisationProfessional,
    Product,
    StreamBudget,
    Subsidy,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


class CooperativeMemberInline(admin.TabularInline):
    model = CooperativeMembership
    fk_name = "cooperative"
    extra = 0
    autocomplete_fields = ["member"]
    verbose_name = _("member organisation")
    verbose_name_plural = _("member organisations (when this is a cooperative)")


class OrganisationProfessionalInline(admin.TabularInline):
    """The organisation's professionals a generalist can bring into a household's plan."""

    model = OrganisationProfessional
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "agb_code", "kvk_number", "active"]
    list_filter = ["type", "active"]
    search_fields = ["name", "code", "agb_code", "kvk_number"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [CooperativeMemberInline, OrganisationProfessionalInline]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Creating a client here shows its token once, in the confirmation message."""

    list_display = [
        "name",
        "organisation",
        "token_prefix",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_select_related = ["organisation"]
    list_filter = ["organisation"]
    fields = [
        "organisation",
        "name",
        "scopes",
        "expires_at",
        "revoked_at",
        "token_prefix",
        "last_used_at",
    ]
    readonly_fields = ["token_prefix", "last_used_at", "revoked_at"]
    autocomplete_fields = ["organisation"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        client, token = services.api_client_create(
            organisation=obj.organisation,
            name=obj.name,
            scopes=obj.scopes or None,
            expires_at=obj.expires_at,
            by=request.user,
        )
        obj.pk, obj.token_prefix = client.pk, client.token_prefix
        obj.token_hash, obj.scopes = client.token_hash, client.scopes
        messages.warning(
            request,
            _("The token for %(client)s, shown only now: %(token)s")
            % {"client": client, "token": token},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for client in queryset:
            services.api_client_revoke(client=client, by=request.user)


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    can_delete = False
    show_change_link = True
    fields = [
        "event",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "created_at",
        "delivered_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """The URL is checked as in the API (networks.validators.webhook_target_check). A webhook
    is failing when an event could not be delivered after the last retry."""

    list_display = ["url", "organisation", "active", "failing", "failing_since", "created_at"]
    list_select_related = ["organisation"]
    list_filter = ["failing", "active"]
    search_fields = ["url", "organisation__name"]
    readonly_fields = ["secret", "version", "failing", "failing_since"]
    autocomplete_fields = ["organisation"]
    inlines = [DeliveryInline]
    actions = ["resend_failed"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.action(description=_("Resend failed: deliver every undelivered event again"))
    def resend_failed(self, request, queryset):
        for endpoint in queryset:
            queued = webhooks.webhook_resend_failed(endpoint=endpoint)
            messages.info(
                request,
                ngettext(
                    "%(count)s undelivered event of %(url)s is sent again within a minute.",
                    "%(count)s undelivered events of %(url)s are sent again within a minute.",
                    queued,
                )
                % {"count": queued, "url": endpoint.url},
            )


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["attempted_at", "status_code", "error", "duration_ms"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log with every attempt; read-only."""

    list_display = ["event", "endpoint", "status", "attempts", "next_attempt_at", "delivered_at"]
    list_select_related = ["event", "endpoint"]
    list_filter = ["status"]
    search_fields = ["event__uuid", "endpoint__url"]
    fields = [
        "event",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
    ]
    readonly_fields = fields
    inlines = [AttemptInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StreamBudgetInline(admin.TabularInline):
    model = StreamBudget
    extra = 0


@admin.register(BudgetStream)
class BudgetStreamAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "active"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [StreamBudgetInline]


@admin.register(GeneralProvision)
class GeneralProvisionAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "waiting_weeks", "active"]
    list_select_related = ["organisation"]
    list_filter = ["active", "districts"]
    search_fields = ["name", "offer"]
    filter_horizontal = ["districts"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "law", "category", "code", "unit", "tariff", "budget_stream", "active"]
    list_select_related = ["budget_stream"]
    list_filter = ["law", "active", "budget_stream"]
    search_fields = ["name", "code"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "product",
        "tariff",
        "valid_from",
        "valid_until",
        "report_every_months",
    ]
    list_select_related = ["organisation", "product"]
    list_filter = ["product__law"]
    search_fields = ["organisation__name", "product__name"]
    autocomplete_fields = ["organisation", "product"]


@admin.register(Subsidy)
class SubsidyAdmin(admin.ModelAdmin):
    list_display = ["organisation", "general_provision", "year", "amount"]
    list_select_related = ["organisation", "general_provision"]
    list_filter = ["year"]
    search_fields = ["organisation__name", "general_provision__name"]
    autocomplete_fields = ["organisation", "general_provision"]
