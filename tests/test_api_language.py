"""Messages in the partner API are translated like the UI (issue 25, item 7): the problem
details' `title` and `detail` follow Accept-Language, Dutch by default, English on request;
the same error in the two languages reads in the two languages."""

import uuid

import pytest

from networks.models import OrganisationType
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(api_as):
    provider = OrganisationFactory(type=OrganisationType.CARE_PROVIDER)
    return lambda scopes=None: api_as(provider, scopes=scopes)


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    return body


def in_both(send) -> tuple[dict, dict]:
    return send("en"), send("nl")


def test_the_same_404_in_english_and_in_dutch(partner):
    api = partner()
    url = f"/api/v1/allocations/{uuid.uuid4()}/"
    en, nl = in_both(lambda lang: problem(api.get(url, HTTP_ACCEPT_LANGUAGE=lang), 404))
    assert (en["title"], en["detail"]) == ("Not found", "Not found.")
    assert (nl["title"], nl["detail"]) == ("Niet gevonden", "Niet gevonden.")
    assert en["code"] == nl["code"] == "not_found"


def test_the_same_400_in_english_and_in_dutch(partner):
    api = partner()
    body = {
        "bsn": "999993653",
        "postcode": "5611 AB",
        "observation": "Zorgen.",
        "reporter_name": "X",
    }
    en, nl = in_both(
        lambda lang: problem(
            api.post("/api/v1/signals/", body, format="json", HTTP_ACCEPT_LANGUAGE=lang), 400
        )
    )
    assert en["title"] == "Invalid request"
    assert en["detail"] == "The request has 1 invalid field(s)."
    assert en["errors"] == [
        {
            "field": "birth_date",
            "message": "Give the date of birth together with the BSN.",
            "code": "invalid",
        }
    ]
    assert nl["title"] == "Ongeldig verzoek"
    assert nl["detail"] == "Het verzoek heeft 1 ongeldig(e) veld(en)."
    assert nl["errors"][0]["message"] == "Geef de geboortedatum samen met het BSN."


def test_a_framework_message_is_translated_too(partner):
    api = partner()
    en, nl = in_both(
        lambda lang: problem(
            api.post("/api/v1/signals/", {}, format="json", HTTP_ACCEPT_LANGUAGE=lang), 400
        )
    )
    assert {e["message"] for e in en["errors"]} == {"This field is required."}
    assert {e["message"] for e in nl["errors"]} == {"Dit veld is vereist."}


def test_a_missing_scope_is_named_in_either_language(partner):
    api = partner(scopes=["signals:write"])
    for url, scope in (
        ("/api/v1/allocations/", "allocations:read"),
        ("/api/v1/area-contacts/?postcode=5611AB", "contacts:read"),
    ):
        en, nl = in_both(
            lambda lang, url=url: problem(api.get(url, HTTP_ACCEPT_LANGUAGE=lang), 403)
        )
        assert en["detail"] == f"This token does not have the scope {scope} needed here."
        assert nl["detail"] == f"Dit token heeft niet de scope {scope} die hier nodig is."
        assert (en["title"], nl["title"]) == ("Not allowed", "Niet toegestaan")


def test_throttling_is_explained_in_either_language(partner, settings):
    settings.API_THROTTLE_RATE = "1/minute"
    api = partner()
    assert api.get("/api/v1/me/").status_code == 200
    en, nl = (api.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE=lang) for lang in ("en", "nl"))
    seconds = en["Retry-After"]
    assert problem(en, 429)["detail"] == f"Too many requests. Try again in {seconds} seconds."
    assert problem(nl, 429)["detail"].startswith("Te veel verzoeken. Probeer het over ")
    assert "Expected" not in nl.json()["detail"]


def test_an_unknown_endpoint_in_either_language(partner):
    api = partner()
    en, nl = in_both(
        lambda lang: problem(api.get("/api/v1/nothing-here/", HTTP_ACCEPT_LANGUAGE=lang), 404)
    )
    assert en["detail"] == "There is no API endpoint at this address."
    assert nl["detail"] == "Op dit adres is geen API-endpoint."


def test_dutch_unless_english_is_asked_for(partner):
    api = partner()
    url = f"/api/v1/allocations/{uuid.uuid4()}/"
    assert problem(api.get(url), 404)["title"] == "Niet gevonden"
    assert problem(api.get(url, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9"), 404)["title"] == (
        "Niet gevonden"
    )
    assert problem(api.get(url, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8"), 404)["title"] == (
        "Not found"
    )
    assert problem(api.get(url, HTTP_ACCEPT_LANGUAGE="fr;q=0.9, en;q=0.5"), 404)["title"] == (
        "Not found"
    )
