from uuid import UUID

import django_filters
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from networks import services
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
from networks.webhooks import webhook_retention_days
from socialdomain.api.conditional import ConditionalMixin
from socialdomain.api.idempotency import idempotent

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

    @extend_schema(responses=ApiClientSelfSerializer)
    def get(self, request):
        return Response(ApiClientSelfSerializer(api_client_of(request)).data)


@extend_schema_view(
    create=extend_schema(parameters=[IDEMPOTENCY_KEY], responses={201: WebhookCreatedSerializer}),
    partial_update=extend_schema(parameters=[IF_MATCH]),
    update=extend_schema(parameters=[IF_MATCH]),
    destroy=extend_schema(parameters=[IF_MATCH]),
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

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
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
        "before your last event and skip ids you already have. Scope `webhooks:manage`.",
        parameters=[SINCE],
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
