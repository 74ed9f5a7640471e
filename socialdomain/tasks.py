"""Infrastructure tasks and the one way the app hands work to Celery.

`dispatch(task, *args)` is how views and services start a task (usually from
`transaction.on_commit`): when the broker (Redis) is down the failure is logged and the request
goes on, instead of answering 500 after its transaction has committed. The beat tasks here keep
the readiness status fresh (`health_probe`, every HEALTH_PROBE_INTERVAL_SECONDS).
"""

import logging

from celery import shared_task

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
