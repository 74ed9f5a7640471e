"""Reads for provisions. Applications are visible through their household
(`households_visible_to`), so the access rule stays one SQL filter."""

import datetime
import functools
import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cases import permissions
from cases.access import households_visible_to
from cases.households.models import Household, current_members_prefetch, user_name
from cases.intake.models import (
    InformalNetworkMember,
    KitchenTableConversation,
    LifeDomain,
    LifeDomainScore,
)
from cases.legal_terms import agreed_term_end, term_end
from cases.links import uuid_url
from cases.objections.models import Objection
from cases.pagination import FirstPagePaginator
from cases.plans.models import PlanGoal, PlanStatus, SupportPlan
from cases.provisions.models import (
    ADVANCE_WEEKS,
    DECISION_WEEKS,
    LAWS_WITH_STATUTORY_DECISION_TERM,
    SUSPENSION_PERIOD_KINDS,
    UNDECIDED_STATUSES,
    AdvanceException,
    AdvancePayment,
    ApplicationStatus,
    ApplicationTermEvent,
    BudgetCommitment,
    Delivery,
    GeneralProvisionReferral,
    MandateSpending,
    Notification,
    ProvisionApplication,
    SubsidySignal,
    TermEventKind,
)
from networks.models import (
    BudgetStream,
    Contract,
    GeneralProvision,
    Law,
    Organisation,
    Product,
    StreamBudget,
)
from socialdomain.precompiled import Bind, precompiled_rows
from teams.models import District, Team, TeamMandate
from teams.roles import Role
from teams.selectors import district_ids_of_user, work_area_of_consultant

ZERO = Decimal("0.00")

# Awb 6:7: objection (bezwaar) within six weeks.
OBJECTION_WEEKS = 6


# Legal terms -----------------------------------------------------------------------------------
#
# The clocks of an application are computed here and only here: the decision deadline (with
# the suspensions and notices of the Awb), the Participatiewet advance and the objection term.
# The services store what these return (`ProvisionApplication.decision_deadline`,
# `.advance_due_on`, `ProvisionDecision.objection_deadline`) and recompute them when an event
# or the holiday table changes.


def incomplete_period_end(*, asked_on: datetime.date, period_days: int) -> datetime.date:
    """The last day of the period the applicant was given to complete the application
    (Awb 4:5): a period the authority sets, not a law, so counted without the Algemene
    termijnenwet (`cases.legal_terms.agreed_term_end`)."""
    return agreed_term_end(asked_on, days=period_days)


def _suspended_span(event: ApplicationTermEvent) -> tuple[int, int] | None:
    """The days on which an event suspends the decision term, as the day ordinals of the first
    and the last one (both included), or None when it suspends nothing.

    * incomplete (Awb 4:15(1)): from the day after the request up to, not including, the day
      the application was completed; when it was not (yet), up to and including the last day of
      the period given (the period passed unused, or is still running);
    * written consent, a delay due to the applicant, force majeure (4:15(2)): the recorded
      period, its first and last day included;
    * a notice (4:14) suspends nothing."""
    if event.kind == TermEventKind.INCOMPLETE:
        first = event.asked_on.toordinal() + 1
        last = incomplete_period_end(
            asked_on=event.asked_on, period_days=event.period_days
        ).toordinal()
        if event.completed_on is not None:
            last = min(last, event.completed_on.toordinal() - 1)
    elif event.kind in SUSPENSION_PERIOD_KINDS:
        first, last = event.suspended_from.toordinal(), event.suspended_until.toordinal()
    else:
        return None
    return (first, last) if last >= first else None


def first_suspended_day(event: ApplicationTermEvent) -> datetime.date | None:
    """The first day on which the event suspends the term, or None (see `_suspended_span`)."""
    span = _suspended_span(event)
    return datetime.date.fromordinal(span[0]) if span else None


def suspended_days(events: Iterable[ApplicationTermEvent]) -> int:
    """The number of days on which the decision term stood still (Awb 4:15): the days of all
    suspensions together, a day covered by two overlapping suspensions counted once."""
    total, reach = 0, None
    for first, last in sorted(filter(None, map(_suspended_span, events))):
        if reach is not None and first <= reach:
            if last > reach:
                total += last - reach
                reach = last
        else:
            total += last - first + 1
            reach = last
    return total


def reasonable_term_notice(
    *, law: str, statutory_deadline: datetime.date, events: Iterable[ApplicationTermEvent]
) -> ApplicationTermEvent | None:
    """The notice that set a new reasonable decision term (Awb 4:14(3)), or None. Only where no
    law sets the decision term (`LAWS_WITH_STATUTORY_DECISION_TERM`: Jeugdwet and
    Participatiewet fall back on the eight weeks of Awb 4:13), and only a notice given within
    that term (`statutory_deadline`, suspensions included); of several, the last given."""
    if law in LAWS_WITH_STATUTORY_DECISION_TERM:
        return None
    notices = [
        event
        for event in events
        if event.kind == TermEventKind.NOTICE and event.given_on <= statutory_deadline
    ]
    return max(notices, key=lambda e: (e.given_on, e.pk or 0), default=None)


def application_statutory_deadline(
    *, law: str, applied_on: datetime.date, events: Iterable[ApplicationTermEvent] = ()
) -> datetime.date:
    """The end of the term the law sets (Wmo 2015 art. 2.3.5: two weeks; else Awb 4:13: eight
    weeks), beginning the day after `applied_on`, moved on by the suspended days (Awb 4:15) and
    then corrected once under the Algemene termijnenwet (`cases.legal_terms.term_end`). A
    notice of delay never moves it."""
    return term_end(applied_on, weeks=DECISION_WEEKS[law], suspended_days=suspended_days(events))


def application_decision_deadline(
    *, law: str, applied_on: datetime.date, events: Iterable[ApplicationTermEvent] = ()
) -> datetime.date:
    """The last day to decide on an application (the legal decision deadline).

    The term of the law (`application_statutory_deadline`): Wmo 2015 art. 2.3.5 two weeks,
    Jeugdwet and Participatiewet eight weeks (Awb 4:13; `DECISION_WEEKS`), beginning the day
    after `applied_on`, suspended under Awb 4:15 by the `events` and corrected under the
    Algemene termijnenwet. A notice of delay (Awb 4:14(1)) leaves it where it is: after it the
    decision is late. Only where no law sets the term does a notice given within it set a new
    reasonable term (4:14(3), `reasonable_term_notice`): the day it names, moved on by the days
    of suspensions that began after the notice (a day the authority set: no Atw), and never
    before the statutory end.

    The one place this deadline is computed: the services that create an application or record
    an event store it (`ProvisionApplication.decision_deadline`), so the queue sorts and indexes
    on it."""
    events = list(events)
    statutory = application_statutory_deadline(law=law, applied_on=applied_on, events=events)
    notice = reasonable_term_notice(law=law, statutory_deadline=statutory, events=events)
    if notice is None:
        return statutory
    later = suspended_days(
        event
        for event in events
        if (first := first_suspended_day(event)) is not None and first > notice.given_on
    )
    new_term = agreed_term_end(notice.expected_on, days=later) if later else notice.expected_on
    return max(statutory, new_term)


def advance_next_due(
    *, applied_on: datetime.date, last_payment: AdvancePayment | None = None
) -> datetime.date:
    """When the next advance on algemene bijstand is due (Participatiewet art. 52): within four
    weeks of the application, then every four weeks after the previous advance, counted from
    the day it was paid or, when it was paid late, from the day it was due (a late payment never
    pushes the schedule on). A term set by a law: `cases.legal_terms.term_end`."""
    start = applied_on if last_payment is None else min(last_payment.paid_on, last_payment.due_on)
    return term_end(start, weeks=ADVANCE_WEEKS)


def application_advance_first_due(
    *, product: Product, applied_on: datetime.date
) -> datetime.date | None:
    """The first advance's due day for a new application: only for algemene bijstand
    (`Product.is_general_assistance`), never for bijzondere bijstand or any other product."""
    if not product.is_general_assistance:
        return None
    return advance_next_due(applied_on=applied_on)


def decision_objection_deadline(*, made_known_on: datetime.date) -> datetime.date:
    """The last day to object to a decision (bezwaar, Awb 6:7/6:8): six weeks beginning the day
    after it was made known (the letter sent or handed over), never counted from the day it was
    decided, under the Algemene termijnenwet (`cases.legal_terms.term_end`). Stored on the
    decision by the service that issues its letter."""
    return term_end(made_known_on, weeks=OBJECTION_WEEKS)


@dataclass
class ApplicationClocks:
    """What the application page and the decision letter show of an application's clocks."""

    law_sets_term: bool  # Wmo: a notice (Awb 4:14(1)) never moves the deadline
    weeks: int
    statutory_deadline: datetime.date
    suspended_days: int
    events: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    notice: ApplicationTermEvent | None = None  # the last notice of delay
    new_term_notice: ApplicationTermEvent | None = None  # the one that set a new term (4:14(3))
    open_incomplete: list = field(default_factory=list)  # requests not (yet) completed
    general_assistance: bool = False
    advance_payments: list = field(default_factory=list)
    advance_exception: object = None
    letters: list = field(default_factory=list)

    @property
    def expected_on(self) -> datetime.date | None:
        """The day the last notice said the decision can be expected (Awb 4:14)."""
        return self.notice.expected_on if self.notice else None


def application_clocks(*, application: ProvisionApplication) -> ApplicationClocks:
    """The decision term with its events and history, the advance (algemene bijstand) and the
    decision letter's issues, for the application page and the letter."""
    events = list(
        application.term_events.select_related("recorded_by").order_by("recorded_at", "pk")
    )
    for event in events:
        span = _suspended_span(event)
        event.days_suspended = span[1] - span[0] + 1 if span else 0
        if event.kind == TermEventKind.INCOMPLETE:
            event.period_end = incomplete_period_end(
                asked_on=event.asked_on, period_days=event.period_days
            )
    statutory = application_statutory_deadline(
        law=application.law, applied_on=application.applied_on, events=events
    )
    notices = [event for event in events if event.kind == TermEventKind.NOTICE]
    decision = getattr(application, "decision", None)
    clocks = ApplicationClocks(
        law_sets_term=application.law in LAWS_WITH_STATUTORY_DECISION_TERM,
        weeks=DECISION_WEEKS[application.law],
        statutory_deadline=statutory,
        suspended_days=suspended_days(events),
        events=events,
        changes=list(
            application.deadline_changes.select_related("changed_by", "event").order_by(
                "changed_at", "pk"
            )
        ),
        notice=max(notices, key=lambda e: (e.given_on, e.pk), default=None),
        new_term_notice=reasonable_term_notice(
            law=application.law, statutory_deadline=statutory, events=events
        ),
        open_incomplete=[
            event
            for event in events
            if event.kind == TermEventKind.INCOMPLETE and event.completed_on is None
        ],
        general_assistance=application.product.is_general_assistance,
        letters=list(decision.letters.select_related("issued_by")) if decision else [],
    )
    if clocks.general_assistance:
        clocks.advance_payments = list(application.advance_payments.order_by("paid_on", "pk"))
        clocks.advance_exception = (
            AdvanceException.objects.filter(application=application)
            .select_related("recorded_by")
            .first()
        )
    return clocks


def term_event_for(*, application: ProvisionApplication, event_uuid) -> ApplicationTermEvent:
    """A term event of an application the caller already fetched through need-to-know, or 404."""
    event = application.term_events.filter(uuid=event_uuid).first()
    if event is None:
        raise Http404("No term event found")
    event.application = application
    return event


QUEUE_VALUES = {
    "product_name": F("product__name"),
    "household_uuid": F("household__uuid"),
    "street": F("household__street"),
    "house_number": F("household__house_number"),
    "house_number_addition": F("household__house_number_addition"),
    "district_name": F("district__name"),
    "assigned_first_name": F("assigned_to__first_name"),
    "assigned_last_name": F("assigned_to__last_name"),
    "assigned_username": F("assigned_to__username"),
}
QUEUE_FIELDS = (
    "uuid",
    "decision_deadline",
    "status",
    "law",
    "version",
    "household_id",
    "assigned_to_id",
    "open_objection",
    *QUEUE_VALUES,
)


def applications_visible_to(user) -> QuerySet[ProvisionApplication]:
    return ProvisionApplication.objects.filter(
        household_id__in=households_visible_to(user).values("pk")
    )


def application_queue(
    *,
    user,
    law: str = "",
    district_id: int | None = None,
    status: str = "",
    whole_municipality: bool = False,
) -> QuerySet[ProvisionApplication]:
    """The consultant's queue: undecided applications (or one status), soonest deadline first,
    optionally for one law and one district.

    A consultant with a work area (area consultant for a district and law domain, or substitute
    for an absent one) sees that area and what is assigned to them. Asking for the whole
    municipality widens it to every application the consultant may see at all (need-to-know:
    `households_visible_to`), e.g. ones they decided or were asked to co-sign."""
    queue = _queue_source(
        user=user,
        law=law,
        district_id=district_id,
        status=status,
        whole_municipality=whole_municipality,
    )
    if isinstance(queue, _WorkAreaQueue):
        queue = queue.applications(Bind(queue.values, placeholders=False))
    return _with_open_objection(queue).order_by("decision_deadline", "pk")


def _queue_source(*, user, law, district_id, status, whole_municipality):
    """The queue's applications before their badge and order: a `_WorkAreaQueue` for a
    consultant's work area (the default), else the applications the user may see."""
    if not permissions.can_use_application_queue(user):
        return ProvisionApplication.objects.none()
    work_area = work_area_of_consultant(user=user)
    if work_area and not whole_municipality:
        return _WorkAreaQueue.of(user, work_area, law, district_id, status)
    bind = Bind({"law": law, "district": district_id, "status": status}, placeholders=False)
    return _queue_filters(
        applications_visible_to(user), bind, law=law, district_id=district_id, status=status
    )


def _queue_filters(queryset, bind, *, law: str, district_id: int | None, status: str):
    """Undecided (or one status), of one law and one district when asked: each value from
    `bind` (`socialdomain.precompiled`)."""
    queryset = (
        queryset.filter(status=bind("status"))
        if status
        else queryset.filter(status__in=UNDECIDED_STATUSES)
    )
    if law:
        queryset = queryset.filter(law=bind("law"))
    if district_id:
        queryset = queryset.filter(district_id=bind("district"))
    return queryset


def _with_open_objection(queryset):
    """An open objection (bezwaar) in the household: a badge on the row."""
    open_objection = Objection.objects.open().filter(household_id=OuterRef("household_id"))
    return queryset.annotate(open_objection=Exists(open_objection))


@dataclass(frozen=True)
class _WorkAreaQueue:
    """The queue of a consultant's work area (see `application_queue`) as `FirstPagePaginator`
    reads it: a slice runs the page's rows, `count()` counts; both statements are compiled once
    per process and shape (`socialdomain.precompiled`: the number of areas, the filters present,
    the slice) and run with the request's values.

    The work area is a subset of need-to-know: assigned to the consultant, or in a (district,
    law domain) pair they cover today, are both consultant rules of `households_visible_to`. So
    it filters the applications directly (an index scan on the undecided applications) instead
    of through the household visibility subquery, which scans every household at municipality
    scale (docs/performance.md). The district is stored on the application (kept by moves), so
    neither the page nor its count joins households."""

    areas: int
    values: dict

    @classmethod
    def of(cls, user, work_area, law: str, district_id: int | None, status: str):
        values = {"user": user.pk, "law": law, "district": district_id, "status": status}
        for index, (area_district_id, law_domain) in enumerate(sorted(work_area)):
            values[f"area_district_{index}"] = area_district_id
            values[f"area_law_{index}"] = law_domain
        return cls(len(work_area), values)

    def applications(self, bind, rule: Q | None = None) -> QuerySet[ProvisionApplication]:
        """The queue's applications: of one of its rules (`arms`), or of any (their `OR`),
        with the filters asked for."""
        if rule is None:
            rule = functools.reduce(operator.or_, self.arms(bind))
        return _queue_filters(
            ProvisionApplication.objects.filter(rule),
            bind,
            law=self.values["law"],
            district_id=self.values["district"],
            status=self.values["status"],
        )

    def _key(self, *more) -> tuple:
        present = tuple(bool(self.values[name]) for name in ("law", "district", "status"))
        return ("work-area queue", self.areas, present, *more)

    def arms(self, bind) -> list[Q]:
        """The work area's rules, one filter each: assigned to the consultant, and each
        (district, law domain) pair."""
        return [
            Q(assigned_to_id=bind("user")),
            *(
                Q(district_id=bind(f"area_district_{index}"), law=bind(f"area_law_{index}"))
                for index in range(self.areas)
            ),
        ]

    def _page(self, bind, page: slice) -> QuerySet:
        """The page's rows. On PostgreSQL a `UNION` of the rules, each read in deadline order
        on its own index (`application_area_queue_idx` for a pair) and stopped at the page's
        last row, then ordered and sliced: the `OR` of the rules read the undecided
        applications of every district in deadline order and kept a twentieth of them at
        500,000 households (docs/performance.md, eleventh pass). SQLite has no `LIMIT` in a
        `UNION`'s parts: the demo reads the `OR`."""
        if connection.vendor != "postgresql" or not page.stop:
            return _queue_rows(_with_open_objection(self.applications(bind)))[page]
        parts = [
            _queue_rows(_with_open_objection(self.applications(bind, rule))).values(
                *QUEUE_FIELDS, "id"
            )[: page.stop]
            for rule in self.arms(bind)
        ]
        return parts[0].union(*parts[1:]).order_by("decision_deadline", "id")[page]

    def __getitem__(self, page: slice) -> list[dict]:
        return precompiled_rows(
            key=self._key("page", page.start, page.stop),
            build=lambda bind: self._page(bind, page),
            values=self.values,
        )

    def count(self) -> int:
        rows = precompiled_rows(
            key=self._key("count"),
            build=lambda bind: _counted(self.applications(bind)),
            values=self.values,
        )
        return rows[0]["count"]


def _counted(queryset) -> QuerySet:
    """`SELECT COUNT(*)` of the queryset as a `.values()` row: grouped by a constant, which is
    no grouping at all (one row; 0 when there are none)."""
    return (
        queryset.order_by()
        .annotate(whole=Value(1, output_field=IntegerField()))
        .values("whole")
        .annotate(count=Count("*"))
        .values("count")
    )


def _queue_rows(queue: QuerySet[ProvisionApplication]) -> QuerySet:
    """The queue's columns (`QUEUE_FIELDS`) as `.values()`, soonest deadline first."""
    return queue.annotate(**QUEUE_VALUES).values(*QUEUE_FIELDS).order_by("decision_deadline", "pk")


@functools.lru_cache(maxsize=128)
def _choice_label(choices, value: str, language: str | None) -> str:
    """A choice's label in `language`, translated once per process (the queue shows two a
    row)."""
    return str(choices(value).label)


class QueueRow:
    """One row of the consultant's queue, from plain values (no model per row): what the
    queue's template shows, with the application's deadline properties."""

    __slots__ = (*QUEUE_FIELDS, "clocks", "nearest_clock", "url", "claim_url", "household_url")

    def __init__(self, values: dict, *, url="", claim_url="", household_url=""):
        for name in QUEUE_FIELDS:
            setattr(self, name, values[name])
        self.url = url  # the application's page
        self.claim_url = claim_url
        self.household_url = household_url

    @property
    def days_left(self) -> int:
        return (self.decision_deadline - timezone.localdate()).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def is_decided(self) -> bool:
        return self.status not in UNDECIDED_STATUSES

    def get_law_display(self) -> str:
        return _choice_label(Law, self.law, get_language())

    def get_status_display(self) -> str:
        return _choice_label(ApplicationStatus, self.status, get_language())

    @property
    def address_line(self) -> str:
        addition = f"-{self.house_number_addition}" if self.house_number_addition else ""
        return f"{self.street} {self.house_number}{addition}"

    @property
    def assigned_name(self) -> str:
        if self.assigned_to_id is None:
            return ""
        return user_name(self.assigned_first_name, self.assigned_last_name, self.assigned_username)


def application_queue_page(
    *,
    user,
    number,
    per_page: int,
    law: str = "",
    district_id: int | None = None,
    status: str = "",
    whole_municipality: bool = False,
):
    """A page of `application_queue` as `QueueRow`s, from `.values()` (application, product,
    household address, district, consultant: one query), counted only when the first page is
    full (`FirstPagePaginator`). A work area's queue (the default) runs statements compiled once
    per process (`_WorkAreaQueue`); the whole municipality's is built per request, as its
    need-to-know filter is the user's own. The rows' links are reversed once (`uuid_url`)."""
    queue = _queue_source(
        user=user,
        law=law,
        district_id=district_id,
        status=status,
        whole_municipality=whole_municipality,
    )
    if isinstance(queue, _WorkAreaQueue):
        paginator = FirstPagePaginator(queue, per_page)
    else:
        rows = _queue_rows(_with_open_objection(queue))
        paginator = FirstPagePaginator(rows, per_page, count_of=queue)
    page = paginator.get_page(number)
    application_url = uuid_url("provisions:application_detail")
    claim_url = uuid_url("provisions:application_claim")
    household_url = uuid_url("cases:household_detail")
    page.object_list = [
        QueueRow(
            values,
            url=application_url(values["uuid"]),
            claim_url=claim_url(values["uuid"]),
            household_url=household_url(values["household_uuid"]),
        )
        for values in page.object_list
    ]
    return page


def application_for_user(*, user, application_uuid) -> ProvisionApplication:
    """The application with its household, product and decision, or 404 when not visible."""
    application = (
        applications_visible_to(user)
        .with_context()
        .select_related(
            "plan",
            "household__coordinator",
            "decision__provider",
            "decision__product",
            "decision__general_provision__organisation",
            "decision__decided_by",
            "decision__cosigned_by",
        )
        .filter(uuid=application_uuid)
        .first()
    )
    if application is None:
        raise Http404("No application found")
    return application


@dataclass
class ScoreRow:
    """One life domain on the decision screen: the latest conversation's score, the one
    before it and the change (positive: more self-sufficient)."""

    domain: str
    label: str
    score: int | None
    previous: int | None

    @property
    def change(self) -> int | None:
        if self.score is None or self.previous is None:
            return None
        return self.score - self.previous


@dataclass
class DecisionContext:
    """The household around an application, for the consultant's decision screen."""

    household: Household
    conversation: KitchenTableConversation | None
    previous_conversation: KitchenTableConversation | None
    scores: list[ScoreRow]
    plan: SupportPlan | None
    goals: list[PlanGoal]
    applications: list[ProvisionApplication]  # the household's others, undecided
    decisions: list[ProvisionApplication]  # the household's others, decided (with .decision)
    allocations: list
    referrals: list[GeneralProvisionReferral]
    network: list[InformalNetworkMember]


def decision_context(*, application: ProvisionApplication) -> DecisionContext:
    """What the consultant needs next to the decision form, read in a fixed number of queries:
    the household's members and coordinator, the life-domain scores of the last two
    kitchen-table conversations and their change, the goals of the plan behind the application
    (else the household's open plan), its other applications, earlier decisions, allocations
    and referrals, and its informal network.

    Only for an application fetched by `application_for_user` (need-to-know, and the page's
    one access-log row covers the household file): no check and no log row of its own."""
    household = application.household
    prefetch_related_objects([household], current_members_prefetch())
    conversations = list(
        KitchenTableConversation.objects.filter(household=household)
        .order_by("-held_on", "-created_at", "-pk")
        .prefetch_related("scores")[:2]
    )
    conversation = conversations[0] if conversations else None
    previous = conversations[1] if len(conversations) > 1 else None
    latest = (
        {score.domain: score.score for score in conversation.scores.all()} if conversation else {}
    )
    before = {score.domain: score.score for score in previous.scores.all()} if previous else {}
    scores = [
        ScoreRow(domain=domain, label=label, score=latest.get(domain), previous=before.get(domain))
        for domain, label in LifeDomain.choices
        if domain in latest or domain in before
    ]
    plan = application.plan
    if plan is None:
        plan = (
            SupportPlan.objects.filter(household=household).open().order_by("status", "-pk").first()
        )
    goals = list(plan.goals.all()) if plan is not None else []
    others = list(
        household.provision_applications.exclude(pk=application.pk)
        .select_related("product", "decision__provider", "decision__general_provision")
        .order_by("-applied_on", "-pk")[:20]
    )
    return DecisionContext(
        household=household,
        conversation=conversation,
        previous_conversation=previous,
        scores=scores,
        plan=plan,
        goals=goals,
        applications=[other for other in others if not _has_decision(other)],
        decisions=[other for other in others if _has_decision(other)],
        allocations=list(
            household.allocations.select_related("provider", "product").order_by("-created_at")[:20]
        ),
        referrals=list(
            household.provision_referrals.select_related("provision").order_by(
                "-referred_on", "-pk"
            )[:20]
        ),
        network=list(household.network_members.order_by("name")),
    )


def _has_decision(application: ProvisionApplication) -> bool:
    """Whether the application (with `decision` selected) has a decision."""
    try:
        return application.decision is not None
    except ObjectDoesNotExist:
        return False


def household_provisions(*, household: Household) -> dict:
    """What the household file shows about provisions."""
    return {
        "applications": list(
            household.provision_applications.select_related("product", "decision").order_by(
                "-applied_on", "-pk"
            )
        ),
        "referrals": list(
            household.provision_referrals.select_related("provision__organisation").order_by(
                "-referred_on", "-pk"
            )
        ),
        "mandate_spendings": list(
            household.mandate_spendings.select_related("spent_by").order_by("-spent_on", "-pk")
        ),
        "allocations": list(
            household.allocations.select_related("provider", "product", "delivered_by").order_by(
                "-created_at"
            )
        ),
    }


LOW_SCORE = 2  # 1 acute problems, 2 not self-sufficient


def motivation_from_conversation(*, household: Household) -> str:
    """A starting motivation: the low-scoring life domains (1 or 2) of the conversation behind
    the household's current plan, or else of its latest kitchen-table conversation."""
    plan = (
        SupportPlan.objects.filter(household=household, conversation__isnull=False)
        .exclude(status=PlanStatus.CLOSED)
        .order_by("status", "-pk")
        .select_related("conversation")
        .first()
    )
    conversation = (
        plan.conversation
        if plan
        else KitchenTableConversation.objects.filter(household=household)
        .order_by("-held_on", "-pk")
        .first()
    )
    if conversation is None:
        return ""
    scores = list(
        LifeDomainScore.objects.filter(conversation=conversation, score__lte=LOW_SCORE).order_by(
            "score", "domain"
        )
    )
    if not scores:
        return ""
    lines = [
        _("Life domains from the kitchen-table conversation of %(date)s:")
        % {"date": date_format(conversation.held_on, "j F Y")}
    ]
    for score in scores:
        line = f"- {score.get_domain_display()}: {score.get_score_display()}"
        lines.append(f"{line} ({score.note})" if score.note else line)
    return "\n".join(lines) + "\n\n"


def referral_for_user(*, user, referral_uuid) -> GeneralProvisionReferral:
    referral = (
        GeneralProvisionReferral.objects.filter(
            household_id__in=households_visible_to(user).values("pk"), uuid=referral_uuid
        )
        .select_related("household", "provision")
        .first()
    )
    if referral is None:
        raise Http404("No referral found")
    return referral


def general_provisions_for(*, household: Household) -> QuerySet[GeneralProvision]:
    """Active general provisions serving the household's district (or the whole municipality)."""
    district_id = household.neighbourhood.district_id if household.neighbourhood else None
    return (
        GeneralProvision.objects.filter(active=True)
        .filter(Q(districts__isnull=True) | Q(districts=district_id))
        .select_related("organisation")
        .distinct()
        .order_by("name")
    )


def consultants() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(groups__name=Role.CONSULTANT, is_active=True)
        .order_by("first_name", "last_name", "username")
    )


def decision_initial_from_request(*, application: ProvisionApplication) -> dict:
    """The decision form's starting values from the provider's 315/317 request the application
    came from (product, extent, period, the requesting provider in kind), or {}."""
    try:
        request = application.allocation_request
    except ObjectDoesNotExist:
        return {}
    return {
        "product": request.product_id,
        "volume": request.volume,
        "unit": request.unit,
        "frequency": request.frequency,
        "start_date": request.start_date,
        "end_date": request.end_date,
        "delivery": Delivery.IN_KIND,
        "provider": request.organisation_id,
    }


def contracts_valid_on(*, product_id: int, on: datetime.date) -> QuerySet[Contract]:
    """The contracts for the product that run on `on` (from `valid_from` up to and including
    `valid_until`, open-ended without one)."""
    return Contract.objects.filter(product_id=product_id, valid_from__lte=on).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on)
    )


def contracted_providers(*, product_id: int, on: datetime.date) -> QuerySet[Organisation]:
    """The active organisations with a contract for the product on `on`: who may deliver a
    grant in kind that starts that day (the decision form's provider list; `decision_make`
    refuses any other)."""
    return Organisation.objects.filter(
        active=True,
        pk__in=contracts_valid_on(product_id=product_id, on=on).values("organisation_id"),
    ).order_by("name")


def provider_contracted(*, provider_id: int, product_id: int, on: datetime.date) -> bool:
    return (
        contracts_valid_on(product_id=product_id, on=on)
        .filter(organisation_id=provider_id)
        .exists()
    )


def user_display_name(user) -> str:
    """How a colleague is named in a choice list: full name, else the username."""
    return user.get_full_name() or user.get_username()


def cosign_candidates(*, application: ProvisionApplication) -> QuerySet:
    """The consultants who may be asked to co-sign an application's decision: the active
    consultants of the household's team (its area consultants, for any law, and consultants
    who are members of the district's team), whoever was added to it since the decision; every
    active consultant when the team has none, so a request is never stuck. The decider is
    excluded. Evaluated on each call."""
    household = application.household
    district_id = household.neighbourhood.district_id if household.neighbourhood_id else None
    everyone = consultants()
    decided_by = getattr(getattr(application, "decision", None), "decided_by_id", None)
    if decided_by is not None:
        everyone = everyone.exclude(pk=decided_by)
    if district_id is None:
        return everyone
    team = everyone.filter(
        Q(consultant_areas__district_id=district_id)
        | Q(team_memberships__team__district_id=district_id, team_memberships__active=True)
    ).distinct()
    return team if team.exists() else everyone


# Team mandate ---------------------------------------------------------------------------------


@dataclass
class MandateOverview:
    team: Team
    mandate: TeamMandate | None
    spent: Decimal
    spendings: list
    overdue: list

    @property
    def remaining(self) -> Decimal:
        return (self.mandate.budget - self.spent) if self.mandate else ZERO


def teams_for_mandate(*, user) -> QuerySet[Team]:
    return Team.objects.filter(district_id__in=district_ids_of_user(user=user)).select_related(
        "district"
    )


def mandate_overview(*, team: Team, year: int | None = None) -> MandateOverview:
    """The team's mandate this year: spent, left, every spending, and the overdue applications
    in the team's district."""
    year = year or timezone.localdate().year
    mandate = TeamMandate.objects.filter(team=team, year=year).first()
    spendings = (
        list(
            MandateSpending.objects.filter(mandate=mandate)
            .select_related("household", "spent_by", "stream")
            .order_by("-spent_on", "-pk")
        )
        if mandate
        else []
    )
    overdue = list(
        ProvisionApplication.objects.filter(
            status__in=UNDECIDED_STATUSES,
            decision_deadline__lt=timezone.localdate(),
            household__neighbourhood__district_id=team.district_id,
        )
        .with_context()
        .order_by("decision_deadline")
    )
    return MandateOverview(
        team=team,
        mandate=mandate,
        spent=sum((s.amount for s in spendings), ZERO),
        spendings=spendings,
        overdue=overdue,
    )


# Broad budget ---------------------------------------------------------------------------------


@dataclass
class BudgetRow:
    label: str
    budget: Decimal
    committed: Decimal

    @property
    def left(self) -> Decimal:
        return self.budget - self.committed

    @property
    def percentage(self) -> int:
        return int(self.committed * 100 / self.budget) if self.budget else 0


@dataclass
class BudgetOverview:
    year: int
    streams: list[BudgetRow]
    districts: list[BudgetRow]
    total: BudgetRow


def stream_budgets(*, year: int) -> tuple[dict[int, Decimal], dict[tuple[int, int], Decimal]]:
    """The budgets of one year in one query: per stream, and per (stream, district).

    A stream's budget is its municipality-wide budget, or else the sum of its district
    budgets (also used by the outcomes dashboards)."""
    whole: dict[int, Decimal] = {}
    per_district: dict[tuple[int, int], Decimal] = {}
    for stream_id, district_id, amount in StreamBudget.objects.filter(year=year).values_list(
        "stream_id", "district_id", "amount"
    ):
        if district_id is None:
            whole[stream_id] = amount
        else:
            per_district[(stream_id, district_id)] = amount
    per_stream: dict[int, Decimal] = {}
    for (stream_id, _district_id), amount in per_district.items():
        per_stream[stream_id] = per_stream.get(stream_id, ZERO) + amount
    per_stream.update(whole)
    return per_stream, per_district


BUDGET_WARN_SHARE = Decimal("0.9")  # warn when a commitment brings a stream to 90 % or more


@dataclass
class BudgetUse:
    """A stream's budget that a commitment counts against, and what is committed to it."""

    budget: StreamBudget
    committed: Decimal

    def share_after(self, amount: Decimal) -> Decimal:
        if not self.budget.amount:
            return Decimal("Infinity")
        return (self.committed + amount) / self.budget.amount


def stream_budget_use(
    *, stream_id: int, year: int, district_id: int | None, lock: bool = False
) -> BudgetUse | None:
    """The budget a commitment of the stream in the district and year counts against: the
    district's own budget of that stream, else the municipality-wide one (then all districts'
    commitments count); None when the stream has no budget that year (nothing to check).
    `lock` takes the budget row's lock, so two commitments never pass the check together."""
    budgets = StreamBudget.objects.filter(stream_id=stream_id, year=year)
    if lock:
        budgets = budgets.select_for_update()
    budget = None
    if district_id is not None:
        budget = budgets.filter(district_id=district_id).first()
    committed = BudgetCommitment.objects.filter(stream_id=stream_id, year=year)
    if budget is None:
        budget = budgets.filter(district__isnull=True).first()
    else:
        committed = committed.filter(district_id=district_id)
    if budget is None:
        return None
    return BudgetUse(budget, committed.aggregate(total=Sum("amount"))["total"] or ZERO)


def budget_overview(*, year: int) -> BudgetOverview:
    """Committed vs budget per stream and per district for one year, in four queries.

    A stream's budget is its municipality-wide budget, or else the sum of its district
    budgets; a district's budget is the sum of its district budgets over all streams."""
    per_stream, per_district = stream_budgets(year=year)
    committed = BudgetCommitment.objects.filter(year=year)
    by_stream = dict(
        committed.values("stream_id")
        .annotate(total=Sum("amount"))
        .values_list("stream_id", "total")
    )
    by_district = dict(
        committed.values("district_id")
        .annotate(total=Sum("amount"))
        .values_list("district_id", "total")
    )
    streams = []
    for stream in BudgetStream.objects.filter(active=True).order_by("name"):
        budget = per_stream.get(stream.pk, ZERO)
        streams.append(BudgetRow(stream.name, budget, by_stream.get(stream.pk) or ZERO))
    districts = []
    for district in District.objects.order_by("name"):
        budget = sum((amount for (_s, d), amount in per_district.items() if d == district.pk), ZERO)
        districts.append(BudgetRow(district.name, budget, by_district.get(district.pk) or ZERO))
    total = BudgetRow(
        "",
        sum((row.budget for row in streams), ZERO),
        sum((row.committed for row in streams), ZERO),
    )
    return BudgetOverview(year=year, streams=streams, districts=districts, total=total)


# Subsidy signals ------------------------------------------------------------------------------


def subsidy_signals_by_provision() -> list[GeneralProvision]:
    """General provisions that consultants flagged, most signals first, each with its signals
    (reason and date; no household data)."""
    provisions = list(
        GeneralProvision.objects.annotate(signal_count=Count("subsidy_signals"))
        .filter(signal_count__gt=0)
        .select_related("organisation")
        .order_by("-signal_count", "name")
    )
    signals = SubsidySignal.objects.filter(general_provision__in=provisions).order_by("-created_at")
    per_provision: dict[int, list] = {}
    for signal in signals:
        per_provision.setdefault(signal.general_provision_id, []).append(signal)
    for provision in provisions:
        provision.signal_list = per_provision.get(provision.pk, [])
    return provisions


# Notifications --------------------------------------------------------------------------------


def notifications_for(*, user, limit: int = 10) -> list[Notification]:
    if not user.is_authenticated:
        return []
    return list(
        Notification.objects.unread()
        .filter(user=user)
        .select_related("application")
        .order_by("-created_at", "-pk")[:limit]
    )
