"""Who may do what with provisions, as a role matrix."""

import pytest

from cases import permissions as case_permissions
from networks import permissions as network_permissions
from teams import permissions as team_permissions
from teams.roles import Role
from tests.factories import TeamMemberFactory

pytestmark = pytest.mark.django_db

G, C, L, P, GP, API, FA = (
    Role.GENERALIST,
    Role.CONSULTANT,
    Role.TEAM_LEAD,
    Role.POLICY_OFFICER,
    Role.GP,
    Role.PARTNER_API,
    Role.FUNCTIONAL_ADMIN,
)

MATRIX = {
    case_permissions.can_apply_for_provision: {G, L},
    case_permissions.can_follow_up_referral: {G, L},
    case_permissions.can_use_application_queue: {C},
    case_permissions.can_decide: {C},
    team_permissions.can_view_mandate_overview: {L},
    network_permissions.can_view_budget: {P, L, C, FA},
    network_permissions.can_view_subsidy_signals: {P, FA},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("check", list(MATRIX), ids=lambda check: check.__name__)
def test_role_matrix(user_with_role, role, check):
    assert check(user_with_role(role)) is (role in MATRIX[check])


@pytest.mark.parametrize("role", list(Role))
def test_mandate_spending_needs_team_membership_and_role(area, other_area, role):
    member = TeamMemberFactory(team=area["team"], user__roles=[role]).user
    allowed = role in {G, L}
    assert team_permissions.can_spend_mandate(member, area["team"]) is allowed
    assert team_permissions.can_spend_mandate(member, other_area["team"]) is False
