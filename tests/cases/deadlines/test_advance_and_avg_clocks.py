"""The two clocks registered last: the Participatiewet advance (art. 52) on the team's
overview, reminded to the consultant; and the AVG request (art. 12(3) AVG) on the privacy
officer's overview only, reminded to the privacy officers and never shown to a team."""

import datetime

import pytest
from django.urls import reverse

from cases.avg import services as avg_services
from cases.clocks import Audience, clocks_by_household, clocks_from_rows, open_clock_rows
from cases.deadlines import services
from cases.deadlines.models import ClockReminder
from cases.households.models import Resident
from teams.roles import Role
from tests.cases.deadlines.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(user_with_role):
    return user_with_role(Role.PRIVACY_OFFICER, username="privacy", email="privacy@example.org")


def test_an_advance_due_shows_on_the_team_overview_and_on_the_household(
    client_as, area, make_clocks, generalist, consultant
):
    made = make_clocks(advance=-1, consultant=consultant)
    application = made["advance"]
    found = clocks_by_household(user=generalist, household_ids=[made["household"].pk])
    kinds = {clock.kind: clock for clock in found[made["household"].pk]}
    assert kinds["advance"].days_late == 1 and kinds["advance"].responsible_id == consultant.pk
    assert kinds["advance"].due_on == application.__class__.objects.get().advance_due_on

    response = client_as(generalist).get(
        reverse("cases:team_clocks", args=[area["district"].code]), {"kind": "advance"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Voorschot op algemene bijstand" in content and "1 dag te laat" in content
    assert reverse("provisions:application_detail", args=[application.uuid]) in content


def test_a_decided_or_excepted_application_runs_no_advance_clock(make_clocks, generalist):
    made = make_clocks(advance=3)
    type(made["advance"]).objects.update(advance_due_on=None)  # what the services store
    found = clocks_by_household(user=generalist, household_ids=[made["household"].pk])
    assert [clock.kind for clock in found[made["household"].pk]] == ["application"]


def test_the_advance_is_reminded_to_the_consultant_and_escalated_when_late(
    make_clocks, consultant, team_lead
):
    make_clocks(advance=-2, consultant=consultant)
    services.clock_reminders_send()
    assert sorted(
        ClockReminder.objects.filter(kind="advance").values_list(
            "recipient__username", "step", "is_escalation"
        )
    ) == [("consultant", "late", False), ("teamlead", "late", True)]


def _resident(household):
    return Resident.objects.filter(memberships__household=household).first()


def _correction(resident, officer, received_on):
    return avg_services.correction_request_record(
        resident=resident,
        what_is_wrong="Het adres klopt niet.",
        received_on=received_on,
        by=officer,
    )


def test_an_open_avg_request_is_a_privacy_clock_never_a_teams(
    make_household, make_clocks, officer, generalist, area
):
    household = make_household(residents=1)
    correction = _correction(_resident(household), officer, TODAY)
    privacy = clocks_from_rows(open_clock_rows(households=None, audience=Audience.PRIVACY))
    assert [(c.kind, c.due_on, c.household_id, c.object_uuid) for c in privacy] == [
        ("avg_request", correction.deadline, None, correction.uuid)
    ]
    assert privacy[0].url == reverse("avg:correction_detail", args=[correction.uuid])
    team = open_clock_rows(households=None)  # the team audience
    assert "avg_request" not in {row["clock_kind"] for row in team}
    assert clocks_by_household(user=generalist, household_ids=[household.pk]) == {}


def test_an_avg_request_past_its_month_reminds_the_privacy_officers(
    make_household, officer, user_with_role, team_lead
):
    user_with_role(Role.PRIVACY_OFFICER, username="privacy2")
    household = make_household(residents=1)
    received = TODAY - datetime.timedelta(days=70)  # a test's choice of date, not a term
    correction = _correction(_resident(household), officer, received)
    assert correction.deadline < TODAY
    services.clock_reminders_send()
    assert sorted(
        ClockReminder.objects.filter(kind="avg_request").values_list(
            "recipient__username", "step", "is_escalation"
        )
    ) == [("privacy", "late", True), ("privacy2", "late", True)]
    assert not ClockReminder.objects.filter(recipient=team_lead).exists()
    correction.refresh_from_db()
    avg_services.correction_request_handle(
        correction=correction, status="granted", outcome="Adres aangepast.", by=officer
    )
    assert open_clock_rows(households=None, audience=Audience.PRIVACY).count() == 0


def test_the_privacy_officers_page_counts_running_and_late_avg_clocks(
    client_as, make_household, officer
):
    household = make_household(residents=2)
    first, second = Resident.objects.filter(memberships__household=household)[:2]
    _correction(first, officer, TODAY)
    _correction(second, officer, TODAY - datetime.timedelta(days=70))
    content = client_as(officer).get(reverse("avg:index")).content.decode()
    assert "Lopende termijnen" in content
    assert "AVG-verzoek" in content and "1 lopend" in content and "1 te laat" in content
