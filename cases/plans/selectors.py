"""Reads for support plans. Every list and detail starts from `households_visible_to(user)`,
so the access rule is applied in SQL everywhere.

The plan's agreed terms (no law sets them, so no Algemene termijnenwet correction) have one
home each here, computed by `cases.legal_terms.agreed_term_end`: the default evaluation date
(`plan_evaluation_date_default`) and the default aftercare check-ins after closure
(`aftercare_check_in_dates_default`)."""

import datetime
import difflib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import (
    OuterRef,
    Prefetch,
    QuerySet,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import legal_terms
from cases.access import households_visible_to
from cases.intake.models import (
    LifeDomain,
    LifeDomainScore,
    Melding,
    Signal,
)
from cases.legal_terms import agreed_term_end
from cases.plans.models import (
    ActionOwnerKind,
    AftercareCheckIn,
    CheckInStatus,
    Evaluation,
    ParticipantStatus,
    PlanAction,
    PlanAgreement,
    PlanDecline,
    PlanGoal,
    PlanParticipant,
    PlanStatus,
    SupportPlan,
    SupportPlanVersion,
)
from cases.provisions.models import ProvisionApplication
from networks.models import OrganisationProfessional
from socialdomain.precompiled import precompiled_objects
from teams.models import Team
from teams.roles import Role

# The evaluation: the life domains are re-scored three months after the plan starts.
EVALUATION_MONTHS = 3
# Aftercare: check in six and thirteen weeks after the plan closed.
AFTERCARE_CHECK_IN_WEEKS = (6, 13)


def plan_evaluation_date_default(*, start: datetime.date) -> datetime.date:
    """The default evaluation date of a plan that starts (is agreed or activated) on `start`:
    `EVALUATION_MONTHS` later, an agreed term (`agreed_term_end`, not corrected: the day may
    fall in a weekend)."""
    return agreed_term_end(start, months=EVALUATION_MONTHS)


def aftercare_check_in_dates_default(*, closed_on: datetime.date) -> list[datetime.date]:
    """The default aftercare check-ins of a plan that closes on `closed_on`: six and thirteen
    weeks later (`AFTERCARE_CHECK_IN_WEEKS`), agreed terms (`agreed_term_end`)."""
    return [agreed_term_end(closed_on, weeks=weeks) for weeks in AFTERCARE_CHECK_IN_WEEKS]


def plan_for_user(*, user, plan_uuid) -> SupportPlan:
    """The plan with its household, or 404 when the user may not see the household."""
    plan = (
        SupportPlan.objects.filter(household__in=households_visible_to(user), uuid=plan_uuid)
        .select_related("household__coordinator", "conversation")
        .first()
    )
    if plan is None:
        raise Http404("No plan found")
    return plan


def plan_goals(*, plan: SupportPlan) -> list[PlanGoal]:
    """Goals in order, each with its actions (owners loaded) in `.plan_actions`."""
    return list(
        plan.goals.prefetch_related(
            Prefetch("actions", queryset=plan_actions_queryset(), to_attr="plan_actions")
        )
    )


def plan_actions_queryset() -> QuerySet[PlanAction]:
    return PlanAction.objects.select_related(
        "owner_resident", "owner_network_member", "owner_user", "owner_organisation"
    )


def plan_loose_actions(*, plan: SupportPlan) -> QuerySet[PlanAction]:
    """Actions not tied to a goal."""
    return plan_actions_queryset().filter(plan=plan, goal__isnull=True)


def plan_participants(*, plan: SupportPlan) -> QuerySet[PlanParticipant]:
    return plan.participants.select_related("user", "organisation")


def organisation_professionals() -> QuerySet[OrganisationProfessional]:
    """Partner organisations' professionals who can be brought into a plan, by organisation."""
    return (
        OrganisationProfessional.objects.active()
        .select_related("organisation", "user")
        .order_by("organisation__name", "user__first_name", "user__last_name", "pk")
    )


def plan_current_version(*, plan: SupportPlan) -> int:
    """The number of the plan's latest version; 0 for a draft that keeps none yet."""
    return plan.versions.order_by("-number").values_list("number", flat=True).first() or 0


@dataclass
class AgreementState:
    """The resident's agreement with the plan: the latest agreement (None: never agreed),
    whether goals or actions changed in a version after it, and the plan's current version."""

    agreement: PlanAgreement | None
    changed_since: bool
    current_version: int

    @property
    def agreed(self) -> bool:
        """Agreed, and nothing changed since: activation needs no reason."""
        return self.agreement is not None and not self.changed_since


def plan_agreement_state(*, plan: SupportPlan, agreements=None) -> AgreementState:
    """Whether the plan changed since the resident agreed is derived, never stored: a version
    after the latest agreement's version that changed goals or actions
    (`SupportPlanVersion.content_changed`). Agreeing again (a new agreement naming the current
    version) clears it. `agreements`: the plan's agreements, latest first, when the caller has
    them already (`plan_agreements`)."""
    if agreements is None:
        agreement = plan_agreements(plan=plan).first()
    else:
        agreement = agreements[0] if agreements else None
    current = plan_current_version(plan=plan)
    changed = (
        agreement is not None
        and plan.versions.filter(number__gt=agreement.version, content_changed=True).exists()
    )
    return AgreementState(agreement=agreement, changed_since=changed, current_version=current)


def plan_agreements(*, plan: SupportPlan) -> QuerySet[PlanAgreement]:
    return (
        PlanAgreement.objects.filter(plan=plan)
        .latest_first()
        .select_related("resident", "recorded_by")
    )


def plan_declines(*, plan: SupportPlan) -> QuerySet[PlanDecline]:
    """The resident's "not agreed" answers with their reasons, latest first."""
    return plan.declines.select_related("resident", "recorded_by").order_by("-recorded_at", "-pk")


@dataclass
class ResidentContact:
    """Who the resident calls about the plan: the coordinator (name, e-mail) and, for the
    phone, their neighbourhood team (a professional's profile has no phone of its own)."""

    name: str
    email: str
    team_name: str
    phone: str
    team_email: str


@dataclass
class ResidentPlanView:
    """The household's plan as the resident reads it (`templates/cases/plans/resident_view.
    html`): goals with who does what by when, the contact person, the next evaluation, and the
    version (and its content fingerprint) an agreement or a decline on the device is bound to.
    `agreement` is the latest agreement when it covers the plan as it is now; `decline` the
    latest "not agreed" of the current version, when no agreement came after it."""

    plan: SupportPlan
    goals: list
    loose_actions: list
    contact: ResidentContact | None
    evaluation_date: datetime.date | None
    version: int
    agreement: PlanAgreement | None
    decline: PlanDecline | None

    @property
    def has_actions(self) -> bool:
        return bool(self.loose_actions) or any(goal.plan_actions for goal in self.goals)


def resident_plan_view(*, plan: SupportPlan) -> ResidentPlanView:
    """Everything the resident's view of the plan shows, in a fixed number of queries."""
    goals = plan_goals(plan=plan)
    loose = list(plan_loose_actions(plan=plan))
    state = plan_agreement_state(plan=plan)
    decline = plan_declines(plan=plan).filter(version=state.current_version).first()
    agreement = state.agreement if state.agreed else None
    if (
        decline is not None
        and agreement is not None
        and agreement.recorded_at > decline.recorded_at
    ):
        decline = None
    contact = None
    coordinator = plan.household.coordinator
    if coordinator is not None:
        team = Team.objects.filter(district__neighbourhoods=plan.household.neighbourhood_id).first()
        contact = ResidentContact(
            name=coordinator.get_full_name() or coordinator.get_username(),
            email=coordinator.email,
            team_name=team.name if team else "",
            phone=team.phone if team else "",
            team_email=team.email if team else "",
        )
    return ResidentPlanView(
        plan=plan,
        goals=goals,
        loose_actions=loose,
        contact=contact,
        evaluation_date=plan.evaluation_date,
        version=state.current_version,
        agreement=agreement,
        decline=decline,
    )


def professionals_to_bring_in() -> QuerySet:
    """Users who can be brought into a plan (generalists, consultants, team leads)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True, groups__name__in=[Role.GENERALIST, Role.CONSULTANT, Role.TEAM_LEAD]
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


@dataclass
class OutcomeRow:
    domain: str
    label: str
    intake: int | None
    evaluation: int | None

    @property
    def difference(self) -> int | None:
        if self.intake is None or self.evaluation is None:
            return None
        return self.evaluation - self.intake


def evaluation_outcome(*, evaluation: Evaluation) -> list[OutcomeRow]:
    """Per life domain: the intake score (the plan's conversation), the evaluation's score
    and the difference; the difference is the outcome."""
    intake = {}
    if evaluation.plan.conversation_id:
        intake = dict(
            LifeDomainScore.objects.filter(
                conversation_id=evaluation.plan.conversation_id
            ).values_list("domain", "score")
        )
    now = dict(evaluation.scores.values_list("domain", "score"))
    return [
        OutcomeRow(domain.value, domain.label, intake.get(domain.value), now.get(domain.value))
        for domain in LifeDomain
        if domain.value in intake or domain.value in now
    ]


def plan_version_diff(*, version: SupportPlanVersion) -> dict:
    """Lines removed and added compared with the previous version (a simple text diff)."""
    previous = version.plan.versions.filter(number__lt=version.number).order_by("-number").first()
    old = snapshot_lines(previous.snapshot) if previous else []
    new = snapshot_lines(version.snapshot)
    lines = []
    for line in difflib.ndiff(old, new):
        tag = line[:2]
        if tag == "- ":
            lines.append(("removed", line[2:]))
        elif tag == "+ ":
            lines.append(("added", line[2:]))
        elif tag == "  ":
            lines.append(("same", line[2:]))
    return {"previous": previous, "lines": lines}


def _date_text(iso: str) -> str:
    return datetime.date.fromisoformat(iso).strftime("%d-%m-%Y") if iso else "–"


def snapshot_lines(snapshot: dict) -> list[str]:
    """A plan snapshot as readable lines (in the current language)."""
    domain_label = dict(LifeDomain.choices)
    owner_kind_label = dict(ActionOwnerKind.choices)
    status_label = dict(ParticipantStatus.choices)
    label = {
        "coordinator": _("Coordinator"),
        "evaluation_date": _("Evaluation date"),
        "agreed": _("Resident agreed on"),
        "goal": _("Goal"),
        "action": _("Action"),
        "due": _("due"),
        "done": _("done"),
        "brought_in": _("Brought in"),
        "in_place": _("Aftercare: what must be in place"),
        "agreed_with": _("Aftercare: agreed with"),
        "check_ins": _("Aftercare: check-in dates"),
    }
    lines = [
        f"{label['coordinator']}: {snapshot.get('coordinator') or '–'}",
        f"{label['evaluation_date']}: {_date_text(snapshot.get('evaluation_date', ''))}",
    ]
    if "resident_agreed_on" in snapshot:  # versions kept before agreements named a version
        lines.append(f"{label['agreed']}: {_date_text(snapshot['resident_agreed_on'])}")
    for goal in snapshot.get("goals", []):
        domain = domain_label.get(goal["domain"], goal["domain"])
        lines.append(f"{label['goal']} ({domain}): {goal['description']}")
    for action in snapshot.get("actions", []):
        done = f", {label['done']} {_date_text(action['done_on'])}" if action.get("done_on") else ""
        owner_kind = owner_kind_label.get(action["owner_kind"], "")
        lines.append(
            f"{label['action']}: {action['description']} – {owner_kind} {action['owner']}, "
            f"{label['due']} {_date_text(action.get('due_on', ''))}{done}"
        )
    for participant in snapshot.get("participants", []):
        status = status_label.get(participant["status"], participant["status"])
        lines.append(
            f"{label['brought_in']}: {participant['name']} ({participant['role']}), {status}"
        )
    aftercare = snapshot.get("aftercare", {})
    dates = ", ".join(_date_text(day) for day in aftercare.get("check_in_dates", []))
    lines += [
        f"{label['in_place']}: {aftercare.get('in_place') or '–'}",
        f"{label['agreed_with']}: {aftercare.get('agreed_with') or '–'}",
        f"{label['check_ins']}: {dates or '–'}",
    ]
    return lines


def check_ins_due_for(*, user) -> QuerySet:
    """Aftercare check-ins that have come due in households the user coordinates (and may
    see)."""
    households = households_visible_to(user).filter(coordinator=user)
    return _check_ins_due(AftercareCheckIn.objects.filter(plan__household__in=households))


def check_ins_due_in(*, household_ids: list[int]) -> list[AftercareCheckIn]:
    """`check_ins_due_for` when the page read the households already through
    `households_visible_to` (the caseload: those of its rows the user coordinates): no
    need-to-know subquery, one statement compiled once whatever the number of households,
    and no query at all without households."""
    if not household_ids:
        return []
    return precompiled_objects(
        key=("check-ins due",),
        build=lambda bind: _check_ins_due(
            AftercareCheckIn.objects.filter(
                bind.in_array("plan__household_id", "households", "bigint")
            )
        ),
        values={"households": tuple(sorted(household_ids))},
    )


def check_ins_due_of_outer_household() -> QuerySet:
    """The due check-ins of the household of the outer query (`OuterRef("pk")`), in the order
    of `check_ins_due_for`: for a subquery, so that the caseload reads them with its rows."""
    return _check_ins_due(AftercareCheckIn.objects.filter(plan__household=OuterRef("pk")))


def _check_ins_due(check_ins: QuerySet) -> QuerySet:
    return (
        check_ins.filter(status=CheckInStatus.DUE)
        .select_related("plan__household")
        .order_by("due_on", "pk")
    )


def evaluations_visible_to(user) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(
        plan__household__in=households_visible_to(user)
    ).select_related("plan__household", "conducted_by")


# Aftercare measured by re-entry (docs/outcomes.md, "Re-entry") ---------------------------------

NO_INDIVIDUAL_PROVISION = None  # the product key of a plan without any application


@dataclass
class ReentryFigures:
    """Closed plans whose 6- and 12-month windows have fully passed, and how many of them
    stayed out: no new melding, signal or application for the household in the window."""

    closed_6: int = 0
    stayed_6: int = 0
    closed_12: int = 0
    stayed_12: int = 0

    def count(self, *, months: int, stayed: bool) -> None:
        setattr(self, f"closed_{months}", getattr(self, f"closed_{months}") + 1)
        if stayed:
            setattr(self, f"stayed_{months}", getattr(self, f"stayed_{months}") + 1)


@dataclass
class Reentry:
    """`closed_plans_with_reentry`: per district (`None`: the district is unknown), and per
    district and product (`NO_INDIVIDUAL_PROVISION`: a plan without an application)."""

    by_district: dict
    by_district_product: dict


def closed_plans_with_reentry(
    *,
    closed_from: datetime.date | None = None,
    closed_until: datetime.date | None = None,
    district_ids=None,
    today: datetime.date | None = None,
) -> Reentry:
    """Plans closed from `closed_from` up to and including `closed_until` (None: no bound), of
    households in `district_ids` (None: all), and whether their household came back:

    * a plan counts for a window (6 or 12 months, `legal_terms.REENTRY_WINDOW_MONTHS`) only
      once the window has fully passed (`reentry_window_end` before `today`);
    * it *stayed out* when the household has no melding, no signal and no application received
      after the closing day and on or before the window's last day;
    * its products are those of the household's applications from the plan's start up to its
      closing day (a plan counts for each; none: `NO_INDIVIDUAL_PROVISION`). The district is the
      household's current one.

    Four queries, whatever the number of plans; the window arithmetic is the legal-terms
    engine's."""
    today = today or timezone.localdate()
    windows = legal_terms.REENTRY_WINDOW_MONTHS
    plans = SupportPlan.objects.filter(status=PlanStatus.CLOSED, closed_at__isnull=False)
    if district_ids is not None:
        plans = plans.filter(household__neighbourhood__district_id__in=list(district_ids))
    if closed_from is not None:
        plans = plans.filter(closed_at__date__gte=closed_from)
    if closed_until is not None:
        plans = plans.filter(closed_at__date__lte=closed_until)
    rows = [
        (household_id, district_id, timezone.localdate(created_at), timezone.localdate(closed_at))
        for household_id, district_id, created_at, closed_at in plans.values_list(
            "household_id", "household__neighbourhood__district_id", "created_at", "closed_at"
        )
    ]
    result = Reentry(by_district={}, by_district_product={})
    if not rows:
        return result
    households = {row[0] for row in rows}
    returns: dict[int, list[datetime.date]] = {}
    for model in (Melding, Signal):
        for household_id, day in model.objects.filter(household_id__in=households).values_list(
            "household_id", "received_on"
        ):
            returns.setdefault(household_id, []).append(day)
    applications: dict[int, list[tuple[datetime.date, int]]] = {}
    for household_id, applied_on, product_id in ProvisionApplication.objects.filter(
        household_id__in=households
    ).values_list("household_id", "applied_on", "product_id"):
        applications.setdefault(household_id, []).append((applied_on, product_id))
        returns.setdefault(household_id, []).append(applied_on)
    for household_id, district_id, started_on, closed_on in rows:
        products = {
            product_id
            for applied_on, product_id in applications.get(household_id, ())
            if started_on <= applied_on <= closed_on
        } or {NO_INDIVIDUAL_PROVISION}
        for months in windows:
            end = legal_terms.reentry_window_end(closed_on, months=months)
            if end >= today:
                continue  # the window has not fully passed: not counted yet
            stayed = not any(closed_on < day <= end for day in returns.get(household_id, ()))
            result.by_district.setdefault(district_id, ReentryFigures()).count(
                months=months, stayed=stayed
            )
            for product_id in products:
                key = (district_id, product_id)
                result.by_district_product.setdefault(key, ReentryFigures()).count(
                    months=months, stayed=stayed
                )
    return result
