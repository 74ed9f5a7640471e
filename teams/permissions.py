"""Who may do what with areas, teams and area contacts: the one place for the teams app's
access rules."""

from teams.memberships import district_ids_of_user
from teams.roles import Role, has_role

# Who needs to find the wijkteam and the area consultants for a postcode.
AREA_CONTACT_ROLES = (
    Role.GP,
    Role.GENERALIST,
    Role.TEAM_LEAD,
    Role.CONSULTANT,
    Role.POLICY_OFFICER,
    Role.FUNCTIONAL_ADMIN,
)
COVERAGE_ROLES = (Role.TEAM_LEAD, Role.FUNCTIONAL_ADMIN)


def can_look_up_area_contacts(user) -> bool:
    return has_role(user, *AREA_CONTACT_ROLES)


def can_view_coverage(user) -> bool:
    return has_role(user, *COVERAGE_ROLES)


def can_view_own_team_page(user) -> bool:
    """A team lead opens the pages of the teams they lead (`can_view_team` per team)."""
    return has_role(user, Role.TEAM_LEAD)


def can_view_team(user, team) -> bool:
    """A team's overview (members, caseloads): its own team lead, or a functional admin."""
    if has_role(user, Role.FUNCTIONAL_ADMIN):
        return True
    if not has_role(user, Role.TEAM_LEAD):
        return False
    return team.members.filter(user=user, active=True).exists()


# Team mandate (doorzettingsmacht)
MANDATE_SPEND_ROLES = (Role.GENERALIST, Role.TEAM_LEAD)


def can_spend_mandate(user, team) -> bool:
    """A generalist or team lead who is an active member of the team grants from its mandate."""
    return has_role(user, *MANDATE_SPEND_ROLES) and team.district_id in district_ids_of_user(
        user=user
    )


def can_view_mandate_overview(user) -> bool:
    """Team leads see their own team's mandate spending and overdue applications."""
    return has_role(user, Role.TEAM_LEAD)
