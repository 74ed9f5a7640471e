"""Infrastructure tasks and the one way the app hands work to Celery.

`dispatch(task, *args)` is how views and services start a task (usually from
`transaction.on_commit`): when the broker (Redis) is down the failure is logged and the request
goes on, instead of answering 500 after its transaction has committed. The beat tasks here keep
the readiness status fresh (`health_probe`, every HEALTH_PROBE_INTERVAL_SECONDS) and clean up
(`idempotency_records_purge`, `sessions_clear`).
"""

import logging

from celery import shared_task
from django.conf import settings

logger = logging.getLogger("wijkwerk.tasks")


def dispatch(task, *args, **kwargs):
    """`task.delay(*args, **kwargs)`, except that a broker or result-backend failure is logged
    (WARNING, with the traceback) and `None` returned instead of raised.

    Without a broker (CELERY_TASK_ALWAYS_EAGER, development) the task runs in-process as
    before and its own errors propagate. What a lost dispatch means is up to the caller: work
    that beat also schedules (webhook deliveries due, the hourly summaries) catches up by
    itself."""
    if task.app.conf.task_always_eager:
        return task.delay(*args, **kwargs)
    try:
        return task.delay(*args, **kwargs)
    except Exception as exc:  # kombu OperationalError, redis ConnectionError, timeouts, ...
        logger.warning(
            "task not dispatched: broker unavailable",
            exc_info=True,
            extra={"task": task.name, "error": type(exc).__name__},
        )
        return None


@shared_task(name="socialdomain.ping")
def ping() -> str:
    """Answered by a worker: a quick manual check (`ping.delay().get(timeout=2)`)."""
    return "pong"


@shared_task(name="socialdomain.health_probe")
def health_probe() -> dict:
    """Beat, every HEALTH_PROBE_INTERVAL_SECONDS: measure database and broker and store the
    result with its time for GET /healthz, which makes no broker or worker call itself. That
    this task runs at all shows that beat, the broker and a worker work."""
    from socialdomain import health

    return health.probe_and_store()


@shared_task(name="socialdomain.idempotency_records_purge")
def idempotency_records_purge() -> int:
    """Beat, hourly: Idempotency-Key records older than IDEMPOTENCY_KEY_RETENTION_HOURS. A
    retry after that window is handled as a new request (docs/api.md)."""
    import datetime

    from django.apps import apps
    from django.utils import timezone

    record_model = apps.get_model(settings.IDEMPOTENCY_RECORD_MODEL)
    cutoff = timezone.now() - datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_RETENTION_HOURS)
    deleted, _ = record_model.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@shared_task(name="socialdomain.sessions_clear")
def sessions_clear() -> None:
    """Beat, nightly: expired sessions out of the database (`manage.py clearsessions`)."""
    from django.core.management import call_command

    call_command("clearsessions")
