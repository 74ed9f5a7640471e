"""The access log of what providers write over the partner API (issue #14): the service writes
the `change` row (context `api_client`) inside the write's transaction, so a successful report
or request leaves exactly one allowed `change` row with the household, and one that is refused
(404, 403) or fails (400, 409, 412) leaves none. The API's access helper logs the miss
(`not_found`), the refusal (`denied`) or, for an allowed attempt that changed nothing, a `view`.

Also here: the rules of a 315/317 request hold when the service is called directly, not only
through the serializer (`cases.partners.services.allocation_request_check`)."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.partners import services as partner_services
from cases.partners.models import AllocationRequest
from cases.privacy.models import AccessAction, AccessContext, AccessLogEntry, AccessResult
from cases.provisions import services as svc
from cases.provisions.models import Allocation, DecisionOutcome, Delivery, ProvisionApplication
from networks.models import CooperativeMembership, Frequency, OrganisationType, Unit
from tests.factories import OrganisationFactory
from tests.provision_factories import contract_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=10)
END = TODAY + datetime.timedelta(days=100)
REQUESTS = "/api/v1/allocation-requests/"


@pytest.fixture
def other(db):
    return OrganisationFactory(type=OrganisationType.CARE_PROVIDER, name="Andere aanbieder")


@pytest.fixture
def grant_allocation(make_application, consultant):
    """grant_allocation(provider) -> an allocation granted in kind to the provider."""

    def make(provider):
        application = make_application()
        application.resident = application.household.memberships.first().resident
        application.save(update_fields=["resident"])
        contract_for(provider=provider, product=application.product)
        svc.decision_make(
            application=application,
            by=consultant,
            data=svc.DecisionInput(
                outcome=DecisionOutcome.GRANT,
                volume=3,
                unit=Unit.HOUR,
                frequency=Frequency.PER_WEEK,
                start_date=START,
                end_date=END,
                delivery=Delivery.IN_KIND,
                provider=provider,
            ),
        )
        allocation = Allocation.objects.get(decision__application=application)
        contract_for(allocation)
        return allocation

    return make


@pytest.fixture
def allocation(provider, grant_allocation):
    return grant_allocation(provider)


@pytest.fixture
def log_from_now():
    """log_from_now() -> the rows written since the fixture was set up (the consultant's own
    decision rows come before)."""
    start = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def rows(**filters):
        return list(AccessLogEntry.objects.filter(pk__gt=start, **filters).order_by("pk"))

    return rows


def allowed_changes(rows):
    return rows(action=AccessAction.CHANGE, result=AccessResult.ALLOWED)


@pytest.fixture
def api_as(api_as):
    """The partner API client, sending JSON."""

    def make(*args, **kwargs):
        api = api_as(*args, **kwargs)
        api.default_format = "json"
        return api

    return make


def url(allocation, suffix=""):
    return f"/api/v1/allocations/{allocation.uuid}/{suffix}"


# Start and stop of care (305/307) --------------------------------------------------------------


def test_start_and_stop_write_one_change_row_each(provider, api_as, allocation, log_from_now):
    api = api_as(provider)
    assert api.post(url(allocation, "start/"), {"date": START.isoformat()}).status_code == 200
    stopped = api.post(url(allocation, "stop/"), {"date": TODAY.isoformat(), "reason": "19"})
    assert stopped.status_code == 200
    rows = log_from_now()
    assert [(r.action, r.result, r.object_type, r.object_id) for r in rows] == [
        (AccessAction.CHANGE, AccessResult.ALLOWED, "allocation", str(allocation.uuid))
    ] * 2
    assert {r.household_uuid for r in rows} == {allocation.household.uuid}
    assert {r.context for r in rows} == {AccessContext.API_CLIENT}
    assert rows[0].username.startswith(f"api:{provider.code}/")
    assert str(allocation.client.uuid) in rows[0].resident_uuids


def test_a_failed_start_or_stop_writes_no_change_row(provider, api_as, allocation, log_from_now):
    api = api_as(provider)
    before_start = (START - datetime.timedelta(days=1)).isoformat()
    early = api.post(url(allocation, "start/"), {"date": before_start})
    stop_first = api.post(url(allocation, "stop/"), {"date": TODAY.isoformat(), "reason": "19"})
    etag = api.get(url(allocation))["ETag"]
    api.post(url(allocation, "start/"), {"date": START.isoformat()})
    stale = api.post(
        url(allocation, "stop/"), {"date": TODAY.isoformat(), "reason": "19"}, HTTP_IF_MATCH=etag
    )
    bad_reason = api.post(url(allocation, "stop/"), {"date": TODAY.isoformat(), "reason": "99"})
    assert (early.status_code, stop_first.status_code, stale.status_code) == (400, 409, 412)
    assert bad_reason.status_code == 400
    # the one allowed change is the start in between; every failure is a look at the allocation
    assert [(r.action, r.result) for r in log_from_now()] == [
        (AccessAction.VIEW, AccessResult.ALLOWED),  # early start
        (AccessAction.VIEW, AccessResult.ALLOWED),  # stop before start
        (AccessAction.VIEW, AccessResult.ALLOWED),  # the GET for the ETag
        (AccessAction.CHANGE, AccessResult.ALLOWED),  # the start
        (AccessAction.VIEW, AccessResult.ALLOWED),  # stale
        (AccessAction.VIEW, AccessResult.ALLOWED),  # bad reason
    ]
    allocation.refresh_from_db()
    assert allocation.status == "started"


def test_a_start_on_someone_elses_allocation_writes_no_change_row(
    other, api_as, allocation, log_from_now
):
    response = api_as(other).post(url(allocation, "start/"), {"date": START.isoformat()})
    assert response.status_code == 404
    [row] = log_from_now()
    assert (row.action, row.result, row.household_uuid) == (
        AccessAction.CHANGE,
        AccessResult.NOT_FOUND,
        None,
    )


def test_a_service_without_a_request_writes_the_row_too(allocation, log_from_now):
    partner_services.allocation_start(allocation=allocation, started_on=START)
    [row] = allowed_changes(log_from_now)
    assert (row.object_type, row.household_uuid, row.username) == (
        "allocation",
        allocation.household.uuid,
        "",
    )
    with pytest.raises(partner_services.AllocationStateConflict):
        partner_services.allocation_start(allocation=allocation, started_on=START)
    assert len(allowed_changes(log_from_now)) == 1


# Progress reports ------------------------------------------------------------------------------


REPORT = {
    "period_start": START.isoformat(),
    "period_end": TODAY.isoformat(),
    "text": "Goed op weg.",
}


def test_a_progress_report_writes_one_change_row_and_a_refused_one_none(
    provider, api_as, allocation, generalist, log_from_now
):
    from cases.consent.services import consent_record

    partner_services.allocation_start(allocation=allocation, started_on=START)
    api = api_as(provider)
    path = url(allocation, "progress-reports/")
    assert api.post(path, REPORT).status_code == 403  # no consent
    consent_record(
        resident=allocation.client,
        organisation=provider,
        categories=["progress"],
        purpose="progress_reports",
        given_by="de inwoner",
        given_on=START,
        by=generalist,
    )
    start = log_from_now()[-1].pk
    backwards = {**REPORT, "period_end": (START - datetime.timedelta(1)).isoformat()}
    assert api.post(path, backwards).status_code == 400
    assert api.post(path, REPORT).status_code == 201
    rows = [r for r in log_from_now() if r.pk > start or r.result == AccessResult.DENIED]
    assert [(r.action, r.result, r.object_type) for r in rows] == [
        (AccessAction.CHANGE, AccessResult.DENIED, "progress_report"),
        (AccessAction.CHANGE, AccessResult.ALLOWED, "progress_report"),
    ]
    assert rows[-1].household_uuid == allocation.household.uuid


# Requests for a new or changed allocation (315/317) -------------------------------------------


def new_body(resident, **overrides):
    body = {
        "kind": "new",
        "bsn": resident.bsn,
        "birth_date": resident.birth_date.isoformat(),
        "product": {"category": "02", "code": "02A01"},
        "extent": {"volume": 4, "unit": "04", "frequency": "2"},
        "start_date": (TODAY + datetime.timedelta(days=7)).isoformat(),
        "motivation": "Meer begeleiding nodig.",
    }
    body.update(overrides)
    return body


def change_body(allocation, **overrides):
    body = {
        "kind": "change",
        "allocation": str(allocation.uuid),
        "change_reason": "04",
        "product": {"category": "02", "code": "02A01"},
        "extent": {"volume": 6, "unit": "04", "frequency": "2"},
        "start_date": TODAY.isoformat(),
        "motivation": "Meer uren nodig na herbeoordeling.",
    }
    body.update(overrides)
    return body


def test_a_request_writes_one_change_row_and_a_broken_rule_none(
    provider, api_as, product, make_household, log_from_now
):
    resident = make_household().memberships.get().resident
    api = api_as(provider, scopes=["allocations:write"])
    broken = api.post(REQUESTS, new_body(resident, end_date="2000-01-01"))
    assert broken.status_code == 400
    assert log_from_now() == []
    response = api.post(REQUESTS, new_body(resident))
    assert response.status_code == 202
    [row] = log_from_now()
    assert (row.action, row.result, row.object_type, row.object_id) == (
        AccessAction.CHANGE,
        AccessResult.ALLOWED,
        "allocation_request",
        response.json()["id"],
    )
    assert row.household_uuid == resident.memberships.get().household.uuid
    assert row.context == AccessContext.API_CLIENT


def test_a_change_request_for_someone_elses_allocation_writes_no_change_row(
    other, api_as, product, allocation, log_from_now
):
    response = api_as(other, scopes=["allocations:write"]).post(
        REQUESTS, change_body(allocation), format="json"
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "U hebt geen toewijzing met dit id."
    [row] = log_from_now()
    assert (row.action, row.result, row.object_type, row.object_id) == (
        AccessAction.CHANGE,
        AccessResult.NOT_FOUND,
        "allocation",
        str(allocation.uuid),
    )
    assert not AllocationRequest.objects.exists()


def submit(organisation, **fields):
    data = {
        "kind": "new",
        "product_category": "02",
        "product_code": "02A01",
        "volume": 4,
        "unit": "04",
        "frequency": "2",
        "start_date": TODAY,
        "motivation": "Meer begeleiding nodig.",
        "bsn": "123456782",
        "birth_date": datetime.date(1950, 1, 1),
    }
    data.update(fields)
    return partner_services.allocation_request_submit(organisation=organisation, **data)


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"bsn": "", "birth_date": None}, {"bsn", "birth_date"}),
        ({"change_reason": "04"}, {"allocation"}),
        ({"allocation_id": uuid.uuid4()}, {"allocation"}),
        ({"kind": "change", "bsn": "", "birth_date": None}, {"allocation", "change_reason"}),
        ({"end_date": TODAY - datetime.timedelta(days=1)}, {"end_date"}),
        ({"motivation": "   "}, {"motivation"}),
        ({"product_code": "99Z99"}, {"product"}),
    ],
)
def test_the_315_317_rules_hold_in_the_service(provider, product, log_from_now, fields, errors):
    with pytest.raises(ValidationError) as refused:
        submit(provider, **fields)
    assert set(refused.value.message_dict) == errors
    assert not AllocationRequest.objects.exists()
    assert log_from_now() == []


def test_an_inactive_product_cannot_be_requested(provider, product):
    product.active = False
    product.save(update_fields=["active"])
    with pytest.raises(ValidationError) as refused:
        submit(provider)
    assert set(refused.value.message_dict) == {"product"}


def test_only_your_own_or_your_cooperatives_allocation_can_be_changed(
    provider, other, product, grant_allocation
):
    change = {"kind": "change", "change_reason": "04", "bsn": "", "birth_date": None}
    theirs = grant_allocation(other)
    logged = AccessLogEntry.objects.count()
    for allocation_id in (theirs.uuid, uuid.uuid4()):
        with pytest.raises(partner_services.UnknownAllocation):
            submit(provider, allocation_id=allocation_id, **change)
    assert not AllocationRequest.objects.exists()
    assert AccessLogEntry.objects.count() == logged

    mine = grant_allocation(provider)
    request = submit(provider, allocation_id=mine.uuid, **change)
    assert request.allocation == mine and request.client == mine.client
    cooperative = OrganisationFactory(type=OrganisationType.CARE_PROVIDER, name="Coöperatie")
    CooperativeMembership.objects.create(cooperative=cooperative, member=provider, start_date=START)
    shared = grant_allocation(cooperative)
    assert submit(provider, allocation_id=shared.uuid, **change).allocation == shared
    assert ProvisionApplication.objects.filter(allocation_request__isnull=False).count() == 2
