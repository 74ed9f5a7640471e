from uuid import UUID

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from networks import services
from networks.api import examples
from networks.api.authentication import ApiClientAuthentication
from networks.api.permissions import HasApiScope, IsApiClient, api_client_of
from networks.api.serializers import (
    ApiClientSelfSerializer,
    EventSerializer,
    GeneralProvisionSerializer,
    WebhookCreatedSerializer,
    WebhookDeliverySerializer,
    WebhookSerializer,
)
from networks.api.throttling import ApiClientRateThrottle
from networks.models import (
    ApiScope,
    GeneralProvision,
    IdempotencyRecord,
    WebhookEndpoint,
    WebhookEvent,
)
from networks.validators import webhook_target_check
from networks.webhooks import webhook_retention_days
from socialdomain.api.conditional import ConditionalMixin
from socialdomain.api.idempotency import idempotent
from socialdomain.api.schema import problem_example, problem_response

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    description="A unique key per intended change; a retry with the same key replays the "
    "first response and changes nothing again.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    location=OpenApiParameter.HEADER,
    required=False,
    description="The ETag you read; a stale one is refused with 412.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    location=OpenApiParameter.HEADER,
    required=False,
    description="The ETag you have; unchanged, the answer is a 304 without a body.",
)


def etag_header(*status_codes: int) -> OpenApiParameter:
    """The ETag response header on these answers (send it back in If-Match on a change)."""
    return OpenApiParameter(
        "ETag",
        location=OpenApiParameter.HEADER,
        response=list(status_codes),
        description="The version of this representation: send it in If-Match on a change.",
    )


def idempotent_replayed_header(*status_codes: int) -> OpenApiParameter:
    return OpenApiParameter(
        "Idempotent-Replayed",
        location=OpenApiParameter.HEADER,
        response=list(status_codes),
        description="`true` when this is the stored answer to an earlier request with the "
        "same Idempotency-Key (nothing was changed again).",
    )


LOCATION = OpenApiParameter(
    "Location",
    location=OpenApiParameter.HEADER,
    response=[201],
    description="The new webhook's address.",
)
NOT_MODIFIED = OpenApiResponse(description="Not modified: If-None-Match holds the current ETag.")


class PartnerApiMixin:
    """Configuration every partner endpoint shares: token auth, scopes, per-client throttle."""

    authentication_classes = [ApiClientAuthentication]
    permission_classes = [HasApiScope]
    throttle_classes = [ApiClientRateThrottle]


class NewestFirstCursor(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class OldestFirstCursor(NewestFirstCursor):
    ordering = ("created_at", "id")


class NameCursor(NewestFirstCursor):
    ordering = ("name", "id")


class MeView(PartnerApiMixin, APIView):
    """Who am I: the calling client's organisation and scopes (to check a token)."""

    permission_classes = [IsApiClient]

    @extend_schema(
        responses=ApiClientSelfSerializer,
        summary="Who am I: your token's organisation and scopes",
        description="The API client the token belongs to: its name, organisation (with AGB "
        "code), scopes and expiry. Any valid token may call it, whatever its scopes: use it "
        "to check a token.",
        examples=examples.ME,
    )
    def get(self, request):
        return Response(ApiClientSelfSerializer(api_client_of(request)).data)


def _internal_address_refusal() -> str:
    """What registering https://10.0.0.8/... answers (the real check; an address, no DNS)."""
    try:
        webhook_target_check("https://10.0.0.8/wijkwerk/webhooks")
    except DjangoValidationError as exc:
        return exc.messages[0]
    return ""


WEBHOOK_URL_REFUSED = problem_example(
    "an internal address",
    400,
    errors={"url": (_internal_address_refusal, "webhook_internal_address")},
)


@extend_schema_view(
    list=extend_schema(
        summary="List your webhooks",
        description="Your organisation's registered webhooks, oldest first. `failing` marks "
        "one whose last event could not be delivered after every retry (see docs/api.md, "
        '"Webhooks"); it clears with the next successful delivery.',
        examples=examples.WEBHOOKS,
    ),
    retrieve=extend_schema(
        summary="Read one webhook",
        description="One of your webhooks, with an `ETag` for `If-Match` on a change "
        "(`If-None-Match` gives a 304 when unchanged). The secret is never shown again.",
        parameters=[IF_NONE_MATCH, etag_header(200)],
        responses={200: WebhookSerializer, 304: NOT_MODIFIED},
        examples=examples.WEBHOOK_READ,
    ),
    create=extend_schema(
        parameters=[IDEMPOTENCY_KEY, idempotent_replayed_header(201), LOCATION],
        request=WebhookSerializer,
        responses={
            201: OpenApiResponse(
                WebhookCreatedSerializer, description="Registered, with its signing secret."
            ),
            400: problem_response("An invalid or refused URL.", WEBHOOK_URL_REFUSED),
        },
        summary="Register a webhook",
        description="A URL of yours that receives every event of your organisation as a "
        "signed POST (the `webhooks` section of this schema; Standard Webhooks). `https` "
        "only, to a public address: loopback, private, link-local and metadata addresses "
        "are refused. The answer holds the signing `secret` (`whsec_...`) once: store it to "
        "verify `webhook-signature`.",
        examples=examples.WEBHOOK_CREATE,
    ),
    update=extend_schema(
        parameters=[IF_MATCH, etag_header(200)],
        responses={
            200: OpenApiResponse(WebhookSerializer, description="Changed."),
            400: problem_response("An invalid or refused URL.", WEBHOOK_URL_REFUSED),
        },
        summary="Replace a webhook's URL and state",
        description="A new `url` (checked as on registration) and `active`. The secret stays "
        "the same. Send the ETag you read in `If-Match` (412 when it changed since).",
        examples=examples.WEBHOOK_UPDATE,
    ),
    partial_update=extend_schema(
        parameters=[IF_MATCH, etag_header(200)],
        responses={
            200: OpenApiResponse(WebhookSerializer, description="Changed."),
            400: problem_response("An invalid or refused URL.", WEBHOOK_URL_REFUSED),
        },
        summary="Change a webhook: pause, resume or move it",
        description="Change `url` or `active` (`false` pauses deliveries; events still go "
        "to GET /events/). `If-Match` as for a replace.",
        examples=examples.WEBHOOK_PAUSE,
    ),
    destroy=extend_schema(
        parameters=[IF_MATCH],
        responses={204: OpenApiResponse(description="Removed.")},
        summary="Remove a webhook",
        description="No more deliveries to this URL; events stay available in GET /events/ "
        "for replay. `If-Match` as for a change.",
    ),
    deliveries=extend_schema(
        summary="The delivery log of a webhook",
        description="Each event's delivery to this webhook, newest first: `status` "
        "(`pending`, `succeeded`, `failed`), attempts, the next attempt's due time, and the "
        "last HTTP status or kind of network error (never what your receiver answered). "
        "Cursor pagination.",
        examples=examples.DELIVERIES,
    ),
)
class WebhookViewSet(
    PartnerApiMixin,
    ConditionalMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's webhooks. Another organisation's webhook is a 404."""

    serializer_class = WebhookSerializer
    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-f-]{36}"
    pagination_class = OldestFirstCursor
    required_scopes = dict.fromkeys(
        ("GET", "POST", "PUT", "PATCH", "DELETE"), ApiScope.WEBHOOKS_MANAGE
    )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no client
            return WebhookEndpoint.objects.none()
        return WebhookEndpoint.objects.filter(organisation=api_client_of(self.request).organisation)

    def create(self, request, *args, **kwargs):
        return idempotent(IdempotencyRecord, lambda: self._create(request), request)

    def _create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = services.webhook_register(
            organisation=api_client_of(request).organisation, url=serializer.validated_data["url"]
        )
        data = WebhookCreatedSerializer(endpoint).data
        return Response(
            data,
            status=201,
            headers={"Location": f"{request.path}{endpoint.uuid}/"},
        )

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        instance = get_object_or_404(
            self.get_queryset().select_for_update(), uuid=kwargs[self.lookup_field]
        )
        self.check_precondition(instance)
        serializer = self.get_serializer(
            instance, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        endpoint = services.webhook_update(
            endpoint=instance, expected_version=instance.version, **serializer.validated_data
        )
        return Response(self.get_serializer(endpoint).data)

    @transaction.atomic
    def destroy(self, request, *args, **kwargs):
        instance = get_object_or_404(
            self.get_queryset().select_for_update(), uuid=kwargs[self.lookup_field]
        )
        self.check_precondition(instance)
        services.webhook_delete(endpoint=instance)
        return Response(status=204)

    @extend_schema(responses=WebhookDeliverySerializer(many=True))  # and extend_schema_view
    @action(detail=True, methods=["get"], pagination_class=NewestFirstCursor)
    def deliveries(self, request, uuid=None):
        endpoint = self.get_object()
        page = self.paginate_queryset(endpoint.deliveries.select_related("event"))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)


SINCE = OpenApiParameter(
    "since",
    str,
    required=False,
    description="Only events after this one: an ISO 8601 date and time (e.g. "
    "`2025-03-01T08:00:00Z`; URL-encode a `+` offset as `%2B`; without an offset, Dutch "
    "time) or an event id (a webhook-id you received). Without it, every event still kept.",
)


def _events_after(events, since: str) -> Q:
    """The condition for events after `since`: an event id of the caller's, or a moment."""
    try:
        event_id = UUID(since)
    except ValueError:
        event_id = None
    if event_id is not None:
        anchor = events.filter(uuid=event_id).values("created_at", "pk").first()
        if anchor is None:
            raise ValidationError(
                {
                    "since": _(
                        "There is no event %(id)s of yours (any more): events are kept "
                        "%(days)s days. Ask with a date and time instead."
                    )
                    % {"id": event_id, "days": webhook_retention_days()}
                }
            )
        return Q(created_at__gt=anchor["created_at"]) | Q(
            created_at=anchor["created_at"], pk__gt=anchor["pk"]
        )
    try:
        # a `+` offset that was not URL-encoded arrives as a space
        moment = parse_datetime(since.strip().replace(" ", "+"))
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError(
            {
                "since": _(
                    "Give an ISO 8601 date and time (e.g. 2025-03-01T08:00:00Z) or an event id."
                )
            }
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return Q(created_at__gt=moment)


@extend_schema_view(
    list=extend_schema(
        summary="Your events since a moment or an event (replay of webhooks)",
        description="Every event sent to your webhooks, oldest first, whether or not it was "
        "delivered: a receiver that was down catches up here and loses nothing. `id` is the "
        "`webhook-id` of its deliveries and `payload` the body's `data`. Events are kept "
        "`WEBHOOK_EVENT_RETENTION_DAYS` (at least 30) days. Follow `next` until it is null; "
        "ask again later with `since` set to the last id you processed. Events that commit "
        "late can carry a slightly earlier `created_at`: to be sure, ask from a few minutes "
        "before your last event and skip ids you already have.",
        parameters=[SINCE],
        responses={
            200: EventSerializer(many=True),
            400: problem_response(
                "`since` is neither a date and time nor an event id of yours still kept.",
                problem_example(
                    "unknown event id",
                    400,
                    errors={
                        "since": (
                            lambda: (
                                _(
                                    "There is no event %(id)s of yours (any more): events are "
                                    "kept %(days)s days. Ask with a date and time instead."
                                )
                                % {"id": "c0ffee00-1234-4abc-8def-0123456789ab", "days": 30}
                            ),
                            "invalid",
                        )
                    },
                ),
            ),
        },
        examples=examples.EVENTS,
    )
)
class EventViewSet(PartnerApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's events, for replay (docs/api.md, "Webhooks")."""

    serializer_class = EventSerializer
    pagination_class = OldestFirstCursor
    required_scopes = {"GET": ApiScope.WEBHOOKS_MANAGE}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no client
            return WebhookEvent.objects.none()
        events = WebhookEvent.objects.filter(organisation=api_client_of(self.request).organisation)
        since = self.request.query_params.get("since")
        if since:
            events = events.filter(_events_after(events, since))
        return events


class GeneralProvisionFilter(django_filters.FilterSet):
    district = django_filters.CharFilter(
        method="served_in", help_text="CBS district code (WK…): provisions serving it."
    )

    class Meta:
        model = GeneralProvision
        fields = ["district"]

    def served_in(self, queryset, name, value):
        return queryset.filter(Q(districts__code=value) | Q(districts__isnull=True)).distinct()


@extend_schema_view(
    list=extend_schema(
        summary="The catalogue of general provisions",
        description="General provisions (algemene voorzieningen): open-access support that "
        "needs no decision, such as a walk-in debt desk, a buddy project or parenting "
        "courses, with what they offer, how to get in and the waiting time in weeks. Filter "
        "on `district` (CBS code WK...): the provisions serving it, including those for the "
        "whole municipality (empty `districts`). Alphabetical, cursor pagination.",
        examples=examples.GENERAL_PROVISIONS,
    )
)
class GeneralProvisionViewSet(PartnerApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The catalogue of general provisions (algemene voorzieningen)."""

    serializer_class = GeneralProvisionSerializer
    pagination_class = NameCursor
    filter_backends = [DjangoFilterBackend]
    filterset_class = GeneralProvisionFilter
    required_scopes = {"GET": ApiScope.CONTACTS_READ}
    queryset = (
        GeneralProvision.objects.filter(active=True)
        .select_related("organisation")
        .prefetch_related("districts")
    )
