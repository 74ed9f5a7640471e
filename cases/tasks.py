from celery import shared_task

from cases.provision_services import deadline_reminders_send


@shared_task(name="cases.decision_deadline_reminders")
def decision_deadline_reminders() -> dict:
    """Daily: remind consultants of decision deadlines and team leads of overdue applications."""
    run = deadline_reminders_send()
    return {
        "reminded": len(run.reminded),
        "overdue_leads": len(run.overdue),
        "emails": run.emails,
    }
