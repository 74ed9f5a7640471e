"""Partner API for provider requests for a new (iWmo/iJw 315) or changed (317) allocation and
the municipality's answer. The answer to a submit never reveals whether the client is known."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from cases.audit import request_context
from cases.partners import services as partner_services
from cases.partners.api import examples
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
from networks.api.views import (
    IDEMPOTENCY_KEY,
    IF_NONE_MATCH,
    NOT_MODIFIED,
    NewestFirstCursor,
    PartnerApiMixin,
    etag_header,
    idempotent_replayed_header,
)
from networks.models import ApiScope, Frequency, IdempotencyRecord, ProductCategory, Unit
from socialdomain.api.conditional import ConditionalMixin
from socialdomain.api.idempotency import idempotent
from socialdomain.api.schema import problem_example, problem_response


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


@extend_schema_view(
    list=extend_schema(
        summary="List your allocation requests (315/317) and their answers",
        description="Your organisation's requests for a new (315) or changed (317) "
        "allocation, newest first, each with the municipality's answer once a consultant "
        "decided: `granted` (with `granted_allocation`) or `rejected` (`answer` gives the "
        "reasons). Filter on `status`. Cursor pagination.",
        examples=examples.ALLOCATION_REQUESTS,
    ),
    retrieve=extend_schema(
        summary="Read one allocation request and its answer",
        description="One of your requests, with an `ETag` (`If-None-Match` gives a 304 when "
        "unchanged). When granted, `granted_allocation` names the new allocation: fetch it "
        "with GET /allocations/{id}/. Another organisation's request is a 404.",
        parameters=[IF_NONE_MATCH, etag_header(200)],
        responses={200: AllocationRequestSerializer, 304: NOT_MODIFIED},
        examples=examples.ALLOCATION_REQUEST,
    ),
)
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
        responses={
            202: OpenApiResponse(
                AllocationRequestReceiptSerializer,
                description="Received; the same answer whether or not the client is known.",
            ),
            400: problem_response(
                "Invalid request: a field, an unknown product, or fields that do not go with "
                "the kind.",
                problem_example(
                    "invalid extent",
                    400,
                    errors={
                        "extent.volume": (
                            lambda: str(
                                serializers.IntegerField.default_error_messages["min_value"]
                            ).format(min_value=1),
                            "min_value",
                        )
                    },
                ),
            ),
            404: problem_response(
                "`change`: the allocation is not yours, or unknown.",
                problem_example(
                    "not your allocation",
                    404,
                    _("You have no allocation with this id."),
                    code="not_found",
                ),
            ),
        },
        parameters=[IDEMPOTENCY_KEY, idempotent_replayed_header(202)],
        summary="Request a new (iWmo/iJw 315) or changed (317) allocation",
        description="`kind` `new` (315): the client's `bsn` and `birth_date`, the `product` "
        "(WMO020/JZ020 category and the contract's product code), the `extent` (volume, "
        "WJ756 unit and WMO757 frequency, all three), `start_date`, optional `end_date` and "
        "your `motivation`. `kind` `change` (317): your `allocation` and a `change_reason` "
        "(WMO002) instead of BSN and date of birth. Answered 202 with a receipt whether or "
        "not the client is known; when BSN and date of birth match a resident, the request "
        "becomes an application for a consultant (Wmo: decision within 2 weeks, Jeugdwet 8). "
        "Follow the answer with GET /allocation-requests/{id}/.",
        examples=examples.ALLOCATION_REQUEST_CREATE,
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
