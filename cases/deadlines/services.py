"""Reminders for every legal clock (`cases.clocks`): in-app (`ClockReminder`, on the start
page) and by e-mail with absolute links (`settings.SITE_URL`).

Steps, for each open clock:

* **soon**: the due date is at most `settings.CLOCK_REMINDER_WORKING_DAYS` working days away
  (working days of the Algemene termijnenwet, `cases.legal_terms.add_working_days`), to the
  person who must act (the clock's responsible user; without one, the team lead);
* **due**: the due date is today, to the same person;
* **late**: the due date passed, to the team lead(s) of the household's district (for a kind
  of the privacy officer's audience: the privacy officers) and to the person who must act.

Each reminder is stored once (`ClockReminder`'s unique constraint), so the task can run as
often as it likes, also twice at the same time; the e-mails go to the rows not yet mailed, one
message per person, each row locked while its mail is sent so no two runs send it."""

import datetime
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.clocks import KINDS, Audience, Clock, clocks_from_rows, open_clock_rows
from cases.deadlines.models import ClockReminder, ReminderStep
from cases.legal_terms import add_working_days
from teams.models import TeamMember
from teams.roles import Role

logger = logging.getLogger(__name__)

BATCH = 1000


@dataclass
class ReminderRun:
    run_id: uuid.UUID
    reminders: int = 0  # new in-app reminders made by this run
    emails: int = 0  # e-mails sent by this run (one per person)
    failed_emails: int = 0  # e-mails that could not be sent (tried again by the next run)


def absolute_url(path: str) -> str:
    """A link for an e-mail: the path on `settings.SITE_URL`."""
    return f"{settings.SITE_URL}{path}"


def step_of(clock: Clock) -> str:
    if clock.days_left > 0:
        return ReminderStep.SOON
    return ReminderStep.DUE if clock.days_left == 0 else ReminderStep.LATE


def _team_leads_by_district() -> dict[int, list[int]]:
    leads = defaultdict(list)
    for district_id, user_id in (
        TeamMember.objects.filter(
            active=True, user__is_active=True, user__groups__name=Role.TEAM_LEAD
        )
        .values_list("team__district_id", "user_id")
        .distinct()
    ):
        leads[district_id].append(user_id)
    return leads


def _privacy_officers() -> list[int]:
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.PRIVACY_OFFICER)
        .values_list("pk", flat=True)
        .distinct()
    )


def _recipients(clock: Clock, step: str, *, escalate_to: list[int], active: set[int]):
    """(user id, is escalation) pairs for one clock at one step."""
    responsible = clock.responsible_id if clock.responsible_id in active else None
    if step != ReminderStep.LATE:
        if responsible is not None:
            return [(responsible, False)]
        return [(user_id, True) for user_id in escalate_to]
    pairs = [(user_id, True) for user_id in escalate_to if user_id != responsible]
    if responsible is not None:
        pairs.append((responsible, False))
    return pairs


def _reminders_store(*, today: datetime.date, run_id: uuid.UUID) -> None:
    horizon = add_working_days(today, settings.CLOCK_REMINDER_WORKING_DAYS)
    leads = _team_leads_by_district()
    officers = _privacy_officers()
    users = get_user_model().objects.filter(is_active=True)
    for audience in Audience:
        rows = open_clock_rows(households=None, audience=audience, today=today, due_until=horizon)
        if rows is None:
            continue
        clocks = clocks_from_rows(rows, today=today)
        ids = {clock.responsible_id for clock in clocks if clock.responsible_id is not None}
        active_ids = set(users.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
        pending = []
        for clock in clocks:
            step = step_of(clock)
            escalate_to = (
                officers if audience == Audience.PRIVACY else leads.get(clock.district_id, [])
            )
            for user_id, is_escalation in _recipients(
                clock, step, escalate_to=escalate_to, active=active_ids
            ):
                pending.append(
                    ClockReminder(
                        kind=clock.kind,
                        object_uuid=clock.object_uuid,
                        due_on=clock.due_on,
                        step=step,
                        recipient_id=user_id,
                        household_id=clock.household_id,
                        url=clock.url,
                        detail=clock.detail[:200],
                        is_escalation=is_escalation,
                        run_id=run_id,
                    )
                )
        # e-mail only to people with an address; one query for all of them
        recipient_ids = {reminder.recipient_id for reminder in pending}
        with_email = set(
            users.filter(pk__in=recipient_ids).exclude(email="").values_list("pk", flat=True)
        )
        for reminder in pending:
            reminder.email_wanted = reminder.recipient_id in with_email
        # ON CONFLICT DO NOTHING: a reminder that exists (this run's twin, an earlier run, a
        # run going on at the same time) is skipped, never sent twice
        for start in range(0, len(pending), BATCH):
            ClockReminder.objects.bulk_create(pending[start : start + BATCH], ignore_conflicts=True)


def _status_text(reminder: ClockReminder, today: datetime.date) -> str:
    days = (reminder.due_on - today).days
    if days > 0:
        return ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days}
    if days == 0:
        return _("deadline today")
    late = -days
    return ngettext("%(days)s day late", "%(days)s days late", late) % {"days": late}


def _mail_text(reminders: list[ClockReminder], today: datetime.date) -> tuple[str, str]:
    """Subject and body of one person's e-mail. No names, addresses or BSNs in an e-mail:
    what kind of deadline, how it stands, and the link to act on it."""
    count = len(reminders)
    late = sum(1 for reminder in reminders if reminder.due_on < today)
    if late:
        subject = ngettext(
            "wijkwerk: %(count)s deadline needs attention, %(late)s passed",
            "wijkwerk: %(count)s deadlines need attention, %(late)s passed",
            count,
        ) % {"count": count, "late": late}
    else:
        subject = ngettext(
            "wijkwerk: %(count)s deadline needs attention",
            "wijkwerk: %(count)s deadlines need attention",
            count,
        ) % {"count": count}
    lines = []
    for reminder in reminders:
        kind = KINDS.get(reminder.kind)
        label = str(kind.label) if kind else reminder.kind
        if reminder.detail:
            label = f"{label} ({reminder.detail})"
        lines.append(
            f"- {label}: {_status_text(reminder, today)}, "
            + _("ends %(date)s") % {"date": f"{reminder.due_on:%d-%m-%Y}"}
            + ("" if not reminder.is_escalation else f" [{_('escalation')}]")
            + f"\n  {absolute_url(reminder.url)}"
        )
    body = "\n".join(
        [
            _("These deadlines need your attention:"),
            "",
            *lines,
            "",
            _("All your reminders: %(url)s") % {"url": absolute_url("/")},
        ]
    )
    return subject, body


def _mails_send(*, today: datetime.date, run: ReminderRun) -> None:
    """One e-mail per person for their reminders not yet mailed (this run's, and any an
    earlier run could not send). Each person's rows are locked while their mail is sent, and
    a run that finds them locked skips them: two runs never send the same reminder."""
    pending = ClockReminder.objects.filter(email_wanted=True, emailed_at__isnull=True)
    for recipient_id in sorted(set(pending.values_list("recipient_id", flat=True))):
        with transaction.atomic():
            reminders = list(
                pending.filter(recipient_id=recipient_id)
                .select_related("recipient")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("due_on", "kind", "pk")
            )
            if not reminders:
                continue
            recipient = reminders[0].recipient
            subject, body = _mail_text(reminders, today)
            try:
                send_mail(
                    subject=subject,
                    message=body,
                    from_email=None,
                    recipient_list=[recipient.email],
                )
            except Exception:  # SMTP down, address refused: try again next run
                logger.exception("clock reminder e-mail to user %s failed", recipient_id)
                run.failed_emails += 1
                continue
            ClockReminder.objects.filter(pk__in=[r.pk for r in reminders]).update(
                emailed_at=timezone.now()
            )
            run.emails += 1


def clock_reminders_send(*, today: datetime.date | None = None) -> ReminderRun:
    """Store the reminders every open clock is due for today and e-mail them (see the module
    docstring). Idempotent: a second run on the same day stores and sends nothing. Run daily by
    Celery beat (`cases.clock_reminders`). System work: no user, no access-log row (the
    reminder rows are the record of what was sent to whom)."""
    today = today or timezone.localdate()
    run = ReminderRun(run_id=uuid.uuid4())
    with translation.override(settings.LANGUAGE_CODE):
        _reminders_store(today=today, run_id=run.run_id)
        run.reminders = ClockReminder.objects.filter(run_id=run.run_id).count()
        _mails_send(today=today, run=run)
    return run


@transaction.atomic
def clock_reminder_mark_read(*, reminder: ClockReminder, by) -> None:
    """The recipient has seen the reminder: it leaves the start page."""
    if reminder.recipient_id != by.pk:
        raise PermissionDenied
    ClockReminder.objects.filter(pk=reminder.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
