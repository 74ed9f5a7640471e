"""Admin for households and residents (docs/privacy.md, "The admin"): the functional
administrator sees residents read-only, for the action that merges two person records (theirs
only; the rule is `cases.households.services.resident_merge`); households (their coordinator
through `household_coordinator_set`), coordinator changes and merge records are a superuser's.
Every read is access-logged like a screen (`cases.access.AdminReadsLogged`). `SuperuserOnlyAdmin`
and `ReadOnlyAdmin` are the bases of the other wings' admins of residents' content."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from cases import permissions
from cases.access import AdminReadsLogged
from cases.audit import request_context
from cases.households import selectors as household_selectors
from cases.households import services as household_services
from cases.households.models import (
    CoordinatorChange,
    Household,
    HouseholdMembership,
    Resident,
    ResidentMergeRecord,
)
from teams.selectors import neighbourhood_id_for_postcode
from teams.validators import normalise_postcode


class HouseholdAdminForm(forms.ModelForm):
    postcode = forms.CharField(label=_("postcode"), max_length=8)

    class Meta:
        model = Household
        fields = ["street", "house_number", "house_number_addition", "postcode", "city"]
        fields += ["coordinator"]

    def clean_postcode(self):
        return normalise_postcode(self.cleaned_data["postcode"])

    def clean_coordinator(self):
        coordinator = self.cleaned_data["coordinator"]
        household_services.household_coordinator_check(
            household=self.instance, user_id=coordinator.pk if coordinator else None
        )
        return coordinator


class SuperuserOnlyAdmin(AdminReadsLogged, admin.ModelAdmin):
    """Residents' and households' content: a superuser's only, never the functional
    administrator's (need-to-know); every read logged."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class ReadOnlyAdmin(SuperuserOnlyAdmin):
    """Conversations, plans, signals, correction requests and records change through their
    services and screens (versions, constraints, messages, the access log); the admin only
    looks, and only a superuser: they are the content of a household's file, and the functional
    administrator maintains the register without opening files (need-to-know,
    docs/privacy.md)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = HouseholdMembership
    extra = 0
    raw_id_fields = ["resident"]  # the lookup is the resident list (logged); no autocomplete


@admin.register(Household)
class HouseholdAdmin(SuperuserOnlyAdmin):
    access_object_type = "household"
    access_household_lookup = "uuid"
    list_display = ["__str__", "neighbourhood", "coordinator", "updated_at"]
    list_select_related = ["neighbourhood", "coordinator"]
    search_fields = ["postcode", "street"]
    readonly_fields = ["uuid", "neighbourhood", "version", "created_at", "updated_at"]
    autocomplete_fields = ["coordinator"]
    inlines = [MembershipInline]
    form = HouseholdAdminForm

    def save_model(self, request, obj, form, change):
        """The address is saved here; the coordinator only through the service
        (`household_coordinator_set`: recorded; the plan reads the household's). An address
        changed here is a correction: a move goes through the household screen (history,
        handover)."""
        coordinator_id = obj.coordinator_id
        obj.neighbourhood_id = neighbourhood_id_for_postcode(obj.postcode)
        if change:
            address = [*household_services.HOUSEHOLD_FIELDS, "neighbourhood", "updated_at"]
            if set(form.changed_data) & set(household_services.HOUSEHOLD_FIELDS):
                obj.version = F("version") + 1  # an edit form open elsewhere sees the change
                address.append("version")
            obj.save(update_fields=address)
            household_services.applications_district_follow(household=obj)
        else:
            obj.coordinator = None
            obj.save()
        household_services.household_coordinator_set(
            household_id=obj.pk,
            user_id=coordinator_id,
            by=request.user,
            context=request_context(request),
        )
        obj.refresh_from_db(fields=["coordinator", "version", "updated_at"])


@admin.register(Resident)
class ResidentAdmin(AdminReadsLogged, admin.ModelAdmin):
    """The functional administrator looks (their role's `view_resident`) to merge two person
    records; adding and changing residents here is a superuser's."""

    access_object_type = "resident"
    access_household_lookup = "memberships__household__uuid"
    access_resident_lookup = "uuid"
    list_display = ["full_name", "birth_date", "created_at"]
    # shows the search box; the search itself is `get_search_results`
    search_fields = ["bsn", "last_name", "first_name"]
    readonly_fields = ["uuid", "created_at", "updated_at"]
    actions = ["merge_residents"]

    def get_search_results(self, request, queryset, search_term):
        # the checks of AdminReadsLogged first (no autocomplete), then the selector's search
        super().get_search_results(request, queryset, "")
        if not search_term.strip():
            return queryset, False
        found = household_selectors.residents_by_name_or_bsn(query=search_term)
        return queryset.filter(pk__in=found.values("pk")), False

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    @admin.action(description=_("Merge two person records"), permissions=["merge"])
    def merge_residents(self, request, queryset):
        return resident_merge_action(self, request, queryset)

    def has_merge_permission(self, request):
        return permissions.can_merge_residents(request.user)


@admin.register(CoordinatorChange)
class CoordinatorChangeAdmin(ReadOnlyAdmin):
    access_object_type = "coordinator_change"
    list_display = ["household", "from_user", "to_user", "changed_by", "changed_at"]
    list_select_related = ["household", "from_user", "to_user", "changed_by"]
    readonly_fields = ["household", "from_user", "to_user", "changed_by", "changed_at"]


def resident_merge_action(model_admin, request, queryset):
    """Intermediate page: show both records, choose the one to keep, confirm."""
    if not permissions.can_merge_residents(request.user):
        raise PermissionDenied
    residents = list(queryset.order_by("pk")[:3])
    if len(residents) != 2:
        model_admin.message_user(
            request, _("Select exactly two person records to merge."), messages.ERROR
        )
        return None
    if request.POST.get("confirm"):  # the service logs the merge (a change)
        keep_uuid = request.POST.get("keep")
        keep = next((r for r in residents if str(r.uuid) == keep_uuid), None)
        if keep is None:
            model_admin.message_user(request, _("Choose the record to keep."), messages.ERROR)
        else:
            remove = residents[1] if keep.pk == residents[0].pk else residents[0]
            try:
                household_services.resident_merge(
                    keep=keep, remove=remove, by=request.user, context=request_context(request)
                )
            except ValidationError as exc:
                model_admin.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                model_admin.message_user(
                    request,
                    _("%(removed)s was merged into %(kept)s.")
                    % {"removed": remove.full_name, "kept": keep.full_name},
                    messages.SUCCESS,
                )
                return redirect("admin:cases_resident_change", keep.pk)
        return None
    model_admin.access_log_reads(request, residents)  # both records are shown: logged
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Merge two person records"),
        "opts": model_admin.model._meta,
        "residents": [
            (resident, resident.memberships.select_related("household")) for resident in residents
        ],
        "moves": household_services.merge_relation_names(),
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/cases/resident/merge.html", context)


@admin.register(ResidentMergeRecord)
class ResidentMergeRecordAdmin(ReadOnlyAdmin):
    access_object_type = "resident_merge"
    access_household_lookup = "kept__memberships__household__uuid"
    access_resident_lookup = "kept__uuid"
    list_display = ["removed_name", "kept", "merged_by", "merged_at"]
    list_select_related = ["kept", "merged_by"]
    readonly_fields = [field.name for field in ResidentMergeRecord._meta.fields]
    search_fields = ["removed_name", "removed_bsn"]
