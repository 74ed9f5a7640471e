"""Partner API for provider requests for a new (iWmo/iJw 315) or changed (317) allocation and
the municipality's answer. The answer to a submit never reveals whether the client is known."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from cases.audit import request_context
from cases.partners import services as partner_services
from cases.partners.api.access import AccessLoggedMixin
from cases.partners.models import (
    AllocationRequest,
    AllocationRequestKind,
    AllocationRequestStatus,
    ChangeReason,
)
from cases.privacy.models import AccessAction
from cases.validators import normalise_bsn
from networks.api.permissions import api_client_of
from networks.api.views import IDEMPOTENCY_KEY, NewestFirstCursor, PartnerApiMixin
from networks.models import ApiScope, Frequency, IdempotencyRecord, ProductCategory, Unit
from socialdomain.api.conditional import ConditionalMixin
from socialdomain.api.idempotency import idempotent


class RequestedExtentSerializer(serializers.Serializer):
    volume = serializers.IntegerField(min_value=1)
    unit = serializers.ChoiceField(choices=Unit.choices, help_text=_("WJ756 unit code."))
    frequency = serializers.ChoiceField(
        choices=Frequency.choices, help_text=_("WMO757 frequency code.")
    )


class RequestedProductSerializer(serializers.Serializer):
    category = serializers.ChoiceField(
        choices=ProductCategory.choices,
        help_text=_("iWmo/iJw product category (WMO020 / JZ020)."),
    )
    code = serializers.CharField(
        max_length=5, help_text=_("Product code within the category (per contract).")
    )


class AllocationRequestCreateSerializer(serializers.Serializer):
    """`new` (315): identify the client by BSN and date of birth. `change` (317): name your
    allocation and a change reason (WMO002).

    The shape only; the rules (which fields go with which kind, the product, the allocation)
    are `cases.partners.services.allocation_request_check`."""

    kind = serializers.ChoiceField(choices=AllocationRequestKind.choices)
    allocation = serializers.UUIDField(
        required=False, allow_null=True, help_text=_("For `change`: the allocation's id.")
    )
    change_reason = serializers.ChoiceField(
        choices=ChangeReason.choices,
        required=False,
        allow_blank=True,
        help_text=_("For `change`: WMO002 code."),
    )
    bsn = serializers.CharField(required=False, allow_blank=True, max_length=11)
    birth_date = serializers.DateField(required=False, allow_null=True)
    product = RequestedProductSerializer()
    extent = RequestedExtentSerializer()
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    motivation = serializers.CharField(max_length=5000)

    def validate_bsn(self, value: str) -> str:
        if not value:
            return ""
        try:
            return normalise_bsn(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages[0]) from exc


class AllocationRequestReceiptSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField(help_text=_("Always `received`."))


class GrantedAllocationSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    number = serializers.CharField()


class AllocationRequestSerializer(serializers.Serializer):
    """A request and its answer. Never says whether the client is known to the municipality."""

    id = serializers.UUIDField(source="uuid")
    kind = serializers.ChoiceField(choices=AllocationRequestKind.choices)
    status = serializers.ChoiceField(choices=AllocationRequestStatus.choices)
    allocation = serializers.UUIDField(source="allocation.uuid", allow_null=True, default=None)
    change_reason = serializers.CharField(allow_blank=True)
    product = serializers.SerializerMethodField()
    extent = serializers.SerializerMethodField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    answer = serializers.CharField(allow_blank=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    granted_allocation = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_product(self, request) -> RequestedProductSerializer:
        return {"category": request.product.category, "code": request.product.code}

    def get_extent(self, request) -> RequestedExtentSerializer:
        return {"volume": request.volume, "unit": request.unit, "frequency": request.frequency}

    @extend_schema_field(GrantedAllocationSerializer(allow_null=True))
    def get_granted_allocation(self, request):
        allocation = partner_services.granted_allocation(request)
        return GrantedAllocationSerializer(allocation).data if allocation else None


class AllocationRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AllocationRequestStatus.choices)

    class Meta:
        model = AllocationRequest
        fields = ["status"]


class AllocationRequestViewSet(
    AccessLoggedMixin,
    PartnerApiMixin,
    ConditionalMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's requests for a new (315) or changed (317) allocation, with the answer.
    Another organisation's request is a 404."""

    serializer_class = AllocationRequestSerializer
    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-f-]{36}"
    pagination_class = NewestFirstCursor
    filter_backends = [DjangoFilterBackend]
    filterset_class = AllocationRequestFilter
    required_scopes = {"GET": ApiScope.ALLOCATIONS_READ, "POST": ApiScope.ALLOCATIONS_WRITE}
    log_object_type = "allocation_request"

    def log_item(self, request) -> tuple:
        """Whose file: the allocation's household, or the household of the application the
        request became (never shown to the partner; only logged)."""
        household = None
        if request.allocation_id:
            household = request.allocation.household
        elif request.application_id:
            household = request.application.household
        clients = [request.client.uuid] if request.client_id else []
        return request.uuid, household.uuid if household else None, clients

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no client
            return AllocationRequest.objects.none()
        return (
            AllocationRequest.objects.filter(organisation=api_client_of(self.request).organisation)
            .select_related(
                "product",
                "client",
                "allocation__household",
                "application__decision",
                "application__household",
            )
            .prefetch_related("application__decision__allocations")
        )

    @extend_schema(
        request=AllocationRequestCreateSerializer,
        responses={202: AllocationRequestReceiptSerializer},
        parameters=[IDEMPOTENCY_KEY],
        summary="Request a new (iWmo/iJw 315) or changed (317) allocation",
    )
    def create(self, request):
        return idempotent(IdempotencyRecord, lambda: self._create(request), request)

    def _create(self, request):
        serializer = AllocationRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        product = data.pop("product")
        extent = data.pop("extent")
        allocation_id = data.pop("allocation", None)
        try:
            created = partner_services.allocation_request_submit(
                organisation=api_client_of(request).organisation,
                product_category=product["category"],
                product_code=product["code"],
                allocation_id=allocation_id,
                by=request.user,
                context=request_context(request),
                **extent,
                **data,
            )
        except partner_services.UnknownAllocation as exc:
            self.log_not_found(allocation_id, AccessAction.CHANGE, object_type="allocation")
            raise NotFound(str(exc)) from exc
        receipt = {"id": created.uuid, "status": AllocationRequestStatus.RECEIVED}
        return Response(AllocationRequestReceiptSerializer(receipt).data, status=202)
