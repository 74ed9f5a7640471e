import datetime
import re

import pytest
from django.http import Http404
from django.utils import timezone

from cases import access
from cases.access import household_for_user
from cases.households import selectors as household_selectors
from cases.households.models import Household, current_members_prefetch
from cases.intake import services as intake_services
from teams.roles import Role
from tests.factories import (
    HouseholdMembershipFactory,
    MeldingFactory,
    NetworkMemberFactory,
    ResidentFactory,
    SupportPlanFactory,
)


@pytest.fixture
def households(make_household, other_area):
    own = make_household(residents=2)
    foreign = make_household(neighbourhood=other_area["neighbourhood"], postcode="5641AA")
    return own, foreign


@pytest.mark.parametrize(
    ("role", "sees_own", "sees_foreign"),
    [
        (Role.GENERALIST, True, False),
        (Role.TEAM_LEAD, True, False),
        # a consultant who is a team member works in the team's files (consultants outside a
        # team: tests/cases/test_need_to_know.py)
        (Role.CONSULTANT, True, False),
        # they maintain the register in the admin and read the log; no files (docs/privacy.md)
        (Role.FUNCTIONAL_ADMIN, False, False),
        (Role.PRIVACY_OFFICER, False, False),
        (Role.POLICY_OFFICER, False, False),
        (Role.GP, False, False),
        (Role.PARTNER_API, False, False),
    ],
)
def test_visibility_by_role(households, area, user_with_role, role, sees_own, sees_foreign):
    own, foreign = households
    user = user_with_role(role)
    area["team"].members.create(user=user)
    visible = set(access.households_visible_to(user))
    assert (own in visible) is sees_own
    assert (foreign in visible) is sees_foreign


def test_a_coordinator_sees_their_household_outside_their_district(households, generalist):
    _own, foreign = households
    assert foreign not in access.households_visible_to(generalist)
    foreign.coordinator = generalist
    foreign.save()
    assert foreign in access.households_visible_to(generalist)


def test_invisible_household_is_a_404(households, generalist):
    _own, foreign = households
    with pytest.raises(Http404):
        household_for_user(user=generalist, household_uuid=foreign.uuid)


def test_search_by_bsn_is_exact(households, generalist):
    own, _ = households
    bsn = own.memberships.first().resident.bsn
    result = household_selectors.household_search(user=generalist, query=f" {bsn} ")
    assert result.kind == "bsn"
    assert list(result.results) == [own]


def test_search_by_invalid_bsn_explains(households, generalist):
    result = household_selectors.household_search(user=generalist, query="111222334")
    assert result.kind == "bsn"
    assert "elfproef" in result.error


def test_search_by_postcode_accepts_space_and_lower_case(households, generalist):
    own, _ = households
    for query in ("5611ab", "5611 AB", "5611"):
        result = household_selectors.household_search(user=generalist, query=query)
        assert result.kind == "postcode"
        assert list(result.results) == [own]


def test_search_by_partial_name(households, generalist):
    own, _ = households
    resident = own.memberships.first().resident
    word = max(resident.last_name.split(), key=len)  # "van der Meer": "Meer"
    # three letters from inside the name; two letters match the start of a name only
    query = word[1:4] if len(word) >= 4 else word
    result = household_selectors.household_search(user=generalist, query=query.lower())
    assert result.kind == "name"
    assert own in result.results


def test_search_never_returns_invisible_households(households, generalist):
    _own, foreign = households
    bsn = foreign.memberships.first().resident.bsn
    search = household_selectors.household_search(user=generalist, query=bsn)
    assert list(search.results) == []
    assert search.count == 0
    # the person is known, and where they live is outside the circle
    assert search.person.current.household == foreign and not search.person.current_visible


def test_search_with_too_little_input_does_nothing(households, generalist):
    assert household_selectors.household_search(user=generalist, query="a").kind == ""


def test_current_members_of_loaded_memberships_match_the_prefetch(make_household):
    """`current_members_of` (memberships loaded already) and `current_members_prefetch` (the
    query) apply the one rule, `HouseholdMembership.is_current`, in the same order."""
    today = timezone.localdate()
    household = make_household(residents=0)
    born = [datetime.date(1980, 5, 1), datetime.date(1975, 1, 1), None, datetime.date(1990, 1, 1)]
    born.append(datetime.date(2012, 3, 3))
    roles = ["parent", "partner", "other", "other", "child"]
    for birth_date, role in zip(born, roles, strict=True):
        HouseholdMembershipFactory(
            household=household,
            role=role,
            resident=ResidentFactory(birth_date=birth_date),
            start_date=today - datetime.timedelta(days=400),
        )
    left = HouseholdMembershipFactory(
        household=household,
        role="parent",
        start_date=today - datetime.timedelta(days=400),
        end_date=today,  # the end date is the first day elsewhere: not current today
    )
    leaving = HouseholdMembershipFactory(
        household=household,
        role="child",
        resident=ResidentFactory(birth_date=datetime.date(2010, 6, 6)),
        start_date=today - datetime.timedelta(days=400),
        end_date=today + datetime.timedelta(days=1),
    )
    arriving = HouseholdMembershipFactory(
        household=household, role="child", start_date=today + datetime.timedelta(days=1)
    )
    assert not left.is_current()
    assert leaving.is_current()
    assert not leaving.is_current(today + datetime.timedelta(days=1))
    assert not arriving.is_current()
    assert arriving.is_current(today + datetime.timedelta(days=1))

    history = list(household_selectors.household_history(household=household))
    current = household_selectors.current_members_of(memberships=history)
    prefetched = Household.objects.prefetch_related(current_members_prefetch()).get(pk=household.pk)
    assert [m.pk for m in current] == [m.pk for m in prefetched.current_memberships]
    # by role, then date of birth, an unknown date of birth last
    assert [(m.role, m.resident.birth_date) for m in current] == [
        ("child", datetime.date(2010, 6, 6)),
        ("child", datetime.date(2012, 3, 3)),
        ("other", datetime.date(1990, 1, 1)),
        ("other", None),
        ("parent", datetime.date(1980, 5, 1)),
        ("partner", datetime.date(1975, 1, 1)),
    ]
    assert left.pk not in {m.pk for m in current}
    assert arriving.pk not in {m.pk for m in current}


def test_the_household_page_reads_only_the_sections_that_have_rows(
    make_household, generalist, django_assert_num_queries
):
    def fetch(household):
        return household_for_user(
            user=generalist,
            household_uuid=household.uuid,
            members=False,
            annotations=household_selectors.household_page_sections(),
        )

    empty = fetch(make_household())
    with django_assert_num_queries(0):
        page = household_selectors.household_page(household=empty)
    assert page.former_addresses == page.handovers == page.progress_reports == []
    assert page.story.meldingen == page.story.plans == page.story.network == []
    assert not hasattr(empty, "current_memberships")  # members=False: not prefetched

    household = make_household(coordinator=generalist)
    melding = MeldingFactory(household=household)
    conversation = intake_services.conversation_record(
        household=household, by=generalist, resident_story="Het gaat niet meer."
    )
    member = NetworkMemberFactory(household=household)
    plan = SupportPlanFactory(household=household)
    fetched = fetch(household)
    with django_assert_num_queries(4):  # meldingen, conversations, plans, network
        story = household_selectors.household_page(household=fetched).story
    assert [m.pk for m in story.meldingen] == [melding.pk]
    assert [c.pk for c in story.conversations] == [conversation.pk]
    assert [p.pk for p in story.plans] == [plan.pk]
    assert [n.pk for n in story.network] == [member.pk]
    # without the flags (another caller) every section is read
    with django_assert_num_queries(4):
        story = household_selectors.household_story(household=household)
    assert [p.pk for p in story.plans] == [plan.pk]
    with django_assert_num_queries(0):  # the plan's household (and coordinator) is known
        assert story.open_plan is not None and story.open_plan.coordinator == generalist


def test_search_pages_read_the_current_members_with_their_households(make_household):
    """On PostgreSQL a name or postcode search page reads each household's current members,
    with their year of birth, in its own statement: the same names in the same order as the
    separate query (`current_member_names`, which an unprimed user and the SQLite demo take),
    a former member left out, an unknown date of birth without a year."""
    household = make_household(residents=0, postcode="5611AB")
    today = timezone.localdate()
    for first_name, prefix, birth_date, role, end_date in (
        ("Anna", "de", datetime.date(1980, 5, 1), "parent", None),
        ("Sem", "de", None, "child", None),
        ("Otto", "", datetime.date(1950, 1, 1), "other", today),  # left today
    ):
        HouseholdMembershipFactory(
            household=household,
            role=role,
            start_date=today - datetime.timedelta(days=30),
            end_date=end_date,
            resident=ResidentFactory(
                first_name=first_name, name_prefix=prefix, last_name="Vries", birth_date=birth_date
            ),
        )
    separately = household_selectors.current_member_names(
        household_ids=[household.pk], birth_year=True
    )[household.pk]
    assert separately == ["Sem de Vries", "Anna de Vries (1980)"]
    rows = household_selectors.NamedHouseholdRows([household.pk])[0:25]
    assert "member_name_parts" in rows[0]
    [row] = household_selectors.search_rows(rows)
    assert row.member_names == separately


def test_the_members_query_runs_with_the_generic_plan(make_household):
    """The separate members query (a BSN search's) runs with PostgreSQL's generic plan: its
    plan does not depend on the households asked, and PostgreSQL, left to itself, planned
    every run again (docs/performance.md, thirteenth pass)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from socialdomain.precompiled import prepared_text

    household = make_household(residents=2)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(7):  # more than the five custom plans PostgreSQL tries first
            names = household_selectors.current_member_names(household_ids=[household.pk])
    assert len(names[household.pk]) == 2
    runs = [q["sql"] for q in queries if "EXECUTE precompiled_" in q["sql"]]
    assert len(runs) == 7
    assert all("cases_householdmembership" in prepared_text(sql) for sql in runs)
    assert all("SET plan_cache_mode = force_generic_plan;" in sql for sql in runs)
    [name] = {re.search(r"EXECUTE (precompiled_\w+)", sql).group(1) for sql in runs}
    with connection.cursor() as cursor:
        cursor.execute("SELECT custom_plans FROM pg_prepared_statements WHERE name = %s", [name])
        [(custom,)] = cursor.fetchall()
    assert custom == 0
