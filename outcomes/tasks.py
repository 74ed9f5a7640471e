"""Celery entry points for outcomes: fetch, call the service."""

from celery import shared_task

from outcomes import services
from outcomes.models import SummaryRun


@shared_task(name="outcomes.summaries_recompute")
def summaries_recompute_task(run_id: int | None = None) -> dict:
    """Scheduled (CELERY_BEAT_SCHEDULE) without a run, or started by the button with one."""
    run = SummaryRun.objects.filter(pk=run_id).first() if run_id else None
    return services.summaries_recompute(run=run)


@shared_task(name="outcomes.export_job")
def export_job_task(job_id: int) -> int:
    return services.export_job_run(job_id=job_id).rows


@shared_task(name="outcomes.export_jobs_purge")
def export_jobs_purge_task() -> int:
    """Daily: remove export files older than a week."""
    return services.export_jobs_purge()
