import datetime

import pytest
from django.utils import timezone

from cases.legal_terms import term_end
from cases.partners.models import AllocationRequest
from cases.provisions import services as svc
from cases.provisions.models import (
    Allocation,
    ApplicationStatus,
    DecisionOutcome,
    Delivery,
    ProvisionApplication,
)
from networks.models import Frequency, IdempotencyRecord, OrganisationType, Unit
from tests.factories import OrganisationFactory

TODAY = timezone.localdate()
START = TODAY + datetime.timedelta(days=7)
URL = "/api/v1/allocation-requests/"
ALL = ["allocations:read", "allocations:write"]


@pytest.fixture
def other(db):
    return OrganisationFactory(type=OrganisationType.CARE_PROVIDER, name="Andere aanbieder")


@pytest.fixture
def client_resident(make_household):
    household = make_household()
    return household.memberships.first().resident


def new_body(resident=None, **overrides):
    body = {
        "kind": "new",
        "bsn": resident.bsn if resident else "123456782",
        "birth_date": (resident.birth_date if resident else datetime.date(1950, 1, 1)).isoformat(),
        "product": {"category": "02", "code": "02A01"},
        "extent": {"volume": 4, "unit": "04", "frequency": "2"},
        "start_date": START.isoformat(),
        "motivation": "Meer begeleiding nodig bij de administratie.",
    }
    body.update(overrides)
    return body


def grant(application, consultant, provider):
    application.refresh_from_db()
    svc.application_claim(application=application, by=consultant)
    application.refresh_from_db()
    return svc.decision_make(
        application=application,
        by=consultant,
        data=svc.DecisionInput(
            outcome=DecisionOutcome.GRANT,
            volume=4,
            unit=Unit.HOUR,
            frequency=Frequency.PER_WEEK,
            start_date=START,
            end_date=START + datetime.timedelta(days=90),
            delivery=Delivery.IN_KIND,
            provider=provider,
        ),
    )


def test_known_and_unknown_person_get_the_same_answer(provider, api_as, product, client_resident):
    api = api_as(provider, scopes=ALL)
    known = api.post(URL, new_body(client_resident), format="json")
    unknown = api.post(URL, new_body(), format="json")
    assert known.status_code == unknown.status_code == 202
    assert set(known.json()) == set(unknown.json()) == {"id", "status"}
    assert known.json()["status"] == unknown.json()["status"] == "received"
    detail_known = api.get(f"{URL}{known.json()['id']}/").json()
    detail_unknown = api.get(f"{URL}{unknown.json()['id']}/").json()
    assert set(detail_known) == set(detail_unknown)
    assert detail_known["status"] == detail_unknown["status"] == "received"

    request = AllocationRequest.objects.get(uuid=known.json()["id"])
    assert request.client == client_resident
    application = request.application
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.applied_by is None
    assert application.resident == client_resident
    assert application.motivation.startswith(f"Verzoek van {provider.name} (315)")
    # 2 weeks (Wmo) under the Algemene termijnenwet: a Saturday, Sunday or holiday runs on
    assert application.decision_deadline == term_end(TODAY, weeks=2)
    stranger = AllocationRequest.objects.get(uuid=unknown.json()["id"])
    assert stranger.client is None and stranger.application is None


def test_a_wrong_birth_date_does_not_link_the_person(provider, api_as, product, client_resident):
    body = new_body(client_resident, birth_date="1901-01-01")
    response = api_as(provider, scopes=ALL).post(URL, body, format="json")
    assert response.status_code == 202
    assert AllocationRequest.objects.get().client is None
    assert not ProvisionApplication.objects.exists()


def test_invalid_requests_are_problems(provider, api_as, product, client_resident):
    api = api_as(provider, scopes=ALL)
    unknown_product = api.post(
        URL, new_body(client_resident, product={"category": "02", "code": "99Z99"}), format="json"
    )
    assert unknown_product.status_code == 400
    assert unknown_product["Content-Type"] == "application/problem+json"
    assert unknown_product.json()["errors"][0]["field"] == "product"
    no_extent = api.post(
        URL, new_body(client_resident, extent={"volume": 4, "unit": "04"}), format="json"
    )
    assert no_extent.status_code == 400
    change_without_allocation = api.post(
        URL, new_body(client_resident, kind="change", change_reason="04"), format="json"
    )
    assert change_without_allocation.status_code == 400
    assert not AllocationRequest.objects.exists()


def test_answer_follows_the_consultants_grant(
    provider, api_as, product, client_resident, consultant
):
    api = api_as(provider, scopes=ALL)
    request_id = api.post(URL, new_body(client_resident), format="json").json()["id"]
    request = AllocationRequest.objects.get(uuid=request_id)
    grant(request.application, consultant, provider)
    body = api.get(f"{URL}{request_id}/").json()
    allocation = Allocation.objects.get()
    assert body["status"] == "granted"
    assert body["granted_allocation"] == {"id": str(allocation.uuid), "number": allocation.number}
    assert allocation.number in body["answer"]
    assert body["answered_at"]


def test_answer_follows_the_consultants_rejection(
    provider, api_as, product, client_resident, consultant
):
    api = api_as(provider, scopes=ALL)
    request_id = api.post(URL, new_body(client_resident), format="json").json()["id"]
    application = AllocationRequest.objects.get(uuid=request_id).application
    svc.application_claim(application=application, by=consultant)
    application.refresh_from_db()
    svc.decision_make(
        application=application,
        by=consultant,
        data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="Voorliggend voldoende."),
    )
    body = api.get(f"{URL}{request_id}/").json()
    assert body["status"] == "rejected"
    assert body["answer"] == "Voorliggend voldoende."
    assert body["granted_allocation"] is None


def test_change_of_own_allocation_only(
    provider, other, api_as, product, client_resident, consultant
):
    api = api_as(provider, scopes=ALL)
    first = api.post(URL, new_body(client_resident), format="json").json()["id"]
    grant(AllocationRequest.objects.get(uuid=first).application, consultant, provider)
    allocation = Allocation.objects.get()
    change = {
        "kind": "change",
        "allocation": str(allocation.uuid),
        "change_reason": "04",
        "product": {"category": "02", "code": "02A01"},
        "extent": {"volume": 6, "unit": "04", "frequency": "2"},
        "start_date": START.isoformat(),
        "motivation": "Meer uren nodig na herbeoordeling.",
    }
    assert api_as(other, scopes=ALL).post(URL, change, format="json").status_code == 404
    response = api.post(URL, change, format="json")
    assert response.status_code == 202
    request = AllocationRequest.objects.get(uuid=response.json()["id"])
    assert request.allocation == allocation and request.client == client_resident
    assert request.application.motivation.startswith(f"Verzoek van {provider.name} (317)")
    grant(request.application, consultant, provider)
    allocation.refresh_from_db()
    assert allocation.status == "not_started"  # the old one runs until stopped with reason 37
    detail = api.get(f"{URL}{request.uuid}/").json()
    assert detail["status"] == "granted"
    assert detail["granted_allocation"]["id"] != str(allocation.uuid)


def test_idempotent_retry_creates_one_request(provider, api_as, product, client_resident):
    api = api_as(provider, scopes=ALL)
    body = new_body(client_resident)
    first = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    again = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 202
    assert again["Idempotent-Replayed"] == "true"
    assert first.json() == again.json()
    assert AllocationRequest.objects.count() == ProvisionApplication.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_another_organisations_request_is_not_found(provider, other, api_as, product):
    request_id = api_as(provider, scopes=ALL).post(URL, new_body(), format="json").json()["id"]
    api_other = api_as(other, scopes=ALL)
    assert api_other.get(f"{URL}{request_id}/").status_code == 404
    assert api_other.get(URL).json()["results"] == []


def test_scopes(provider, api_as, product):
    reader = api_as(provider, scopes=["allocations:read"])
    assert reader.post(URL, new_body(), format="json").status_code == 403
    assert reader.get(URL).status_code == 200
    writer = api_as(provider, scopes=["allocations:write"])
    assert writer.post(URL, new_body(), format="json").status_code == 202
    assert writer.get(URL).status_code == 403
    assert api_as(provider, scopes=["signals:write"]).get(URL).status_code == 403


def test_list_filters_by_status_and_has_etag(
    provider, api_as, product, client_resident, consultant
):
    api = api_as(provider, scopes=ALL)
    granted = api.post(URL, new_body(client_resident), format="json").json()["id"]
    waiting = api.post(URL, new_body(), format="json").json()["id"]
    grant(AllocationRequest.objects.get(uuid=granted).application, consultant, provider)
    assert [r["id"] for r in api.get(f"{URL}?status=granted").json()["results"]] == [granted]
    assert [r["id"] for r in api.get(f"{URL}?status=received").json()["results"]] == [waiting]
    detail = api.get(f"{URL}{granted}/")
    assert detail["ETag"]
    assert api.get(f"{URL}{granted}/", HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304


@pytest.mark.parametrize("page_size", [2, 10])
def test_list_queries_are_constant_whatever_the_page_size(
    provider, api_as, product, make_household, consultant, django_assert_max_num_queries, page_size
):
    api = api_as(provider, scopes=ALL)
    for _ in range(10):
        resident = make_household().memberships.first().resident
        request_id = api.post(URL, new_body(resident), format="json").json()["id"]
        grant(AllocationRequest.objects.get(uuid=request_id).application, consultant, provider)
    with django_assert_max_num_queries(7):  # incl. one INSERT of the page's access log rows
        response = api.get(f"{URL}?page_size={page_size}")
    results = response.json()["results"]
    assert len(results) == page_size
    assert all(r["granted_allocation"] for r in results)


def test_requests_are_logged_with_context_api_client(provider, api_as, product, client_resident):
    from cases.privacy.models import AccessContext, AccessLogEntry

    api = api_as(provider, scopes=ALL)
    resident = client_resident
    household = resident.memberships.get().household
    request_id = api.post(URL, new_body(resident), format="json").json()["id"]
    api.get(f"{URL}{request_id}/")
    rows = list(
        AccessLogEntry.objects.order_by("pk").values_list(
            "action", "object_type", "object_id", "household_uuid", "context"
        )
    )
    assert rows == [
        ("change", "allocation_request", request_id, household.uuid, AccessContext.API_CLIENT),
        ("view", "allocation_request", request_id, household.uuid, AccessContext.API_CLIENT),
    ]
