"""GET /healthz: database and broker status as JSON; 200 when healthy, 503 when not.

When Redis is configured the check also sends a real Celery task to a worker and reports
whether one answered; a missing worker is reported but does not make the web process unhealthy.
"""

from celery.exceptions import TaskRevokedError
from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from socialdomain.tasks import ping

WORKER_TIMEOUT_SECONDS = 2.0


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means unhealthy; the type goes in the answer
        return f"error: {type(exc).__name__}"
    return "ok"


def _broker_status() -> str:
    if not settings.REDIS_URL:
        return "not configured (tasks run in-process)"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def _worker_status(broker: str) -> str:
    if not settings.REDIS_URL:
        return "eager" if ping.delay().get(timeout=1) == "pong" else "error"
    if broker != "ok":
        return "unknown"
    try:
        result = ping.apply_async(expires=WORKER_TIMEOUT_SECONDS)
        answer = result.get(timeout=WORKER_TIMEOUT_SECONDS)
    except (CeleryTimeoutError, TaskRevokedError):  # nobody took it before it expired
        return "no worker answered"
    return "ok" if answer == "pong" else "error"


@never_cache
@require_GET
def healthz(request):
    database = _database_status()
    broker = _broker_status()
    healthy = database == "ok" and not broker.startswith("error")
    body = {
        "status": "ok" if healthy else "unhealthy",
        "database": database,
        "broker": broker,
        "worker": _worker_status(broker) if request.GET.get("worker") != "0" else "skipped",
    }
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
def livez(request):
    """GET /livez: the process answers. No database, no broker: the liveness probe, and the
    bare baseline of the benchmark (the cost of the middleware stack alone)."""
    return HttpResponse("ok", content_type="text/plain")
