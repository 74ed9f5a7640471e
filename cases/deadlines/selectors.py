"""Reads for the clocks' screens: a team's overview of running clocks and its summary on the
team page, and a person's unread reminders on the start page. The clocks themselves come from
the registry (`cases.clocks`); here they are paged, counted and named."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db import connections
from django.http import Http404
from django.utils import timezone

from cases import permissions
from cases.clocks import (
    KINDS,
    Audience,
    Clock,
    ClockKind,
    clocks_from_rows,
    kinds_for,
    open_clock_rows,
    team_clock_rows,
    team_households,
)
from cases.deadlines.models import ClockReminder
from teams.models import Team

# How many of the most urgent clocks the team page shows before "all running clocks".
TEAM_SECTION_SIZE = 5


def team_for_clocks(*, user, district_code: str) -> Team:
    """The team whose clocks the user may see: its generalists and team lead (active members).
    404 for anyone else and for an unknown district (indistinguishable)."""
    team = Team.objects.select_related("district").filter(district__code=district_code).first()
    if team is None or not permissions.can_view_team_clocks(user, team):
        raise Http404("No team found")
    return team


def team_kinds() -> list[ClockKind]:
    """The kinds a team sees (never the privacy officer's)."""
    return kinds_for(Audience.TEAM)


def _with_names(clocks: list[Clock]) -> list[dict]:
    """Each clock with the name of the person who must act (one query for the page)."""
    ids = {clock.responsible_id for clock in clocks if clock.responsible_id}
    names = {}
    if ids:
        for user in (
            get_user_model().objects.filter(pk__in=ids).only("username", "first_name", "last_name")
        ):
            names[user.pk] = user.get_full_name() or user.username
    return [
        {"clock": clock, "responsible": names.get(clock.responsible_id, "")} for clock in clocks
    ]


def team_clock_page(
    *, team: Team, kind: str = "", page_number=None, today: datetime.date | None = None
) -> Page:
    """One page of the team's running clocks, soonest due first (late ones lead), optionally
    of one kind. Two queries for the rows (the page and its count), one for the names."""
    today = today or timezone.localdate()
    rows = team_clock_rows(district=team.district, kinds=[kind] if kind else None, today=today)
    paginator = Paginator(rows if rows is not None else [], settings.CLOCKS_PAGE_SIZE)
    page = paginator.get_page(page_number)
    page.object_list = _with_names(clocks_from_rows(page.object_list, today=today))
    return page


@dataclass
class KindCount:
    kind: ClockKind
    running: int
    late: int

    @property
    def total(self) -> int:
        return self.running + self.late


def _clock_counts(audience: Audience, households, today, district_ids=None) -> list[KindCount]:
    """Running and late clocks per kind of the audience, in one query over the registry's
    UNION (grouped around it: Django cannot group a union itself)."""
    kinds = kinds_for(audience)
    rows = open_clock_rows(
        households=households, audience=audience, today=today, district_ids=district_ids
    )
    found = {}
    if rows is not None:
        sql, params = rows.query.sql_with_params()
        with connections[rows.db].cursor() as cursor:
            cursor.execute(
                "SELECT clock_kind, COUNT(*), "  # noqa: S608 (the inner SQL is Django's)
                "SUM(CASE WHEN clock_due < %s THEN 1 ELSE 0 END) "
                f"FROM ({sql}) AS clocks GROUP BY clock_kind",
                [today, *params],
            )
            found = {kind: (total, late or 0) for kind, total, late in cursor.fetchall()}
    counts = []
    for kind in kinds:
        total, late = found.get(kind.code, (0, 0))
        counts.append(KindCount(kind, total - late, late))
    return counts


def team_clock_counts(*, team: Team, today: datetime.date | None = None) -> list[KindCount]:
    """Per kind: how many of the team's clocks run and how many are late (one query)."""
    today = today or timezone.localdate()
    return _clock_counts(
        Audience.TEAM, team_households(team.district), today, district_ids=[team.district_id]
    )


def privacy_clock_counts(*, today: datetime.date | None = None) -> list[KindCount]:
    """The privacy officer's clocks (AVG requests), per kind: running and late. Only for a
    user `cases.permissions` lets handle AVG requests (the view checks)."""
    return _clock_counts(Audience.PRIVACY, None, today or timezone.localdate())


def team_clock_summary(*, team: Team, today: datetime.date | None = None) -> dict:
    """The team page's section: counts per kind and the most urgent clocks."""
    today = today or timezone.localdate()
    counts = team_clock_counts(team=team, today=today)
    rows = team_clock_rows(district=team.district, today=today)
    urgent = clocks_from_rows(rows[:TEAM_SECTION_SIZE], today=today) if rows is not None else []
    return {
        "counts": counts,
        "late": sum(count.late for count in counts),
        "running": sum(count.running for count in counts),
        "urgent": _with_names(urgent),
    }


@dataclass
class ReminderItem:
    reminder: ClockReminder
    label: str


def unread_reminders_for(*, user, limit: int = 10) -> list[ReminderItem]:
    """The person's unread clock reminders for the start page, soonest deadline first."""
    if not user.is_authenticated:
        return []
    reminders = (
        ClockReminder.objects.unread()
        .filter(recipient=user)
        .select_related("household")
        .order_by("due_on", "-created_at", "-pk")[:limit]
    )
    return [
        ReminderItem(r, str(KINDS[r.kind].label) if r.kind in KINDS else r.kind) for r in reminders
    ]


def reminder_of(*, user, reminder_uuid) -> ClockReminder:
    """The user's own reminder, or 404."""
    reminder = ClockReminder.objects.filter(recipient=user, uuid=reminder_uuid).first()
    if reminder is None:
        raise Http404("No reminder found")
    return reminder
