"""The webhooks of the partner API in the OpenAPI schema (the `webhooks` section of OpenAPI
3.1; SPECTACULAR_SETTINGS["WEBHOOKS"]): what a provider's receiver gets when the municipality
makes an allocation (301) and when the allocation changes (its start, 305, or stop, 307, was
reported). Schema only: the body is built by networks.webhooks.webhook_body around
cases.partners.services.allocation_payload, and signed per Standard Webhooks; the headers are
added by networks.api.schema."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    OpenApiWebhook,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers

from cases.partners.api import examples
from cases.provisions.models import AllocationStatus

ALLOCATION_CREATED = "allocation.created"
ALLOCATION_CHANGED = "allocation.changed"


class AllocationEventDataSerializer(serializers.Serializer):
    """What changed: enough to fetch the allocation, nothing personal."""

    id = serializers.UUIDField(help_text=_("The allocation's id: GET /api/v1/allocations/{id}/."))
    number = serializers.CharField(help_text=_("ToewijzingNummer: start and stop refer to it."))
    status = serializers.ChoiceField(choices=AllocationStatus.choices)
    version = serializers.IntegerField(
        help_text=_("Goes up with every change: a higher version is newer.")
    )


def _event_type(event: str):
    @extend_schema_field({"type": "string", "const": event, "description": event})
    class EventType(serializers.CharField):
        pass

    return EventType(help_text=_("The event type, also in the X-Wijkwerk-Event header."))


class _AllocationEventSerializer(serializers.Serializer):
    id = serializers.UUIDField(
        help_text=_(
            "The event's id: the webhook-id header, the same on every retry and resend. "
            "Deduplicate on it."
        )
    )
    timestamp = serializers.DateTimeField(
        help_text=_("When the event happened (UTC); order events by it or by data.version.")
    )
    data = AllocationEventDataSerializer()


class AllocationCreatedEventSerializer(_AllocationEventSerializer):
    """The body of an `allocation.created` webhook."""

    type = _event_type(ALLOCATION_CREATED)


class AllocationChangedEventSerializer(_AllocationEventSerializer):
    """The body of an `allocation.changed` webhook."""

    type = _event_type(ALLOCATION_CHANGED)


def _webhook(event: str, serializer, *, summary: str, description: str, example: dict):
    return OpenApiWebhook(
        name=event,
        decorator=extend_schema(
            summary=summary,
            description=description
            + "\n\nThe POST is signed per Standard Webhooks (the `webhook-id`, "
            "`webhook-timestamp` and `webhook-signature` headers): verify it with your secret "
            "before you act on it, and answer with a 2xx within 10 seconds. Anything else is "
            "retried for about 26.5 hours with the same `webhook-id`; every event stays "
            'available in GET /api/v1/events/ (docs/api.md, "Webhooks").',
            request={"application/json": serializer},
            examples=[OpenApiExample(event, value=example)],
            responses={204: OpenApiResponse(description="Delivered.")},
            tags=["webhooks"],
        ),
    )


ALLOCATION_CREATED_WEBHOOK = _webhook(
    ALLOCATION_CREATED,
    AllocationCreatedEventSerializer,
    summary="A new allocation for your organisation (iWmo/iJw 301)",
    description="The municipality granted a provision in kind and allocated it to your "
    "organisation (a toewijzing, message 301): `data.status` is `not_started`. Fetch the "
    "allocation (product, extent, period, client, address) with GET "
    "/api/v1/allocations/{data.id}/, then report the start of care (305) with POST "
    "/api/v1/allocations/{data.id}/start/. Also sent when a request of yours (315/317) is "
    "granted: the new allocation is the request's `granted_allocation`.",
    example=examples.EVENT_CREATED,
)
ALLOCATION_CHANGED_WEBHOOK = _webhook(
    ALLOCATION_CHANGED,
    AllocationChangedEventSerializer,
    summary="One of your allocations changed (start 305 or stop 307 reported)",
    description="An allocation of yours changed: its care was started (305, `data.status` "
    "`started`) or stopped (307, `stopped`), by your own system or another of your clients. "
    "`data.version` goes up with each change: ignore an event with a version lower than one "
    "you already processed, and fetch GET /api/v1/allocations/{data.id}/ for the details.",
    example=examples.EVENT_CHANGED,
)
