"""Writes for appointments and calendar feeds. A change to a household's appointments records
its access-log row in the same transaction; reminders and e-mails go after the commit."""

import datetime
import logging
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.agenda.models import Appointment, CalendarFeed
from cases.agenda.selectors import feed_token_hash
from cases.audit import RequestContext, audit_change
from cases.households.models import Household
from cases.legal_terms import agreed_term_end
from cases.provisions.models import Notification, NotificationKind

logger = logging.getLogger(__name__)


def _audit(*, appointment: Appointment, by, context) -> None:
    audit_change(
        by=by,
        context=context,
        object_type="appointment",
        object_id=appointment.uuid,
        household_uuid=appointment.household.uuid,
    )


@transaction.atomic
def appointment_plan(
    *,
    household: Household,
    by,
    kind: str,
    starts_at: datetime.datetime,
    duration_minutes: int = 60,
    place: str = "",
    with_whom: str = "",
    professionals=(),
    context: RequestContext | None = None,
) -> Appointment:
    """Plan an appointment with a household the caller may open. The professionals taking part
    (the planner when none is named) must each be allowed to plan appointments."""
    if not permissions.can_plan_appointments(by):
        raise PermissionDenied(_("You may not plan appointments."))
    if starts_at < timezone.now() - datetime.timedelta(minutes=5):
        raise ValidationError({"starts_at": _("An appointment cannot start in the past.")})
    people = list(professionals) or [by]
    if any(not permissions.can_plan_appointments(person) for person in people):
        raise ValidationError({"professionals": _("Only professionals can take part.")})
    appointment = Appointment(
        household=household,
        kind=kind,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place.strip(),
        with_whom=with_whom.strip(),
        created_by=by,
    )
    appointment.full_clean()
    appointment.save()
    appointment.professionals.set(people)
    _audit(appointment=appointment, by=by, context=context)
    return appointment


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, by, context: RequestContext | None = None
) -> Appointment:
    """Cancel an appointment (it stays in the file, marked cancelled, and leaves the feeds)."""
    appointment = (
        Appointment.objects.select_for_update().select_related("household").get(pk=appointment.pk)
    )
    if not permissions.can_plan_appointments(by):
        raise PermissionDenied(_("You may not plan appointments."))
    if appointment.cancelled_at is None:
        appointment.cancelled_at = timezone.now()
        appointment.save(update_fields=["cancelled_at"])
        _audit(appointment=appointment, by=by, context=context)
    return appointment


@transaction.atomic
def calendar_feed_renew(*, user) -> tuple[CalendarFeed, str]:
    """A new subscription link for the user; the old one stops working at once. Returns the
    feed and its secret, which is stored only as a hash and shown only now."""
    if not permissions.can_plan_appointments(user):
        raise PermissionDenied(_("You may not plan appointments."))
    calendar_feed_revoke(user=user)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=user, token_hash=feed_token_hash(token))
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, user) -> int:
    """Stop the user's subscription link; returns how many were active (0 or 1)."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def calendar_feed_used(*, feed: CalendarFeed) -> None:
    """Note when a feed was last fetched (shown beside the link), at most once a minute."""
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > datetime.timedelta(minutes=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)


@transaction.atomic
def appointment_reminders_send(*, today: datetime.date | None = None) -> int:
    """The day before: remind every professional of each appointment tomorrow, in-app (naming
    the household, linking to its file) and by e-mail after the commit (kind, time and district
    only: no name or address, docs/journal.md). Each appointment is reminded once (locked, so
    two workers never both send). Returns the number of appointments reminded."""
    today = today or timezone.localdate()
    tomorrow = agreed_term_end(today, days=1)
    appointments = list(
        Appointment.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            starts_at__date=tomorrow,
            cancelled_at__isnull=True,
            reminded_at__isnull=True,
        )
        .select_related("household__neighbourhood__district")
        .prefetch_related("professionals")
        .order_by("starts_at", "pk")
    )
    if not appointments:
        return 0
    notifications, mails = [], []
    for appointment in appointments:
        district = appointment.household.neighbourhood.district.name
        time = timezone.localtime(appointment.starts_at).strftime("%H:%M")
        path = reverse("cases:household_detail", args=[appointment.household.uuid])
        for person in appointment.professionals.all():
            notifications.append(
                Notification(
                    user=person,
                    kind=NotificationKind.APPOINTMENT,
                    message=(
                        _("Tomorrow at %(time)s: %(kind)s, %(household)s")
                        % {
                            "time": time,
                            "kind": appointment.get_kind_display().lower(),
                            "household": appointment.household.address_line,
                        }
                    )[:300],
                    url=path,
                )
            )
            if person.email:
                mails.append(
                    (
                        person.email,
                        _("Tomorrow at %(time)s: %(kind)s, district %(district)s")
                        % {
                            "time": time,
                            "kind": appointment.get_kind_display().lower(),
                            "district": district,
                        },
                        path,
                    )
                )
    Notification.objects.bulk_create(notifications)
    Appointment.objects.filter(pk__in=[a.pk for a in appointments]).update(
        reminded_at=timezone.now()
    )
    if mails:
        transaction.on_commit(lambda: _reminder_mails_send(mails))
    return len(appointments)


def _reminder_mails_send(mails: list[tuple[str, str, str]]) -> None:
    for email, line, path in mails:
        try:
            send_mail(
                subject=_("wijkwerk: appointment tomorrow"),
                message=f"{line}\n\n{settings.SITE_URL}{path}",
                from_email=None,
                recipient_list=[email],
            )
        except Exception:  # SMTP down: the in-app reminder stays
            logger.exception("appointment reminder e-mail failed")
