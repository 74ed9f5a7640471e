"""Celery entry points for the cases app: fetch, call the service, nothing more."""

from celery import shared_task

from cases.avg import services as avg_services
from cases.consent.services import consents_expired_notify
from cases.deadlines.services import clock_reminders_send
from cases.plans import services as plan_services


@shared_task(name="cases.clock_reminders")
def clock_reminders() -> dict:
    """Every working day: remind whoever must act of every legal clock (a few working days
    before, on the day) and the team lead once it passed, in-app and by e-mail, each once.
    Replaces `cases.decision_deadline_reminders` (applications are one kind of clock)."""
    run = clock_reminders_send()
    return {
        "run": str(run.run_id),
        "reminders": run.reminders,
        "emails": run.emails,
        "failed_emails": run.failed_emails,
    }


@shared_task(name="cases.decision_deadline_reminders")
def decision_deadline_reminders() -> dict:
    """The former daily decision-deadline reminder, kept under its name so a message queued
    before an upgrade (or a beat still scheduling it) reminds through the clocks: no second
    reminder for the same deadline."""
    return clock_reminders()


@shared_task(name="cases.aftercare_mark_due")
def aftercare_mark_due() -> int:
    """Mark aftercare check-ins whose date has come as due, so they show on the coordinator's
    list. Scheduled daily in CELERY_BEAT_SCHEDULE."""
    return plan_services.aftercare_mark_due()


@shared_task(name="cases.consents_expire")
def consents_expire() -> int:
    """Daily: tell coordinators about consents that expired yesterday."""
    return consents_expired_notify()


@shared_task(name="cases.retention_apply")
def retention_apply() -> dict:
    """Nightly: destroy household files whose retention period has expired (AVG)."""
    run = avg_services.retention_apply()
    return {
        "run": str(run.run_id),
        "examined": run.examined,
        "destroyed": len(run.records),
        "skipped": len(run.skipped),
    }
