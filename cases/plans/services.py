"""Writes for support plans: goals, actions, participants, evaluation, closure and aftercare.
Each function is one transaction; views, tasks and commands call these instead of saving models
themselves. Each records its change in the access log (`cases.audit.audit_change`) as the last
step of its transaction, with the `context` a view passes (`request_context(request)`); a
change of coordinator goes through `cases.households.services.household_coordinator_set`.
"""

import datetime
import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import permissions
from cases.audit import RequestContext, audit_change
from cases.consent.models import ConsentPurpose
from cases.consent.selectors import organisations_with_purpose
from cases.households.models import (
    Household,
)
from cases.households.selectors import current_residents
from cases.households.services import check_fields, household_coordinator_set
from cases.intake.models import (
    KitchenTableConversation,
    LifeDomain,
    SelfSufficiency,
)
from cases.intake.services import scores_save
from cases.plans.models import (
    BASIC_NEED_DOMAIN,
    ActionOwnerKind,
    AftercareCheckIn,
    AgreementMethod,
    CheckInStatus,
    Evaluation,
    ParticipantStatus,
    PlanAction,
    PlanAgreement,
    PlanChangeReason,
    PlanDecline,
    PlanGoal,
    PlanParticipant,
    PlanStatus,
    SignatureMethod,
    SupportPlan,
    SupportPlanVersion,
    is_goal_instruction,
    signature_png_problem,
)
from cases.plans.selectors import plan_agreement_state, plan_current_version
from cases.provisions.models import Notification, NotificationKind
from networks.models import OrganisationProfessional
from teams.roles import Role, has_role

PLAN_FIELDS = (
    "coordinator",
    "evaluation_date",
    "aftercare_in_place",
    "aftercare_agreed_with",
    "aftercare_check_in_dates",
)


PLAN_FIELDS_SAVED_HERE = tuple(name for name in PLAN_FIELDS if name != "coordinator")


ACTION_OWNER_FIELDS = {
    ActionOwnerKind.RESIDENT: "owner_resident",
    ActionOwnerKind.NETWORK: "owner_network_member",
    ActionOwnerKind.PROFESSIONAL: "owner_user",
    ActionOwnerKind.ORGANISATION: "owner_organisation",
}


PLAN_ALREADY_ACTIVE = gettext_lazy(
    "This household already has an active support plan. One family, one plan: continue in "
    "the active plan. This draft has been kept, nothing was lost."
)


class OpenPlanExistsError(ValidationError):
    """`plan_create` found the household's open plan (draft or active): `plan` is that plan, so
    a caller (two "new plan" posts at the same moment) can continue in it."""

    def __init__(self, plan: SupportPlan):
        super().__init__(
            _("This household already has an open plan (draft or active): continue in that plan.")
        )
        self.plan = plan


def _audit(*, by, context, object_type: str, obj, plan: SupportPlan) -> None:
    """The access-log row of a change to the plan (or to one of its parts)."""
    audit_change(
        by=by,
        context=context,
        object_type=object_type,
        object_id=obj.uuid,
        household_uuid=plan.household.uuid,
    )


def _household_lock(household_id: int) -> Household:
    """Lock the household before any of its plans: every write to a household's plans (and
    `household_coordinator_set`, which changes the plan's coordinator) takes the household
    first, so two writes never wait for each other's locks in opposite order, and a household's
    plans change one write at a time."""
    return Household.objects.select_for_update().get(pk=household_id)


_NOBODY = object()


def _plan_lock(plan: SupportPlan, *, work_by=_NOBODY) -> SupportPlan:
    """The plan, locked for this transaction after its household (changes to one plan are made
    one at a time, so version numbers never clash); a closed plan cannot be changed. With
    `work_by`, that user must be allowed to work on the plan (`_check_may_work`)."""
    _household_lock(plan.household_id)
    locked = (
        SupportPlan.objects.select_for_update(of=("self",))
        .select_related("household__neighbourhood")
        .get(pk=plan.pk)
    )
    if work_by is not _NOBODY:
        _check_may_work(locked, work_by)
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


def plan_content(snapshot: dict) -> tuple:
    """What the resident agrees to in a snapshot: the goals and the actions (who does what, by
    when; not whether it is done yet). Two snapshots with the same content need no new
    agreement. The data migration 0032_plan_agreement keeps a copy of this rule."""
    goals = tuple(
        (goal.get("domain", ""), goal.get("description", "")) for goal in snapshot.get("goals", [])
    )
    actions = tuple(
        (
            action.get("goal", ""),
            action.get("description", ""),
            action.get("owner_kind", ""),
            action.get("owner", ""),
            action.get("due_on", ""),
        )
        for action in snapshot.get("actions", [])
    )
    return goals, actions


def plan_content_digest(*, plan: SupportPlan) -> str:
    """A short fingerprint of what the resident agrees to now (`plan_content`): a page showing
    the plan posts it back, so an agreement or a decline is refused when goals or actions
    changed since that page was opened, also in a draft that keeps no versions yet."""
    content = json.dumps(plan_content(plan_snapshot(plan)), ensure_ascii=False)
    return hashlib.sha256(content.encode()).hexdigest()[:32]


def _check_seen(plan: SupportPlan, *, version_seen: int, content_seen: str | None) -> None:
    """Refuse an agreement or a decline of a plan that changed since it was shown: another
    version, or (when the page sent it) other goals or actions."""
    changed = version_seen != plan_current_version(plan=plan) or (
        content_seen is not None and content_seen != plan_content_digest(plan=plan)
    )
    if changed:
        raise ValidationError(
            _(
                "The plan changed while the agreement was being recorded: show the resident "
                "the plan as it is now and record the agreement again."
            ),
            code="plan_changed",
        )


def _version_record(
    plan: SupportPlan, *, by, reason: str, content: bool = False, always: bool = False
) -> SupportPlanVersion | None:
    """Keep a snapshot after a change (call with the plan row locked): of an active plan, and
    of a draft once the resident agreed to it (so a change after the agreement is kept and
    shows); `always` keeps one of a draft too (the version an agreement names). `content`: the
    change was to goals or actions; the version is marked `content_changed` when their content
    differs from the previous version's, which marks the plan changed since an earlier
    agreement. The reason is a `PlanChangeReason` code, shown in the reader's language; any
    other text is kept as an "other" change in its own words."""
    if plan.status == PlanStatus.DRAFT and not always and not plan.agreements.exists():
        return None
    if reason in PlanChangeReason.values:
        code, note = reason, ""
    else:
        code, note = PlanChangeReason.OTHER, str(reason)[:200]
    previous = plan.versions.order_by("-number").values("number", "snapshot").first()
    snapshot = plan_snapshot(plan)
    changed = content and (
        previous is None or plan_content(previous["snapshot"]) != plan_content(snapshot)
    )
    return SupportPlanVersion.objects.create(
        plan=plan,
        number=(previous["number"] if previous else 0) + 1,
        snapshot=snapshot,
        reason=code,
        reason_note=note,
        content_changed=changed,
        created_by=by,
    )


def _check_may_work(plan: SupportPlan, by) -> None:
    """The one permission of plan writes (`permissions.can_work_on_plan`); `by=None` is the
    system (demo data, commands)."""
    if by is not None and not permissions.can_work_on_plan(by, plan):
        raise PermissionDenied(_("You may not change this plan (yet)."))


# a goal pre-filled from a conversation quotes at most this much of the resident's story
PREFILL_STORY_LIMIT = 300


def _resident_words(conversation: KitchenTableConversation, score) -> str:
    """What the resident said about a domain: the domain's note from the conversation, else
    (the start of) the resident's story in their own words."""
    words = (score.note or "").strip()
    if words:
        return words
    story = " ".join(conversation.resident_story.split())
    if len(story) > PREFILL_STORY_LIMIT:
        story = story[:PREFILL_STORY_LIMIT].rsplit(" ", 1)[0] + " …"
    return story


def _low_score_goal_text(conversation: KitchenTableConversation, score) -> str:
    """A pre-filled goal as real text to edit: the domain, its score and the resident's words
    (never an instruction: that is the goal field's placeholder)."""
    level = str(score.get_score_display()).split("–", 1)[-1].strip()
    values = {"domain": score.get_domain_display(), "score": score.score, "level": level}
    words = _resident_words(conversation, score)
    if not words:
        return _("%(domain)s, score %(score)s (%(level)s).") % values
    return _("%(domain)s, score %(score)s (%(level)s). In the resident's words: “%(words)s”") % {
        **values,
        "words": words,
    }


def _prefilled_goals(conversation: KitchenTableConversation) -> list[tuple[str, str, str]]:
    """(domain, basic need, description): basic-needs crises first, then the life domains
    scored 1 or 2 (acute, not self-sufficient), each with its score and the resident's words."""
    goals = []
    for row in conversation.basic_needs():
        if row["crisis"]:
            description = row["note"] or _("Solve the crisis: %(need)s") % {
                "need": str(row["label"]).lower()
            }
            goals.append((BASIC_NEED_DOMAIN[row["need"]], row["need"].value, description))
    covered = {domain for domain, _need, _text in goals}
    low_scores = sorted(
        conversation.scores.filter(score__lte=SelfSufficiency.NOT_SELF_SUFFICIENT),
        key=lambda s: (s.score, LifeDomain.values.index(s.domain)),
    )
    for score in low_scores:
        if score.domain in covered:
            continue
        goals.append((score.domain, "", _low_score_goal_text(conversation, score)))
    return goals


def _goal_check_not_instruction(description: str) -> None:
    """Instruction text is a placeholder or help text, never a goal: refuse a goal that is
    only the instruction (in any of the site's languages)."""
    if is_goal_instruction(description):
        raise ValidationError(
            {
                "description": _(
                    "Write the goal itself, in the family's own words: the example text is "
                    "not a goal."
                )
            }
        )


@transaction.atomic
def plan_create(
    *,
    household: Household,
    by,
    conversation: KitchenTableConversation | None = None,
    context: RequestContext | None = None,
) -> SupportPlan:
    """Start a draft plan. From a conversation the goals are pre-filled as real text to edit:
    basic-needs crises first, then the life domains scored 1 or 2 with the domain, the score
    and the resident's words. After closure a new plan may start (relapse).
    The plan's coordinator is the household's; a household without one gets the generalist who
    starts the plan. When the household already has an open plan (also one started at the
    same moment: the household's lock orders them, the database allows one draft), this raises
    `OpenPlanExistsError` naming it."""
    if conversation is not None and conversation.household_id != household.pk:
        raise ValidationError(_("This conversation belongs to another household."))
    household = _household_lock(household.pk)  # two plans started at once: the second waits
    existing = household.plans.open().first()
    if existing is not None:
        raise OpenPlanExistsError(existing)
    plan = SupportPlan(household=household, conversation=conversation, created_by=by)
    plan.full_clean()
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:  # a writer that did not take the household's lock
        if "supportplan_one_draft_per_household" in str(exc):
            raise OpenPlanExistsError(household.plans.open().first()) from exc
        raise
    if household.coordinator_id is None and has_role(by, Role.GENERALIST):
        household_coordinator_set(household_id=household.pk, user_id=by.pk, by=by, audit=False)
        plan.household.refresh_from_db(fields=["coordinator", "version", "updated_at"])
    if conversation is not None:
        goals = _prefilled_goals(conversation)
        for _domain, _need, text in goals:
            _goal_check_not_instruction(text)
        PlanGoal.objects.bulk_create(
            PlanGoal(plan=plan, domain=domain, basic_need=need, description=text, position=position)
            for position, (domain, need, text) in enumerate(goals)
        )
    _audit(by=by, context=context, object_type="plan", obj=plan, plan=plan)
    return plan


@transaction.atomic
def plan_update(
    *, plan: SupportPlan, by, context: RequestContext | None = None, **changes
) -> SupportPlan:
    """Change the plan's coordinator, evaluation date, aftercare or agreement date. The
    coordinator is the household's (one field): a new one is set through
    `household_coordinator_set`; on an active plan this keeps a version."""
    check_fields(changes, PLAN_FIELDS, "plan")
    plan = _plan_lock(plan, work_by=by)
    coordinator_changed = "coordinator" in changes
    coordinator = changes.pop("coordinator", None)
    for name, value in changes.items():
        setattr(plan, name, value)
    plan.full_clean()
    plan.save(update_fields=[*PLAN_FIELDS_SAVED_HERE, "updated_at"])
    if coordinator_changed:
        household_coordinator_set(
            household_id=plan.household_id,
            user_id=coordinator.pk if coordinator is not None else None,
            by=by,
            audit=False,
        )
        plan.household.refresh_from_db(fields=["coordinator", "version", "updated_at"])
    if plan.is_active:
        _version_record(plan, by=by, reason=PlanChangeReason.DETAILS_CHANGED)
    _audit(by=by, context=context, object_type="plan", obj=plan, plan=plan)
    return plan


def _next_goal_position(plan: SupportPlan) -> int:
    last = plan.goals.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


@transaction.atomic
def goal_add(
    *, plan: SupportPlan, by, domain: str, description: str, context: RequestContext | None = None
) -> PlanGoal:
    _goal_check_not_instruction(description)
    plan = _plan_lock(plan, work_by=by)
    goal = PlanGoal(
        plan=plan, domain=domain, description=description, position=_next_goal_position(plan)
    )
    goal.full_clean()
    goal.save()
    _version_record(plan, by=by, reason=PlanChangeReason.GOAL_ADDED, content=True)
    _audit(by=by, context=context, object_type="goal", obj=goal, plan=plan)
    return goal


@transaction.atomic
def goal_update(
    *, goal: PlanGoal, by, domain: str, description: str, context: RequestContext | None = None
) -> PlanGoal:
    _goal_check_not_instruction(description)
    plan = _plan_lock(goal.plan, work_by=by)
    goal.domain, goal.description = domain, description
    goal.full_clean()
    goal.save()
    _version_record(plan, by=by, reason=PlanChangeReason.GOAL_CHANGED, content=True)
    _audit(by=by, context=context, object_type="goal", obj=goal, plan=plan)
    return goal


@transaction.atomic
def goal_remove(*, goal: PlanGoal, by, context: RequestContext | None = None) -> None:
    plan = _plan_lock(goal.plan, work_by=by)
    goal_uuid = goal.uuid
    goal.delete()
    _version_record(plan, by=by, reason=PlanChangeReason.GOAL_REMOVED, content=True)
    audit_change(
        by=by,
        context=context,
        object_type="goal",
        object_id=goal_uuid,
        household_uuid=plan.household.uuid,
    )


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
        and not current_residents(household=plan.household)
        .filter(pk=action.owner_resident.pk)
        .exists()
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
def action_add(
    *, plan: SupportPlan, by, context: RequestContext | None = None, **fields
) -> PlanAction:
    """Add an action with its owner: resident, network member, professional, organisation or
    a name in free text."""
    check_fields(fields, ACTION_FIELDS, "action")
    plan = _plan_lock(plan, work_by=by)
    action = PlanAction(plan=plan)
    _action_fill(action, plan, fields)
    action.save()
    _version_record(plan, by=by, reason=PlanChangeReason.ACTION_ADDED, content=True)
    _audit(by=by, context=context, object_type="action", obj=action, plan=plan)
    return action


@transaction.atomic
def action_update(
    *, action: PlanAction, by, context: RequestContext | None = None, **changes
) -> PlanAction:
    check_fields(changes, ACTION_FIELDS, "action")
    plan = _plan_lock(action.plan, work_by=by)
    if "owner_kind" not in changes:
        changes = {
            "owner_kind": action.owner_kind,
            "owner_text": action.owner_text,
            **{name: getattr(action, name) for name in ACTION_OWNER_FIELDS.values()},
            **changes,
        }
    _action_fill(action, plan, changes)
    action.save()
    _version_record(plan, by=by, reason=PlanChangeReason.ACTION_CHANGED, content=True)
    _audit(by=by, context=context, object_type="action", obj=action, plan=plan)
    return action


@transaction.atomic
def action_remove(*, action: PlanAction, by, context: RequestContext | None = None) -> None:
    plan = _plan_lock(action.plan, work_by=by)
    action_uuid = action.uuid
    action.delete()
    _version_record(plan, by=by, reason=PlanChangeReason.ACTION_REMOVED, content=True)
    audit_change(
        by=by,
        context=context,
        object_type="action",
        object_id=action_uuid,
        household_uuid=plan.household.uuid,
    )


@transaction.atomic
def participant_invite(
    *,
    plan: SupportPlan,
    by,
    user,
    role: str,
    organisation=None,
    context: RequestContext | None = None,
) -> PlanParticipant:
    """Bring a professional into the household's plan ("erbij halen"): the case stays here.
    The professional is the municipality's (generalist, consultant, team lead) or, with
    `organisation`, one of that partner organisation's professionals
    (`networks.OrganisationProfessional`). The invitee gets a notification on their start page
    and an e-mail (after the commit), sees the household on their list as invited, and may
    read the plan; they may change it only once they accept (`permissions.can_work_on_plan`)."""
    plan = _plan_lock(plan, work_by=by)
    if organisation is not None:
        works_there = (
            OrganisationProfessional.objects.active()
            .filter(organisation=organisation, user=user)
            .exists()
        )
        if not works_there:
            raise ValidationError(
                {"user": _("This person is not a professional of %(org)s.") % {"org": organisation}}
            )
        shared = organisations_with_purpose(
            household=plan.household, purpose=ConsentPurpose.PLAN_PARTICIPANT
        )
        if organisation.pk not in shared:
            raise ValidationError(
                {
                    "user": _(
                        "Bringing in %(org)s shares the plan with it: first record a "
                        "resident's consent to share with a participant in the plan."
                    )
                    % {"org": organisation}
                }
            )
    elif not has_role(user, Role.GENERALIST, Role.CONSULTANT, Role.TEAM_LEAD):
        raise ValidationError({"user": _("Only a professional can be brought into the plan.")})
    participant = PlanParticipant(
        plan=plan, user=user, role=role, organisation=organisation, invited_by=by
    )
    participant.full_clean()
    participant.save()
    _invitation_notify(participant, plan=plan, by=by)
    _version_record(plan, by=by, reason=PlanChangeReason.PARTICIPANT_INVITED)
    _audit(by=by, context=context, object_type="participant", obj=participant, plan=plan)
    return participant


def _invitation_notify(participant: PlanParticipant, *, plan: SupportPlan, by) -> None:
    """The invitee's in-app notification (linking the plan) and, after the commit, an e-mail
    that names no one of the household: only that there is an invitation, and the link."""
    path = reverse("cases:plan_detail", kwargs={"plan_uuid": plan.uuid})
    inviter = (by.get_full_name() or by.get_username()) if by is not None else ""
    message = _("%(inviter)s invites you to the support plan of %(household)s as %(role)s.") % {
        "inviter": inviter or _("A colleague"),
        "household": plan.household.address_line,
        "role": participant.role,
    }
    Notification.objects.create(
        user=participant.user,
        kind=NotificationKind.PLAN_INVITATION,
        message=message[:300],
        url=path,
    )
    address = participant.user.email
    if address:
        transaction.on_commit(lambda: _invitation_mail_send(address, path))


def _invitation_mail_send(address: str, path: str) -> None:
    """No household data in an e-mail: the address and the names stay behind the login."""
    send_mail(
        _("Wijkwerk: you have been invited to a support plan"),
        _(
            "You have been invited to work on a household's support plan. Sign in to see the "
            "plan and to accept or decline: %(path)s"
        )
        % {"path": path},
        None,
        [address],
    )


@transaction.atomic
def participant_respond(
    *,
    participant: PlanParticipant,
    by,
    accept: bool,
    reason: str = "",
    context: RequestContext | None = None,
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
    Notification.objects.filter(
        user=by,
        kind=NotificationKind.PLAN_INVITATION,
        url=reverse("cases:plan_detail", kwargs={"plan_uuid": plan.uuid}),
        read_at__isnull=True,
    ).update(read_at=participant.responded_at)
    _version_record(plan, by=by, reason=PlanChangeReason.PARTICIPANT_ANSWERED)
    _audit(by=by, context=context, object_type="participant", obj=participant, plan=plan)
    return participant


@transaction.atomic
def plan_agreement_record(
    *,
    plan: SupportPlan,
    by,
    version_seen: int,
    method: str,
    agreed_on: datetime.date,
    resident=None,
    representative_name: str = "",
    representative_capacity: str = "",
    content_seen: str | None = None,
    signature_method: str = "",
    signature_name: str = "",
    signature_image: bytes | None = None,
    context: RequestContext | None = None,
) -> PlanAgreement:
    """The resident's agreement (akkoord) with the plan as it is now: signed on paper or on
    the device by a resident of the household, or agreed by a representative (name and
    capacity, on behalf of a resident when named). A version is kept (also of a draft) and the
    agreement names it, so what was agreed stays readable. `version_seen` is the version on the
    screen the resident agreed to (`plan_current_version`): when the plan changed meanwhile,
    this refuses, so an agreement never covers a change nobody showed; `content_seen`
    (`plan_content_digest` of the page) refuses a change of goals or actions too.

    Signed on the device in the resident's view of the plan: `signature_method` typed (the
    resident types their name: `signature_name`) or drawn (`signature_image`, PNG bytes,
    checked by `signature_png_problem`)."""
    plan = _plan_lock(plan, work_by=by)
    _check_seen(plan, version_seen=version_seen, content_seen=content_seen)
    signature_name = signature_name.strip()
    if signature_method:
        if method != AgreementMethod.DEVICE:
            raise ValidationError(_("A signature on the device goes with an agreement on it."))
        if signature_method == SignatureMethod.TYPED:
            if not signature_name:
                raise ValidationError({"signature_name": _("Type your name to sign.")})
            signature_image = None
        elif signature_method == SignatureMethod.DRAWN:
            problem = signature_png_problem(signature_image or b"")
            if problem:
                raise ValidationError({"signature_image": problem})
            signature_name = ""
        else:
            raise ValidationError({"signature_method": _("Choose how you sign.")})
    else:
        signature_name, signature_image = "", None
    if method == AgreementMethod.DATE_ONLY:
        raise ValidationError({"method": _("Say how the resident agreed.")})
    if agreed_on > timezone.localdate():
        raise ValidationError({"agreed_on": _("The agreement cannot be in the future.")})
    if (
        resident is not None
        and not current_residents(household=plan.household).filter(pk=resident.pk).exists()
    ):
        raise ValidationError({"resident": _("This resident does not live here.")})
    if method == AgreementMethod.REPRESENTATIVE:
        agreed_by_name = representative_name.strip()
    else:
        agreed_by_name = resident.full_name if resident is not None else ""
        representative_capacity = ""
    agreement = PlanAgreement(
        plan=plan,
        version=0,  # set below, to the version this agreement keeps
        method=method,
        resident=resident,
        agreed_by_name=agreed_by_name,
        representative_capacity=representative_capacity.strip(),
        agreed_on=agreed_on,
        signature_method=signature_method,
        signature_name=signature_name,
        signature_image=signature_image,
        recorded_by=by,
    )
    agreement.full_clean(exclude=["version"])
    version = _version_record(
        plan,
        by=by,
        reason=PlanChangeReason.AGREED,
        always=True,
    )
    agreement.version = version.number
    agreement.save()
    _audit(by=by, context=context, object_type="agreement", obj=agreement, plan=plan)
    return agreement


@transaction.atomic
def plan_decline_record(
    *,
    plan: SupportPlan,
    by,
    version_seen: int,
    reason: str,
    content_seen: str | None = None,
    resident=None,
    context: RequestContext | None = None,
) -> PlanDecline:
    """The resident does not agree with the plan as shown (niet akkoord), with a reason in
    their words: recorded on the device in the resident's view, bound to the version shown
    (refused like an agreement when the plan changed since). The coordinator sees it on the
    plan page; nothing else changes."""
    plan = _plan_lock(plan, work_by=by)
    _check_seen(plan, version_seen=version_seen, content_seen=content_seen)
    if (
        resident is not None
        and not current_residents(household=plan.household).filter(pk=resident.pk).exists()
    ):
        raise ValidationError({"resident": _("This resident does not live here.")})
    decline = PlanDecline(
        plan=plan,
        version=version_seen,
        resident=resident,
        reason=reason.strip(),
        recorded_by=by,
    )
    decline.full_clean()
    decline.save()
    _audit(by=by, context=context, object_type="plan_decline", obj=decline, plan=plan)
    return decline


@transaction.atomic
def plan_activate(
    *,
    plan: SupportPlan,
    by,
    no_agreement_reason: str = "",
    context: RequestContext | None = None,
) -> SupportPlan:
    """Make a draft the household's one active plan. Needs a coordinator (the household's,
    `Household.coordinator`) and the aftercare section, and the resident's agreement with the
    plan as it is (`plan_agreement_state`: agreed and not changed since), or else a reason why
    there is none (`no_agreement_reason`, kept on the plan). When another plan of the household
    became active first (also at the same moment: the database constraint decides), this
    refuses with a clear message and the draft stays as it was."""
    _household_lock(plan.household_id)
    plan = (
        SupportPlan.objects.select_for_update(of=("self",))
        .select_related("household__neighbourhood")
        .get(pk=plan.pk)
    )
    _check_may_work(plan, by)
    if not plan.is_draft:
        raise ValidationError(_("Only a draft plan can be activated."))
    problems = []
    no_agreement_reason = no_agreement_reason.strip()
    if not no_agreement_reason:
        state = plan_agreement_state(plan=plan)
        if state.agreement is None:
            problems.append(
                _(
                    "Record the resident's agreement, or give the reason why there is none, "
                    "before activating the plan."
                )
            )
        elif state.changed_since:
            problems.append(
                _(
                    "The plan changed since the resident agreed: record the agreement again, "
                    "or give the reason why there is none, before activating the plan."
                )
            )
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
    plan.no_agreement_reason = no_agreement_reason
    try:
        with transaction.atomic():
            plan.save(update_fields=["status", "activated_at", "no_agreement_reason", "updated_at"])
    except IntegrityError as exc:
        if "supportplan_one_active_per_household" in str(exc):
            raise ValidationError(PLAN_ALREADY_ACTIVE) from exc
        raise
    _version_record(plan, by=by, reason=PlanChangeReason.ACTIVATED)
    _audit(by=by, context=context, object_type="plan", obj=plan, plan=plan)
    return plan


@transaction.atomic
def evaluation_record(
    *,
    plan: SupportPlan,
    by,
    scores: dict,
    evaluated_on: datetime.date | None = None,
    notes: str = "",
    context: RequestContext | None = None,
) -> Evaluation:
    """Re-score the life domains for an active plan; the difference with intake is the
    outcome (`selectors.evaluation_outcome`)."""
    plan = _plan_lock(plan, work_by=by)
    if not plan.is_active:
        raise ValidationError(_("Only an active plan can be evaluated."))
    if not any(score not in (None, "") for score in scores.values()):
        raise ValidationError(_("Score at least one life domain."))
    evaluation = Evaluation(
        plan=plan, evaluated_on=evaluated_on or timezone.localdate(), notes=notes, conducted_by=by
    )
    evaluation.full_clean()
    evaluation.save()
    scores_save(scores=scores, evaluation=evaluation)
    _audit(by=by, context=context, object_type="evaluation", obj=evaluation, plan=plan)
    return evaluation


@transaction.atomic
def plan_close(*, plan: SupportPlan, by, context: RequestContext | None = None) -> SupportPlan:
    """Close an active plan: needs an evaluation and the aftercare section with at least one
    check-in date; the check-ins are scheduled."""
    plan = _plan_lock(plan, work_by=by)
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
    _version_record(plan, by=by, reason=PlanChangeReason.CLOSED)
    _audit(by=by, context=context, object_type="plan", obj=plan, plan=plan)
    return plan


def aftercare_mark_due(*, today: datetime.date | None = None) -> int:
    """Mark planned check-ins whose date has come as due (run daily by Celery beat)."""
    today = today or timezone.localdate()
    return AftercareCheckIn.objects.filter(status=CheckInStatus.PLANNED, due_on__lte=today).update(
        status=CheckInStatus.DUE
    )


@transaction.atomic
def check_in_complete(
    *, check_in: AftercareCheckIn, by, note: str = "", context: RequestContext | None = None
) -> AftercareCheckIn:
    check_in = (
        AftercareCheckIn.objects.select_for_update(of=("self",))
        .select_related("plan__household")
        .get(pk=check_in.pk)
    )
    if check_in.status == CheckInStatus.DONE:
        raise ValidationError(_("This check-in has already been done."))
    check_in.status = CheckInStatus.DONE
    check_in.done_on = timezone.localdate()
    check_in.note = note
    check_in.full_clean()
    check_in.save()
    _audit(by=by, context=context, object_type="check_in", obj=check_in, plan=check_in.plan)
    return check_in
