"""`can`: what the signed-in user may do, for templates (menus, start page, buttons).

One context value, computed from the apps' permission modules (`cases.permissions`,
`teams.permissions`, `networks.permissions`, `outcomes.permissions`), so no template copies a
list of roles: `{% if can.triage_signals %}`. Each answer is computed when a template first asks
for it and kept for the rest of the request."""

from functools import cached_property

from django.conf import settings

from cases import permissions as case_permissions
from networks import permissions as network_permissions
from outcomes import permissions as outcome_permissions
from socialdomain.middleware import SessionIdleTimeoutMiddleware
from teams import permissions as team_permissions
from teams.roles import Role, has_role


class Can:
    """The user's abilities, named after the screens and actions they open."""

    def __init__(self, user):
        self._user = user

    def _ask(self, check, *args, **kwargs) -> bool:
        user = self._user
        if user is None or not user.is_authenticated:
            return False
        return bool(check(user, *args, **kwargs))

    # households, intake and plans
    @cached_property
    def use_register(self) -> bool:
        return self._ask(case_permissions.can_use_register)

    @cached_property
    def search_known_households(self) -> bool:
        return self._ask(case_permissions.can_search_known_households)

    @cached_property
    def search_everything(self) -> bool:
        """The one search box in the header."""
        return self._ask(case_permissions.can_search_everything)

    @cached_property
    def create_household(self) -> bool:
        return self._ask(case_permissions.can_create_household)

    @cached_property
    def register_signal(self) -> bool:
        return self._ask(case_permissions.can_register_signal)

    @cached_property
    def triage_signals(self) -> bool:
        return self._ask(case_permissions.can_triage_signals)

    @cached_property
    def send_gp_handoff(self) -> bool:
        return self._ask(case_permissions.can_send_gp_handoff)

    @cached_property
    def call_back(self) -> bool:
        return self._ask(case_permissions.can_call_back)

    @cached_property
    def view_caseload(self) -> bool:
        return self._ask(case_permissions.has_caseload)

    @cached_property
    def plan_appointments(self) -> bool:
        """Plan appointments with households; one's own agenda and its calendar link."""
        return self._ask(case_permissions.can_plan_appointments)

    @cached_property
    def use_documents(self) -> bool:
        """See, upload and download a household's documents."""
        return self._ask(case_permissions.can_use_documents)

    @cached_property
    def read_objections(self) -> bool:
        """See a household's objections (bezwaar): the municipality's professionals."""
        return self._ask(case_permissions.can_read_objections)

    def find_volunteers(self) -> bool:
        """The reciprocity register: find a volunteer by district and offer."""
        return self._ask(case_permissions.can_find_volunteers)

    @cached_property
    def manage_volunteers(self) -> bool:
        """Register volunteers and link them to households."""
        return self._ask(case_permissions.can_manage_volunteers)

    @cached_property
    def use_team_clocks(self) -> bool:
        """The overview of running deadlines of one's own team(s)."""
        return self._ask(case_permissions.can_use_team_clocks)

    # provisions, budget and mandate
    @cached_property
    def use_application_queue(self) -> bool:
        return self._ask(case_permissions.can_use_application_queue)

    @cached_property
    def decide(self) -> bool:
        """Claim, decide, co-sign; keep an application's clocks (suspensions, notices, the day
        a letter was made known, advances)."""
        return self._ask(case_permissions.can_decide)

    @cached_property
    def view_mandate_overview(self) -> bool:
        return self._ask(team_permissions.can_view_mandate_overview)

    @cached_property
    def view_budget(self) -> bool:
        return self._ask(network_permissions.can_view_budget)

    @cached_property
    def view_subsidy_signals(self) -> bool:
        return self._ask(network_permissions.can_view_subsidy_signals)

    # teams and areas
    @cached_property
    def look_up_area_contacts(self) -> bool:
        return self._ask(team_permissions.can_look_up_area_contacts)

    @cached_property
    def view_coverage(self) -> bool:
        return self._ask(team_permissions.can_view_coverage)

    @cached_property
    def lead_team(self) -> bool:
        return self._ask(team_permissions.can_view_own_team_page)

    # outcomes
    @cached_property
    def view_policy_dashboard(self) -> bool:
        return self._ask(outcome_permissions.can_view_dashboard, team_view=False)

    @cached_property
    def view_team_dashboard(self) -> bool:
        return self._ask(outcome_permissions.can_view_dashboard, team_view=True)

    @cached_property
    def record_bottleneck(self) -> bool:
        return self._ask(outcome_permissions.can_record_bottleneck)

    @cached_property
    def view_bottlenecks(self) -> bool:
        return self._ask(outcome_permissions.can_view_bottlenecks)

    @cached_property
    def view_policy_overview(self) -> bool:
        """The policy officer's start tile: aggregates only, never a household file."""
        return self._ask(has_role, Role.POLICY_OFFICER)

    @cached_property
    def use_gp_start(self) -> bool:
        """The GP's start tile: the area-contact lookup by postcode."""
        return self._ask(has_role, Role.GP)

    # privacy, AVG and administration
    @cached_property
    def review_access(self) -> bool:
        return self._ask(case_permissions.can_review_access)

    @cached_property
    def handle_avg_requests(self) -> bool:
        return self._ask(case_permissions.can_handle_avg_requests)

    @cached_property
    def administer(self) -> bool:
        """The admin site: the functional administrator (and a superuser)."""
        return self._ask(lambda user: user.is_superuser or has_role(user, Role.FUNCTIONAL_ADMIN))


def abilities(request):
    return {"can": Can(getattr(request, "user", None))}


def session_timeout(request):
    """For the "stay signed in" warning (static/wijkwerk/js/session.js): the seconds the
    signed-in user's session has left and how long before its end the warning shows."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return {}
    return {
        "session_seconds_left": SessionIdleTimeoutMiddleware.seconds_left(request.session),
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
