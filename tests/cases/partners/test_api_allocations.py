import datetime
import uuid

import pytest
from django.db.models import F
from django.utils import timezone

from cases.partners import selectors as partner_selectors
from cases.provisions import services as svc
from cases.provisions.models import Allocation, DecisionOutcome, Delivery
from networks.models import CooperativeMembership, Frequency, OrganisationType, Unit
from networks.services import webhook_register
from tests.factories import OrganisationFactory
from tests.provision_factories import ProductFactory, contract_for

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=10)
END = TODAY + datetime.timedelta(days=100)


@pytest.fixture
def grant_allocation(make_application, consultant):
    """grant_allocation(provider, product=None) -> an allocation granted in kind."""

    def make(provider, product=None, start=START, end=END):
        application = make_application(**({"product": product} if product else {}))
        resident = application.household.memberships.first().resident
        application.resident = resident
        application.save(update_fields=["resident"])
        svc.application_claim(application=application, by=consultant)
        application.refresh_from_db()
        contract_for(provider=provider, product=application.product)
        svc.decision_make(
            application=application,
            by=consultant,
            data=svc.DecisionInput(
                outcome=DecisionOutcome.GRANT,
                volume=3,
                unit=Unit.HOUR,
                frequency=Frequency.PER_WEEK,
                start_date=start,
                end_date=end,
                delivery=Delivery.IN_KIND,
                provider=provider,
            ),
        )
        allocation = Allocation.objects.get(decision__application=application)
        contract_for(allocation)
        return allocation

    return make


@pytest.fixture
def other(db):
    return OrganisationFactory(type=OrganisationType.CARE_PROVIDER, name="Andere aanbieder")


def url(allocation, suffix=""):
    return f"/api/v1/allocations/{allocation.uuid}/{suffix}"


def test_provider_reads_only_what_it_needs(provider, api_as, grant_allocation, consent_for):
    allocation = grant_allocation(provider)
    consent_for(allocation, provider, categories=("contact",), purpose="provider_allocation")
    body = api_as(provider).get(url(allocation)).json()
    assert body["personal_data_withheld"] is False and body["withheld_reason"] is None
    assert body["client"]["last_name"] == allocation.client.last_name
    assert body["number"] == allocation.number
    assert body["status"] == "not_started"
    assert body["extent"] == {"volume": 3, "unit": "04", "frequency": "2"}
    assert body["client"]["bsn"] == allocation.client.bsn
    assert set(body["address"]) == {
        "street",
        "house_number",
        "house_number_addition",
        "postcode",
        "city",
    }
    assert "motivation" not in str(body) and "members" not in body


def test_start_and_stop_follow_the_standard(provider, api_as, grant_allocation):
    allocation = grant_allocation(provider)
    api = api_as(provider)
    early = api.post(
        url(allocation, "start/"),
        {"date": (START - datetime.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert early.status_code == 400
    assert early.json()["errors"][0]["field"] == "date"

    stop_first = api.post(
        url(allocation, "stop/"), {"date": TODAY.isoformat(), "reason": "19"}, format="json"
    )
    assert stop_first.status_code == 409

    started = api.post(url(allocation, "start/"), {"date": START.isoformat()}, format="json")
    assert started.status_code == 200
    assert started.json()["status"] == "started"
    again = api.post(url(allocation, "start/"), {"date": START.isoformat()}, format="json")
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"

    after_end = api.post(
        url(allocation, "stop/"),
        {"date": (END + datetime.timedelta(days=1)).isoformat(), "reason": "19"},
        format="json",
    )
    before_start = api.post(
        url(allocation, "stop/"),
        {"date": (START - datetime.timedelta(days=1)).isoformat(), "reason": "19"},
        format="json",
    )
    bad_reason = api.post(
        url(allocation, "stop/"), {"date": TODAY.isoformat(), "reason": "32"}, format="json"
    )
    assert after_end.status_code == before_start.status_code == bad_reason.status_code == 400
    assert bad_reason.json()["errors"][0]["field"] == "reason"

    stopped = api.post(
        url(allocation, "stop/"), {"date": TODAY.isoformat(), "reason": "19"}, format="json"
    )
    assert stopped.status_code == 200
    assert stopped.json()["end_reason"] == "19"
    assert (
        api.post(
            url(allocation, "stop/"), {"date": TODAY.isoformat(), "reason": "19"}, format="json"
        ).status_code
        == 409
    )
    allocation.refresh_from_db()
    assert (allocation.status, allocation.care_started_on, allocation.care_stopped_on) == (
        "stopped",
        START,
        TODAY,
    )


def test_youth_allocations_use_the_jeugd_end_reasons(provider, api_as, grant_allocation):
    allocation = grant_allocation(provider, product=ProductFactory(youth=True))
    api = api_as(provider)
    api.post(url(allocation, "start/"), {"date": START.isoformat()}, format="json")
    assert (
        api.post(
            url(allocation, "stop/"), {"date": TODAY.isoformat(), "reason": "19"}, format="json"
        ).status_code
        == 400
    )
    assert (
        api.post(
            url(allocation, "stop/"), {"date": TODAY.isoformat(), "reason": "32"}, format="json"
        ).status_code
        == 200
    )


def test_stale_if_match_is_412(provider, api_as, grant_allocation):
    allocation = grant_allocation(provider)
    api = api_as(provider)
    etag = api.get(url(allocation))["ETag"]
    assert (
        api.post(
            url(allocation, "start/"),
            {"date": START.isoformat()},
            format="json",
            HTTP_IF_MATCH=etag,
        ).status_code
        == 200
    )
    stale = api.post(
        url(allocation, "stop/"),
        {"date": TODAY.isoformat(), "reason": "19"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert stale.status_code == 412
    allocation.refresh_from_db()
    assert allocation.status == "started"


def test_a_retried_start_replays_and_changes_nothing_again(provider, api_as, grant_allocation):
    allocation = grant_allocation(provider)
    api = api_as(provider)
    key = str(uuid.uuid4())
    first = api.post(
        url(allocation, "start/"),
        {"date": START.isoformat()},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    retry = api.post(
        url(allocation, "start/"),
        {"date": START.isoformat()},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert first.status_code == retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true"
    allocation.refresh_from_db()
    assert allocation.version == 2


def test_isolation_between_organisations(provider, other, api_as, grant_allocation):
    """Organisation A never sees or changes B's allocations: every endpoint answers 404."""
    theirs = grant_allocation(other)
    mine = grant_allocation(provider)
    api = api_as(provider)
    assert [item["id"] for item in api.get("/api/v1/allocations/").json()["results"]] == [
        str(mine.uuid)
    ]
    for response in (
        api.get(url(theirs)),
        api.post(url(theirs, "start/"), {"date": START.isoformat()}, format="json"),
        api.post(url(theirs, "stop/"), {"date": TODAY.isoformat(), "reason": "19"}, format="json"),
    ):
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "not_started"


def test_a_cooperative_member_delivers_the_cooperatives_allocations(
    provider, api_as, grant_allocation
):
    cooperative = OrganisationFactory(
        type=OrganisationType.CARE_PROVIDER, name="Coöperatie Zorg Samen"
    )
    CooperativeMembership.objects.create(cooperative=cooperative, member=provider, start_date=START)
    allocation = grant_allocation(cooperative)
    api = api_as(provider)
    assert api.get(url(allocation)).status_code == 200
    assert (
        api.post(url(allocation, "start/"), {"date": START.isoformat()}, format="json").status_code
        == 200
    )


def test_scopes_are_enforced(provider, api_as, grant_allocation):
    allocation = grant_allocation(provider)
    reader = api_as(provider, scopes=["allocations:read"])
    assert reader.get(url(allocation)).status_code == 200
    assert (
        reader.post(
            url(allocation, "start/"), {"date": START.isoformat()}, format="json"
        ).status_code
        == 403
    )
    assert api_as(provider, scopes=["contacts:read"]).get("/api/v1/allocations/").status_code == 403


def test_filters(provider, api_as, grant_allocation):
    old = grant_allocation(provider, start=START - datetime.timedelta(days=50))
    new = grant_allocation(provider)
    api = api_as(provider)
    api.post(url(new, "start/"), {"date": START.isoformat()}, format="json")
    started = api.get("/api/v1/allocations/?status=started").json()["results"]
    assert [item["id"] for item in started] == [str(new.uuid)]
    since = (START - datetime.timedelta(days=1)).isoformat()
    recent = api.get(f"/api/v1/allocations/?start_date_from={since}").json()["results"]
    assert [item["id"] for item in recent] == [str(new.uuid)]
    assert str(old.uuid) in str(api.get("/api/v1/allocations/").json())


@pytest.mark.parametrize("page_size", [2, 12])
def test_list_queries_are_constant_whatever_the_page_size(
    provider, api_as, grant_allocation, django_assert_max_num_queries, page_size
):
    for _ in range(12):
        grant_allocation(provider)
    api = api_as(provider)
    # the page's statement writes its access-log rows too (PostgreSQL)
    with django_assert_max_num_queries(4):
        response = api.get(f"/api/v1/allocations/?page_size={page_size}")
    assert len(response.json()["results"]) == page_size


@pytest.mark.django_db(transaction=True)
def test_new_and_changed_allocations_are_pushed_to_webhooks(
    provider, api_as, grant_allocation, settings
):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    events = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            events.append(self.headers["X-Wijkwerk-Event"])
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]  # a local receiver, over http
    try:
        webhook_register(organisation=provider, url=f"http://127.0.0.1:{server.server_port}/")
        allocation = grant_allocation(provider)
        api_as(provider).post(url(allocation, "start/"), {"date": START.isoformat()}, format="json")
    finally:
        server.shutdown()
    assert events == ["allocation.created", "allocation.changed"]


# Progress reports ------------------------------------------------------------------------------


@pytest.fixture
def started_allocation(provider, grant_allocation):
    from cases.partners.services import allocation_start

    return allocation_start(allocation=grant_allocation(provider), started_on=START)


@pytest.fixture
def consent_for(generalist):
    from cases.consent.services import consent_record

    def make(
        allocation, organisation, categories=("progress",), purpose="progress_reports", **fields
    ):
        return consent_record(
            resident=allocation.client,
            organisation=organisation,
            categories=list(categories),
            purpose=purpose,
            given_by="de inwoner",
            given_on=START,
            by=generalist,
            **fields,
        )

    return make


REPORT = {
    "period_start": START.isoformat(),
    "period_end": TODAY.isoformat(),
    "text": "Goed op weg met de administratie.",
    "goal_attainment": 4,
}


def test_progress_report_with_consent_is_accepted(
    provider, api_as, started_allocation, consent_for
):
    consent_for(started_allocation, provider)
    api = api_as(provider)
    response = api.post(
        url(started_allocation, "progress-reports/"),
        REPORT,
        format="json",
        HTTP_IDEMPOTENCY_KEY="rapport-1",
    )
    assert response.status_code == 201
    assert response.json()["goal_attainment"] == 4
    replay = api.post(
        url(started_allocation, "progress-reports/"),
        REPORT,
        format="json",
        HTTP_IDEMPOTENCY_KEY="rapport-1",
    )
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert started_allocation.progress_reports.count() == 1
    listed = api.get(url(started_allocation, "progress-reports/")).json()["results"]
    assert [r["text"] for r in listed] == [REPORT["text"]]


def test_a_legal_basis_also_allows_a_report(provider, api_as, started_allocation, consent_for):
    consent_for(started_allocation, provider, legal_basis=True, legal_basis_text="Jeugdwet 7.4.0")
    response = api_as(provider).post(
        url(started_allocation, "progress-reports/"), REPORT, format="json"
    )
    assert response.status_code == 201


def test_progress_report_is_refused_without_consent_or_before_care_started(
    provider, other, api_as, grant_allocation, started_allocation, consent_for, generalist
):
    from cases.consent.services import consent_withdraw

    api = api_as(provider)
    path = url(started_allocation, "progress-reports/")
    none = api.post(path, REPORT, format="json", HTTP_ACCEPT_LANGUAGE="nl")
    assert none.status_code == 403
    assert none["Content-Type"] == "application/problem+json"
    assert "toestemming" in none.json()["detail"].lower()
    assert started_allocation.client.last_name not in none.json()["detail"]

    consent_for(started_allocation, other)  # another organisation's consent
    consent_for(started_allocation, provider, categories=["health"])  # another category
    consent_for(started_allocation, provider, expires_on=TODAY - datetime.timedelta(days=1))
    withdrawn = consent_for(started_allocation, provider)
    consent_withdraw(consent=withdrawn, on=TODAY, by=generalist)
    assert api.post(path, REPORT, format="json").status_code == 403

    not_started = grant_allocation(provider)
    consent_for(not_started, provider)
    early = api.post(url(not_started, "progress-reports/"), REPORT, format="json")
    assert early.status_code == 403
    assert "gestart" in early.json()["detail"]
    assert not started_allocation.progress_reports.exists()


def test_progress_report_validation(provider, api_as, started_allocation, consent_for):
    consent_for(started_allocation, provider)
    api = api_as(provider)
    path = url(started_allocation, "progress-reports/")
    backwards = {**REPORT, "period_end": (START - datetime.timedelta(days=1)).isoformat()}
    assert api.post(path, backwards, format="json").status_code == 400
    assert api.post(path, {**REPORT, "goal_attainment": 6}, format="json").status_code == 400
    assert api.post(path, {**REPORT, "text": "x" * 5001}, format="json").status_code == 400
    assert api.post(path, {**REPORT, "goal_attainment": None}, format="json").status_code == 201


def test_another_organisations_allocation_has_no_progress_reports(
    provider, other, api_as, started_allocation, consent_for
):
    consent_for(started_allocation, other)
    api = api_as(other)
    path = url(started_allocation, "progress-reports/")
    assert api.post(path, REPORT, format="json").status_code == 404
    assert api.get(path).status_code == 404
    reader = api_as(provider, scopes=["allocations:read"])
    assert reader.post(path, REPORT, format="json").status_code == 403
    assert reader.get(path).status_code == 200


def test_only_your_own_reports_are_listed_in_constant_queries(
    provider, other, api_as, started_allocation, consent_for, django_assert_max_num_queries
):
    from cases.partners.models import ProgressReport

    for i in range(6):
        ProgressReport.objects.create(
            allocation=started_allocation,
            organisation=provider if i % 3 else other,
            period_start=START,
            period_end=TODAY,
            text=f"rapport {i}",
        )
    api = api_as(provider)
    # 6: the provider's cooperatives are read first, so that the allocation list can use its
    # index (cases.allocations.allocations_for_organisation); and the access log row
    with django_assert_max_num_queries(6):
        response = api.get(url(started_allocation, "progress-reports/"))
    assert len(response.json()["results"]) == 4


def test_updated_since_accepts_any_iso_offset(provider, api_as, grant_allocation):
    grant_allocation(provider)
    api = api_as(provider)
    # -21:41 is valid ISO 8601 but beyond PostgreSQL's ±15:59 offsets: compared in UTC
    response = api.get("/api/v1/allocations/?updated_since=2020-02-28T15%3A34%3A18-21%3A41")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    assert (
        api.get("/api/v1/allocations/?updated_since=9999-12-31T23%3A59%3A59-23%3A00").status_code
        == 400
    )


# --- the access log (context api_client) ---------------------------------------------------------


def test_partner_access_is_logged_per_file_with_context_api_client(
    provider, other, api_as, grant_allocation
):
    from cases.privacy.models import AccessContext, AccessLogEntry

    allocations = [grant_allocation(provider) for _ in range(3)]
    mine = allocations[0]
    api = api_as(provider)
    granted = AccessLogEntry.objects.count()  # the consultant's claims and grants
    assert api.get("/api/v1/allocations/?page_size=2").status_code == 200
    listed = list(AccessLogEntry.objects.order_by("pk")[granted:])
    assert len(listed) == 2  # one per allocation on the page
    assert {e.context for e in listed} == {AccessContext.API_CLIENT}
    assert {e.role_names for e in listed} == {"partner_api"}
    assert listed[0].username.startswith(f"api:{provider.code}/")
    assert listed[0].user_id is None

    before = AccessLogEntry.objects.count()
    api.get(url(mine))
    api.post(url(mine, "start/"), {"date": TODAY.isoformat()}, format="json")
    api_as(other).get(url(mine))  # someone else's allocation: 404, logged as not found
    rows = list(
        AccessLogEntry.objects.order_by("pk")[before:].values_list(
            "action", "object_type", "household_uuid", "result"
        )
    )
    assert rows == [
        ("view", "allocation", mine.household.uuid, "allowed"),
        ("change", "allocation", mine.household.uuid, "allowed"),
        ("view", "allocation", None, "not_found"),
    ]
    assert str(mine.client.uuid) in AccessLogEntry.objects.order_by("pk")[before].resident_uuids


def test_the_list_from_plain_rows_is_exactly_the_serializers_json(
    provider, api_as, grant_allocation, consent_for, django_assert_max_num_queries
):
    """The list reads `.values()` rows (docs/performance.md); each item is what
    `AllocationSerializer` makes of the allocation, withheld data included, and the query
    count does not grow with the page."""
    from cases.partners.api.serializers import AllocationSerializer

    shared = grant_allocation(provider)
    consent_for(shared, provider, categories=("contact",), purpose="provider_allocation")
    withheld = grant_allocation(provider)
    # one unchanged since it was made (the same moment twice, rendered once), one changed
    Allocation.objects.filter(pk=shared.pk).update(updated_at=F("created_at"))
    Allocation.objects.filter(pk=withheld.pk).update(
        updated_at=F("created_at") + datetime.timedelta(days=1, microseconds=5)
    )
    client = api_as(provider)
    body = client.get("/api/v1/allocations/").json()
    by_id = {item["id"]: item for item in body["results"]}
    assert by_id[str(shared.uuid)]["updated_at"] == by_id[str(shared.uuid)]["created_at"]
    assert by_id[str(withheld.uuid)]["updated_at"] != by_id[str(withheld.uuid)]["created_at"]

    for allocation in (shared, withheld):
        annotated = (
            Allocation.objects.filter(pk=allocation.pk)
            .select_related("product", "client", "household", "delivered_by")
            .annotate(client_data_shared=_shared(provider))
            .get()
        )
        assert by_id[str(allocation.uuid)] == dict(AllocationSerializer(annotated).data)
    assert by_id[str(shared.uuid)]["address"] is not None
    assert by_id[str(withheld.uuid)]["address"] is None
    assert by_id[str(withheld.uuid)]["client"]["last_name"] is None

    with django_assert_max_num_queries(12) as two:
        client.get("/api/v1/allocations/")
    for _ in range(3):
        grant_allocation(provider)
    with django_assert_max_num_queries(len(two.captured_queries)):
        assert len(client.get("/api/v1/allocations/").json()["results"]) == 5


def test_the_page_checks_a_clients_consent_once_and_keeps_its_plan(
    provider, api_as, grant_allocation, consent_for
):
    """The page's statement reads the consents once per row (the client joined through the
    consent), not once per withheld field, and runs with PostgreSQL's generic plan: its
    planning cost more than its run at 500,000 households (docs/performance.md)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from socialdomain.precompiled import prepared_text

    shared = grant_allocation(provider)
    consent_for(shared, provider, categories=("contact",), purpose="provider_allocation")
    grant_allocation(provider)
    client = api_as(provider)
    with CaptureQueriesContext(connection) as queries:
        results = client.get("/api/v1/allocations/").json()["results"]
    assert [item["personal_data_withheld"] for item in results] == [True, False]
    [page] = [q["sql"] for q in queries if "cases_allocation" in prepared_text(q["sql"])]
    assert page.startswith("SET plan_cache_mode = force_generic_plan;")
    assert prepared_text(page).count('"cases_consent"') == 1


def test_the_consent_is_probed_per_row_and_any_current_one_shares(
    provider, api_as, grant_allocation, consent_for
):
    """The page checks a client's consent with a subquery per row that yields one consenting
    resident, not an `EXISTS`, which PostgreSQL may plan as a hash of all the organisation's
    consents built for every page (docs/performance.md, eleventh pass). A client with two
    current consents is listed once and shared; one whose only consent expired is withheld."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from socialdomain.precompiled import prepared_text

    twice = grant_allocation(provider)
    for _ in range(2):
        consent_for(twice, provider, categories=("contact",), purpose="provider_allocation")
    expired = grant_allocation(provider)
    consent_for(
        expired,
        provider,
        categories=("contact",),
        purpose="provider_allocation",
        expires_on=TODAY - datetime.timedelta(days=1),
    )
    client = api_as(provider)
    with CaptureQueriesContext(connection) as queries:
        results = client.get("/api/v1/allocations/").json()["results"]
    withheld = {item["id"]: item["personal_data_withheld"] for item in results}
    assert [item["id"] for item in results] == [str(expired.uuid), str(twice.uuid)]
    assert withheld == {str(twice.uuid): False, str(expired.uuid): True}
    [page] = [q["sql"] for q in queries if "cases_allocation" in prepared_text(q["sql"])]
    sql = prepared_text(page)
    assert "EXISTS" not in sql
    assert '= (SELECT U0."resident_id" AS "resident_id" FROM "cases_consent" U0' in sql


def _shared(provider):
    from django.db.models import Exists, OuterRef

    from cases.consent.selectors import purpose_consent_exists

    return Exists(
        purpose_consent_exists(
            resident=OuterRef("client"), organisation=provider, purpose="provider_allocation"
        )
    )


# --- the page from a statement compiled once (socialdomain.precompiled) --------------------------


def test_cursor_pages_walk_the_whole_list_both_ways_with_a_cooperatives_allocations(
    provider, api_as, grant_allocation
):
    """The list's statement is compiled once per shape and run with each request's values: the
    cursor's position, the providers (the organisation and its cooperatives), the filters. Walking
    the pages forward and back gives every allocation once, newest first."""
    cooperative = OrganisationFactory(type=OrganisationType.CARE_PROVIDER)
    CooperativeMembership.objects.create(cooperative=cooperative, member=provider, start_date=START)
    granted = [grant_allocation(provider if n % 2 else cooperative) for n in range(5)]
    newest_first = [
        str(uuid)
        for uuid in Allocation.objects.filter(pk__in=[a.pk for a in granted])
        .order_by("-created_at", "-id")
        .values_list("uuid", flat=True)
    ]
    api = api_as(provider)

    seen, pages, link = [], [], "/api/v1/allocations/?page_size=2"
    while link:
        body = api.get(link).json()
        pages.append(body)
        seen += [item["id"] for item in body["results"]]
        link = body["next"]
    assert seen == newest_first
    assert [len(page["results"]) for page in pages] == [2, 2, 1]

    back = api.get(pages[-1]["previous"]).json()
    assert [item["id"] for item in back["results"]] == newest_first[2:4]
    # another organisation, with a statement of the same shape: only its own
    other = OrganisationFactory(type=OrganisationType.CARE_PROVIDER)
    theirs = grant_allocation(other)
    assert [i["id"] for i in api_as(other).get("/api/v1/allocations/").json()["results"]] == [
        str(theirs.uuid)
    ]


def test_a_cursor_that_does_not_hold_a_moment_is_a_404_not_a_500(
    provider, api_as, grant_allocation
):
    import base64

    grant_allocation(provider)
    api = api_as(provider)
    for position in ("yesterday", "2026-13-45 10:00:00+00:00"):
        cursor = base64.b64encode(f"p={position}".encode()).decode()
        response = api.get(f"/api/v1/allocations/?cursor={cursor}")
        assert response.status_code == 404, response.content


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "UTC", "America/St_Johns"])
def test_a_moment_reads_as_drfs_datetime_field_renders_it(zone):
    """The list renders moments itself (the zone looked up once per page): the same text as
    DRF's `DateTimeField`, in summer, in winter, with microseconds, in UTC as `Z`."""
    import datetime
    import zoneinfo

    from django.utils import timezone
    from rest_framework import serializers

    from cases.partners.api.allocation_rows import _moment

    moments = [
        datetime.datetime(2026, 7, 1, 12, 30, tzinfo=datetime.UTC),
        datetime.datetime(2026, 1, 15, 23, 59, 59, 123456, tzinfo=datetime.UTC),
        datetime.datetime(2026, 3, 29, 1, 0, tzinfo=datetime.UTC),  # the clocks go forward
        None,
    ]
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        field = serializers.DateTimeField()
        current = timezone.get_current_timezone()
        for moment in moments:
            assert _moment(moment, current) == field.to_representation(moment)


def test_a_kept_client_reads_its_memberships_once_and_again_after_a_change(
    provider,
    api_as,
    grant_allocation,
    shared_cache,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    cooperative = OrganisationFactory(type=OrganisationType.CARE_PROVIDER, name="Coöperatie")
    allocation = grant_allocation(cooperative)
    api = api_as(provider)
    listed = api.get("/api/v1/allocations/")  # the client read, kept with its organisation
    assert listed.status_code == 200
    assert listed.json()["results"] == []
    reads = []
    original = partner_selectors.precompiled_rows
    monkeypatch.setattr(
        partner_selectors,
        "precompiled_rows",
        lambda *, key, **kwargs: reads.append(key) or original(key=key, **kwargs),
    )
    assert api.get("/api/v1/allocations/").status_code == 200
    assert reads == []  # the memberships of the day, kept with the organisation
    with django_capture_on_commit_callbacks(execute=True):  # as the admin's inline saves it
        CooperativeMembership.objects.create(
            cooperative=cooperative, member=provider, start_date=START
        )
    listed = api.get("/api/v1/allocations/")
    assert [row["id"] for row in listed.json()["results"]] == [str(allocation.uuid)]
    assert reads == [("cooperatives of a member",)]


def test_the_page_writes_its_access_log_rows_in_its_own_statement(
    provider, api_as, grant_allocation
):
    """On PostgreSQL the page's statement writes its access-log rows itself (a data-modifying
    `WITH`, `cases.audit.ShownRowsLog`): one row per allocation shown, in the order read, with
    its household and client, none for the row read ahead, and no INSERT of its own; the same
    for the page before, read backwards."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.privacy.models import AccessContext, AccessLogEntry

    allocations = {
        str(allocation.uuid): allocation
        for allocation in (grant_allocation(provider) for _ in range(5))
    }
    api = api_as(provider)
    api.get("/api/v1/allocations/?page_size=2")  # compiles and prepares the statement

    def read(path):
        before = AccessLogEntry.objects.count()
        with CaptureQueriesContext(connection) as queries:
            body = api.get(path).json()
        statements = [query["sql"] for query in queries.captured_queries]
        # the page's statement (its first run prepares it: the INSERT inside its WITH)
        assert not [sql for sql in statements if sql.startswith("INSERT")], statements
        return (
            [item["id"] for item in body["results"]],
            body,
            list(AccessLogEntry.objects.order_by("pk")[before:]),
        )

    shown, body, logged = read("/api/v1/allocations/?page_size=2")
    assert len(shown) == 2 and [entry.object_id for entry in logged] == shown
    for entry in logged:
        allocation = allocations[entry.object_id]
        assert entry.household_uuid == allocation.household.uuid
        assert entry.resident_uuids == [str(allocation.client.uuid)]
        assert (entry.action, entry.object_type, entry.result) == ("view", "allocation", "allowed")
        assert entry.context == AccessContext.API_CLIENT and entry.role_names == "partner_api"
        assert entry.username.startswith(f"api:{provider.code}/") and entry.user_id is None
    following, body, logged = read(body["next"])
    assert [entry.object_id for entry in logged] == following and not set(following) & set(shown)
    back, _body, logged = read(body["previous"])
    assert back == shown and sorted(entry.object_id for entry in logged) == sorted(shown)
