import pytest
from django.urls import reverse

from teams.roles import Role
from tests.factories import ConsultantAbsenceFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/area-contacts/"


@pytest.fixture
def gp_client(client, user_with_role):
    client.force_login(user_with_role(Role.GP))
    return client


@pytest.mark.parametrize("postcode", ["5611AB", "5611 AB", "5611ab", " 5611 ab "])
def test_area_contacts_accepts_spaces_and_lower_case(gp_client, area, consultants, postcode):
    response = gp_client.get(URL, {"postcode": postcode})
    assert response.status_code == 200
    body = response.json()
    assert body["postcode"] == "5611 AB"
    assert body["district"] == {"code": area["district"].code, "name": area["district"].name}
    assert body["team"]["name"] == area["team"].name
    assert [c["law_domain"] for c in body["consultants"]] == ["wmo", "jeugd", "participatie"]
    assert body["consultants"][0]["email"] == consultants[0].email
    assert set(body) == {
        "postcode",
        "municipality",
        "district",
        "neighbourhood",
        "team",
        "consultants",
    }


def test_area_contacts_returns_the_substitute_during_an_absence(gp_client, area, consultants):
    absence = ConsultantAbsenceFactory(consultant=consultants[2])
    contact = gp_client.get(URL, {"postcode": "5611AB"}).json()["consultants"][2]
    assert contact["is_substitute"] is True
    assert contact["email"] == absence.substitute_email
    assert contact["until"] == absence.end_date.isoformat()


def test_malformed_is_400_and_outside_is_404_with_a_message(gp_client, area):
    malformed = gp_client.get(URL, {"postcode": "1234A"})
    assert malformed.status_code == 400
    assert malformed["Content-Type"] == "application/problem+json"
    error = malformed.json()["errors"][0]
    assert error["field"] == "postcode"
    assert "geen geldige Nederlandse postcode" in error["message"]
    assert gp_client.get(URL).status_code == 400

    outside = gp_client.get(URL, {"postcode": "9999 zz"})
    assert outside.status_code == 404
    assert outside.json()["detail"] == "Postcode 9999 ZZ ligt niet in deze gemeente."
    assert outside.json()["status"] == 404


def test_area_contacts_denied_to_anonymous_and_roleless(client, user_with_role, area):
    anonymous = client.get(URL, {"postcode": "5611AB"})
    assert anonymous.status_code == 401  # with a WWW-Authenticate: Bearer challenge
    assert anonymous["WWW-Authenticate"].startswith("Bearer")
    client.force_login(user_with_role(Role.PARTNER_API))
    assert client.get(URL, {"postcode": "5611AB"}).status_code == 403


def test_area_contacts_query_budget(gp_client, area, consultants, django_assert_max_num_queries):
    for consultant in consultants:
        ConsultantAbsenceFactory.create_batch(2, consultant=consultant)
    gp_client.get(URL, {"postcode": "5611AB"})
    with django_assert_max_num_queries(6):
        assert gp_client.get(URL, {"postcode": "5611AB"}).status_code == 200


def test_schema_and_docs_are_served_without_a_cdn(client, db):
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200
    assert b"/api/v1/area-contacts/" in schema.content
    docs = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in docs
    assert "cdn." not in docs and "jsdelivr" not in docs and "unpkg" not in docs
    assert "/static/drf_spectacular_sidecar/" in docs


def test_a_repeated_lookup_is_answered_from_the_cache_without_rendering_again(
    gp_client, area, consultants, monkeypatch, django_assert_num_queries
):
    """The API keeps its JSON per postcode (`area_contacts_cached(form="api")`): the second
    question costs neither the database query nor the serializer, and says the same; a change
    (here an absence) shows at once."""
    from teams.api import serializers

    rendered = []
    real = serializers.AreaContactsSerializer.to_representation

    def counting(self, instance):
        rendered.append(instance.postcode)
        return real(self, instance)

    monkeypatch.setattr(serializers.AreaContactsSerializer, "to_representation", counting)
    first = gp_client.get(URL, {"postcode": "5611AB"}).json()
    with django_assert_num_queries(2):  # session, user with its access version: no lookup
        again = gp_client.get(URL, {"postcode": "5611 ab"}).json()
    assert again == first and len(rendered) == 1

    ConsultantAbsenceFactory(consultant=consultants[0])
    assert gp_client.get(URL, {"postcode": "5611AB"}).json()["consultants"][0]["is_substitute"]
    assert len(rendered) == 2


@pytest.mark.parametrize(
    "query",
    [
        "postcode=5611ab",
        "postcode=+5611+AB+",
        "postcode=5611-AB",
        "postcode=5611%09AB",
        "postcode=56+11+AB",
        "postcode=5611AB&postcode=1234CD",
        "postcode=5611++++++AB",  # well-formed, but longer than the field allows
        "postcode=",
        "postcode=+++",
        "postcode=56AB",
        "postcode=0611AB",
        "postcode=5611SA",
        "other=5611AB",
        "",
    ],
)
def test_the_quick_postcode_check_answers_as_the_query_serializer(query):
    """The lookup takes a well-formed postcode without building its serializer
    (`teams.api.views._postcode_of`): for any query, the same postcode or the same 400."""
    from django.http import QueryDict
    from rest_framework.exceptions import ValidationError

    from teams.api.serializers import PostcodeQuerySerializer
    from teams.api.views import _postcode_of

    def outcome(check):
        try:
            return ("postcode", check(QueryDict(query)))
        except ValidationError as exc:
            return ("400", exc.detail)

    def by_serializer(params):
        serializer = PostcodeQuerySerializer(data=params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["postcode"]

    assert outcome(_postcode_of) == outcome(by_serializer)
