from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.intake import services as intake_services
from cases.partners.api.serializers import PartnerSignalSerializer, SignalReceiptSerializer
from networks.api.authentication import ApiClientAuthentication
from networks.api.permissions import HasApiScope, api_client_of
from networks.api.throttling import ApiClientRateThrottle
from networks.models import ApiScope, IdempotencyRecord
from socialdomain.api.idempotency import idempotent


class PartnerSignalView(APIView):
    """A partner reports a concern about a resident. It lands in the triage queue of the team
    of the person's area. The answer never reveals whether the person is known."""

    authentication_classes = [ApiClientAuthentication]
    permission_classes = [HasApiScope]
    throttle_classes = [ApiClientRateThrottle]
    required_scopes = {"POST": ApiScope.SIGNALS_WRITE}

    @extend_schema(
        operation_id="signals_create",
        request=PartnerSignalSerializer,
        responses={202: SignalReceiptSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                location=OpenApiParameter.HEADER,
                required=False,
                description="A retry with the same key is answered with the first receipt.",
            )
        ],
        tags=["signals"],
    )
    def post(self, request):
        return idempotent(IdempotencyRecord, lambda: self._post(request), request)

    def _post(self, request):
        serializer = PartnerSignalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        signal = intake_services.signal_register_from_partner(
            organisation=api_client_of(request).organisation, **serializer.validated_data
        )
        receipt = {"id": signal.uuid, "received_on": signal.received_on, "status": "received"}
        return Response(SignalReceiptSerializer(receipt).data, status=202)
