"""Celery entry points for the cases app: fetch, call the service, nothing more."""

from celery import shared_task
from django.contrib.auth import get_user_model

from cases.agenda import services as agenda_services
from cases.avg import services as avg_services
from cases.consent.services import consents_expired_notify
from cases.deadlines.services import clock_reminders_send
from cases.documents import services as document_services
from cases.intake.services import open_intake_clocks_recompute
from cases.objections.services import open_objection_clocks_recompute
from cases.plans import services as plan_services
from cases.provisions import services as provision_services


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


@shared_task(name="cases.appointment_reminders")
def appointment_reminders() -> int:
    """Daily: remind the professionals of tomorrow's appointments."""
    return agenda_services.appointment_reminders_send()


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


@shared_task(name="cases.open_clocks_recompute")
def open_clocks_recompute(user_id: int | None = None, note: str = "") -> dict:
    """After a change to the holiday table (`cases.legal_terms.EquatedDay`, dispatched by its
    admin once the change is committed): recompute the stored deadlines of every open clock:
    the meldingen's Wmo terms, the AVG requests' answer terms, the decision clocks (deadlines,
    advances, letters) and the open objections' decision terms. `user_id`: who changed the
    table (None: the system)."""
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    run = provision_services.open_decision_clocks_recompute(by=by, note=note)
    return {
        "meldingen": open_intake_clocks_recompute(by=by),
        "avg_requests": avg_services.open_avg_clocks_recompute(by=by),
        "deadlines": run.deadlines,
        "advances": run.advances,
        "letters": run.letters,
        # after the letters: an objection's term counts from its decision's objection term
        "objections": open_objection_clocks_recompute(),
    }


@shared_task(name="cases.documents_rescan")
def documents_rescan() -> dict:
    """Every quarter of an hour: scan the documents kept in quarantine (no virus scanner
    answered at upload) again; clean ones become downloadable, infected ones are removed."""
    run = document_services.documents_rescan()
    return {
        "examined": run.examined,
        "clean": len(run.clean),
        "infected": len(run.infected),
        "scanner_unavailable": run.scanner_unavailable,
    }
