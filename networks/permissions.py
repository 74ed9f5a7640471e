"""Who may see the catalogue's management information: budgets and subsidy signals.

The catalogue itself (general provisions, products, budget streams) is maintained in the admin
by the functional administrator (`teams.services.role_permissions_ensure`)."""

from teams.roles import Role, has_role

BUDGET_ROLES = (Role.POLICY_OFFICER, Role.TEAM_LEAD, Role.CONSULTANT, Role.FUNCTIONAL_ADMIN)
SIGNAL_ROLES = (Role.POLICY_OFFICER, Role.FUNCTIONAL_ADMIN)


def can_view_budget(user) -> bool:
    """Committed vs budget per stream and district: aggregated figures, no household data."""
    return has_role(user, *BUDGET_ROLES)


def can_view_subsidy_signals(user) -> bool:
    return has_role(user, *SIGNAL_ROLES)
