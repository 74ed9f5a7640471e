"""Reads for appointments: a household's, a professional's own agenda, a team's overview, and
the iCalendar feed of a subscription link (`cases.agenda.ics`)."""

import datetime
import hashlib

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.agenda.models import Appointment, CalendarFeed
from cases.households.models import Household
from cases.legal_terms import agreed_term_end
from teams.models import Team

PAGE_SIZE = 25
TEAM_SECTION_DAYS = 14  # the team page shows the coming two weeks
FEED_PAST_DAYS = 30  # a feed holds the last month and everything ahead
FEED_MAX = 500


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _listed(appointments: QuerySet) -> QuerySet:
    return appointments.select_related("household__neighbourhood__district").prefetch_related(
        "professionals"
    )


def household_appointments(*, household: Household, limit: int = 10) -> list[Appointment]:
    """The household's coming appointments (from today), cancelled ones included and marked."""
    today = timezone.localdate()
    return list(
        _listed(household.appointments.filter(starts_at__gte=_start_of(today))).order_by(
            "starts_at", "pk"
        )[:limit]
    )


def professionals_for_household(*, household: Household) -> QuerySet:
    """Whom an appointment can name: the active members of the household's team and its area
    consultants (the people who work with this file)."""
    district_id = household.neighbourhood.district_id
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(team_memberships__team__district_id=district_id, team_memberships__active=True)
            | Q(consultant_areas__district_id=district_id)
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def my_appointments_page(*, user, page_number=None) -> Page:
    """The professional's own agenda: coming appointments (from today), a page at a time."""
    today = timezone.localdate()
    appointments = _listed(
        Appointment.objects.filter(professionals=user, starts_at__gte=_start_of(today))
    ).order_by("starts_at", "pk")
    return Paginator(appointments, PAGE_SIZE).get_page(page_number)


def team_appointments(*, team: Team, days: int = TEAM_SECTION_DAYS) -> list[Appointment]:
    """The appointments of a team's households in the coming `days` days (cancelled left out),
    for the team page."""
    today = timezone.localdate()
    until = agreed_term_end(today, days=days)
    return list(
        _listed(
            Appointment.objects.filter(
                household__neighbourhood__district_id=team.district_id,
                starts_at__gte=_start_of(today),
                starts_at__lt=_start_of(until),
                cancelled_at__isnull=True,
            )
        ).order_by("starts_at", "pk")[:50]
    )


def feed_token_hash(token: str) -> str:
    """A subscription link's secret as stored: only its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def active_feed(*, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def feed_for_token(token: str) -> CalendarFeed | None:
    """The active feed of a subscription link, or None (unknown or revoked)."""
    if not token or len(token) > 100:
        return None
    return (
        CalendarFeed.objects.filter(token_hash=feed_token_hash(token), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )


def feed_appointments(*, feed: CalendarFeed) -> list[Appointment]:
    """What a feed holds: the professional's appointments from a month ago on, not cancelled."""
    since = _start_of(timezone.localdate() - datetime.timedelta(days=FEED_PAST_DAYS))
    return list(
        Appointment.objects.filter(
            professionals=feed.user_id, starts_at__gte=since, cancelled_at__isnull=True
        )
        .select_related("household__neighbourhood__district")
        .order_by("starts_at", "pk")[:FEED_MAX]
    )
