from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from socialdomain.api.schema import problem_example, problem_response
from socialdomain.cache import generations_read
from teams import selectors
from teams.api.permissions import CanLookUpAreaContacts
from teams.api.serializers import AreaContactsSerializer, PostcodeQuerySerializer
from teams.validators import format_postcode, normalise_postcode

AREA_CONTACTS = {
    "postcode": "5611 AB",
    "municipality": {"code": "GM0999", "name": "Dommelstede"},
    "district": {"code": "WK099901", "name": "Centrum"},
    "neighbourhood": {"code": "BU09990101", "name": "Binnenstad"},
    "team": {
        "name": "Wijkteam Centrum",
        "phone": "040 751 2000",
        "email": "wijkteam.centrum@dommelstede.nl",
    },
    "consultants": [
        {
            "law_domain": "wmo",
            "name": "Pieter de Wit",
            "phone": "040 751 2031",
            "email": "p.dewit@dommelstede.nl",
            "reachable_hours": "ma-do 9.00-12.00",
            "is_substitute": False,
            "substitutes_for": "",
            "until": None,
        },
        {
            "law_domain": "jeugd",
            "name": "Ayşe Yılmaz",
            "phone": "040 751 2047",
            "email": "a.yilmaz@dommelstede.nl",
            "reachable_hours": "di en do",
            "is_substitute": True,
            "substitutes_for": "Mark Jansen",
            "until": "2025-03-21",
        },
        {
            "law_domain": "participatie",
            "name": "Linda Hermans",
            "phone": "040 751 2055",
            "email": "l.hermans@dommelstede.nl",
            "reachable_hours": "",
            "is_substitute": False,
            "substitutes_for": "",
            "until": None,
        },
    ],
}


def _invalid_postcode_message(value: str) -> str:
    """What the real check says about `value`."""
    try:
        normalise_postcode(value)
    except DjangoValidationError as exc:
        return exc.messages[0]
    return ""


def _postcode_of(query_params) -> str:
    """The query's postcode, normalised (`PostcodeQuerySerializer`). A well-formed postcode
    within the field's length is what the serializer would give, so it is taken as is: a GP
    system asks many times a minute, and a serializer is built field by field every time.
    Anything else goes through the serializer, for its 400 and its reasons."""
    raw = query_params.get("postcode")
    if raw and len(raw) <= PostcodeQuerySerializer.MAX_LENGTH:
        try:
            return normalise_postcode(raw)
        except DjangoValidationError:
            pass
    query = PostcodeQuerySerializer(data=query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["postcode"]


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
            200: OpenApiResponse(AreaContactsSerializer, description="The area's contacts."),
            400: problem_response(
                "Malformed postcode.",
                problem_example(
                    "malformed",
                    400,
                    errors={
                        "postcode": (
                            lambda: _invalid_postcode_message("56AB"),
                            "invalid_postcode",
                        )
                    },
                ),
            ),
            404: problem_response(
                "Well-formed postcode outside the municipality.",
                problem_example(
                    "outside",
                    404,
                    lambda: (
                        _("Postcode %(postcode)s is not in this municipality.")
                        % {"postcode": "9999 ZZ"}
                    ),
                    code="not_found",
                ),
            ),
        },
        examples=[
            OpenApiExample(
                "A postcode in Centrum, the youth consultant away",
                value=AREA_CONTACTS,
                response_only=True,
            )
        ],
        tags=["area contacts"],
    )
    def get(self, request: Request) -> Response:
        postcode = _postcode_of(request.query_params)
        contacts = selectors.area_contacts_cached(
            postcode=postcode,
            form="api",
            # plain data: a process may keep it (a `ReturnDict` would keep its serializer)
            render=lambda found: dict(AreaContactsSerializer(found).data),
            # read by the bearer token's authentication, in its cache round trip
            generation=generations_read(request).get(selectors.AREA_CONTACTS_GENERATION_KEY),
        )
        if contacts is None:
            raise NotFound(
                _("Postcode %(postcode)s is not in this municipality.")
                % {"postcode": format_postcode(postcode)}
            )
        return Response(contacts)
