import pytest
from django.http import Http404

from cases import access
from cases.access import household_for_user
from cases.households import selectors as household_selectors
from teams.roles import Role


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
    assert not household_selectors.household_search(user=generalist, query=bsn).results.exists()


def test_search_with_too_little_input_does_nothing(households, generalist):
    assert household_selectors.household_search(user=generalist, query="a").kind == ""
