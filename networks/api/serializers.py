from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from networks.models import (
    ApiClient,
    Organisation,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from networks.validators import validate_webhook_url


class OrganisationSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["code", "name", "type", "agb_code"]


class ApiClientSelfSerializer(serializers.ModelSerializer):
    organisation = OrganisationSummarySerializer(read_only=True)
    scopes = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ApiClient
        fields = ["name", "organisation", "scopes", "expires_at"]


class WebhookSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.URLField(
        max_length=500,
        validators=[validate_webhook_url],
        help_text=_(
            "https URL that receives signed POSTs of your events; not an internal address."
        ),
    )
    failing = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "An event could not be delivered after the last retry. Cleared by the next "
            "successful delivery."
        ),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "active", "failing", "failing_since", "created_at"]
        read_only_fields = ["failing_since", "created_at"]


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text=_(
            "Shown once: the Standard Webhooks signing secret (whsec_...) to verify "
            "webhook-signature with."
        ),
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    event = serializers.CharField(source="event.type", read_only=True, help_text=_("Event type."))
    event_id = serializers.UUIDField(
        source="event.uuid", read_only=True, help_text=_("The event's id: its webhook-id.")
    )

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "event", "event_id", "status", "attempts", "next_attempt_at",
            "last_status_code", "last_error", "created_at", "delivered_at",
        ]  # fmt: skip


class EventSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(
        source="uuid", read_only=True, help_text=_("The event's id: the webhook-id header.")
    )
    type = serializers.CharField(
        read_only=True, help_text=_("e.g. allocation.created, allocation.changed")
    )
    payload = serializers.DictField(
        read_only=True, help_text=_("The event's data: the data of the webhook body.")
    )

    class Meta:
        model = WebhookEvent
        fields = ["id", "type", "created_at", "payload"]


class GeneralProvisionSerializer(serializers.Serializer):
    """An algemene voorziening: open access, no decision needed."""

    id = serializers.UUIDField(source="uuid")
    name = serializers.CharField()
    organisation = OrganisationSummarySerializer()
    offer = serializers.CharField(help_text=_("What it offers."))
    access = serializers.CharField(help_text=_("How to get in."))
    waiting_weeks = serializers.IntegerField()
    districts = serializers.SerializerMethodField(
        help_text=_("CBS codes of the districts served; empty means the whole municipality.")
    )

    def get_districts(self, provision) -> list[str]:
        return [district.code for district in provision.districts.all()]
