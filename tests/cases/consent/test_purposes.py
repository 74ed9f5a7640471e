"""Consent purposes as codes (issue #16, point 8): the data migration's mapping, the purpose
check where data is shared (the allocation API, progress reports), accepted progress reports on
the household and plan pages, and the expiry notice that names and links the household."""

import datetime
import importlib

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cases.consent.models import ConsentPurpose
from cases.consent.selectors import consent_for_purpose
from cases.consent.services import consent_record, consent_withdraw, consents_expired_notify
from cases.partners.models import ProgressReport
from cases.partners.services import ProgressReportRefused, progress_report_create
from cases.provisions import services as svc
from cases.provisions.models import Allocation, DecisionOutcome, Delivery, Notification
from networks.models import Frequency, Unit
from tests.factories import SupportPlanFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
START = TODAY - 10 * DAY

migration = importlib.import_module("cases.migrations.0025_consent_purposes_ask_once")


@pytest.fixture
def household(make_household, generalist):
    return make_household(residents=2, coordinator=generalist)


@pytest.fixture
def grant(make_application, consultant, household):
    """grant(provider, plan=None) -> an allocation of `household` granted in kind."""

    def make(provider, plan=None):
        application = make_application(household=household, plan=plan)
        application.resident = household.memberships.first().resident
        application.save(update_fields=["resident"])
        svc.application_claim(application=application, by=consultant)
        application.refresh_from_db()
        svc.decision_make(
            application=application,
            by=consultant,
            data=svc.DecisionInput(
                outcome=DecisionOutcome.GRANT,
                volume=3,
                unit=Unit.HOUR,
                frequency=Frequency.PER_WEEK,
                start_date=START,
                end_date=TODAY + 100 * DAY,
                delivery=Delivery.IN_KIND,
                provider=provider,
            ),
        )
        return Allocation.objects.get(decision__application=application)

    return make


@pytest.fixture
def consent(generalist):
    def make(resident, organisation, purpose, categories=("progress", "contact"), **fields):
        return consent_record(
            resident=resident,
            organisation=organisation,
            categories=list(categories),
            purpose=purpose,
            given_by="de inwoner",
            given_on=START,
            by=generalist,
            **fields,
        )

    return make


# --- the data migration's mapping -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Voortgang van de begeleiding delen met de zorgaanbieder.", "progress_reports"),
        ("Contactgegevens voor de toewijzing.", "provider_allocation"),
        ("Overleg met de huisarts", "gp_contact"),
        ("Delen met deelnemers aan het ondersteuningsplan", "plan_participant"),
        ("Nu geldig", "other"),
        ("", "other"),
    ],
)
def test_free_text_purposes_map_to_codes_and_unknown_to_other(text, code):
    assert migration.purpose_code(text) == code
    assert code in ConsentPurpose.values


# --- the check --------------------------------------------------------------------------------


def test_a_purpose_is_covered_only_by_an_active_consent_for_it(
    household, provider, consent, generalist
):
    resident = household.memberships.first().resident

    def covered(purpose):
        return consent_for_purpose(resident=resident, organisation=provider, purpose=purpose)

    assert not covered(ConsentPurpose.PROVIDER_ALLOCATION)
    given = consent(resident, provider, ConsentPurpose.PROVIDER_ALLOCATION)
    assert covered(ConsentPurpose.PROVIDER_ALLOCATION)
    assert not covered(ConsentPurpose.PROGRESS_REPORTS)
    consent_withdraw(consent=given, on=TODAY, by=generalist)
    assert not covered(ConsentPurpose.PROVIDER_ALLOCATION)
    # "other" is the fallback of the migration: no check ever accepts it
    consent(resident, provider, ConsentPurpose.OTHER)
    assert not covered(ConsentPurpose.OTHER)


def test_progress_report_needs_the_progress_purpose(household, provider, grant, consent):
    from cases.partners.services import allocation_start
    from tests.provision_factories import contract_for

    allocation = grant(provider)
    contract_for(allocation)
    allocation = allocation_start(allocation=allocation, started_on=START)
    consent(allocation.client, provider, ConsentPurpose.PROVIDER_ALLOCATION)

    def send():
        return progress_report_create(
            allocation=allocation,
            organisation=provider,
            period_start=START,
            period_end=TODAY,
            text="Gaat goed.",
        )

    with pytest.raises(ProgressReportRefused, match=r"voortgangsrapportages|progress reports"):
        send()
    assert not ProgressReport.objects.exists()
    consent(allocation.client, provider, ConsentPurpose.PROGRESS_REPORTS)
    assert send().allocation == allocation


# --- the allocation API -----------------------------------------------------------------------


def test_allocation_api_withholds_personal_data_without_provider_consent(
    household, provider, grant, consent, api_as
):
    allocation = grant(provider)
    api = api_as(provider)
    url = f"/api/v1/allocations/{allocation.uuid}/"

    body = api.get(url).json()
    assert body["personal_data_withheld"] is True
    assert "provider_allocation" in body["withheld_reason"]
    assert body["address"] is None
    client = body["client"]
    assert client["bsn"] == allocation.client.bsn
    assert client["first_name"] is None and client["last_name"] is None
    assert client["birth_date"] is None
    assert allocation.client.last_name not in str(body)

    # a consent for another purpose does not open it
    consent(allocation.client, provider, ConsentPurpose.PROGRESS_REPORTS)
    assert api.get(url).json()["personal_data_withheld"] is True

    consent(allocation.client, provider, ConsentPurpose.PROVIDER_ALLOCATION)
    body = api.get(url).json()
    assert body["personal_data_withheld"] is False and body["withheld_reason"] is None
    assert body["client"]["last_name"] == allocation.client.last_name
    assert body["address"]["postcode"] == household.postcode_display


def test_allocation_list_decides_per_allocation_in_one_query(
    make_household,
    provider,
    consultant,
    consent,
    api_as,
    make_application,
    django_assert_max_num_queries,
):
    shared = []
    for n in range(6):
        application = make_application()
        application.resident = application.household.memberships.first().resident
        application.save(update_fields=["resident"])
        svc.application_claim(application=application, by=consultant)
        application.refresh_from_db()
        svc.decision_make(
            application=application,
            by=consultant,
            data=svc.DecisionInput(
                outcome=DecisionOutcome.GRANT,
                volume=2,
                unit=Unit.HOUR,
                frequency=Frequency.PER_WEEK,
                start_date=START,
                end_date=TODAY + 100 * DAY,
                delivery=Delivery.IN_KIND,
                provider=provider,
            ),
        )
        if n % 2:
            consent(application.resident, provider, ConsentPurpose.PROVIDER_ALLOCATION)
            shared.append(str(Allocation.objects.get(decision__application=application).uuid))
    api = api_as(provider)
    api.get("/api/v1/allocations/")  # warm the client's token cache
    with django_assert_max_num_queries(12):
        response = api.get("/api/v1/allocations/")
    results = response.json()["results"]
    assert len(results) == 6
    assert sorted(r["id"] for r in results if not r["personal_data_withheld"]) == sorted(shared)


def test_schema_documents_the_withheld_fields(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    allocation = schema["components"]["schemas"]["Allocation"]
    assert "personal_data_withheld" in allocation["properties"]
    assert (
        "provider_allocation" in allocation["properties"]["personal_data_withheld"]["description"]
    )
    assert "withheld_reason" in allocation["required"]


# --- progress reports on the household and plan pages -----------------------------------------


def _report(allocation, provider, n):
    return ProgressReport.objects.create(
        allocation=allocation,
        organisation=provider,
        period_start=START,
        period_end=TODAY,
        text=f"Verslag nummer {n}",
    )


def test_recent_progress_reports_on_household_and_plan_pages(
    household, provider, grant, client, generalist, django_assert_max_num_queries
):
    plan = SupportPlanFactory(household=household)
    on_plan = grant(provider, plan=plan)
    elsewhere = grant(provider)
    for n in range(7):
        _report(on_plan if n % 2 else elsewhere, provider, n)
    client.force_login(generalist)

    # the household page's budget with a plan (as in tests/cases/plans/test_views.py; +2 moves)
    with django_assert_max_num_queries(17):
        page = client.get(reverse("cases:household_detail", args=[household.uuid]))
    content = page.content.decode()
    assert 'id="progress-reports"' in content
    # the five newest, newest first
    shown = [n for n in range(7) if f"Verslag nummer {n}<" in content]
    assert shown == [2, 3, 4, 5, 6]
    assert content.index("Verslag nummer 6") < content.index("Verslag nummer 2")

    page = client.get(reverse("cases:plan_detail", args=[plan.uuid]))
    content = page.content.decode()
    assert [n for n in range(7) if f"Verslag nummer {n}<" in content] == [1, 3, 5]


# --- the expiry notice ------------------------------------------------------------------------


def test_expiry_notice_names_and_links_the_household(
    household, provider, consent, generalist, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://wijkwerk.example.nl"
    generalist.email = "regisseur@example.nl"
    generalist.save(update_fields=["email"])
    resident = household.memberships.first().resident
    consent(resident, provider, ConsentPurpose.PROGRESS_REPORTS, expires_on=TODAY - DAY)

    with django_capture_on_commit_callbacks(execute=True):
        assert consents_expired_notify(today=TODAY) == 1
    notification = Notification.objects.get(user=generalist)
    path = reverse("cases:household_detail", args=[household.uuid])
    assert household.address_line in notification.message
    assert notification.url == path
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert f"https://wijkwerk.example.nl{path}" in body
    # no names or addresses in an e-mail
    assert household.address_line not in body and resident.last_name not in body


def test_expiry_notice_links_from_the_start_page(household, provider, consent, generalist, client):
    resident = household.memberships.first().resident
    consent(resident, provider, ConsentPurpose.PROGRESS_REPORTS, expires_on=TODAY - DAY)
    consents_expired_notify(today=TODAY)
    client.force_login(generalist)
    content = client.get("/").content.decode()
    path = reverse("cases:household_detail", args=[household.uuid])
    assert f'<a href="{path}">' in content
    assert household.address_line in content


# --- sharing the plan with an organisation that owns an action --------------------------------


def test_plan_page_flags_an_organisation_without_plan_consent(
    household, provider, consent, generalist, client
):
    from cases.plans import services as plan_services

    plan = SupportPlanFactory(household=household)
    plan_services.action_add(
        plan=plan,
        by=generalist,
        description="Wekelijkse begeleiding",
        owner_kind="organisation",
        owner_organisation=provider,
    )
    client.force_login(generalist)
    url = reverse("cases:plan_detail", args=[plan.uuid])
    assert "geen toestemming om het plan te delen" in client.get(url).content.decode()

    resident = household.memberships.first().resident
    consent(resident, provider, ConsentPurpose.PLAN_PARTICIPANT, categories=("plan",))
    assert "geen toestemming om het plan te delen" not in client.get(url).content.decode()
