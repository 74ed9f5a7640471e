"""Legal clocks: every running deadline of the product, from one registry.

A *clock* is something open with a due date that someone must act on before it passes: a
melding's investigation, an application's decision, a plan's evaluation date, an aftercare
check-in, an invitation to a plan that nobody answers. Each **kind** of clock is one function
that yields the open clocks of that kind as plain rows (`.values()` in the registry's
`COLUMNS`, built with `clock_rows`) from the households it is given:

* need-to-know, `cases.access.households_visible_to(user)`: search results, a caseload, the
  consultant's queue (`clocks_by_household`);
* a team filter, `team_households(district)`: the team's overview and the team page
  (`team_clock_rows`), after `cases.permissions.can_view_team_clocks` said yes;
* every household (`None`): only the reminder task (`cases.deadlines.services`) and the
  privacy officer's overview.

The registry puts the kinds together in one SQL query (UNION ALL), so an overview filters,
sorts and pages in the database; `clocks_from_rows` turns the rows of one page into `Clock`s.

**No deadline is computed here.** Each kind reads the date its wing stored when the thing was
created or changed (computed by that wing's service with `cases.legal_terms`). The one derived
date is an invitation's: an agreed number of days (`settings.INVITATION_OPEN_DAYS`) after it
was sent, through `legal_terms.agreed_term_end_expression`.

**Days left and days late are calendar days** (`Clock.days_left`, `Clock.days_late`): "nog 3
dagen", "2 dagen te laat", as residents and professionals count them, on every screen alike
(the `{% deadline %}` tag of `cases/templatetags/cases_extras.py`). Only the reminders' "a few
working days before" counts working days (`legal_terms.add_working_days`).

Adding a kind (see `_advance_rows`; `_avg_request_rows` for the privacy officer):

1. Write the rows function in this module, next to the others: only open clocks, through
   `clock_rows`; `due=` the stored date (computed by the wing's service), `household=` the path
   to the household (`"plan__household"`), or `None` for a clock without one; `responsible=`
   the user who must act (reminded first).
2. Register it: `register(ClockKind(code, label, rows, url_name=...))`. A kind for the privacy
   officer (an AVG request) passes `audience=Audience.PRIVACY`: it is never shown on a team's
   page or a household list, and its reminders go to the privacy officers instead of a team
   lead.
3. That is all: the team overview and its filter, the team page, search results, the
   caseload, the reminders (`cases.deadlines.services.clock_reminders_send`) pick it up. Add a
   test to `tests/cases/deadlines/`.
"""

import datetime
import enum
import functools
import uuid
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connections, router
from django.db.models import (
    Case,
    CharField,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    UUIDField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cases.access import households_visible_to
from cases.avg.models import CorrectionRequest
from cases.households.models import Household, address_line
from cases.intake.models import GpHandoff, HandoffStatus, HandoffUrgency, Melding
from cases.legal_terms import agreed_term_end_expression
from cases.links import uuid_url
from cases.objections.models import Objection
from cases.plans.models import (
    AftercareCheckIn,
    CheckInStatus,
    Evaluation,
    ParticipantStatus,
    PlanParticipant,
    PlanStatus,
    SupportPlan,
)
from cases.provisions.models import Allocation, ProvisionApplication
from networks.models import Law
from socialdomain.precompiled import prepared_statement

RUNNING, LATE = "running", "late"


class Audience(enum.StrEnum):
    """Where a kind of clock is shown: on a team's screens (household files), or only on the
    privacy officer's overview (AVG requests)."""

    TEAM = "team"
    PRIVACY = "privacy"


# The columns of a clock row, the same for every kind (a UNION needs them in one order).
COLUMNS = (
    "clock_kind",
    "clock_due",
    "clock_object",
    "clock_link",
    "clock_household",
    "clock_household_uuid",
    "clock_street",
    "clock_house_number",
    "clock_house_number_addition",
    "clock_responsible",
    "clock_district",
    "clock_law",
    "clock_detail",
)


@dataclass(frozen=True)
class ClockKind:
    """One kind of clock: its code (stored with its reminders), its label, the function that
    yields its open rows, and the page a clock of this kind links to (`url_name`, with the
    row's `clock_link` UUID as its one argument)."""

    code: str
    label: str | Promise
    rows: Callable[[QuerySet[Household] | None, datetime.date], QuerySet]
    url_name: str
    audience: Audience = Audience.TEAM
    law_hint: str | Promise = ""
    # no household, but a district (`clock_rows(district=...)`): shown for a team filter only
    per_district: bool = False

    def url(self, link_uuid) -> str:
        return reverse(self.url_name, args=[link_uuid])


KINDS: dict[str, ClockKind] = {}


def register(kind: ClockKind) -> ClockKind:
    """Add a kind to the registry (see the module docstring); the code must be new."""
    if kind.code in KINDS:
        raise ValueError(f"clock kind {kind.code!r} is registered already")
    KINDS[kind.code] = kind
    return kind


def kinds_for(audience: Audience = Audience.TEAM) -> list[ClockKind]:
    """The kinds shown to an audience, in registration order."""
    return [kind for kind in KINDS.values() if kind.audience == audience]


@dataclass(frozen=True)
class Clock:
    """One open clock, ready for a template: `{% deadline clock=clock %}` (cases_extras)
    shows its badge."""

    kind: str
    label: str
    detail: str
    due_on: datetime.date
    days_left: int  # calendar days until the due date; negative once it passed
    object_uuid: uuid.UUID
    url: str  # the page to act on (a path: the reminders make it absolute with SITE_URL)
    household_id: int | None
    household_uuid: uuid.UUID | None
    household_name: str  # the address line, or "" for a clock without household
    responsible_id: int | None
    district_id: int | None
    law: str
    law_hint: str = ""

    @property
    def status(self) -> str:
        return LATE if self.days_left < 0 else RUNNING

    @property
    def is_late(self) -> bool:
        return self.days_left < 0

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


# Rows ------------------------------------------------------------------------------------------


def clock_rows(
    queryset: QuerySet,
    *,
    kind: str,
    households: QuerySet[Household] | None,
    due: str | Expression,
    household: str | None = "household",
    object_uuid: str = "uuid",
    link_uuid: str = "uuid",
    responsible: str | Expression | None = None,
    law: str | Expression = "",
    detail: str | Expression = "",
    district: str | None = None,
) -> QuerySet:
    """The open clocks of `queryset` (already filtered to the open ones) as rows in
    `COLUMNS`: due on `due` (a stored date field, or an expression), for the households in
    `households` (None: all), reached through `household` (a path; None for a clock that has
    no household). `responsible` is the path to the user who must act; `law` and `detail` are
    a constant text or an expression (`F("law")`).

    A clock without a household that belongs to a district (a GP hand-off's call-back) passes
    `district=` (the path to it) and its kind is registered `per_district=True`: it is shown on
    the screens of that district's team (`open_clock_rows(districts=...)`), never in a list of
    households, and its reminders go to that district's team lead."""
    text, number = CharField(), IntegerField()
    if household is None:
        columns = {
            "clock_household": Cast(Value(None), output_field=number),
            "clock_household_uuid": Cast(Value(None), output_field=UUIDField()),
            "clock_street": Value("", output_field=text),
            "clock_house_number": Cast(Value(None), output_field=number),
            "clock_house_number_addition": Value("", output_field=text),
            "clock_district": Cast(Value(None), output_field=number),
        }
        if district is not None:
            columns["clock_district"] = F(district)
    else:
        if households is not None:
            queryset = queryset.filter(**{f"{household}__in": households})
        columns = {
            "clock_household": F(household),
            "clock_household_uuid": F(f"{household}__uuid"),
            "clock_street": F(f"{household}__street"),
            "clock_house_number": F(f"{household}__house_number"),
            "clock_house_number_addition": F(f"{household}__house_number_addition"),
            "clock_district": F(f"{household}__neighbourhood__district"),
        }

    def text_or_expression(value):
        return value if isinstance(value, Expression | F) else Value(value, output_field=text)

    annotations = {
        "clock_kind": Value(kind, output_field=text),
        "clock_due": F(due) if isinstance(due, str) else due,
        "clock_object": F(object_uuid),
        "clock_link": F(link_uuid),
        **columns,
        "clock_responsible": (
            Cast(Value(None), output_field=number)
            if responsible is None
            else F(responsible)
            if isinstance(responsible, str)
            else responsible
        ),
        "clock_law": text_or_expression(law),
        "clock_detail": text_or_expression(detail),
    }
    return (
        queryset.annotate(**{name: annotations[name] for name in COLUMNS})
        .order_by()
        .values(*COLUMNS)
    )


# Today's kinds -------------------------------------------------------------------------------


def _melding_rows(households, today):
    """Wmo 2015 art. 2.3.2: the investigation after a melding, open ones."""
    return clock_rows(
        Melding.objects.open(),
        kind="melding",
        households=households,
        due="investigation_deadline",
        link_uuid="household__uuid",
        responsible="household__coordinator",
        law=Law.WMO,
    )


def _application_rows(households, today):
    """The decision on an application (Wmo 2 weeks, Jeugdwet and Participatiewet 8 weeks),
    until it is final (a grant awaiting its co-signature still runs)."""
    return clock_rows(
        ProvisionApplication.objects.undecided(),
        kind="application",
        households=households,
        due="decision_deadline",
        responsible="assigned_to",
        law=F("law"),
        detail=F("product__name"),
    )


def _evaluation_rows(households, today):
    """An active plan's evaluation date, until an evaluation is recorded on or after it (an
    evaluation held early leaves the date standing: move the date, or evaluate again)."""
    evaluated = Evaluation.objects.filter(
        plan=OuterRef("pk"), evaluated_on__gte=OuterRef("evaluation_date")
    )
    return clock_rows(
        SupportPlan.objects.active()
        .filter(evaluation_date__isnull=False)
        .exclude(Exists(evaluated)),
        kind="evaluation",
        households=households,
        due="evaluation_date",
        responsible="household__coordinator",
    )


def _check_in_rows(households, today):
    """An aftercare check-in after a plan closed, planned or due, until it is done."""
    return clock_rows(
        AftercareCheckIn.objects.exclude(status=CheckInStatus.DONE),
        kind="check_in",
        households=households,
        household="plan__household",
        due="due_on",
        link_uuid="plan__uuid",
        responsible="plan__household__coordinator",
    )


def invitation_due_expression():
    """The day an invitation to a plan has been open `INVITATION_OPEN_DAYS` days."""
    return agreed_term_end_expression(TruncDate("invited_at"), days=settings.INVITATION_OPEN_DAYS)


def _invitation_rows(households, today):
    """A professional invited into an open plan who has not answered for longer than
    `settings.INVITATION_OPEN_DAYS` days (a fresh invitation is no clock yet). The invited
    professional is the one to act."""
    return clock_rows(
        PlanParticipant.objects.filter(status=ParticipantStatus.INVITED)
        .exclude(plan__status=PlanStatus.CLOSED)
        .alias(open_until=invitation_due_expression())
        .filter(open_until__lt=today),
        kind="invitation",
        households=households,
        household="plan__household",
        due=invitation_due_expression(),
        link_uuid="plan__uuid",
        responsible="user",
        detail=F("role"),
    )


def _advance_rows(households, today):
    """Participatiewet art. 52: the next advance on an application for algemene bijstand, due
    4 weeks after the application and every 4 weeks after a payment, until the decision or a
    recorded exception (the wing's service stores `advance_due_on`, or clears it)."""
    return clock_rows(
        ProvisionApplication.objects.undecided().filter(advance_due_on__isnull=False),
        kind="advance",
        households=households,
        due="advance_due_on",
        responsible="assigned_to",
        law=F("law"),
        detail=F("product__name"),
    )


def _progress_report_rows(households, today):
    """A provider's progress report, expected every period its contract names: late 5 working
    days after the period ended (the partners wing's service stores `progress_report_due_on`
    when care starts and when a report comes in, and clears it when care stops). The household's
    coordinator acts (and the consultant sees it on the queue's households)."""
    return clock_rows(
        Allocation.objects.filter(
            progress_report_due_on__isnull=False,
            care_started_on__isnull=False,
            care_stopped_on__isnull=True,
        ),
        kind="progress_report",
        households=households,
        due="progress_report_due_on",
        link_uuid="household__uuid",
        responsible="household__coordinator",
        law=F("product__law"),
        detail=F("provider__name"),
    )


def _objection_rows(households, today):
    """The decision on an objection (bezwaar, Awb 7:10): 6 weeks after the objection term
    ended, 12 with an advisory committee, 6 more when deferred (the objections wing's service
    stores `decision_due`), until the outcome is recorded. The consultant handling it acts."""
    return clock_rows(
        Objection.objects.open(),
        kind="objection",
        households=households,
        due="decision_due",
        responsible="handled_by",
        law=F("decision__application__law"),
        detail=F("decision__application__product__name"),
    )


def _callback_rows(households, today):
    """A GP hand-off's call-back: the team of the patient's district calls back within 1
    working day (urgent) or 3 (the intake wing's service stores `callback_due` with
    `legal_terms.callback_due`), until contact is made or the third attempt failed. No
    household yet (the team links the person in triage): shown per district."""
    return clock_rows(
        GpHandoff.objects.filter(status=HandoffStatus.OPEN),
        kind="callback",
        households=households,
        household=None,
        district="district",
        due="callback_due",
        link_uuid="signal__uuid",
        detail=Case(
            When(urgency=HandoffUrgency.URGENT, then=Value(str(HandoffUrgency.URGENT.label))),
            default=Value(""),
            output_field=CharField(),
        ),
    )


def _avg_request_rows(households, today):
    """An open AVG request (a correction, art. 16): answered within a month, or within the
    extension told within that month (art. 12(3) AVG). The privacy officer's clock: no
    household is shown, the privacy officers are reminded."""
    return clock_rows(
        CorrectionRequest.objects.open(),
        kind="avg_request",
        households=None,
        household=None,
        due="deadline",
        law=Value("AVG"),
        detail=Value(str(_("correction (art. 16)"))),
    )


MELDING = register(
    ClockKind(
        "melding",
        _("Investigation after a melding"),
        _melding_rows,
        url_name="cases:household_detail",
        law_hint=_("Wmo 2015: the investigation is completed within 6 weeks of the melding"),
    )
)
APPLICATION = register(
    ClockKind(
        "application",
        _("Decision on an application"),
        _application_rows,
        url_name="provisions:application_detail",
        law_hint=_("Wmo: a decision within 2 weeks; Jeugdwet and Participatiewet: 8 weeks"),
    )
)
EVALUATION = register(
    ClockKind(
        "evaluation",
        _("Evaluation of the support plan"),
        _evaluation_rows,
        url_name="cases:plan_detail",
        law_hint=_("The evaluation date agreed in the plan"),
    )
)
CHECK_IN = register(
    ClockKind(
        "check_in",
        _("Aftercare check-in"),
        _check_in_rows,
        url_name="cases:plan_detail",
        law_hint=_("A check-in agreed in the plan's aftercare section"),
    )
)
INVITATION = register(
    ClockKind(
        "invitation",
        _("Invitation to a plan not answered"),
        _invitation_rows,
        url_name="cases:plan_detail",
        law_hint=_("An invited professional answers within the agreed number of days"),
    )
)
ADVANCE = register(
    ClockKind(
        "advance",
        _("Advance on algemene bijstand"),
        _advance_rows,
        url_name="provisions:application_detail",
        law_hint=_(
            "Participatiewet art. 52: an advance within 4 weeks of the application and every "
            "4 weeks after, until the decision"
        ),
    )
)
PROGRESS_REPORT = register(
    ClockKind(
        "progress_report",
        _("Progress report from a provider"),
        _progress_report_rows,
        url_name="cases:household_detail",
        law_hint=_(
            "Expected every period the provider's contract names; overdue 5 working days after "
            "the period ended"
        ),
    )
)
OBJECTION = register(
    ClockKind(
        "objection",
        _("Decision on an objection"),
        _objection_rows,
        url_name="cases:objection_detail",
        law_hint=_(
            "Awb 7:10: a decision within 6 weeks after the objection term ended, 12 with an "
            "advisory committee, deferrable by 6 weeks"
        ),
    )
)
CALLBACK = register(
    ClockKind(
        "callback",
        _("Call-back after a GP hand-off"),
        _callback_rows,
        url_name="cases:signal_detail",
        law_hint=_(
            "Agreed with the GPs: the team calls the patient back within 1 working day when "
            "urgent, otherwise within 3"
        ),
        per_district=True,
    )
)
AVG_REQUEST = register(
    ClockKind(
        "avg_request",
        _("AVG request"),
        _avg_request_rows,
        url_name="avg:correction_detail",
        audience=Audience.PRIVACY,
        law_hint=_("AVG art. 12(3): an answer within one month, or three when extended in time"),
    )
)


# The registry's queries ------------------------------------------------------------------------


def open_clock_rows(
    *,
    households: QuerySet[Household] | None,
    kinds: Iterable[str] | None = None,
    audience: Audience = Audience.TEAM,
    today: datetime.date | None = None,
    due_until: datetime.date | None = None,
    district_ids: Iterable[int] | None = None,
) -> QuerySet | None:
    """The open clocks of the chosen kinds (default: every kind of the audience) of
    `households`, as one UNION ALL of rows, unordered; None when no kind is chosen.
    `due_until` keeps only clocks due on or before that day (late ones included).

    A kind `per_district` (no household) is shown for `district_ids` (a team filter), or for
    every district when `households` is None (the reminders); a list of households asked by
    need-to-know (`district_ids` None) leaves it out."""
    today = today or timezone.localdate()
    chosen = [
        kind
        for kind in KINDS.values()
        if kind.audience == audience and (kinds is None or kind.code in set(kinds))
    ]
    parts = []
    for kind in chosen:
        if kind.per_district and households is not None and district_ids is None:
            continue
        rows = kind.rows(households, today)
        if kind.per_district and district_ids is not None:
            rows = rows.filter(clock_district__in=list(district_ids))
        if due_until is not None:
            rows = rows.filter(clock_due__lte=due_until)
        parts.append(rows)
    if not parts:
        return None
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def ordered(rows: QuerySet) -> QuerySet:
    """Soonest due first, so the late ones (longest late first) lead."""
    return rows.order_by("clock_due", "clock_kind", "clock_object")


def _address_line(row: dict) -> str:
    if row["clock_household"] is None:
        return ""
    return address_line(
        row["clock_street"], row["clock_house_number"], row["clock_house_number_addition"] or ""
    )


def _url(kind: ClockKind, link, urls: dict | None) -> str:
    """`kind.url(link)`; with `urls` (a page's) each kind's URL is reversed once
    (`cases.links.uuid_url`: every kind's page takes a UUID)."""
    if urls is None:
        return kind.url(link)
    if kind.code not in urls:
        urls[kind.code] = uuid_url(kind.url_name)
    return urls[kind.code](link)


@functools.lru_cache(maxsize=64)
def _kind_texts(code: str, language: str) -> tuple[str, str]:
    """A kind's label and legal hint in one language (translated once per process, not per
    clock: a caseload shows dozens)."""
    kind = KINDS[code]
    return str(kind.label), str(kind.law_hint)


def clock_from_row(row: dict, *, today: datetime.date, urls: dict | None = None) -> Clock:
    kind = KINDS[row["clock_kind"]]
    label, law_hint = _kind_texts(kind.code, get_language())
    return Clock(
        kind=kind.code,
        label=label,
        detail=row["clock_detail"] or "",
        due_on=row["clock_due"],
        days_left=(row["clock_due"] - today).days,
        object_uuid=row["clock_object"],
        url=_url(kind, row["clock_link"], urls),
        household_id=row["clock_household"],
        household_uuid=row["clock_household_uuid"],
        household_name=_address_line(row),
        responsible_id=row["clock_responsible"],
        district_id=row["clock_district"],
        law=row["clock_law"] or "",
        law_hint=law_hint,
    )


def clocks_from_rows(rows: Iterable[dict], *, today: datetime.date | None = None) -> list[Clock]:
    today = today or timezone.localdate()
    urls: dict = {}
    return [clock_from_row(row, today=today, urls=urls) for row in rows]


def team_households(district) -> QuerySet[Household]:
    """The team filter: the households of a team's district."""
    return Household.objects.filter(neighbourhood__district=district)


def team_clock_rows(
    *, district, kinds: Iterable[str] | None = None, today: datetime.date | None = None
) -> QuerySet | None:
    """A team's running clocks (its district's households), soonest due first: the rows for
    the team overview's paginator. Check `can_view_team_clocks` first."""
    rows = open_clock_rows(
        households=team_households(district),
        kinds=kinds,
        today=today,
        district_ids=[district.pk],
    )
    return None if rows is None else ordered(rows)


def clocks_by_household(
    *,
    user,
    household_ids: Iterable[int],
    kinds: Iterable[str] | None = None,
    today: datetime.date | None = None,
    ids_visible: bool = False,
) -> dict[int, list[Clock]]:
    """The running clocks of the given households that `user` may see (need-to-know), per
    household, soonest first: one query for a page of search results or a caseload.
    `ids_visible`: the ids were read through `households_visible_to(user)` in this request
    (the caseload's own query filters on it), so need-to-know is not read a second time."""
    ids = sorted(set(household_ids))
    if not ids:
        return {}
    today = today or timezone.localdate()
    using = router.db_for_read(Household)

    def visible():  # not even built when the ids are need-to-know's already
        return households_visible_to(user).filter(pk__in=ids)

    if connections[using].vendor == "postgresql":
        # need-to-know once, then the page's clocks through the statement built once a day
        visible_ids = (
            ids if ids_visible else list(visible().order_by().values_list("pk", flat=True))
        )
        rows = _page_clock_rows(ids=visible_ids, kinds=kinds, today=today, using=using)
    else:
        rows = open_clock_rows(households=visible(), kinds=kinds, today=today)
        rows = [] if rows is None else ordered(rows)
    found: dict[int, list[Clock]] = {}
    for clock in clocks_from_rows(rows, today=today):
        found.setdefault(clock.household_id, []).append(clock)
    return found


# The statement of a page's clocks per process, per (database, day, language, kinds): the
# UNION of every kind is built and compiled by the ORM once, not on every search result page
# or caseload (it was most of their time: docs/performance.md). The page's household ids are
# one array parameter. The day and the language are in the key (the rows compare with today
# and carry translated texts); a settings change (a test's override) empties it.
#
# On PostgreSQL the statement is also *prepared* once per database connection (PREPARE, with
# the ids as its one parameter $1 and every other value written in as the ORM's client-side
# binding writes it), and run as EXECUTE: planning the UNION of eight kinds with their joins
# took 10-17 ms at 500,000 households, running it 1-2 ms. After five runs PostgreSQL keeps a
# generic plan (index look-ups per household id). A prepared statement outlives a rolled-back
# transaction; a new connection (CONN_MAX_AGE, a health check) prepares it again.
_PAGE_STATEMENTS: dict[tuple, "_PageStatement | None"] = {}
_PAGE_STATEMENTS_MAX = 64
_PREPARED: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class _PageStatement:
    name: str  # of the prepared statement: the hash of its text
    prepare: str  # PREPARE name AS ... ($1: the household ids)


def _page_statement(*, kinds, today, using) -> _PageStatement | None:
    key = (using, today, get_language(), None if kinds is None else tuple(sorted(set(kinds))))
    if key in _PAGE_STATEMENTS:
        return _PAGE_STATEMENTS[key]
    marker = ["household ids"]  # stands for the ids until the statement is compiled
    rows = open_clock_rows(
        households=RawSQL("SELECT unnest(%s::bigint[])", (marker,)), kinds=kinds, today=today
    )
    statement = None
    if rows is not None:
        sql, params = ordered(rows).query.get_compiler(using).as_sql()
        # the ids become $1; every other value is written in (the ORM's own values: dates,
        # texts, numbers), as the client-side binding would write it on every run
        name, prepare, _keys = prepared_statement(
            "clocks_page_",
            sql,
            params,
            slot=lambda param: "ids" if param is marker else None,
            using=using,
        )
        statement = _PageStatement(name=name, prepare=prepare)
    if len(_PAGE_STATEMENTS) >= _PAGE_STATEMENTS_MAX:
        _PAGE_STATEMENTS.clear()
    _PAGE_STATEMENTS[key] = statement
    return statement


def _page_clock_rows(*, ids: list[int], kinds, today, using) -> list[dict]:
    """`ordered(open_clock_rows(...))` of the households `ids` as rows (PostgreSQL)."""
    statement = _page_statement(kinds=kinds, today=today, using=using)
    if statement is None or not ids:
        return []
    connection = connections[using]
    run = f"EXECUTE {statement.name}(%s)"
    with connection.cursor() as cursor:
        prepared = _PREPARED.setdefault(connection.connection, set())
        if statement.name in prepared:
            cursor.execute(run, [ids])
        else:
            # prepared and run in one round trip (one query, however new the connection)
            cursor.execute(f"{statement.prepare.replace('%', '%%')}; {run}", [ids])
            cursor.nextset()
            prepared.add(statement.name)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _forget_page_statements(**_kwargs) -> None:
    _PAGE_STATEMENTS.clear()
    _kind_texts.cache_clear()  # a test's other languages


setting_changed.connect(_forget_page_statements)


def with_clocks(
    objects: list,
    *,
    user,
    household_id: Callable[[object], int] = lambda obj: obj.pk,
    kinds: Iterable[str] | None = None,
    today: datetime.date | None = None,
    ids_visible: bool = False,
) -> list:
    """Give each object of a page (households, or anything with a household) its household's
    running clocks, soonest first, as `.clocks`, and the soonest as `.nearest_clock` (None
    when none runs): one query for the whole page, within `user`'s need-to-know
    (`ids_visible`: see `clocks_by_household`)."""
    objects = list(objects)
    found = clocks_by_household(
        user=user,
        household_ids=[household_id(obj) for obj in objects],
        kinds=kinds,
        today=today,
        ids_visible=ids_visible,
    )
    for obj in objects:
        obj.clocks = found.get(household_id(obj), [])
        obj.nearest_clock = obj.clocks[0] if obj.clocks else None
    return objects
