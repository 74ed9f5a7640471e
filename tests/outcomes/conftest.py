import pytest

from teams.roles import Role
from tests.factories import TeamMemberFactory
from tests.outcome_dataset import build_outcome_dataset


@pytest.fixture
def policy_officer(user_with_role):
    return user_with_role(Role.POLICY_OFFICER, username="beleid")


@pytest.fixture
def team_lead(area):
    return TeamMemberFactory(
        team=area["team"], user__username="teamlead", user__roles=[Role.TEAM_LEAD]
    ).user


@pytest.fixture
def dataset(area, other_area, make_household, generalist):
    """The hand-computed data set of tests/outcome_dataset.py."""
    return build_outcome_dataset(area, other_area, make_household, generalist)
