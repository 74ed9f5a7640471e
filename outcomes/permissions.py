"""Who may see the outcome dashboards, record bottlenecks and start recomputations."""

from teams.roles import Role, has_role

POLICY_DASHBOARD_ROLES = (Role.POLICY_OFFICER, Role.FUNCTIONAL_ADMIN)
TEAM_DASHBOARD_ROLES = (Role.TEAM_LEAD,)
# professionals who run into rules: they record bottlenecks (knelpunten)
BOTTLENECK_RECORD_ROLES = (Role.GENERALIST, Role.TEAM_LEAD, Role.CONSULTANT)
BOTTLENECK_VIEW_ROLES = (Role.POLICY_OFFICER, Role.FUNCTIONAL_ADMIN)
RECOMPUTE_ROLES = (Role.POLICY_OFFICER, Role.TEAM_LEAD)


def can_view_dashboard(user, *, team_view: bool) -> bool:
    """The policy dashboard (whole municipality) or the team dashboard (own districts)."""
    return has_role(user, *(TEAM_DASHBOARD_ROLES if team_view else POLICY_DASHBOARD_ROLES))


def can_record_bottleneck(user) -> bool:
    return has_role(user, *BOTTLENECK_RECORD_ROLES)


def can_view_bottlenecks(user) -> bool:
    """Bottlenecks grouped, without any household: the policy side."""
    return has_role(user, *BOTTLENECK_VIEW_ROLES)


def can_recompute(user) -> bool:
    return has_role(user, *RECOMPUTE_ROLES)
