"""The clock registry (cases/clocks.py): every kind's open clocks from the stored dates, in
one query, within need-to-know or a team filter."""

import pytest
from django.db import connection, transaction
from django.db.models import F, Value
from django.urls import reverse
from django.utils import timezone, translation

from cases import clocks
from cases.clocks import (
    KINDS,
    Audience,
    ClockKind,
    clock_rows,
    clocks_by_household,
    clocks_from_rows,
    open_clock_rows,
    team_clock_rows,
)
from cases.households.models import Household
from cases.intake.models import MeldingStatus
from cases.legal_terms import agreed_term_end
from cases.plans import services as plan_services
from cases.plans.models import CheckInStatus, ParticipantStatus
from cases.provisions.models import ApplicationStatus, ProvisionApplication
from networks.models import Law
from tests.cases.deadlines.conftest import TODAY, days
from tests.factories import TeamMemberFactory

pytestmark = pytest.mark.django_db


def by_kind(found):
    """The soonest clock of each kind (the advance's application also runs its decision)."""
    kinds = {}
    for clock in found:
        kinds.setdefault(clock.kind, clock)
    return kinds


def test_every_kind_of_today_is_registered_for_the_team():
    assert [kind.code for kind in clocks.kinds_for(Audience.TEAM)] == [
        "melding",
        "application",
        "evaluation",
        "check_in",
        "invitation",
        "advance",
        "progress_report",
        "objection",
        "callback",
    ]
    assert [kind.code for kind in clocks.kinds_for(Audience.PRIVACY)] == ["avg_request"]


def test_each_kind_yields_its_open_clock_from_the_stored_date(
    make_clocks, generalist, colleague, consultant
):
    made = make_clocks(
        melding=3,
        application=-2,
        advance=4,
        evaluation=0,
        check_in=20,
        invited=12,
        progress_report=-1,
        objection=5,
        consultant=consultant,
    )
    household = made["household"]
    found = by_kind(
        clocks_by_household(user=generalist, household_ids=[household.pk])[household.pk]
    )
    # a GP hand-off's call-back has no household: never in a list of households
    # (tests/cases/intake/test_gp_handoff.py)
    assert set(found) == {
        kind.code for kind in clocks.kinds_for(Audience.TEAM) if not kind.per_district
    }
    assert found["advance"].days_left == 4 and found["advance"].responsible_id == consultant.pk

    melding = found["melding"]
    assert melding.due_on == days(3) and melding.days_left == 3 and melding.status == "running"
    assert melding.url == reverse("cases:household_detail", args=[household.uuid])
    assert melding.responsible_id == generalist.pk  # the household's coordinator
    assert melding.law == Law.WMO and melding.household_name == household.address_line
    assert melding.object_uuid == made["melding"].uuid

    application = found["application"]
    assert application.days_left == -2 and application.days_late == 2 and application.is_late
    assert application.status == "late" and application.responsible_id == consultant.pk
    assert application.detail == made["application"].product.name
    assert application.url == reverse(
        "provisions:application_detail", args=[made["application"].uuid]
    )

    assert found["evaluation"].days_left == 0 and found["evaluation"].status == "running"
    assert found["evaluation"].url == reverse("cases:plan_detail", args=[made["plan"].uuid])
    assert found["check_in"].due_on == days(20)
    assert found["check_in"].object_uuid == made["check_in"].uuid

    invitation = found["invitation"]  # invited 12 days ago, 10 days allowed: 2 days late
    assert invitation.days_late == 2 and invitation.responsible_id == colleague.pk
    assert invitation.detail == "schuldhulpverlener"
    assert invitation.district_id == household.neighbourhood.district_id

    objection = found["objection"]  # the decision on an objection (Awb 7:10)
    assert objection.due_on == days(5) and objection.responsible_id == consultant.pk
    assert objection.url == reverse("cases:objection_detail", args=[made["objection"].uuid])


def test_closed_things_are_no_clocks(make_clocks, generalist):
    made = make_clocks(melding=3, application=5, evaluation=-1, check_in=-1, invited=20)
    type(made["melding"]).objects.update(status=MeldingStatus.COMPLETED)
    ProvisionApplication.objects.update(status=ApplicationStatus.GRANTED)
    type(made["check_in"]).objects.update(status=CheckInStatus.DONE)
    type(made["participant"]).objects.update(status=ParticipantStatus.ACCEPTED)
    plan_services.evaluation_record(
        plan=made["plan"], by=generalist, scores={"finances": 3}, evaluated_on=TODAY
    )
    household = made["household"]
    assert clocks_by_household(user=generalist, household_ids=[household.pk]) == {}


def test_an_evaluation_before_the_date_leaves_the_clock_running(make_clocks, generalist):
    made = make_clocks(evaluation=10)
    plan_services.evaluation_record(
        plan=made["plan"], by=generalist, scores={"finances": 3}, evaluated_on=TODAY
    )
    found = clocks_by_household(user=generalist, household_ids=[made["household"].pk])
    assert [clock.kind for clock in found[made["household"].pk]] == ["evaluation"]


@pytest.mark.parametrize(("invited_days_ago", "listed"), [(9, False), (10, False), (11, True)])
def test_an_invitation_is_a_clock_once_open_longer_than_the_setting(
    make_clocks, generalist, invited_days_ago, listed
):
    made = make_clocks(invited=invited_days_ago)
    found = clocks_by_household(user=generalist, household_ids=[made["household"].pk])
    assert bool(found) is listed


def test_the_setting_sets_how_long_an_invitation_may_stay_open(make_clocks, generalist, settings):
    settings.INVITATION_OPEN_DAYS = 3
    made = make_clocks(invited=5)
    [clock] = clocks_by_household(user=generalist, household_ids=[made["household"].pk])[
        made["household"].pk
    ]
    assert clock.due_on == days(-2) and clock.days_late == 2


def test_need_to_know_a_household_of_another_team_shows_nothing(
    make_clocks, make_household, other_area, generalist
):
    theirs = make_clocks(make_household(neighbourhood=other_area["neighbourhood"]), melding=1)
    mine = make_clocks(melding=2)
    found = clocks_by_household(
        user=generalist, household_ids=[theirs["household"].pk, mine["household"].pk]
    )
    assert list(found) == [mine["household"].pk]


def test_the_team_filter_sorts_soonest_first_late_ones_lead(
    make_clocks, make_household, other_area, area
):
    make_clocks(melding=5, application=-3)
    make_clocks(evaluation=-10, check_in=1)
    make_clocks(make_household(neighbourhood=other_area["neighbourhood"]), melding=-20)
    found = clocks_from_rows(team_clock_rows(district=area["district"]))
    assert [clock.days_left for clock in found] == [-10, -3, 1, 5]
    only = clocks_from_rows(team_clock_rows(district=area["district"], kinds=["melding"]))
    assert [clock.kind for clock in only] == ["melding"]


def test_one_query_for_every_kind(make_clocks, generalist, django_assert_num_queries):
    households = [
        make_clocks(melding=1, application=2, evaluation=3)["household"] for _ in range(4)
    ]
    # the user's teams (need-to-know), the visible ones among the ids, then the union
    with django_assert_num_queries(3):
        found = clocks_by_household(user=generalist, household_ids=[h.pk for h in households])
    assert sum(len(found_clocks) for found_clocks in found.values()) == 12


def test_the_page_statement_built_once_gives_the_orm_rows(make_clocks, generalist):
    """The page's clocks come from a statement compiled once per day and language (PostgreSQL):
    the same rows, in the same order, as the ORM's union for those households."""
    made = [make_clocks(melding=1, application=-2, evaluation=3, check_in=5) for _ in range(3)]
    ids = [m["household"].pk for m in made]
    expected = list(
        clocks.ordered(clocks.open_clock_rows(households=Household.objects.filter(pk__in=ids)))
    )
    clocks._PAGE_STATEMENTS.clear()
    for _ in range(2):  # compiled, then reused with other ids
        rows = clocks._page_clock_rows(
            ids=ids, kinds=None, today=timezone.localdate(), using="default"
        )
        assert rows == expected
    assert len(clocks._PAGE_STATEMENTS) == 1
    assert clocks._page_clock_rows(
        ids=ids[:1], kinds=["melding"], today=timezone.localdate(), using="default"
    ) == [r for r in expected if r["clock_household"] == ids[0] and r["clock_kind"] == "melding"]
    with translation.override("en"):
        clocks._page_clock_rows(ids=ids, kinds=None, today=timezone.localdate(), using="default")
    assert len(clocks._PAGE_STATEMENTS) == 3  # per kinds and per language


def test_the_page_statement_is_prepared_once_per_connection(
    make_clocks, generalist, django_assert_num_queries
):
    """PostgreSQL plans the page's UNION once per connection (PREPARE, then EXECUTE with the
    ids): one query per page, the first one too; the same rows after PostgreSQL switches to
    its generic plan (after five runs) and after a rolled-back transaction."""
    made = [make_clocks(melding=1, application=-2, evaluation=3, check_in=5) for _ in range(3)]
    ids = [m["household"].pk for m in made]
    expected = list(
        clocks.ordered(clocks.open_clock_rows(households=Household.objects.filter(pk__in=ids)))
    )
    clocks._PAGE_STATEMENTS.clear()
    with connection.cursor() as cursor:  # as on a new connection: none prepared yet
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'clocks_page_%%'")
        for (name,) in cursor.fetchall():
            cursor.execute(f"DEALLOCATE {name}")
    clocks._PREPARED.clear()
    today = timezone.localdate()
    for _ in range(7):
        with django_assert_num_queries(1):
            rows = clocks._page_clock_rows(ids=ids, kinds=None, today=today, using="default")
        assert rows == expected
    [statement] = clocks._PAGE_STATEMENTS.values()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements WHERE name = %s",
            [statement.name],
        )
        assert cursor.fetchone() == (7,)
    with pytest.raises(RuntimeError), transaction.atomic():
        clocks._page_clock_rows(ids=ids, kinds=["melding"], today=today, using="default")
        raise RuntimeError
    assert clocks._page_clock_rows(ids=ids[:1], kinds=["melding"], today=today, using="default")
    assert clocks._page_clock_rows(ids=[0], kinds=None, today=today, using="default") == []


def test_due_until_keeps_late_and_soon_clocks_only(make_clocks, area):
    make_clocks(melding=-1, application=4, evaluation=30)
    rows = open_clock_rows(households=None, due_until=days(4))
    assert sorted(row["clock_kind"] for row in rows) == ["application", "melding"]


def test_a_privacy_kind_never_shows_on_a_team(make_clocks, area, generalist, monkeypatch):
    """A kind registered with Audience.PRIVACY (as the AVG request is) stays off a team."""
    made = make_clocks(melding=3)
    household = made["household"]

    def avg_rows(households, today):
        # a stand-in: any open rows, on the privacy officer's side only
        return clock_rows(
            type(made["melding"]).objects.all(),
            kind="avg_test",
            households=households,
            due=F("investigation_deadline"),
            household=None,
            detail=Value("inzage"),
        )

    monkeypatch.setitem(
        KINDS,
        "avg_test",
        ClockKind(
            "avg_test", "AVG", avg_rows, url_name="avg:correction_detail", audience=Audience.PRIVACY
        ),
    )
    team = {c.kind for c in clocks_from_rows(team_clock_rows(district=area["district"]))}
    assert "avg_test" not in team
    assert "avg_test" not in {
        c.kind
        for c in clocks_by_household(user=generalist, household_ids=[household.pk])[household.pk]
    }
    privacy = clocks_from_rows(open_clock_rows(households=None, audience=Audience.PRIVACY))
    assert [(c.kind, c.household_id, c.household_name, c.detail) for c in privacy] == [
        ("avg_test", None, "", "inzage")
    ]


def test_register_refuses_a_code_twice():
    with pytest.raises(ValueError, match="registered already"):
        clocks.register(KINDS["melding"])


def test_a_team_member_elsewhere_sees_only_their_households(
    make_clocks, make_household, other_area
):
    other_member = TeamMemberFactory(team=other_area["team"]).user
    mine = make_clocks(melding=1)
    assert clocks_by_household(user=other_member, household_ids=[mine["household"].pk]) == {}


def test_agreed_term_end_expression_matches_agreed_term_end(make_clocks):
    made = make_clocks(invited=30)
    participant = (
        type(made["participant"]).objects.annotate(due=clocks.invitation_due_expression()).get()
    )
    invited_on = timezone.localdate(participant.invited_at)
    assert participant.due == agreed_term_end(invited_on, days=10) == days(-20)
