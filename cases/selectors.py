"""Reads and access for households. Every list and detail starts from
`households_visible_to(user)`, so the access rule is applied in SQL everywhere."""

import datetime
import difflib
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import permissions
from cases.break_glass import BreakGlassAccess
from cases.models import (
    ActionOwnerKind,
    AftercareCheckIn,
    CheckInStatus,
    Evaluation,
    Household,
    HouseholdMembership,
    KitchenTableConversation,
    LifeDomain,
    LifeDomainScore,
    MeldingStatus,
    Notification,
    ParticipantStatus,
    PlanAction,
    PlanGoal,
    PlanParticipant,
    PlanStatus,
    Resident,
    Signal,
    SupportPlan,
    SupportPlanVersion,
)
from cases.provisions import (
    ApplicationStatus,
    NotificationKind,
    ProvisionApplication,
)
from cases.validators import normalise_bsn
from teams.models import AreaConsultant, ConsultantAbsence
from teams.roles import Role, has_role
from teams.selectors import district_ids_of_user
from teams.validators import normalise_postcode

BSN_LIKE = re.compile(r"^\d{8,9}$")
POSTCODE_LIKE = re.compile(r"^\d{4}\s?[A-Za-z]{2}$")
PC4_LIKE = re.compile(r"^\d{4}$")
MIN_NAME_LENGTH = 2
# A (partial) name matches at most this many households; beyond it the page asks for more of
# the name. Collecting the matching ids first keeps the query plan small and predictable (the
# trigram indexes of migration 0014 find the residents; PostgreSQL cannot estimate how many
# households a LIKE pattern hits, and a bad guess made it walk the whole address index).
NAME_SEARCH_LIMIT = 200
# ... and stops looking after this many residents whose name matches, municipality-wide
NAME_SEARCH_RESIDENT_LIMIT = 2000
# Dutch surname prefixes (tussenvoegsels): a word like these is matched exactly against the
# prefix as well, any other word only against first and last names (both trigram-indexed).
NAME_PREFIX_WORDS = frozenset(
    {"van", "de", "der", "den", "ter", "ten", "te", "het", "'t", "in", "op", "la", "le", "du"}
)


def households_visible_to(user) -> QuerySet[Household]:
    """Households whose file the user may open (need-to-know), as one SQL filter:

    - the team of the household's district: its active members (generalists, team lead);
    - the household's coordinator;
    - professionals brought into one of its plans while they take part (invited or accepted,
      not declined, plan not closed);
    - consultants for the households of applications they decide: those in their work area
      (district and law domain, their own or substituted today), assigned to them, decided or
      co-signed by them, or awaiting the co-signature they were asked for;
    - anyone who broke the glass for it, while that grant lasts.

    Roles that do not work with files (functional administrator, privacy officer, policy
    officer, GP, partner) see none."""
    if not permissions.can_use_register(user):
        return Household.objects.none()
    now = timezone.now()
    taking_part = (
        PlanParticipant.objects.filter(user=user)
        .exclude(status=ParticipantStatus.DECLINED)
        .exclude(plan__status=PlanStatus.CLOSED)
    )
    visible = (
        Q(neighbourhood__district_id__in=district_ids_of_user(user=user))
        | Q(coordinator=user)
        | Q(pk__in=taking_part.values("plan__household_id"))
        | Q(
            pk__in=BreakGlassAccess.objects.filter(user=user, expires_at__gt=now).values(
                "household_id"
            )
        )
    )
    if has_role(user, Role.CONSULTANT):
        visible |= Q(pk__in=_applications_decided_by(user, now).values("household_id"))
    return Household.objects.filter(visible)


def _applications_decided_by(user, now) -> QuerySet:
    """The applications a consultant decides (see `households_visible_to`)."""
    today = timezone.localdate(now)
    district = OuterRef("household__neighbourhood__district_id")
    own_area = AreaConsultant.objects.filter(
        user=user, district_id=district, law_domain=OuterRef("law")
    )
    substituted = ConsultantAbsence.objects.current(today).filter(
        substitute=user, consultant__district_id=district, consultant__law_domain=OuterRef("law")
    )
    cosign_asked = Notification.objects.filter(
        user=user, application_id=OuterRef("pk"), kind=NotificationKind.COSIGN
    )
    return ProvisionApplication.objects.filter(
        Q(assigned_to=user)
        | Q(decision__decided_by=user)
        | Q(decision__cosigned_by=user)
        | Q(status=ApplicationStatus.AWAITING_COSIGN) & Exists(cosign_asked)
        | Exists(own_area)
        | Exists(substituted)
    )


def current_members_prefetch() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=HouseholdMembership.objects.current()
        .select_related("resident")
        .order_by("role", "resident__birth_date"),
        to_attr="current_memberships",
    )


def household_for_user(*, user, household_uuid) -> Household:
    """The household with its area and current members, or 404 when it does not exist or
    the user may not see it (the two are indistinguishable on purpose)."""
    household = (
        households_visible_to(user)
        .with_area()
        .select_related("coordinator")
        .prefetch_related(current_members_prefetch())
        .filter(uuid=household_uuid)
        .first()
    )
    if household is None:
        raise Http404("No household found")
    return household


def household_history(*, household: Household) -> QuerySet[HouseholdMembership]:
    """Everyone who ever lived in the household, most recent first."""
    return household.memberships.select_related("resident").order_by("-start_date", "pk")


@dataclass
class HouseholdSearch:
    query: str
    kind: str  # "bsn", "postcode", "name" or "" (nothing to search yet)
    results: QuerySet[Household] = field(default_factory=Household.objects.none)
    error: str = ""
    # a name search stops at NAME_SEARCH_LIMIT households: the page asks for more of the name
    truncated: bool = False


def household_search(*, user, query: str) -> HouseholdSearch:
    """Find households by BSN (exact), postcode (full or the four digits) or (partial) name.

    The kind of search follows from what was typed; a malformed BSN or postcode gives a
    plain-Dutch error instead of an empty list."""
    query = " ".join((query or "").split())
    base = (
        households_visible_to(user)
        .with_area()
        .select_related("coordinator")
        .prefetch_related(current_members_prefetch())
        .order_by("postcode", "house_number", "house_number_addition", "pk")
    )
    if BSN_LIKE.match(query):
        try:
            bsn = normalise_bsn(query)
        except ValidationError as exc:
            return HouseholdSearch(query, "bsn", error=exc.messages[0])
        current = HouseholdMembership.objects.current().filter(resident__bsn=bsn)
        # `pk__in` cannot repeat a household: no DISTINCT (it sorted on every column)
        return HouseholdSearch(query, "bsn", base.filter(pk__in=current.values("household_id")))
    if POSTCODE_LIKE.match(query):
        try:
            postcode = normalise_postcode(query)
        except ValidationError as exc:
            return HouseholdSearch(query, "postcode", error=exc.messages[0])
        return HouseholdSearch(query, "postcode", base.filter(postcode=postcode))
    if PC4_LIKE.match(query):
        # a range keeps the (postcode, house_number) index usable
        upper = str(int(query) + 1)
        return HouseholdSearch(
            query, "postcode", base.filter(postcode__gte=query, postcode__lt=upper)
        )
    if len(query) < MIN_NAME_LENGTH:
        return HouseholdSearch(query, "")
    if any(ch.isdigit() for ch in query):
        return HouseholdSearch(
            query,
            "",
            error=str(
                _("Type a BSN (9 digits), a postcode (1234 AB) or at least two letters of a name.")
            ),
        )
    name_filter = Q()
    for word in query.split():
        # two letters give no trigram inside a word: they match the start of a name
        lookup = "icontains" if len(word) > MIN_NAME_LENGTH else "istartswith"
        word_filter = Q(**{f"last_name__{lookup}": word}) | Q(**{f"first_name__{lookup}": word})
        if word.lower() in NAME_PREFIX_WORDS:
            word_filter |= Q(name_prefix__iexact=word)
        name_filter &= word_filter
    # In steps with explicit ids, so that PostgreSQL estimates every step right: the residents
    # by name (trigram index), their current households, the visible ones among those.
    resident_ids = list(
        Resident.objects.filter(name_filter)
        .order_by()
        .values_list("pk", flat=True)[: NAME_SEARCH_RESIDENT_LIMIT + 1]
    )
    household_ids = set(
        HouseholdMembership.objects.current()
        .filter(resident_id__in=resident_ids[:NAME_SEARCH_RESIDENT_LIMIT])
        .values_list("household_id", flat=True)
    )
    ids = sorted(
        households_visible_to(user)
        .filter(pk__in=sorted(household_ids))
        .order_by()
        .values_list("pk", flat=True)
    )
    return HouseholdSearch(
        query,
        "name",
        base.filter(pk__in=ids[:NAME_SEARCH_LIMIT]),
        truncated=len(ids) > NAME_SEARCH_LIMIT or len(resident_ids) > NAME_SEARCH_RESIDENT_LIMIT,
    )


# Intake: meldingen, signals and possible duplicate persons ----------------------------------


def household_meldingen(*, household: Household):
    """The household's requests for help, open ones first, nearest deadline first."""
    return household.meldingen.annotate(
        is_open=Case(When(status=MeldingStatus.OPEN, then=0), default=1)
    ).order_by("is_open", "investigation_deadline", "pk")


def signals_for_triage(*, user) -> QuerySet:
    """Signals the user may triage: those of the teams the user is an active member of, for
    generalists and team leads. Everyone else: none."""
    if not permissions.can_triage_signals(user):
        return Signal.objects.none()
    return Signal.objects.filter(
        team__members__user=user, team__members__active=True
    ).select_related("team", "household", "resident", "melding")


def signal_triage_queue(*, user) -> QuerySet:
    """The open signals of the user's teams, oldest first."""
    return signals_for_triage(user=user).open().order_by("received_on", "created_at", "pk")


def signal_for_triage(*, user, signal_uuid):
    """The signal, or 404 when it does not exist or is not for one of the user's teams."""
    signal = signals_for_triage(user=user).filter(uuid=signal_uuid).first()
    if signal is None:
        raise Http404("No signal found")
    return signal


def signal_candidate_households(*, user, signal) -> QuerySet[Household]:
    """Households the signal may be about, among those the user may see: where someone with
    the signal's name (and date of birth) lives, or at the postcode the reporter gave."""
    matches = Q(pk__in=[])
    if signal.subject_postcode:
        matches |= Q(postcode=signal.subject_postcode)
    words = signal.subject_name.split()
    if words:
        current = HouseholdMembership.objects.current().filter(
            resident__last_name__iexact=words[-1]
        )
        if signal.subject_birth_date:
            current = current.filter(resident__birth_date=signal.subject_birth_date)
        matches |= Q(pk__in=current.values("household_id"))
    return (
        households_visible_to(user)
        .filter(matches)
        .with_area()
        .prefetch_related(current_members_prefetch())
        .order_by("postcode", "house_number", "house_number_addition", "pk")[:20]
    )


@dataclass
class PossibleDuplicate:
    resident: Resident
    household: Household | None  # None: known elsewhere, no details for this user
    match: str  # "birth_date" or "postcode"


def resident_possible_duplicates(
    *,
    user,
    last_name: str,
    first_name: str = "",
    birth_date=None,
    postcode: str = "",
) -> list[PossibleDuplicate]:
    """Persons already registered who may be the person about to be registered without BSN:
    the same last name and date of birth, or the same first and last name with a current
    address at the same postcode. A match in a household the user may not see is returned
    without household (the UI says "known elsewhere" and shows no details)."""
    last_name = " ".join((last_name or "").split())
    first_name = " ".join((first_name or "").split())
    if not last_name:
        return []
    by_birth_date = Q(pk__in=[])
    if birth_date:
        by_birth_date = Q(last_name__iexact=last_name, birth_date=birth_date)
    by_postcode = Q(pk__in=[])
    if first_name and postcode:
        try:
            postcode = normalise_postcode(postcode)
        except ValidationError:
            postcode = ""
        if postcode:
            at_postcode = HouseholdMembership.objects.current().filter(household__postcode=postcode)
            by_postcode = Q(
                last_name__iexact=last_name,
                first_name__iexact=first_name,
                pk__in=at_postcode.values("resident_id"),
            )
    current = HouseholdMembership.objects.current().filter(resident=OuterRef("pk"))
    visible = households_visible_to(user)
    residents = (
        Resident.objects.filter(by_birth_date | by_postcode)
        .annotate(
            current_household_id=Subquery(current.values("household_id")[:1]),
            visible=Exists(visible.filter(pk=OuterRef("current_household_id"))),
        )
        .order_by("last_name", "first_name", "pk")[:10]
    )
    residents = list(residents)
    households = (
        Household.objects.in_bulk(
            [r.current_household_id for r in residents if r.visible and r.current_household_id]
        )
        if residents
        else {}
    )
    result = []
    for resident in residents:
        household = households.get(resident.current_household_id)
        matched_on_birth_date = bool(
            birth_date
            and resident.birth_date == birth_date
            and resident.last_name.lower() == last_name.lower()
        )
        result.append(
            PossibleDuplicate(
                resident=resident,
                household=household,
                match="birth_date" if matched_on_birth_date else "postcode",
            )
        )
    return result


# --- Kitchen-table conversation, support plan, evaluation, aftercare ---------------------------


def conversation_for_user(*, user, conversation_uuid) -> KitchenTableConversation:
    conversation = (
        KitchenTableConversation.objects.filter(
            household__in=households_visible_to(user), uuid=conversation_uuid
        )
        .select_related("household", "melding", "conducted_by")
        .prefetch_related("participants", "scores")
        .first()
    )
    if conversation is None:
        raise Http404("No conversation found")
    return conversation


def scores_in_domain_order(scores) -> list[LifeDomainScore]:
    order = {domain: index for index, domain in enumerate(LifeDomain.values)}
    return sorted(scores, key=lambda score: order[score.domain])


def plan_for_user(*, user, plan_uuid) -> SupportPlan:
    """The plan with its household, or 404 when the user may not see the household."""
    plan = (
        SupportPlan.objects.filter(household__in=households_visible_to(user), uuid=plan_uuid)
        .select_related("household", "coordinator", "conversation")
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
    return plan.participants.select_related("user")


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
        f"{label['agreed']}: {_date_text(snapshot.get('resident_agreed_on', ''))}",
    ]
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


def caseload(*, user) -> QuerySet[Household]:
    """'My households': those the user coordinates, with the nearest deadline of an open
    melding and the next open action of the active plan, most urgent first."""
    return (
        households_visible_to(user)
        .filter(coordinator=user)
        .with_area()
        .prefetch_related(current_members_prefetch())
        .annotate(
            melding_deadline=Min(
                "meldingen__investigation_deadline",
                filter=Q(meldingen__status=MeldingStatus.OPEN),
            ),
            next_action_due=Min(
                "plans__actions__due_on",
                filter=Q(plans__status=PlanStatus.ACTIVE, plans__actions__done_on__isnull=True),
            ),
            active_plan_count=Count(
                "plans", filter=Q(plans__status=PlanStatus.ACTIVE), distinct=True
            ),
        )
        .order_by(
            F("melding_deadline").asc(nulls_last=True),
            F("next_action_due").asc(nulls_last=True),
            "postcode",
            "house_number",
            "pk",
        )
    )


def check_ins_due_for(*, user) -> QuerySet[AftercareCheckIn]:
    """Aftercare check-ins that have come due in households the user coordinates."""
    return (
        AftercareCheckIn.objects.filter(
            status=CheckInStatus.DUE,
            plan__household__in=households_visible_to(user).filter(coordinator=user),
        )
        .select_related("plan__household")
        .order_by("due_on", "pk")
    )


@dataclass
class HouseholdStory:
    meldingen: list
    conversations: list
    plans: list
    active_plan: SupportPlan | None
    open_plan: SupportPlan | None
    network: list
    timeline: list


def household_story(*, household: Household, meldingen: list | None = None) -> HouseholdStory:
    """Everything that happened with the household, as one story: requests for help,
    conversations, plans and evaluations, the informal network, and a timeline. Pass the
    meldingen when they are loaded already."""
    if meldingen is None:
        meldingen = list(household_meldingen(household=household))
    conversations = list(
        household.conversations.select_related("conducted_by").order_by("-held_on", "-pk")
    )
    plans = list(
        household.plans.select_related("coordinator")
        .prefetch_related(
            Prefetch("evaluations", queryset=Evaluation.objects.order_by("-evaluated_on"))
        )
        .annotate(
            goal_count=Count("goals", distinct=True),
            open_action_count=Count(
                "actions", filter=Q(actions__done_on__isnull=True), distinct=True
            ),
        )
        .order_by("-created_at")
    )
    network = list(household.network_members.order_by("name"))
    active_plan = next((plan for plan in plans if plan.is_active), None)
    open_plan = active_plan or next((plan for plan in plans if plan.is_draft), None)
    timeline = [
        (melding.received_on, _("Request for help"), melding.question[:80]) for melding in meldingen
    ]
    timeline += [
        (conversation.held_on, _("Kitchen-table conversation"), conversation.place)
        for conversation in conversations
    ]
    for plan in plans:
        timeline.append((plan.created_at.date(), _("Plan started"), plan.get_status_display()))
        if plan.activated_at:
            timeline.append((plan.activated_at.date(), _("Plan activated"), ""))
        for evaluation in plan.evaluations.all():
            timeline.append((evaluation.evaluated_on, _("Evaluation"), ""))
        if plan.closed_at:
            timeline.append((plan.closed_at.date(), _("Plan closed"), ""))
    timeline.sort(key=lambda event: event[0], reverse=True)
    return HouseholdStory(
        meldingen=meldingen,
        conversations=conversations,
        plans=plans,
        active_plan=active_plan,
        open_plan=open_plan,
        network=network,
        timeline=timeline,
    )


def evaluations_visible_to(user) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(
        plan__household__in=households_visible_to(user)
    ).select_related("plan__household", "conducted_by")
