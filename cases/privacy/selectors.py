"""Reads for 'known, not opened', break the glass and the privacy officer's access log."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from cases.access import households_visible_to
from cases.households.models import Household, HouseholdMembership
from cases.privacy.models import AccessContext, AccessLogEntry, BreakGlassAccess
from cases.validators import normalise_bsn
from teams.validators import normalise_postcode

KNOWN_SEARCH_LIMIT = 10


@dataclass
class KnownSearch:
    kind: str  # "bsn", "address" or "" (nothing searched)
    households: list[Household] = field(default_factory=list)
    error: str = ""


def household_known_search(
    *, user, bsn: str = "", postcode: str = "", house_number: int | None = None
) -> KnownSearch:
    """Is the household already known anywhere in the municipality? By BSN (exact, a current
    member) or by postcode and house number. Each household comes with its area, team and
    coordinator and `in_circle` (the user may open the file); the caller shows nothing else of
    a household outside the circle."""
    base = Household.objects.select_related("neighbourhood__district__team", "coordinator")
    if bsn:
        try:
            bsn = normalise_bsn(bsn)
        except ValidationError as exc:
            return KnownSearch("bsn", error=exc.messages[0])
        current = HouseholdMembership.objects.current().filter(resident__bsn=bsn)
        kind, matches = "bsn", base.filter(pk__in=current.values("household_id"))
    elif postcode and house_number:
        try:
            postcode = normalise_postcode(postcode)
        except ValidationError as exc:
            return KnownSearch("address", error=exc.messages[0])
        kind, matches = "address", base.filter(postcode=postcode, house_number=house_number)
    else:
        return KnownSearch("")
    visible = households_visible_to(user).filter(pk=OuterRef("pk"))
    households = list(
        matches.annotate(in_circle=Exists(visible)).order_by("house_number_addition", "pk")[
            :KNOWN_SEARCH_LIMIT
        ]
    )
    return KnownSearch(kind, households)


def household_for_break_glass(*, household_uuid) -> Household:
    """The household an emergency access is asked for (its area and coordinator only)."""
    household = (
        Household.objects.select_related("neighbourhood__district__team", "coordinator")
        .filter(uuid=household_uuid)
        .first()
    )
    if household is None:
        raise Http404("No household found")
    return household


def household_is_visible(*, user, household: Household) -> bool:
    return households_visible_to(user).filter(pk=household.pk).exists()


def break_glass_active_for(*, user, household: Household) -> BreakGlassAccess | None:
    return BreakGlassAccess.objects.active().filter(user=user, household=household).first()


def break_glass_reviews(*, pending: bool) -> QuerySet[BreakGlassAccess]:
    """Emergency accesses to review (oldest first) or reviewed (latest review first), with the
    number of log rows the professional wrote for that household while the grant lasted."""
    during = (
        AccessLogEntry.objects.filter(
            user_id=OuterRef("user_id"),
            household_uuid=OuterRef("household_uuid"),
            context=AccessContext.BREAK_GLASS,
            at__gte=OuterRef("opened_at"),
            at__lte=OuterRef("expires_at"),
        )
        .order_by()
        .values("household_uuid")
        .annotate(n=Count("pk"))
        .values("n")
    )
    grants = BreakGlassAccess.objects.select_related("user", "reviewed_by").annotate(
        access_count=Coalesce(Subquery(during), 0)
    )
    if pending:
        return grants.filter(reviewed_at__isnull=True).order_by("opened_at", "pk")
    return grants.filter(reviewed_at__isnull=False).order_by("-reviewed_at", "-pk")


def break_glass_for_review(*, grant_uuid) -> BreakGlassAccess:
    grant = BreakGlassAccess.objects.select_related("user").filter(uuid=grant_uuid).first()
    if grant is None:
        raise Http404("No emergency access found")
    return grant


def break_glass_pending_count() -> int:
    return BreakGlassAccess.objects.pending_review().count()


# --- The access log, filtered ----------------------------------------------------------------


@dataclass(frozen=True)
class LogFilter:
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    username: str = ""
    household_uuid: object = None
    action: str = ""
    context: str = ""
    result: str = ""


def access_log_last_id() -> int:
    return AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def access_log_entries(*, filters: LogFilter, up_to: int | None = None) -> QuerySet[AccessLogEntry]:
    """Log rows matching the filters (and with an id up to `up_to`), newest first (`at`, then
    id). Dates are whole days in the municipality's time zone, both inclusive."""
    entries = AccessLogEntry.objects.all()
    if up_to is not None:
        entries = entries.filter(pk__lte=up_to)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        start = datetime.datetime.combine(filters.date_from, datetime.time.min, tzinfo=tz)
        entries = entries.filter(at__gte=start)
    if filters.date_to:
        end = datetime.datetime.combine(
            filters.date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        entries = entries.filter(at__lt=end)
    if filters.username:
        entries = entries.filter(username=filters.username)
    if filters.household_uuid:
        entries = entries.filter(household_uuid=filters.household_uuid)
    for name in ("action", "context", "result"):
        if value := getattr(filters, name):
            entries = entries.filter(**{name: value})
    return entries.order_by("-at", "-pk")


def access_log_page(
    *, filters: LogFilter, size: int, after: tuple[datetime.datetime, int] | None = None
) -> tuple[list[AccessLogEntry], tuple[datetime.datetime, int] | None]:
    """One page of the filtered log by keyset (no COUNT over a log of millions of rows): the rows
    after the cursor `(at, id)` of the previous page's last row, and the next cursor (None on
    the last page)."""
    entries = access_log_entries(filters=filters)
    if after is not None:
        at, pk = after
        entries = entries.filter(Q(at__lt=at) | Q(at=at, pk__lt=pk))
    rows = list(entries[: size + 1])
    if len(rows) > size:
        rows = rows[:size]
        return rows, (rows[-1].at, rows[-1].pk)
    return rows, None
