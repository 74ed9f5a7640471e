"""Legal terms: the one place where a date term (termijn) is computed.

Everything here takes and returns `datetime.date` (a `datetime.datetime` is refused: which
calendar day it is depends on a time zone the caller must choose). Three kinds of term:

* **Statutory terms** (`term_end`): a term set by a Dutch law or AMvB (Wmo, Jeugdwet,
  Participatiewet, Awb). Counted from the day after the event, then corrected under the
  Algemene termijnenwet (Atw): art. 1 (a last day on a Saturday, Sunday or holiday runs on),
  art. 2 (a term of three days or more holds at least two working days), art. 4 (no
  correction for terms longer than 12 weeks, 3 months or 90 days). Suspension under
  Awb 4:15 is part of the computation, before the correction.
* **AVG terms** (`avg_term_end`): EU law, counted under Regulation (EEC, Euratom) 1182/71,
  not under the Atw.
* **Agreed terms** (`agreed_term_end`): dates that no law sets (evaluation dates, follow-ups,
  grant periods, retention years): the same calendar arithmetic, never corrected.

Holidays are those of art. 3 Atw (`atw_holidays`), including 5 May in every year and Good
Friday, plus the days the Crown equated by decree: shipped in `CROWN_EQUATED_DAYS` and,
on top of those, the days the functional administrator enters in the `EquatedDay` table.
Holiday libraries do not follow the Atw (5 May only every fifth year, no Crown days), so none
is used. The table's days are read once and kept in the Django cache (Redis in production,
shared by every worker) under a generation that any change to the table bumps.

Counting rules shared by all three kinds:

* a term "after" an event begins the day after it; a term of N weeks ends on the same
  weekday N weeks later (Friday 3 April 2026 + 6 weeks = Friday 15 May 2026, before
  correction);
* a month is the same date in the following month, or that month's last day when it is
  shorter (31 January + 1 month = 28 or 29 February); see `add_months`;
* with mixed units, years and months are added first, then weeks and days
  (31 January + 1 month + 1 day = 1 March, in a year that is not a leap year).

Re-exported by `cases/models.py`, so `EquatedDay` is a model of the `cases` app.
"""

import calendar
import datetime
import functools
import logging
import time

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import SynchronousOnlyOperation
from django.db import DEFAULT_DB_ALIAS, DatabaseError, models, transaction
from django.db.models.functions import Cast
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ATW_LIMIT_DAYS",
    "ATW_LIMIT_MONTHS",
    "ATW_LIMIT_WEEKS",
    "CALLBACK_WORKING_DAYS",
    "EQUATED_DAYS_CACHE_SECONDS",
    "REENTRY_WINDOW_MONTHS",
    "EquatedDay",
    "add_months",
    "add_working_days",
    "agreed_term_end",
    "agreed_term_end_expression",
    "atw_holidays",
    "avg_term_end",
    "callback_due",
    "easter_sunday",
    "equated_days_changed",
    "is_non_working_day",
    "next_working_day",
    "reentry_window_end",
    "table_equated_days",
    "term_end",
    "working_days_between",
]

logger = logging.getLogger(__name__)

# Atw art. 4(1): the Atw does not apply to terms longer than these.
# Art. 3(3) Atw: the days the Crown equated with a generally recognised holiday by decree, as
# published in the Staatscourant. Shipped in code so terms are right on a fresh database; the
# functional administrator adds later decrees in the `EquatedDay` table (it only adds). When a
# new decree is published, add it here too in the next release (a duplicate is harmless).
CROWN_EQUATED_DAYS: frozenset[datetime.date] = frozenset(
    {
        datetime.date(2026, 1, 2),  # Friday after New Year's Day
        datetime.date(2026, 5, 15),  # Friday after Ascension Day
        datetime.date(2027, 5, 7),  # Friday after Ascension Day
        datetime.date(2028, 4, 28),  # Friday after King's Day
        datetime.date(2028, 5, 26),  # Friday after Ascension Day
    }
)


ATW_LIMIT_WEEKS = 12
ATW_LIMIT_MONTHS = 3
ATW_LIMIT_DAYS = 90

# King's Day (Koningsdag) is the rule of art. 3 Atw since 2014; earlier years had Queen's Day.
FIRST_SUPPORTED_YEAR = 2014

# How long the table's days stay in the cache at most. Every save or delete through the ORM
# (the admin does that) bumps the generation at once; this bound only matters for writes the
# signals do not see (queryset.update, raw SQL, a rolled-back transaction that read its own
# uncommitted day).
EQUATED_DAYS_CACHE_SECONDS = 600
_GENERATION_KEY = "legal-terms:equated-days:generation"

_ONE_DAY = datetime.timedelta(days=1)


# The table -------------------------------------------------------------------------------------


class EquatedDay(models.Model):
    """A day equated with a generally recognised holiday (art. 3(3) Atw), entered by the
    functional administrator when the Crown publishes a decree in the Staatscourant. The
    days of known decrees are shipped in `CROWN_EQUATED_DAYS`; this
    table only adds to them."""

    day = models.DateField(
        _("day"),
        unique=True,
        help_text=_("A day the Crown equated with a holiday (Algemene termijnenwet, art. 3)."),
    )
    description = models.CharField(
        _("description"),
        max_length=200,
        help_text=_("For example the decree in the Staatscourant that equates this day."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("equated day")
        verbose_name_plural = _("equated days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d-%m-%Y} {self.description}"


def _generation() -> int:
    # A fresh generation when the key is missing (first use, or evicted): an entry stored
    # under an older generation can never be picked up again.
    return cache.get_or_set(_GENERATION_KEY, time.time_ns(), timeout=None)


def equated_days_changed(**_signal_kwargs) -> None:
    """Invalidate the cached days of the `EquatedDay` table, now and again after the
    surrounding transaction commits (a reader racing the change cannot keep the old days
    under the new generation). Connected to saves and deletes of `EquatedDay`; call it after
    bulk writes (`queryset.update`, raw SQL), which send no signals."""

    def bump() -> None:
        try:
            cache.incr(_GENERATION_KEY)
        except ValueError:  # not in the cache (yet, or evicted): any new value will do
            cache.set(_GENERATION_KEY, time.time_ns(), timeout=None)

    bump()
    transaction.on_commit(bump)


post_save.connect(equated_days_changed, sender=EquatedDay, dispatch_uid="equated_day_saved")
post_delete.connect(equated_days_changed, sender=EquatedDay, dispatch_uid="equated_day_deleted")


def _read_table() -> frozenset[datetime.date] | None:
    """The days in the `EquatedDay` table, or None when the database cannot be asked: while
    apps are loading, before the table's migration ran, when the database is down, or from
    async code. Always from the primary (a replica may lag behind a change just made), in a
    savepoint so a failed query cannot break the caller's transaction."""
    if not apps.ready:
        return None
    try:
        with transaction.atomic(using=DEFAULT_DB_ALIAS):
            return frozenset(
                EquatedDay.objects.using(DEFAULT_DB_ALIAS).values_list("day", flat=True)
            )
    except (DatabaseError, SynchronousOnlyOperation) as error:
        logger.warning("equated days table not readable, using the shipped days: %s", error)
        return None


def table_equated_days() -> frozenset[datetime.date]:
    """The days the functional administrator added in the `EquatedDay` table, from the cache
    when known (one read of the table per generation, shared by every worker). Empty when
    the database cannot be asked (the shipped Crown days in `atw_holidays` still count); that
    fallback is not cached, so the table is read again on the next call."""
    key = f"legal-terms:equated-days:{_generation()}"
    days = cache.get(key)
    if days is not None:
        return days
    days = _read_table()
    if days is None:
        return frozenset()
    cache.set(key, days, EQUATED_DAYS_CACHE_SECONDS)
    return days


# The calendar ----------------------------------------------------------------------------------


def _check_date(value: datetime.date, name: str) -> None:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")


def _check_counts(**counts: int) -> None:
    for name, count in counts.items():
        if count < 0:
            raise ValueError(f"{name} cannot be negative ({count})")


def easter_sunday(year: int) -> datetime.date:
    """Easter Sunday of a year in the Gregorian calendar (the anonymous Gregorian algorithm,
    also known as Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_offset = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_offset) // 451
    month, day = divmod(h + weekday_offset - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


@functools.lru_cache(maxsize=64)
def atw_holidays(year: int) -> frozenset[datetime.date]:
    """The generally recognised holidays of a year under art. 3 Atw, and the days the Crown
    equated with them as far as shipped in code (not the `EquatedDay` table: see
    `is_non_working_day`):

    * art. 3(1): New Year's Day, Easter Monday, Ascension Day, Whit Monday, Christmas Day,
      Boxing Day, the day King's Day is celebrated (27 April; 26 April when 27 April is a
      Sunday) and 5 May, in every year (not only every fifth year, as holiday libraries have
      it);
    * art. 3(2): Good Friday;
    * art. 3(3): days equated by decree (`CROWN_EQUATED_DAYS`).

    Years before 2014 (Queen's Day instead of King's Day) are refused with ValueError."""
    if year < FIRST_SUPPORTED_YEAR:
        raise ValueError(f"legal terms are computed from {FIRST_SUPPORTED_YEAR} on, not {year}")
    easter = easter_sunday(year)
    kings_day = datetime.date(year, 4, 27)
    if kings_day.weekday() == calendar.SUNDAY:
        kings_day = datetime.date(year, 4, 26)
    days = {
        datetime.date(year, 1, 1),  # Nieuwjaarsdag
        easter - datetime.timedelta(days=2),  # Goede Vrijdag, art. 3(2)
        easter + datetime.timedelta(days=1),  # tweede Paasdag
        kings_day,  # Koningsdag
        datetime.date(year, 5, 5),  # 5 mei, every year
        easter + datetime.timedelta(days=39),  # Hemelvaartsdag
        easter + datetime.timedelta(days=50),  # tweede Pinksterdag
        datetime.date(year, 12, 25),  # eerste Kerstdag
        datetime.date(year, 12, 26),  # tweede Kerstdag
    }
    days.update(day for day in CROWN_EQUATED_DAYS if day.year == year)
    return frozenset(days)


class _Calendar:
    """Non-working days with the table's days read once, for one computation."""

    def __init__(self) -> None:
        self.extra = table_equated_days()

    def is_non_working(self, day: datetime.date) -> bool:
        return (
            day.weekday() >= calendar.SATURDAY
            or day in atw_holidays(day.year)
            or (day in self.extra)
        )

    def on_or_after(self, day: datetime.date) -> datetime.date:
        while self.is_non_working(day):
            day += _ONE_DAY
        return day

    def add_working_days(self, start: datetime.date, count: int) -> datetime.date:
        day = start
        while count > 0:
            day += _ONE_DAY
            if not self.is_non_working(day):
                count -= 1
        return day

    def count_working_days(self, first: datetime.date, last: datetime.date) -> int:
        """Working days from `first` up to and including `last`."""
        count, day = 0, first
        while day <= last:
            count += not self.is_non_working(day)
            day += _ONE_DAY
        return count


def is_non_working_day(day: datetime.date) -> bool:
    """True for a Saturday, a Sunday, a holiday of art. 3 Atw (`atw_holidays`, with the shipped
    Crown days) and a day in the `EquatedDay` table: the days the Atw skips and the days that
    are not working days for `add_working_days`."""
    _check_date(day, "day")
    return _Calendar().is_non_working(day)


def next_working_day(day: datetime.date) -> datetime.date:
    """`day` itself when it is a working day, else the first working day after it."""
    _check_date(day, "day")
    return _Calendar().on_or_after(day)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """The number of working days after `start` up to and including `end` (the same
    convention as a term: `start` is the event, the count begins the day after). So
    `working_days_between(start, add_working_days(start, n)) == n`, and a day is never counted
    twice when periods are chained. When `end` lies before `start` the answer is negative:
    minus the working days after `end` up to and including `start`; 0 when they are equal."""
    _check_date(start, "start")
    _check_date(end, "end")
    if end < start:
        return -working_days_between(end, start)
    return _Calendar().count_working_days(start + _ONE_DAY, end)


def add_working_days(start: datetime.date, count: int) -> datetime.date:
    """The `count`-th working day after `start` (e.g. a provider reports start or stop of care
    within 5 working days: `add_working_days(care_started_on, 5)`). `count=0` gives `start`
    itself, working day or not. Working days are those for which `is_non_working_day` is
    False."""
    _check_date(start, "start")
    _check_counts(count=count)
    return _Calendar().add_working_days(start, count)


# Calendar arithmetic ---------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same date `months` later (earlier when negative), or the last day of that month when
    it is shorter: 31 January + 1 month = 28 February (29 in a leap year), 29 February + 12
    months = 28 February. The one month helper of the product; no correction of any kind."""
    _check_date(day, "day")
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _calendar_end(
    start: datetime.date, *, years: int = 0, months: int = 0, weeks: int = 0, days: int = 0
) -> datetime.date:
    """The last day of a term after `start`, uncorrected: years and months first (same date,
    clamped to the month's end), then weeks and days."""
    end = add_months(start, 12 * years + months)
    return end + datetime.timedelta(weeks=weeks, days=days)


def agreed_term_end(
    start: datetime.date, *, weeks: int = 0, months: int = 0, days: int = 0, years: int = 0
) -> datetime.date:
    """The last day of an agreed, non-statutory term after `start`: evaluation dates,
    follow-ups and check-ins, grant periods, retention years. The calendar arithmetic of a
    statutory term (years and months first, then weeks and days; a year from 29 February ends
    on 28 February) and **no** Algemene termijnenwet correction: the day may be a Saturday,
    Sunday or holiday. Zero everywhere gives `start`."""
    _check_date(start, "start")
    _check_counts(weeks=weeks, months=months, days=days, years=years)
    return _calendar_end(start, years=years, months=months, weeks=weeks, days=days)


def agreed_term_end_expression(start, *, days: int):
    """`agreed_term_end(start, days=days)` as an SQL expression on a date column or
    expression (`start`, e.g. `TruncDate("invited_at")`), for a list that filters and sorts
    on an agreed end that no model stores: an invitation to a plan open longer than
    `settings.INVITATION_OPEN_DAYS` (`cases.clocks`). Days only: no months, no correction."""
    _check_counts(days=days)
    # date + interval is a timestamp in PostgreSQL: cast back to a date
    return Cast(
        models.ExpressionWrapper(
            start + models.Value(datetime.timedelta(days=days)),
            output_field=models.DateTimeField(),
        ),
        output_field=models.DateField(),
    )


def _longer_than_atw_limit(
    start: datetime.date, uncorrected_end: datetime.date, *, weeks: int, months: int
) -> bool:
    """Art. 4(1) Atw: is the term longer than 12 weeks, 3 months or 90 days?

    A term is judged in the largest unit it is expressed in, on its uncorrected end without
    suspension: with months, against 3 months after `start`; else with weeks, against 12
    weeks; else against 90 days. For a term in one unit that is exactly the article (13 weeks,
    4 months and 91 days are not corrected; 12 weeks, 3 months and 90 days are); a mixed term
    is longer when it ends after that limit (2 months + 4 weeks from 4 February ends 2 May,
    before 4 May: corrected; 12 weeks + 1 day: not corrected)."""
    if months:
        limit = add_months(start, ATW_LIMIT_MONTHS)
    elif weeks:
        limit = start + datetime.timedelta(weeks=ATW_LIMIT_WEEKS)
    else:
        limit = start + datetime.timedelta(days=ATW_LIMIT_DAYS)
    return uncorrected_end > limit


def term_end(
    start: datetime.date,
    *,
    weeks: int = 0,
    months: int = 0,
    days: int = 0,
    suspended_days: int = 0,
) -> datetime.date:
    """The last day of a statutory term (set by a Dutch law or AMvB) that begins the day after
    `start`, with the Algemene termijnenwet applied. For example Wmo 2015 art. 2.3.2, the
    investigation within 6 weeks of the melding: `term_end(melding_on, weeks=6)`; Awb 6:7,
    objection within 6 weeks of the day the decision was made known.

    1. The calendar end: months first, then weeks and days (Friday 3 April 2026 + 6 weeks =
       Friday 15 May 2026; 31 January + 1 month = the last day of February).
    2. Suspension (Awb 4:15): `suspended_days` moves that *uncorrected* end on.
    3. The Atw, once, on the result (unless art. 4(1) excludes the term: longer than 12 weeks,
       3 months or 90 days, judged without suspension, see `_longer_than_atw_limit`):
       art. 1(1), a last day on a Saturday, Sunday or holiday (art. 3 Atw, the shipped Crown
       days and the `EquatedDay` table) runs on to the next day that is none of these;
       art. 2, a term of three days or more (its statutory length, without suspension) is
       extended where needed until it holds at least two such working days, counted from the
       day after `start` up to and including the end.

    Art. 1(2) (terms counted backwards from an event) is out of scope: every term here runs
    forward. A term of length zero raises ValueError, as do negative counts."""
    _check_date(start, "start")
    _check_counts(weeks=weeks, months=months, days=days, suspended_days=suspended_days)
    statutory_end = _calendar_end(start, months=months, weeks=weeks, days=days)
    if statutory_end == start:
        raise ValueError("a term needs a length: give weeks, months or days")
    end = statutory_end + datetime.timedelta(days=suspended_days)
    if _longer_than_atw_limit(start, statutory_end, weeks=weeks, months=months):
        return end
    working = _Calendar()
    end = working.on_or_after(end)  # art. 1(1)
    if (statutory_end - start).days >= 3:  # art. 2
        end = max(end, working.add_working_days(start, 2))
    return end


def avg_term_end(received: datetime.date, *, months: int = 1) -> datetime.date:
    """The last day to answer a data subject's request under the AVG (GDPR), art. 12(3): within
    1 month of receipt, extendable by 2 more (`months=3`). EU law, so Regulation (EEC,
    Euratom) No 1182/71 counts the term, not the Atw: art. 3(2)(c), the same date `months`
    later (the month's last day when that date does not exist); art. 3(4), a last day on a
    Saturday, Sunday or public holiday (the same table as `is_non_working_day`) moves to the
    next working day. There is no art. 2 Atw rule and no art. 4 Atw limit; art. 3(5) of the
    Regulation (two working days in a period of two days or more) never bites on a month."""
    _check_date(received, "received")
    if months < 1:
        raise ValueError(f"an AVG term is at least one month, not {months}")
    return _Calendar().on_or_after(add_months(received, months))


# Agreed service terms of the GP's warm hand-off (docs/gp-handoff.md): the team calls the
# patient back within this many working days after the hand-off came in (agreed with the GPs,
# not statutory; "urgent" is the practice's judgement).
CALLBACK_WORKING_DAYS = {"urgent": 1, "normal": 3}


def callback_due(sent_on: datetime.date, *, urgency: str) -> datetime.date:
    """The last day the team calls back the patient of a GP hand-off sent on `sent_on`: 1
    working day for an urgent one, 3 otherwise (`CALLBACK_WORKING_DAYS`)."""
    _check_date(sent_on, "sent_on")
    return add_working_days(sent_on, CALLBACK_WORKING_DAYS[urgency])


# Aftercare measured by re-entry (docs/outcomes.md): the windows after a plan closed in which a
# new melding, signal or application counts as re-entry.
REENTRY_WINDOW_MONTHS = (6, 12)


def reentry_window_end(closed_on: datetime.date, *, months: int) -> datetime.date:
    """The last day of the `months`-month window after a plan closed on `closed_on` (the same
    date `months` later, or the month's last day; no Atw: a window, not a term to act in)."""
    _check_date(closed_on, "closed_on")
    return add_months(closed_on, months)
