import uuid

import pytest

from cases.intake.models import Signal
from networks.models import OrganisationType
from tests.factories import OrganisationFactory

URL = "/api/v1/signals/"


@pytest.fixture
def housing(db):
    return OrganisationFactory(type=OrganisationType.HOUSING_CORPORATION, name="Woonstede")


def payload(**overrides):
    data = {
        "postcode": "5611 ab",
        "observation": "Huurachterstand van drie maanden, post stapelt zich op.",
        "reporter_name": "J. de Boer",
        "reporter_contact": "040-1234567",
    }
    data.update(overrides)
    return data


def test_known_and_unknown_people_get_the_same_kind_of_answer(
    housing, api_as, make_household, area
):
    household = make_household()
    resident = household.memberships.get().resident
    api = api_as(housing)
    known = api.post(
        URL, payload(bsn=resident.bsn, birth_date=resident.birth_date.isoformat()), format="json"
    )
    unknown = api.post(URL, payload(bsn="111222333", birth_date="1980-01-01"), format="json")
    by_name = api.post(URL, payload(name="Mevrouw Pieters", address="Kerkstraat 3"), format="json")
    assert known.status_code == unknown.status_code == by_name.status_code == 202
    assert set(known.json()) == set(unknown.json()) == {"id", "received_on", "status"}
    assert known.json()["status"] == unknown.json()["status"] == "received"

    linked = Signal.objects.get(uuid=known.json()["id"])
    assert linked.resident == resident
    assert linked.household == household
    assert linked.team == area["team"]
    assert linked.source_type == "housing_corporation"
    assert "Woonstede" in linked.reporter_name
    not_linked = Signal.objects.get(uuid=unknown.json()["id"])
    assert not_linked.resident is None
    assert not_linked.team == area["team"]


def test_a_bsn_with_the_wrong_birth_date_is_not_linked(housing, api_as, make_household, area):
    resident = make_household().memberships.get().resident
    response = api_as(housing).post(
        URL, payload(bsn=resident.bsn, birth_date="1901-01-01"), format="json"
    )
    assert response.status_code == 202
    assert Signal.objects.get(uuid=response.json()["id"]).resident is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"postcode": "12AB"}, "postcode"),
        ({"postcode": "9999 ZZ", "name": "X"}, "postcode"),
        ({"bsn": "111222334", "birth_date": "1980-01-01"}, "bsn"),
        ({"bsn": "111222333"}, "birth_date"),
        ({}, "name"),
        ({"name": "X", "observation": "  "}, "observation"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(housing, api_as, area, overrides, field):
    response = api_as(housing).post(URL, payload(**overrides), format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in {error["field"] for error in response.json()["errors"]}
    assert not Signal.objects.exists()


def test_needs_the_signals_scope(housing, api_as, area):
    response = api_as(housing, scopes=["contacts:read"]).post(URL, payload(name="X"), format="json")
    assert response.status_code == 403
    assert not Signal.objects.exists()


def test_a_retried_signal_is_registered_once(housing, api_as, area):
    api = api_as(housing)
    key = str(uuid.uuid4())
    first = api.post(URL, payload(name="X"), format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = api.post(URL, payload(name="X"), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.json() == again.json()
    assert Signal.objects.count() == 1


def test_partner_area_contacts_need_the_contacts_scope(housing, api_as, area):
    assert api_as(housing).get("/api/v1/area-contacts/?postcode=5611AB").status_code == 200
    denied = api_as(housing, scopes=["signals:write"]).get("/api/v1/area-contacts/?postcode=5611AB")
    assert denied.status_code == 403
