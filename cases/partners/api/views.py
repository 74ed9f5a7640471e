from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.intake import services as intake_services
from cases.partners.api import examples
from cases.partners.api.serializers import PartnerSignalSerializer, SignalReceiptSerializer
from networks.api.authentication import ApiClientAuthentication
from networks.api.permissions import HasApiScope, api_client_of
from networks.api.throttling import ApiClientRateThrottle
from networks.api.views import idempotent_replayed_header
from networks.models import ApiScope, IdempotencyRecord
from socialdomain.api.idempotency import idempotent
from socialdomain.api.schema import problem_example, problem_response


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
        responses={
            202: OpenApiResponse(
                SignalReceiptSerializer,
                description="Received; the same answer whether or not the person is known.",
            ),
            400: problem_response(
                "Invalid signal: the person is not identified, a BSN without its date of "
                "birth, an invalid BSN or postcode, or an empty observation.",
                problem_example(
                    "BSN without date of birth",
                    400,
                    errors={
                        "birth_date": (
                            _("Give the date of birth together with the BSN."),
                            "invalid",
                        )
                    },
                ),
                problem_example(
                    "person not identified",
                    400,
                    errors={
                        "name": (
                            _("Identify the person: BSN and date of birth, or name and address."),
                            "invalid",
                        )
                    },
                ),
            ),
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                location=OpenApiParameter.HEADER,
                required=False,
                description="A retry with the same key is answered with the first receipt.",
            ),
            idempotent_replayed_header(202),
        ],
        tags=["signals"],
        summary="Report a concern about a resident (signal)",
        description="A concern (signaal) from your organisation about a resident: identify "
        "the person by BSN and date of birth, or by name and address, and always give the "
        "`postcode`, which routes the signal to the neighbourhood team (wijkteam) of the "
        "area. Describe what you saw in `observation`. Answered 202 with a receipt whether or "
        "not the person is known to the municipality; the team triages it. Send an "
        "`Idempotency-Key` to retry safely.",
        examples=examples.SIGNALS,
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
