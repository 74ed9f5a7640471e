"""The consent screen in the household file: list, record, withdraw (HTMX and without)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.consent.models import Consent
from cases.consent.services import consent_record, consents_expired_notify
from cases.privacy.models import AccessAction, AccessLogEntry, AccessResult
from cases.provisions.models import Notification
from teams.roles import Role
from tests.factories import OrganisationFactory
from tests.provision_factories import ApplicationFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def household(make_household, generalist):
    household = make_household(residents=2)
    household.coordinator = generalist
    household.save()
    return household


@pytest.fixture
def resident(household):
    return household.memberships.order_by("pk").first().resident


@pytest.fixture
def org(db):
    return OrganisationFactory(name="Zorggroep De Linde")


def _post_data(resident, org, **extra):
    return {
        "resident": resident.pk,
        "organisation": org.pk,
        "categories": ["progress", "plan"],
        "purpose": "progress_reports",
        "given_by": "de inwoner",
        "given_on": timezone.localdate().isoformat(),
        **extra,
    }


def test_section_lists_current_and_past_consents(
    client, generalist, household, resident, org, django_assert_max_num_queries
):
    today = timezone.localdate()
    consent_record(
        resident=resident,
        organisation=org,
        categories=["progress"],
        purpose="progress_reports",
        purpose_note="Nu geldig",
        given_by="de inwoner",
        given_on=today - datetime.timedelta(days=10),
        by=generalist,
    )
    consent_record(
        resident=resident,
        organisation=org,
        categories=["health"],
        purpose="progress_reports",
        purpose_note="Al verlopen",
        given_by="de inwoner",
        given_on=today - datetime.timedelta(days=100),
        expires_on=today - datetime.timedelta(days=1),
        by=generalist,
    )
    setup_rows = AccessLogEntry.objects.count()  # the services' two change rows
    client.force_login(generalist)
    url = reverse("cases:household_consents", args=[household.uuid])
    # session, user, roles, visibility, household, residents (list and form), two consent
    # queries, organisations (form), the log row: constant in the number of consents
    with django_assert_max_num_queries(14):
        response = client.get(url, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body  # the partial only
    assert "Nu geldig" in body and "Al verlopen" in body
    assert body.index("Nu geldig") < body.index("Al verlopen")  # past ones below
    [row] = [r for r in response.context["residents"] if r.resident == resident]
    assert [c.purpose_note for c in row.current] == ["Nu geldig"]
    assert [c.purpose_note for c in row.past] == ["Al verlopen"]
    assert setup_rows == 2
    log = AccessLogEntry.objects.order_by("pk")[setup_rows:].get()
    assert (log.action, log.object_type, log.household_uuid) == (
        AccessAction.VIEW,
        "consents",
        household.uuid,
    )
    assert str(resident.uuid) in log.resident_uuids
    # the household page loads the section
    page = client.get(reverse("cases:household_detail", args=[household.uuid]))
    assert url in page.content.decode()


def test_generalist_records_consent_with_htmx(client, generalist, household, resident, org):
    client.force_login(generalist)
    response = client.post(
        reverse("cases:consent_create", args=[household.uuid]), _post_data(resident, org), **HTMX
    )
    assert response.status_code == 200
    consent = Consent.objects.get()
    assert consent.categories == ["plan", "progress"] and consent.recorded_by == generalist
    assert 'id="consents"' in response.content.decode() and "<html" not in response.content.decode()
    log = AccessLogEntry.objects.get()
    assert log.action == AccessAction.CHANGE and log.object_id == str(consent.uuid)
    assert log.resident_uuids == [str(resident.uuid)]


def test_legal_basis_needs_its_article(client, generalist, household, resident, org):
    client.force_login(generalist)
    url = reverse("cases:consent_create", args=[household.uuid])
    response = client.post(url, _post_data(resident, org, legal_basis="on"), **HTMX)
    assert response.status_code == 200 and not Consent.objects.exists()
    assert response.context["form"].errors["legal_basis_text"]
    client.post(
        url, _post_data(resident, org, legal_basis="on", legal_basis_text="art. 7.4.4 Jw"), **HTMX
    )
    assert Consent.objects.get().legal_basis_text == "art. 7.4.4 Jw"


def test_withdraw_without_javascript_and_twice(client, generalist, household, resident, org):
    consent = consent_record(
        resident=resident,
        organisation=org,
        categories=["progress"],
        purpose="plan_participant",
        given_by="de inwoner",
        given_on=timezone.localdate() - datetime.timedelta(days=3),
        by=generalist,
    )
    recorded = AccessLogEntry.objects.get()  # the service's row for recording it
    client.force_login(generalist)
    url = reverse("cases:consent_withdraw", args=[household.uuid, consent.uuid])
    response = client.post(url, {"withdrawn_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == timezone.localdate()
    response = client.post(url, {"withdrawn_on": timezone.localdate().isoformat()}, **HTMX)
    assert response.status_code == 200
    assert "al ingetrokken" in response.content.decode()  # shown in the section, nothing saved
    actions = list(
        AccessLogEntry.objects.filter(pk__gt=recorded.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [AccessAction.CHANGE, AccessAction.VIEW]


def test_consultant_reads_but_does_not_record(
    client, user_with_role, household, resident, org, generalist
):
    consultant = user_with_role(Role.CONSULTANT)
    # the consultant handles an application of this household, so the file is theirs to open
    ApplicationFactory(household=household, applied_by=generalist, assigned_to=consultant)
    client.force_login(consultant)
    assert client.get(reverse("cases:household_consents", args=[household.uuid])).status_code == 200
    response = client.post(
        reverse("cases:consent_create", args=[household.uuid]), _post_data(resident, org)
    )
    assert response.status_code == 403 and not Consent.objects.exists()
    assert AccessLogEntry.objects.filter(result=AccessResult.DENIED).count() == 1


def test_outside_the_area_is_404(client, other_area, household, resident, org):
    from tests.factories import TeamMemberFactory

    outsider = TeamMemberFactory(team=other_area["team"]).user
    client.force_login(outsider)
    for response in (
        client.get(reverse("cases:household_consents", args=[household.uuid])),
        client.post(
            reverse("cases:consent_create", args=[household.uuid]), _post_data(resident, org)
        ),
    ):
        assert response.status_code == 404
    assert not Consent.objects.exists()
    assert AccessLogEntry.objects.filter(result=AccessResult.NOT_FOUND).count() == 2


def test_a_consent_of_another_household_cannot_be_withdrawn_here(
    client, generalist, household, make_household, org
):
    other = make_household()
    stranger = other.memberships.first().resident
    consent = consent_record(
        resident=stranger,
        organisation=org,
        categories=["progress"],
        purpose="plan_participant",
        given_by="de inwoner",
        given_on=timezone.localdate(),
        by=generalist,
    )
    client.force_login(generalist)
    url = reverse("cases:consent_withdraw", args=[household.uuid, consent.uuid])
    assert client.post(url, {"withdrawn_on": timezone.localdate().isoformat()}).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_expiry_notice_still_follows_consents_recorded_on_the_screen(
    client, generalist, household, resident, org
):
    """The expired-consent path is untouched: a consent from the screen that expired yesterday
    notifies the coordinator; a withdrawn one does not."""
    today = timezone.localdate()
    client.force_login(generalist)
    url = reverse("cases:consent_create", args=[household.uuid])
    given = (today - datetime.timedelta(days=30)).isoformat()
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    client.post(url, _post_data(resident, org, given_on=given, expires_on=yesterday), **HTMX)
    other = OrganisationFactory(name="Schuldhulp Oost")
    client.post(url, _post_data(resident, other, given_on=given, expires_on=yesterday), **HTMX)
    withdrawn = Consent.objects.get(organisation=other)
    client.post(
        reverse("cases:consent_withdraw", args=[household.uuid, withdrawn.uuid]),
        {"withdrawn_on": given},
        **HTMX,
    )
    assert consents_expired_notify(today=today) == 1
    assert "Zorggroep De Linde" in Notification.objects.get(user=generalist).message
