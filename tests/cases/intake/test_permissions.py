"""Who may do what in intake, as a role matrix: every role against every action."""

import pytest

from cases import permissions
from teams.roles import Role

G, T, C, P, GP, API, FA = (
    Role.GENERALIST,
    Role.TEAM_LEAD,
    Role.CONSULTANT,
    Role.POLICY_OFFICER,
    Role.GP,
    Role.PARTNER_API,
    Role.FUNCTIONAL_ADMIN,
)

MATRIX = {
    # action: roles that may
    # functional administrators maintain the register in the admin, they do not open files
    "register_melding": {G, T},
    "register_signal": {G, T, C},
    "triage_signals": {G, T},
    "merge_residents": {FA},
}


def allowed(action: str, user) -> bool:
    if action == "register_melding":
        return permissions.can_register_melding(user, household=None)
    return getattr(permissions, f"can_{action}")(user)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", sorted(MATRIX))
def test_role_matrix(user_with_role, role, action):
    user = user_with_role(role)
    assert allowed(action, user) is (role in MATRIX[action])


@pytest.mark.parametrize("action", sorted(MATRIX))
def test_no_role_may_do_nothing(user_with_role, django_user_model, action):
    user = django_user_model.objects.create_user("nobody")
    assert allowed(action, user) is False


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(MATRIX))
def test_anonymous_may_do_nothing(action):
    from django.contrib.auth.models import AnonymousUser

    assert allowed(action, AnonymousUser()) is False
