"""Who may do what with households: the one place for the cases app's access rules.

Visibility itself is a queryset filter (`cases.access.households_visible_to`), so lists,
search and detail pages obey the same rule in SQL.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from cases.journal.models import JournalVisibility
from cases.plans.models import ParticipantStatus, PlanParticipant
from networks.models import OrganisationProfessional
from teams import permissions as team_permissions
from teams.memberships import district_ids_of_user
from teams.roles import Role, has_role, user_roles

# The professionals who work with household files. Which files is need-to-know, in SQL
# (`cases.access.households_visible_to`). Functional administrators and privacy officers do
# not open files through these screens: the administrator maintains the register in the admin,
# the privacy officer reads the access log (docs/privacy.md).
REGISTER_ROLES = (Role.GENERALIST, Role.TEAM_LEAD, Role.CONSULTANT)
EDIT_ROLES = (Role.GENERALIST, Role.TEAM_LEAD)
# May break the glass: open a file outside their circle in an emergency, with a reason.
BREAK_GLASS_ROLES = REGISTER_ROLES
PRIVACY_ROLES = (Role.PRIVACY_OFFICER,)


def can_use_register(user) -> bool:
    """Works with household files: a register role, or a partner organisation's professional
    (`networks.OrganisationProfessional`), who sees only the households whose plan they were
    brought into (`households_visible_to`). Such a professional has no role of their own, so
    users with another role never pay the look-up."""
    if has_role(user, *REGISTER_ROLES):
        return True
    return not user_roles(user) and is_partner_professional(user)


def is_partner_professional(user) -> bool:
    """An active professional of an active partner organisation (cached for the request)."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_wijkwerk_partner_professional", None)
    if cached is None:
        cached = OrganisationProfessional.objects.active().filter(user=user).exists()
        user._wijkwerk_partner_professional = cached
    return cached


def can_search_known_households(user) -> bool:
    """The municipality-wide 'known, not opened' search: is a household already known, and to
    which team and coordinator (never its content)."""
    return has_role(user, *REGISTER_ROLES)


def can_search_everything(user) -> bool:
    """The one search box in the header (BSN, postcode, name, application, allocation or
    signal number): the municipality's professionals with a register role. Not a partner's
    professional, a GP or a provider: they reach households another way (docs/search.md)."""
    return has_role(user, *REGISTER_ROLES)


def can_break_the_glass(user) -> bool:
    return has_role(user, *BREAK_GLASS_ROLES)


def can_review_access(user) -> bool:
    """The access log, its export and the break-the-glass review list."""
    return has_role(user, *PRIVACY_ROLES)


def can_create_household(user) -> bool:
    return has_role(user, *EDIT_ROLES)


def can_edit_household(user, household) -> bool:
    """Call with a household obtained through `households_visible_to`; editing additionally
    needs an editing role."""
    return has_role(user, *EDIT_ROLES)


def can_accept_handover(user, team) -> bool:
    """A household that moved into the district: the receiving team's generalists and team
    lead (active members) see the handover and accept it."""
    return (
        has_role(user, Role.GENERALIST, Role.TEAM_LEAD)
        and team.members.filter(user=user, active=True).exists()
    )


def can_reassign_caseload(user, team) -> bool:
    """Moving a departing member's households: the team's own lead, or a functional admin."""
    return team_permissions.can_view_team(user, team)


# Intake: meldingen, signals, duplicate persons.
# Signals are triaged by the team of the area: its generalists and its team lead.
TRIAGE_ROLES = (Role.GENERALIST, Role.TEAM_LEAD)
MERGE_ROLES = (Role.FUNCTIONAL_ADMIN,)


def can_register_melding(user, household) -> bool:
    """Call with a household obtained through `households_visible_to`."""
    return has_role(user, *EDIT_ROLES)


def can_register_signal(user) -> bool:
    """Anyone who works with the register may pass on a concern they hear of."""
    return has_role(user, *REGISTER_ROLES)


def can_triage_signals(user) -> bool:
    """May open a triage queue at all; which signals is `cases.intake.selectors.signals_for_triage`
    (only those of the teams the user is an active member of)."""
    return has_role(user, *TRIAGE_ROLES)


# The GP's warm hand-off (docs/gp-handoff.md): only a GP sends one and sees its status; the
# team of the area (the triage roles, active members) calls the patient back.
GP_HANDOFF_ROLES = (Role.GP,)


def can_send_gp_handoff(user) -> bool:
    return has_role(user, *GP_HANDOFF_ROLES)


def can_call_back(user) -> bool:
    """May open the call-back list at all; which hand-offs is
    `cases.intake.selectors.callbacks_for_team` (those of the user's own teams)."""
    return has_role(user, *TRIAGE_ROLES)


def can_merge_residents(user) -> bool:
    return has_role(user, *MERGE_ROLES)


# Provisions (applications, decisions, referrals). Which household is a queryset filter as
# everywhere; these say which role may do the action.
APPLY_ROLES = (Role.GENERALIST, Role.TEAM_LEAD)
DECIDE_ROLES = (Role.CONSULTANT,)


def can_apply_for_provision(user) -> bool:
    """Submit an application or refer to a general provision for a visible household."""
    return has_role(user, *APPLY_ROLES)


def can_use_application_queue(user) -> bool:
    return has_role(user, *DECIDE_ROLES)


def can_override_budget(user) -> bool:
    """Approve a grant or a mandate spending beyond its budget stream, with a reason."""
    return has_role(user, Role.TEAM_LEAD)


def can_decide(user) -> bool:
    """Claim, assign, decide and co-sign applications."""
    return has_role(user, *DECIDE_ROLES)


def can_read_objections(user) -> bool:
    """See the objections of a household the user may open (`households_visible_to`): the
    municipality's professionals (not a partner's professional brought into the plan)."""
    return has_role(user, *REGISTER_ROLES)


def can_handle_objections(user) -> bool:
    """Register an objection (bezwaar) against a decision, set its term (advisory committee,
    deferral), its hearing and its outcome: the deciding roles. Reading is for everyone who may
    open the household (`cases.objections.selectors`)."""
    return has_role(user, *DECIDE_ROLES)


def can_follow_up_referral(user) -> bool:
    return has_role(user, *APPLY_ROLES)


# Kitchen-table conversations and support plans: the professionals who work with households.
PLAN_ROLES = (Role.GENERALIST, Role.TEAM_LEAD)


def can_work_on_plans(user) -> bool:
    """Record conversations, keep the network, write and change plans, evaluate and close.
    Call with a household obtained through `households_visible_to`."""
    return has_role(user, *PLAN_ROLES)


JOURNAL_ROLES = (Role.GENERALIST, Role.TEAM_LEAD, Role.CONSULTANT)


def can_write_journal(user) -> bool:
    """Write journal entries on a household's file. Call with a household obtained through
    `households_visible_to`."""
    return has_role(user, *JOURNAL_ROLES)


def can_plan_appointments(user) -> bool:
    """Plan and cancel appointments with a household (one obtained through
    `households_visible_to`), keep one's own agenda and its subscription link."""
    return has_role(user, *JOURNAL_ROLES)


def can_use_documents(user) -> bool:
    """See a household's documents, upload and download them: the municipality's professionals
    who work with the file (docs/documents.md). Call with a household obtained through
    `households_visible_to`; only a document the virus scanner found clean is downloadable."""
    return has_role(user, *JOURNAL_ROLES)


def can_read_journal_entry(user, entry, household) -> bool:
    """A team entry is read by everyone who may open the household; a restricted one only by
    its author and the household's coordinator (`cases.journal.selectors`: the same in SQL)."""
    return (
        entry.visibility == JournalVisibility.TEAM
        or entry.author_id == user.pk
        or household.coordinator_id == user.pk
    )


def can_edit_journal_entry(user, entry, now=None) -> bool:
    """Its author, within `settings.JOURNAL_EDIT_HOURS` of writing it; after that the journal is
    append-only and a correction is a new entry."""
    now = now or timezone.now()
    window = datetime.timedelta(hours=settings.JOURNAL_EDIT_HOURS)
    return entry.author_id == user.pk and now - entry.created_at <= window


def can_work_on_plan(user, plan) -> bool:
    """May change this plan: its goals, actions, agreement, participants; activate, evaluate
    and close it. The one check for views and services (docs/support-plan.md, "Bringing
    someone in"):

    - a professional brought in who accepted may, whatever their role (also a partner
      organisation's professional);
    - anyone else needs a plan role (generalist, team lead);
    - with a plan role, someone who is invited and has not accepted (or declined) may only
      when the plan is theirs otherwise: they coordinate the household or are a member of its
      district's team. Until then they read the plan and answer the invitation.

    Call with a plan obtained through `households_visible_to`."""
    if not getattr(user, "is_authenticated", False):
        return False
    status = (
        PlanParticipant.objects.filter(plan_id=plan.pk, user_id=user.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status == ParticipantStatus.ACCEPTED:
        return user.is_active
    if not can_work_on_plans(user):
        return False
    if status is None:
        return True
    household = plan.household
    if household.coordinator_id == user.pk:
        return True
    district_id = household.neighbourhood.district_id if household.neighbourhood_id else None
    return district_id in team_permissions.district_ids_of_user(user=user)


def can_respond_to_invitation(user, participant) -> bool:
    return participant.user_id == user.pk


def has_caseload(user) -> bool:
    return has_role(user, Role.GENERALIST)


# AVG rights (docs/privacy.md): the privacy officer handles inzage (art. 15) and correction
# requests (art. 16) and oversees retention. Inzage and corrections are central tasks: the
# officer checks the requester's identity and answers for every system of the municipality,
# so coordinators do not export files themselves.
AVG_ROLES = (Role.PRIVACY_OFFICER,)
# The consent register in the household file: the professionals who work with the household
# record and withdraw consent; everyone who may open the file reads it.
CONSENT_EDIT_ROLES = (Role.GENERALIST, Role.TEAM_LEAD)


def can_handle_avg_requests(user) -> bool:
    """Find a resident, export their file (inzage), record and handle correction requests."""
    return has_role(user, *AVG_ROLES)


def can_view_destruction_records(user) -> bool:
    return has_role(user, *AVG_ROLES)


def can_view_consents(user) -> bool:
    """Call with a household obtained through `households_visible_to`."""
    return has_role(user, *REGISTER_ROLES)


def can_manage_consents(user) -> bool:
    """Record and withdraw consent for a visible household's residents."""
    return has_role(user, *CONSENT_EDIT_ROLES)


# Legal clocks: a team's overview of its running deadlines (cases/clocks.py). Its generalists
# and team lead see it; consultants decide on applications from their own queue.
TEAM_CLOCK_ROLES = (Role.GENERALIST, Role.TEAM_LEAD)


def can_use_team_clocks(user) -> bool:
    """May open a team's overview of running clocks at all; which team: `can_view_team_clocks`."""
    return has_role(user, *TEAM_CLOCK_ROLES)


def can_view_team_clocks(user, team) -> bool:
    """The running clocks of a team's households: an active member of that team who works with
    its files (generalist or team lead)."""
    return can_use_team_clocks(user) and team.district_id in (
        team_permissions.district_ids_of_user(user=user)
    )


# The reciprocity register (cases/volunteers): the team's generalists and team lead find
# volunteers, register them and link them to the households they help.
VOLUNTEER_ROLES = (Role.GENERALIST, Role.TEAM_LEAD)


def can_find_volunteers(user) -> bool:
    """The find-a-volunteer list and a volunteer's page (which shows of the households they
    help only those the user may open: `cases.volunteers.selectors`)."""
    return has_role(user, *VOLUNTEER_ROLES)


def can_manage_volunteers(user) -> bool:
    """Register a volunteer (with consent), link them to a visible household and end that
    link."""
    return has_role(user, *VOLUNTEER_ROLES)


def can_stop_volunteer(user, volunteer) -> bool:
    """Take a volunteer out of the register: the team of the district they volunteer in."""
    return can_manage_volunteers(user) and volunteer.district_id in district_ids_of_user(user=user)


def can_manage_network_links(user, plan, *, may_work: bool | None = None) -> bool:
    """Give a network member a link to their own actions of this plan, or revoke one
    (`cases.network`): the household's coordinator, while they may change the plan and it is
    not closed. `may_work`: `can_work_on_plan(user, plan)` when the caller has it already (the
    plan page). Call with a plan obtained through `households_visible_to`."""
    return (
        getattr(user, "is_authenticated", False)
        and plan.coordinator_id == user.pk
        and not plan.is_closed
        and (can_work_on_plan(user, plan) if may_work is None else may_work)
    )
