"""Writes for households and residents. Each function is one transaction; views, the admin,
the API and commands call these instead of saving models themselves."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import permissions
from cases.models import (
    BASIC_NEED_DOMAIN,
    ActionOwnerKind,
    AftercareCheckIn,
    BasicNeed,
    CheckInStatus,
    CoordinatorChange,
    Evaluation,
    Household,
    HouseholdMembership,
    InformalNetworkMember,
    KitchenTableConversation,
    LifeDomain,
    LifeDomainScore,
    Melding,
    MeldingChannel,
    MeldingStatus,
    MembershipRole,
    ParticipantStatus,
    PlanAction,
    PlanGoal,
    PlanParticipant,
    PlanStatus,
    Resident,
    SupportPlan,
    SupportPlanVersion,
)
from teams.roles import Role, has_role
from teams.selectors import neighbourhood_id_for_postcode
from teams.validators import normalise_postcode


class ConcurrentEditError(Exception):
    """Someone else changed the record since it was loaded; nothing was saved."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or _(
                "Someone else changed this household while you were editing. "
                "Reload the page to see their changes; your input was not saved."
            )
        )


HOUSEHOLD_FIELDS = ("street", "house_number", "house_number_addition", "postcode", "city")
RESIDENT_FIELDS = ("bsn", "first_name", "name_prefix", "last_name", "birth_date", "phone", "email")


@dataclass(frozen=True)
class NewResident:
    first_name: str
    last_name: str
    role: str = MembershipRole.OTHER
    bsn: str | None = None
    name_prefix: str = ""
    birth_date: datetime.date | None = None
    phone: str = ""
    email: str = ""


def _resident_from(data: NewResident) -> Resident:
    resident = Resident(**{name: getattr(data, name) for name in RESIDENT_FIELDS})
    resident.bsn = resident.bsn or None
    resident.full_clean()
    return resident


def _resident_save(resident: Resident) -> None:
    """Save; a BSN registered at the same moment by someone else becomes a form error."""
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError as exc:
        if "resident_bsn_unique" in str(exc):
            raise ValidationError(
                {"bsn": _("A resident with this BSN is already registered.")}
            ) from exc
        raise


@transaction.atomic
def household_create(
    *,
    by,
    street: str,
    house_number: int,
    postcode: str,
    city: str,
    house_number_addition: str = "",
    residents: list[NewResident] = (),
    moved_in_on: datetime.date | None = None,
) -> Household:
    """Register a household at an address with its residents.

    The neighbourhood follows from the postcode. A generalist who registers a household becomes
    its coordinator until the plan names another one."""
    postcode = normalise_postcode(postcode)
    household = Household(
        street=street,
        house_number=house_number,
        house_number_addition=house_number_addition,
        postcode=postcode,
        city=city,
        neighbourhood_id=neighbourhood_id_for_postcode(postcode),
        coordinator=by if has_role(by, Role.GENERALIST) else None,
    )
    household.full_clean()
    household.save()
    start = moved_in_on or timezone.localdate()
    for data in residents:
        resident = _resident_from(data)
        _resident_save(resident)
        HouseholdMembership.objects.create(
            household=household, resident=resident, role=data.role, start_date=start
        )
    return household


@transaction.atomic
def household_update(*, household: Household, by, expected_version: int, **changes) -> Household:
    """Change a household's address. Raises ConcurrentEditError when the household changed
    since `expected_version` was read (optimistic locking: nothing is overwritten silently)."""
    unknown = set(changes) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise TypeError(f"Not a household field: {', '.join(sorted(unknown))}")
    if "postcode" in changes:
        changes["postcode"] = normalise_postcode(changes["postcode"])
    for name, value in changes.items():
        setattr(household, name, value)
    household.neighbourhood_id = neighbourhood_id_for_postcode(household.postcode)
    household.full_clean()
    updated = Household.objects.filter(pk=household.pk, version=expected_version).update(
        **changes,
        neighbourhood_id=household.neighbourhood_id,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        raise ConcurrentEditError()
    household.refresh_from_db()
    return household


@transaction.atomic
def resident_add_to_household(
    *, household: Household, by, data: NewResident, start_date: datetime.date | None = None
) -> HouseholdMembership:
    """Register a new resident and let them join the household."""
    resident = _resident_from(data)
    _resident_save(resident)
    membership = HouseholdMembership(
        household=household,
        resident=resident,
        role=data.role,
        start_date=start_date or timezone.localdate(),
    )
    membership.full_clean()
    membership.save()
    Household.objects.filter(pk=household.pk).update(version=F("version") + 1)
    return membership


@transaction.atomic
def resident_update(*, resident: Resident, by, **changes) -> Resident:
    unknown = set(changes) - set(RESIDENT_FIELDS)
    if unknown:
        raise TypeError(f"Not a resident field: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(resident, name, value)
    resident.bsn = resident.bsn or None
    resident.full_clean()
    _resident_save(resident)
    return resident


@transaction.atomic
def membership_end(
    *, membership: HouseholdMembership, by, end_date: datetime.date | None = None
) -> HouseholdMembership:
    """A resident leaves the household (moved out, deceased, ...); the history stays."""
    membership = HouseholdMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.end_date is not None:
        raise ValidationError(_("This resident has already left the household."))
    membership.end_date = end_date or timezone.localdate()
    membership.full_clean()
    membership.save(update_fields=["end_date"])
    Household.objects.filter(pk=membership.household_id).update(version=F("version") + 1)
    return membership


@transaction.atomic
def melding_register(
    *,
    household: Household,
    by,
    channel: str,
    question: str,
    received_on: datetime.date | None = None,
) -> Melding:
    """Register a request for help; the Wmo 6-week investigation clock starts at `received_on`."""
    melding = Melding(
        household=household,
        channel=channel or MeldingChannel.PHONE,
        question=question,
        received_on=received_on or timezone.localdate(),
        registered_by=by,
    )
    melding.investigation_deadline = Melding.deadline_for(melding.received_on)
    melding.full_clean()
    melding.save()
    return melding


REASSIGN_LIMIT = 100


@dataclass(frozen=True)
class ReassignResult:
    moved: int
    remaining: int


@transaction.atomic
def caseload_reassign(*, team, from_user, to_user, by, limit: int = REASSIGN_LIMIT):
    """Move up to `limit` (at most 100) households coordinated by `from_user` to `to_user`,
    an active member of the same team; each move is recorded as a CoordinatorChange. Only the
    team's own lead (or a functional administrator) may do this. Rows are locked, so two
    leads moving the same caseload at once cannot move a household twice."""
    if not permissions.can_reassign_caseload(by, team):
        raise PermissionDenied
    members = {m.user_id: m for m in team.members.filter(user__in=[from_user, to_user])}
    if from_user.pk not in members:
        raise ValidationError(_("The previous coordinator is not a member of this team."))
    if to_user.pk not in members or not members[to_user.pk].active:
        raise ValidationError(_("The new coordinator must be an active member of this team."))
    if from_user.pk == to_user.pk:
        raise ValidationError(_("Choose two different members."))
    limit = max(0, min(limit, REASSIGN_LIMIT))
    households = list(
        Household.objects.select_for_update()
        .filter(coordinator=from_user)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    Household.objects.filter(pk__in=households).update(
        coordinator=to_user, version=F("version") + 1, updated_at=timezone.now()
    )
    CoordinatorChange.objects.bulk_create(
        CoordinatorChange(household_id=pk, from_user=from_user, to_user=to_user, changed_by=by)
        for pk in households
    )
    remaining = Household.objects.filter(coordinator=from_user).count()
    return ReassignResult(moved=len(households), remaining=remaining)


# --- Kitchen-table conversation, network, support plan, evaluation, aftercare ------------------


CONVERSATION_FIELDS = (
    *KitchenTableConversation.NARRATIVE_FIELDS,
    *(f"{need.value}_{part}" for need in BasicNeed for part in ("crisis", "note")),
)
NETWORK_MEMBER_FIELDS = ("kind", "name", "contact", "contribution")
PLAN_FIELDS = (
    "coordinator",
    "evaluation_date",
    "aftercare_in_place",
    "aftercare_agreed_with",
    "aftercare_check_in_dates",
    "resident_agreed_on",
)
ACTION_OWNER_FIELDS = {
    ActionOwnerKind.RESIDENT: "owner_resident",
    ActionOwnerKind.NETWORK: "owner_network_member",
    ActionOwnerKind.PROFESSIONAL: "owner_user",
    ActionOwnerKind.ORGANISATION: "owner_organisation",
}


def _check_fields(changes: dict, allowed: tuple, what: str) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"Not a {what} field: {', '.join(sorted(unknown))}")


def _scores_save(*, scores: dict | None, conversation=None, evaluation=None) -> None:
    """Replace the assessment's scores; domains left out (or None) are not scored."""
    if scores is None:
        return
    rows = []
    for domain, score in scores.items():
        if score in (None, ""):
            continue
        if domain not in LifeDomain.values:
            raise ValidationError(_("Unknown life domain: %(domain)s") % {"domain": domain})
        row = LifeDomainScore(
            conversation=conversation, evaluation=evaluation, domain=domain, score=int(score)
        )
        row.full_clean(exclude=["conversation", "evaluation"], validate_constraints=False)
        rows.append(row)
    owner = {"conversation": conversation} if conversation else {"evaluation": evaluation}
    LifeDomainScore.objects.filter(**owner).delete()
    LifeDomainScore.objects.bulk_create(rows)


def _current_residents(household: Household):
    return Resident.objects.filter(
        pk__in=HouseholdMembership.objects.current()
        .filter(household=household)
        .values("resident_id")
    )


@transaction.atomic
def conversation_record(
    *,
    household: Household,
    by,
    melding: Melding | None = None,
    participants=(),
    scores: dict | None = None,
    **fields,
) -> KitchenTableConversation:
    """Record a kitchen-table conversation with its life-domain scores and basic-needs
    screening. The conversation is the investigation: the melding it answers is completed."""
    _check_fields(fields, CONVERSATION_FIELDS, "conversation")
    if melding is not None and melding.household_id != household.pk:
        raise ValidationError(_("This request for help belongs to another household."))
    conversation = KitchenTableConversation(
        household=household, melding=melding, conducted_by=by, **fields
    )
    conversation.full_clean()
    conversation.save()
    _conversation_participants_set(conversation, participants)
    _scores_save(scores=scores, conversation=conversation)
    if melding is not None:
        Melding.objects.filter(pk=melding.pk, status=MeldingStatus.OPEN).update(
            status=MeldingStatus.COMPLETED
        )
    return conversation


def _conversation_participants_set(conversation, participants) -> None:
    ids = {resident.pk for resident in participants}
    allowed = set(
        _current_residents(conversation.household).filter(pk__in=ids).values_list("pk", flat=True)
    )
    if ids - allowed:
        raise ValidationError(_("Only residents of this household can be chosen."))
    conversation.participants.set(ids)


@transaction.atomic
def conversation_update(
    *,
    conversation: KitchenTableConversation,
    by,
    participants=None,
    scores: dict | None = None,
    **changes,
) -> KitchenTableConversation:
    """Change the report, e.g. to add the resident's remarks after reading it."""
    _check_fields(changes, CONVERSATION_FIELDS, "conversation")
    for name, value in changes.items():
        setattr(conversation, name, value)
    conversation.full_clean()
    conversation.save()
    if participants is not None:
        _conversation_participants_set(conversation, participants)
    _scores_save(scores=scores, conversation=conversation)
    return conversation


@transaction.atomic
def network_member_add(*, household: Household, by, **fields) -> InformalNetworkMember:
    _check_fields(fields, NETWORK_MEMBER_FIELDS, "network member")
    member = InformalNetworkMember(household=household, **fields)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def network_member_update(*, member: InformalNetworkMember, by, **changes) -> InformalNetworkMember:
    _check_fields(changes, NETWORK_MEMBER_FIELDS, "network member")
    for name, value in changes.items():
        setattr(member, name, value)
    member.full_clean()
    member.save()
    return member


PLAN_ALREADY_ACTIVE = gettext_lazy(
    "This household already has an active support plan. One family, one plan: continue in "
    "the active plan. This draft has been kept, nothing was lost."
)


def _plan_lock(plan: SupportPlan) -> SupportPlan:
    """The plan, locked for this transaction (changes to one plan are made one at a time, so
    version numbers never clash); a closed plan cannot be changed."""
    locked = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.is_closed:
        raise ValidationError(_("This plan is closed and can no longer be changed."))
    return locked


def plan_snapshot(plan: SupportPlan) -> dict:
    """The plan's content as plain JSON: what a version keeps."""
    goals = list(plan.goals.all())
    actions = plan.actions.select_related(
        "owner_resident", "owner_network_member", "owner_user", "owner_organisation", "goal"
    )
    participants = plan.participants.select_related("user")
    return {
        "coordinator": (
            plan.coordinator.get_full_name() or plan.coordinator.get_username()
            if plan.coordinator
            else ""
        ),
        "evaluation_date": plan.evaluation_date.isoformat() if plan.evaluation_date else "",
        "resident_agreed_on": (
            plan.resident_agreed_on.isoformat() if plan.resident_agreed_on else ""
        ),
        "goals": [
            {"id": str(goal.uuid), "domain": goal.domain, "description": goal.description}
            for goal in goals
        ],
        "actions": [
            {
                "id": str(action.uuid),
                "goal": str(action.goal.uuid) if action.goal else "",
                "description": action.description,
                "owner_kind": action.owner_kind,
                "owner": action.owner_name,
                "due_on": action.due_on.isoformat() if action.due_on else "",
                "done_on": action.done_on.isoformat() if action.done_on else "",
            }
            for action in actions
        ],
        "participants": [
            {
                "name": p.user.get_full_name() or p.user.get_username(),
                "role": p.role,
                "status": p.status,
            }
            for p in participants
        ],
        "aftercare": {
            "in_place": plan.aftercare_in_place,
            "agreed_with": plan.aftercare_agreed_with,
            "check_in_dates": [day.isoformat() for day in plan.aftercare_check_in_dates],
        },
    }


def _version_record(plan: SupportPlan, *, by, reason: str) -> SupportPlanVersion | None:
    """Keep a snapshot after a change to an active plan (call with the plan row locked)."""
    if plan.status == PlanStatus.DRAFT:
        return None
    last = plan.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return SupportPlanVersion.objects.create(
        plan=plan, number=last + 1, snapshot=plan_snapshot(plan), reason=reason, created_by=by
    )


def _prefilled_goals(conversation: KitchenTableConversation) -> list[tuple[str, str, str]]:
    """(domain, basic need, description): basic-needs crises first, then domains scored 1-2."""
    goals = []
    for row in conversation.basic_needs():
        if row["crisis"]:
            description = row["note"] or _("Solve the crisis: %(need)s") % {
                "need": str(row["label"]).lower()
            }
            goals.append((BASIC_NEED_DOMAIN[row["need"]], row["need"].value, description))
    covered = {domain for domain, _need, _text in goals}
    low_scores = sorted(
        conversation.scores.filter(score__lte=2),
        key=lambda s: (s.score, LifeDomain.values.index(s.domain)),
    )
    for score in low_scores:
        if score.domain in covered:
            continue
        description = score.note or _("Describe the goal in the family's own words.")
        goals.append((score.domain, "", description))
    return goals


@transaction.atomic
def plan_create(
    *, household: Household, by, conversation: KitchenTableConversation | None = None
) -> SupportPlan:
    """Start a draft plan. From a conversation the goals are pre-filled: basic-needs crises
    first, then the life domains scored 1 or 2. After closure a new plan may start (relapse)."""
    if conversation is not None and conversation.household_id != household.pk:
        raise ValidationError(_("This conversation belongs to another household."))
    if household.plans.exclude(status=PlanStatus.CLOSED).exists():
        raise ValidationError(
            _("This household already has an open plan (draft or active): continue in that plan.")
        )
    coordinator = household.coordinator or (by if has_role(by, Role.GENERALIST) else None)
    plan = SupportPlan(
        household=household, conversation=conversation, coordinator=coordinator, created_by=by
    )
    plan.full_clean()
    plan.save()
    if conversation is not None:
        PlanGoal.objects.bulk_create(
            PlanGoal(plan=plan, domain=domain, basic_need=need, description=text, position=position)
            for position, (domain, need, text) in enumerate(_prefilled_goals(conversation))
        )
    return plan


@transaction.atomic
def plan_update(*, plan: SupportPlan, by, **changes) -> SupportPlan:
    """Change the plan's coordinator, evaluation date, aftercare or agreement date. On an
    active plan this keeps a version and a new coordinator becomes the household's."""
    _check_fields(changes, PLAN_FIELDS, "plan")
    plan = _plan_lock(plan)
    for name, value in changes.items():
        setattr(plan, name, value)
    plan.full_clean()
    plan.save()
    if plan.is_active:
        _household_coordinator_follow_plan(plan, by=by)
        _version_record(plan, by=by, reason=_("Plan details changed"))
    return plan


def _household_coordinator_follow_plan(plan: SupportPlan, *, by) -> None:
    """The active plan's coordinator is the household's; a change is recorded."""
    household_coordinator_set(household_id=plan.household_id, user_id=plan.coordinator_id, by=by)


@transaction.atomic
def household_coordinator_set(*, household_id: int, user_id: int | None, by) -> None:
    """Make `user_id` the household's coordinator (regisseur); the change is recorded."""
    household = Household.objects.select_for_update().get(pk=household_id)
    if household.coordinator_id == user_id:
        return
    Household.objects.filter(pk=household.pk).update(
        coordinator_id=user_id, version=F("version") + 1, updated_at=timezone.now()
    )
    CoordinatorChange.objects.create(
        household=household,
        from_user_id=household.coordinator_id,
        to_user_id=user_id,
        changed_by=by,
    )


def _next_goal_position(plan: SupportPlan) -> int:
    last = plan.goals.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


@transaction.atomic
def goal_add(*, plan: SupportPlan, by, domain: str, description: str) -> PlanGoal:
    plan = _plan_lock(plan)
    goal = PlanGoal(
        plan=plan, domain=domain, description=description, position=_next_goal_position(plan)
    )
    goal.full_clean()
    goal.save()
    _version_record(plan, by=by, reason=_("Goal added"))
    return goal


@transaction.atomic
def goal_update(*, goal: PlanGoal, by, domain: str, description: str) -> PlanGoal:
    plan = _plan_lock(goal.plan)
    goal.domain, goal.description = domain, description
    goal.full_clean()
    goal.save()
    _version_record(plan, by=by, reason=_("Goal changed"))
    return goal


@transaction.atomic
def goal_remove(*, goal: PlanGoal, by) -> None:
    plan = _plan_lock(goal.plan)
    goal.delete()
    _version_record(plan, by=by, reason=_("Goal removed"))


def _action_fill(action: PlanAction, plan: SupportPlan, fields: dict) -> None:
    """Set the action's fields; only the owner field that fits the owner kind is kept."""
    owner_kind = fields.get("owner_kind", action.owner_kind)
    for kind, name in ACTION_OWNER_FIELDS.items():
        setattr(action, name, fields.get(name) if owner_kind == kind else None)
    action.owner_text = fields.get("owner_text", "") if owner_kind == ActionOwnerKind.OTHER else ""
    for name in ("description", "owner_kind", "due_on", "done_on", "goal"):
        if name in fields:
            setattr(action, name, fields[name])
    if action.goal is not None and action.goal.plan_id != plan.pk:
        raise ValidationError({"goal": _("This goal belongs to another plan.")})
    if (
        action.owner_network_member is not None
        and action.owner_network_member.household_id != plan.household_id
    ):
        raise ValidationError(
            {"owner_network_member": _("This person is not in the household's network.")}
        )
    if (
        action.owner_resident is not None
        and not _current_residents(plan.household).filter(pk=action.owner_resident.pk).exists()
    ):
        raise ValidationError({"owner_resident": _("This resident does not live here.")})
    action.full_clean()


ACTION_FIELDS = (
    "description",
    "owner_kind",
    "owner_text",
    "due_on",
    "done_on",
    "goal",
    *ACTION_OWNER_FIELDS.values(),
)


@transaction.atomic
def action_add(*, plan: SupportPlan, by, **fields) -> PlanAction:
    """Add an action with its owner: resident, network member, professional, organisation or
    a name in free text."""
    _check_fields(fields, ACTION_FIELDS, "action")
    plan = _plan_lock(plan)
    action = PlanAction(plan=plan)
    _action_fill(action, plan, fields)
    action.save()
    _version_record(plan, by=by, reason=_("Action added"))
    return action


@transaction.atomic
def action_update(*, action: PlanAction, by, **changes) -> PlanAction:
    _check_fields(changes, ACTION_FIELDS, "action")
    plan = _plan_lock(action.plan)
    if "owner_kind" not in changes:
        changes = {
            "owner_kind": action.owner_kind,
            "owner_text": action.owner_text,
            **{name: getattr(action, name) for name in ACTION_OWNER_FIELDS.values()},
            **changes,
        }
    _action_fill(action, plan, changes)
    action.save()
    _version_record(plan, by=by, reason=_("Action changed"))
    return action


@transaction.atomic
def action_remove(*, action: PlanAction, by) -> None:
    plan = _plan_lock(action.plan)
    action.delete()
    _version_record(plan, by=by, reason=_("Action removed"))


@transaction.atomic
def participant_invite(*, plan: SupportPlan, by, user, role: str) -> PlanParticipant:
    """Bring a professional into the household's plan ("erbij halen"): the case stays here."""
    plan = _plan_lock(plan)
    if not has_role(user, Role.GENERALIST, Role.CONSULTANT, Role.TEAM_LEAD):
        raise ValidationError({"user": _("Only a professional can be brought into the plan.")})
    participant = PlanParticipant(plan=plan, user=user, role=role, invited_by=by)
    participant.full_clean()
    participant.save()
    _version_record(plan, by=by, reason=_("Professional brought in"))
    return participant


@transaction.atomic
def participant_respond(
    *, participant: PlanParticipant, by, accept: bool, reason: str = ""
) -> PlanParticipant:
    """The invited professional accepts, or declines with a reason."""
    if participant.user_id != by.pk:
        raise PermissionDenied
    plan = _plan_lock(participant.plan)
    participant = PlanParticipant.objects.select_for_update().get(pk=participant.pk)
    if participant.status != ParticipantStatus.INVITED:
        raise ValidationError(_("You have already answered this invitation."))
    participant.status = ParticipantStatus.ACCEPTED if accept else ParticipantStatus.DECLINED
    participant.decline_reason = "" if accept else reason.strip()
    participant.responded_at = timezone.now()
    participant.full_clean()
    participant.save()
    _version_record(plan, by=by, reason=_("Invitation answered"))
    return participant


@transaction.atomic
def plan_activate(*, plan: SupportPlan, by) -> SupportPlan:
    """Make a draft the household's one active plan. Needs a coordinator and the aftercare
    section; the coordinator becomes the household's. When another plan of the household became
    active first (also at the same moment: the database constraint decides), this refuses with
    a clear message and the draft stays as it was."""
    plan = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    if not plan.is_draft:
        raise ValidationError(_("Only a draft plan can be activated."))
    problems = []
    if plan.coordinator_id is None:
        problems.append(_("Choose a coordinator before activating the plan."))
    if not plan.aftercare_in_place.strip():
        problems.append(
            _(
                "Fill in the aftercare section (what must be in place when support ends) "
                "before activating the plan."
            )
        )
    if not plan.goals.exists():
        problems.append(_("Add at least one goal before activating the plan."))
    if problems:
        raise ValidationError(problems)
    if SupportPlan.objects.active().filter(household_id=plan.household_id).exists():
        raise ValidationError(PLAN_ALREADY_ACTIVE)
    plan.status = PlanStatus.ACTIVE
    plan.activated_at = timezone.now()
    try:
        with transaction.atomic():
            plan.save(update_fields=["status", "activated_at", "updated_at"])
    except IntegrityError as exc:
        if "supportplan_one_active_per_household" in str(exc):
            raise ValidationError(PLAN_ALREADY_ACTIVE) from exc
        raise
    _household_coordinator_follow_plan(plan, by=by)
    _version_record(plan, by=by, reason=_("Plan activated"))
    return plan


@transaction.atomic
def evaluation_record(
    *,
    plan: SupportPlan,
    by,
    scores: dict,
    evaluated_on: datetime.date | None = None,
    notes: str = "",
) -> Evaluation:
    """Re-score the life domains for an active plan; the difference with intake is the
    outcome (`selectors.evaluation_outcome`)."""
    plan = _plan_lock(plan)
    if not plan.is_active:
        raise ValidationError(_("Only an active plan can be evaluated."))
    if not any(score not in (None, "") for score in scores.values()):
        raise ValidationError(_("Score at least one life domain."))
    evaluation = Evaluation(
        plan=plan, evaluated_on=evaluated_on or timezone.localdate(), notes=notes, conducted_by=by
    )
    evaluation.full_clean()
    evaluation.save()
    _scores_save(scores=scores, evaluation=evaluation)
    return evaluation


@transaction.atomic
def plan_close(*, plan: SupportPlan, by) -> SupportPlan:
    """Close an active plan: needs an evaluation and the aftercare section with at least one
    check-in date; the check-ins are scheduled."""
    plan = _plan_lock(plan)
    if not plan.is_active:
        raise ValidationError(_("Only an active plan can be closed."))
    problems = []
    if not plan.evaluations.exists():
        problems.append(_("Evaluate the plan before closing it."))
    if not plan.aftercare_in_place.strip():
        problems.append(_("Fill in the aftercare section before closing the plan."))
    if not plan.aftercare_check_in_dates:
        problems.append(_("Plan at least one aftercare check-in date before closing the plan."))
    if problems:
        raise ValidationError(problems)
    plan.status = PlanStatus.CLOSED
    plan.closed_at = timezone.now()
    plan.save(update_fields=["status", "closed_at", "updated_at"])
    AftercareCheckIn.objects.bulk_create(
        AftercareCheckIn(plan=plan, due_on=day) for day in sorted(plan.aftercare_check_in_dates)
    )
    _version_record(plan, by=by, reason=_("Plan closed"))
    return plan


def aftercare_mark_due(*, today: datetime.date | None = None) -> int:
    """Mark planned check-ins whose date has come as due (run daily by Celery beat)."""
    today = today or timezone.localdate()
    return AftercareCheckIn.objects.filter(status=CheckInStatus.PLANNED, due_on__lte=today).update(
        status=CheckInStatus.DUE
    )


@transaction.atomic
def check_in_complete(*, check_in: AftercareCheckIn, by, note: str = "") -> AftercareCheckIn:
    check_in = AftercareCheckIn.objects.select_for_update().get(pk=check_in.pk)
    if check_in.status == CheckInStatus.DONE:
        raise ValidationError(_("This check-in has already been done."))
    check_in.status = CheckInStatus.DONE
    check_in.done_on = timezone.localdate()
    check_in.note = note
    check_in.full_clean()
    check_in.save()
    return check_in
