import datetime

import pytest

from cases.households import selectors as household_selectors
from cases.intake import selectors as intake_selectors
from cases.intake.models import MeldingStatus
from teams.roles import Role
from tests.cases.intake_factories import MeldingFactory, SignalFactory
from tests.factories import HouseholdMembershipFactory, ResidentFactory, TeamMemberFactory

BIRTH_DATE = datetime.date(1961, 4, 9)


@pytest.fixture
def jan(make_household):
    """Jan de Vries, living at 5611 AB in the generalist's area."""
    household = make_household(residents=0)
    resident = ResidentFactory(
        first_name="Jan", name_prefix="de", last_name="Vries", birth_date=BIRTH_DATE
    )
    HouseholdMembershipFactory(household=household, resident=resident)
    return resident, household


def test_duplicate_by_last_name_and_birth_date(generalist, jan):
    resident, household = jan
    found = household_selectors.resident_possible_duplicates(
        user=generalist, first_name="Johannes", last_name=" vries ", birth_date=BIRTH_DATE
    )
    assert [(d.resident, d.household, d.match) for d in found] == [
        (resident, household, "birth_date")
    ]


def test_duplicate_by_name_at_the_same_postcode(generalist, jan):
    resident, _household = jan
    found = household_selectors.resident_possible_duplicates(
        user=generalist, first_name="jan", last_name="Vries", postcode="5611 ab"
    )
    assert [(d.resident, d.match) for d in found] == [(resident, "postcode")]
    assert not household_selectors.resident_possible_duplicates(
        user=generalist, first_name="Jan", last_name="Vries", postcode="5641 AA"
    )


def test_no_duplicate_for_another_birth_date_or_name(generalist, jan):
    assert not household_selectors.resident_possible_duplicates(
        user=generalist, first_name="Jan", last_name="Vries", birth_date=datetime.date(1962, 1, 1)
    )
    assert not household_selectors.resident_possible_duplicates(
        user=generalist, first_name="Jan", last_name="Jansen", birth_date=BIRTH_DATE
    )
    assert not household_selectors.resident_possible_duplicates(user=generalist, last_name="")


def test_a_duplicate_the_user_may_not_see_comes_without_household(other_area, jan):
    _resident, _household = jan
    outsider = TeamMemberFactory(team=other_area["team"]).user
    found = household_selectors.resident_possible_duplicates(
        user=outsider, last_name="Vries", birth_date=BIRTH_DATE
    )
    assert len(found) == 1
    assert found[0].household is None


def test_duplicates_within_a_query_budget(generalist, make_household, django_assert_num_queries):
    for _ in range(5):
        HouseholdMembershipFactory(
            household=make_household(residents=0),
            resident=ResidentFactory(last_name="Vries", birth_date=BIRTH_DATE),
        )
    with django_assert_num_queries(4):  # roles, districts, residents, households
        found = household_selectors.resident_possible_duplicates(
            user=generalist, last_name="Vries", birth_date=BIRTH_DATE
        )
        assert all(d.household is not None for d in found)
    assert len(found) == 5


def test_triage_shows_only_the_own_teams_open_signals(generalist, area, other_area, user_with_role):
    own = SignalFactory(team=area["team"])
    SignalFactory(team=other_area["team"])
    SignalFactory(team=area["team"], status="closed", close_reason="geen zorg")
    assert list(intake_selectors.signal_triage_queue(user=generalist)) == [own]
    consultant = user_with_role(Role.CONSULTANT)
    assert not intake_selectors.signal_triage_queue(user=consultant).exists()


def test_candidate_households_by_name_and_postcode(generalist, area, other_area, jan):
    _resident, household = jan
    by_name = SignalFactory(
        team=area["team"], subject_name="Jan de Vries", subject_birth_date=BIRTH_DATE
    )
    assert list(intake_selectors.signal_candidate_households(user=generalist, signal=by_name)) == [
        household
    ]
    by_postcode = SignalFactory(team=area["team"], subject_name="X", subject_postcode="5611AB")
    assert household in intake_selectors.signal_candidate_households(
        user=generalist, signal=by_postcode
    )
    nothing = SignalFactory(team=area["team"], subject_name="Piet Puk")
    assert not intake_selectors.signal_candidate_households(user=generalist, signal=nothing)


def test_household_meldingen_open_first(make_household):
    household = make_household()
    done = MeldingFactory(
        household=household,
        received_on=datetime.date(2026, 1, 1),
        status=MeldingStatus.COMPLETED,
    )
    later = MeldingFactory(household=household, received_on=datetime.date(2026, 3, 1))
    earlier = MeldingFactory(household=household, received_on=datetime.date(2026, 2, 1))
    assert list(household_selectors.household_meldingen(household=household)) == [
        earlier,
        later,
        done,
    ]
