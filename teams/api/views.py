from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from teams import selectors
from teams.api.permissions import CanLookUpAreaContacts
from teams.api.serializers import AreaContactsSerializer, PostcodeQuerySerializer
from teams.validators import format_postcode


class AreaContactsView(APIView):
    """Whom to call for a postcode: district, wijkteam and today's area consultants."""

    permission_classes = [IsAuthenticated, CanLookUpAreaContacts]

    @extend_schema(
        operation_id="area_contacts_retrieve",
        summary="Area contacts for a postcode",
        description=(
            "The district (wijk) and neighbourhood (buurt) of a postcode, its neighbourhood "
            "team (wijkteam) and the municipal area consultant per law domain (Wmo, Jeugdwet, "
            "Participatiewet). During a consultant's absence the substitute is returned instead "
            "(`is_substitute`). Never returns household or case data."
        ),
        parameters=[PostcodeQuerySerializer],
        responses={
            200: AreaContactsSerializer,
            400: OpenApiResponse(
                description="Malformed postcode.",
                examples=[
                    OpenApiExample(
                        "malformed",
                        value={
                            "type": "about:blank",
                            "title": "Ongeldig verzoek",
                            "status": 400,
                            "detail": "Het verzoek heeft 1 ongeldig(e) veld(en).",
                            "errors": [
                                {
                                    "field": "postcode",
                                    "message": "Dit is geen geldige Nederlandse postcode.",
                                    "code": "invalid_postcode",
                                }
                            ],
                        },
                    )
                ],
            ),
            404: OpenApiResponse(
                description="Well-formed postcode outside the municipality.",
                examples=[
                    OpenApiExample(
                        "outside",
                        value={
                            "type": "about:blank",
                            "title": "Niet gevonden",
                            "status": 404,
                            "detail": "Postcode 9999 ZZ ligt niet in deze gemeente.",
                        },
                    )
                ],
            ),
        },
        tags=["area contacts"],
    )
    def get(self, request: Request) -> Response:
        query = PostcodeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        postcode = query.validated_data["postcode"]
        contacts = selectors.area_contacts_cached(postcode=postcode)
        if contacts is None:
            raise NotFound(
                _("Postcode %(postcode)s is not in this municipality.")
                % {"postcode": format_postcode(postcode)}
            )
        return Response(AreaContactsSerializer(contacts).data)
