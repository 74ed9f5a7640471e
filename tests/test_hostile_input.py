"""Hostile input never gives a 500: NUL bytes and control characters (in the address, form
posts, JSON bodies and cookies), an over-long username, non-numeric ids in the admin, and
X-Request-ID values that are not safe to log."""

import json
import re
import uuid

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from cases.intake.models import Signal
from networks.models import OrganisationType
from tests.factories import OrganisationFactory, UserFactory

REFUSED = "Verzoek geweigerd"
CONTROL_REASON = "NUL-byte of een ander stuurteken"


@pytest.fixture
def lenient():
    """A client that answers a server error with a 500 instead of raising it in the test."""
    return Client(raise_request_exception=False)


def assert_refused_page(response):
    assert response.status_code == 400
    content = response.content.decode()
    assert REFUSED in content
    assert CONTROL_REASON in content


# --- NUL bytes and control characters -------------------------------------------------------


def test_a_nul_byte_in_the_household_search_is_refused_with_a_reason(
    lenient, generalist, make_household
):
    make_household()
    lenient.force_login(generalist)
    url = reverse("cases:household_search")
    assert_refused_page(lenient.post(url, {"q": "a\x00b"}))
    assert_refused_page(lenient.post(url, {"q": "a\x00b"}, headers={"HX-Request": "true"}))
    assert_refused_page(lenient.get(url, {"q": "a\x00b"}))
    # tabs and line breaks are ordinary input
    assert lenient.post(url, {"q": "a\tb\r\nc"}).status_code == 200


@pytest.mark.parametrize("character", ["\x01", "\x08", "\x0b", "\x1b", "\x7f"])
def test_other_control_characters_in_a_form_post_are_refused(lenient, generalist, character):
    lenient.force_login(generalist)
    response = lenient.post(reverse("cases:household_search"), {"q": f"5611{character}"})
    assert_refused_page(response)


def test_a_control_character_in_a_field_name_is_refused(lenient, generalist):
    lenient.force_login(generalist)
    response = lenient.post(reverse("cases:household_search"), {"q\x00": "5611"})
    assert_refused_page(response)


@pytest.mark.parametrize(
    "path", ["/huishoudens/caseload/a%00b/", "/wijkteams/a%00b/", "/uitkomsten/export/a%00/csv/"]
)
def test_a_nul_byte_in_the_path_is_refused(lenient, generalist, path):
    lenient.force_login(generalist)
    assert_refused_page(lenient.get(path))


def test_the_refusal_is_english_for_an_english_user(lenient, generalist, settings):
    lenient.force_login(generalist)
    lenient.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = lenient.post(reverse("cases:household_search"), {"q": "a\x00b"})
    assert response.status_code == 400
    assert "NUL byte or another control character in a form field" in response.content.decode()


def test_a_session_cookie_with_a_nul_byte_is_ignored(lenient, settings, db):
    lenient.cookies[settings.SESSION_COOKIE_NAME] = "abcdefgh\x00ijklmnop"
    response = lenient.get(reverse("home"))
    assert response.status_code == 302  # not signed in: to the login page
    assert response["Location"].startswith(reverse("login"))


# --- the API: problem details -----------------------------------------------------------------


@pytest.fixture
def housing_api(api_as, db):
    housing = OrganisationFactory(type=OrganisationType.HOUSING_CORPORATION, name="Woonstede")
    api = api_as(housing, scopes=["signals:write"])
    api.raise_request_exception = False
    return api


def signal(**overrides):
    return {
        "postcode": "5611 ab",
        "observation": "Huurachterstand van drie maanden.",
        "reporter_name": "J. de Boer",
        "reporter_contact": "040-1234567",
        "name": "Mevrouw Pieters",
        "address": "Kerkstraat 3",
        **overrides,
    }


def assert_problem(response):
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400
    assert problem["code"] == "control_characters"
    assert problem["title"] == "Ongeldig verzoek"
    assert "JSON" in problem["detail"] or "adres" in problem["detail"]
    return problem


@pytest.mark.parametrize(
    "body",
    [
        json.dumps(signal(observation="a\u0000b")),
        json.dumps(signal(reporter_name="\u001b[31m")),
        json.dumps(signal(extra={"nested": ["x", "\u0007"]})),
        json.dumps({"a\u0000": 1, **signal()}),
        '{"postcode": "5611AB", "observation": "\\ud800"}',  # a lone surrogate
    ],
)
def test_control_characters_in_a_json_body_are_a_problem(housing_api, area, body):
    response = housing_api.post("/api/v1/signals/", body, content_type="application/json")
    assert_problem(response)
    assert not Signal.objects.exists()


def test_a_clean_json_body_with_escapes_still_goes_through(housing_api, area):
    body = json.dumps(signal(observation='Tab\there, quote ", accent é, euro €'))
    response = housing_api.post("/api/v1/signals/", body, content_type="application/json")
    assert response.status_code == 202


def test_a_nul_byte_in_an_api_query_is_a_problem(housing_api):
    problem = assert_problem(housing_api.get("/api/v1/events/?since=a%00b"))
    assert problem["instance"] == "/api/v1/events/"


def test_the_api_problem_follows_accept_language(housing_api):
    response = housing_api.get("/api/v1/events/?since=a%00b", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["title"] == "Invalid request"


# --- the login form -------------------------------------------------------------------------


@pytest.mark.parametrize("length", [151, 256, 10_000])
def test_an_overlong_username_shows_the_form_again_with_the_error(lenient, db, length):
    response = lenient.post(reverse("login"), {"username": "x" * length, "password": "secret"})
    assert response.status_code == 200
    content = response.content.decode()
    assert f"niet meer dan 150 tekens bevat (het zijn er nu {length})" in content
    assert 'name="username"' in content
    assert not AccessAttempt.objects.exists()  # never reached django-axes' failure log


def test_a_nul_byte_in_the_username_is_refused(lenient, db):
    response = lenient.post(reverse("login"), {"username": "a\x00b", "password": "secret"})
    assert_refused_page(response)


def test_a_username_of_150_characters_is_an_ordinary_failed_login(lenient, db):
    response = lenient.post(reverse("login"), {"username": "x" * 150, "password": "secret"})
    assert response.status_code == 200
    assert "Gebruikersnaam en wachtwoord komen niet overeen" in response.content.decode()


# --- the admin: autocomplete and prefilled add forms ---------------------------------------


@pytest.fixture
def superuser_client(lenient, db):
    lenient.force_login(UserFactory(is_superuser=True, is_staff=True))
    return lenient


AUTOCOMPLETE = "/beheer/autocomplete/?app_label=teams&model_name=teammember&field_name=user"


def test_the_admin_autocomplete_never_answers_500(superuser_client):
    assert superuser_client.get(AUTOCOMPLETE + "&term=ann").status_code == 200
    assert_refused_page(superuser_client.get(AUTOCOMPLETE + "&term=a%00b"))
    assert superuser_client.get(AUTOCOMPLETE + "&term=a&page=abc").status_code == 404
    assert superuser_client.get(AUTOCOMPLETE + "&term=a&page=-1").status_code == 404
    wrong_model = "/beheer/autocomplete/?app_label=teams&model_name=x&field_name=user&term=a"
    assert superuser_client.get(wrong_model).status_code == 403


def _relation_fields(model):
    return [
        field
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is not None
    ]


def test_no_admin_add_form_answers_500_on_a_non_numeric_id(superuser_client):
    tried = refused = 0
    for model in admin.site._registry:
        opts = model._meta
        add_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        for field in _relation_fields(model):
            response = superuser_client.get(f"{add_url}?{field.name}=abc")
            tried += 1
            assert response.status_code != 500, f"{add_url}?{field.name}=abc"
            if response.status_code == 400:
                refused += 1
                assert "geen geldig id" in response.content.decode()
    assert tried >= 8 and refused >= 8


def test_an_admin_add_form_still_takes_a_valid_id(superuser_client, area):
    add_url = reverse("admin:teams_teammember_add")
    user = UserFactory(username="prefilled")
    response = superuser_client.get(f"{add_url}?user={user.pk}&team={area['team'].pk}")
    assert response.status_code == 200
    assert "prefilled" in response.content.decode()


def test_an_anonymous_prefill_goes_to_the_admin_login(lenient, db):
    response = lenient.get(reverse("admin:teams_teammember_add") + "?user=abc")
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- X-Request-ID ---------------------------------------------------------------------------


def _request_id(client, value):
    return client.get(reverse("livez"), HTTP_X_REQUEST_ID=value)["X-Request-ID"]


@pytest.mark.parametrize(
    "given", ["abc-123_DEF.9", "a" * 64, "0f8fad5b-d9cb-469f-a165-70867728950e", "req.1"]
)
def test_a_safe_request_id_is_kept(client, given):
    assert _request_id(client, given) == given


def test_a_uuid_request_id_is_normalised(client):
    given = "{0F8FAD5B-D9CB-469F-A165-70867728950E}"
    assert _request_id(client, given) == "0f8fad5b-d9cb-469f-a165-70867728950e"


@pytest.mark.parametrize(
    "given", ["a" * 65, "x" * 10_000, "has space", "<script>", "a\tb", "ünïcode", "a;b", "a/b"]
)
def test_an_unsafe_request_id_is_replaced(client, given):
    replaced = _request_id(client, given)
    assert replaced != given
    assert re.fullmatch(r"[0-9a-f]{32}", replaced)
    uuid.UUID(replaced)
