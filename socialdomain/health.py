"""GET /healthz (readiness) and GET /livez (liveness).

/healthz makes no broker or worker call of its own: beat runs `socialdomain.health_probe` on a
worker every HEALTH_PROBE_INTERVAL_SECONDS, which measures the database and the broker and keeps
the result, with its time, in the cache. The request runs one `SELECT 1` and reads that status;
a status older than HEALTH_STATUS_MAX_AGE_SECONDS is reported as `stale` (beat, the broker or
every worker stopped), none at all as `unknown`. Only a failing database makes the web process
unready (503): without Redis it still serves pages and logins, so a broker outage is reported
(`degraded`), not a reason to take every web process out of the load balancer.

Anonymous callers get HEALTHZ_ANONYMOUS_RATE calls per client address (429 with Retry-After
beyond it); the compose healthcheck, every 10 s, stays well below it.
"""

import datetime
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from socialdomain.client_ip import client_ip

STATUS_KEY = "socialdomain:health:status"
RATE_KEY = "socialdomain:healthz:{address}:{window}"
NOT_CONFIGURED = "not configured (tasks run in-process)"
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _now() -> float:
    return time.time()


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means unhealthy; the type goes in the answer
        return f"error: {type(exc).__name__}"
    return "ok"


def _broker_status() -> str:
    """Ping Redis (the broker). Only beat's probe calls this, never a request."""
    if not settings.REDIS_URL:
        return NOT_CONFIGURED
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def probe_and_store() -> dict:
    """Measure the components and keep the result for /healthz. Runs on a worker (beat's
    `socialdomain.health_probe`), so the worker is "ok" by the fact that it runs."""
    status = {
        "checked_at": _now(),
        "database": _database_status(),
        "broker": _broker_status(),
        "worker": "ok",
    }
    # kept well beyond the max age, so that an outage shows as "stale" with its time
    cache.set(STATUS_KEY, status, timeout=max(3600, settings.HEALTH_STATUS_MAX_AGE_SECONDS * 10))
    return status


def parse_rate(rate: str) -> tuple[int, int]:
    """`30/minute` -> (30, 60): DRF's rate syntax, N/second|minute|hour|day."""
    count, period = rate.split("/")
    return int(count), PERIODS[period.strip()[0].lower()]


def _retry_after(request) -> int | None:
    """Seconds the anonymous caller must wait, or None when the call is within the rate. A
    cache that does not answer lets the call through (FailOpenRedisCache logs it)."""
    if request.user.is_authenticated:
        return None
    limit, period = parse_rate(settings.HEALTHZ_ANONYMOUS_RATE)
    now = _now()
    window = int(now // period)
    key = RATE_KEY.format(address=client_ip(request) or "unknown", window=window)
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted, expired just now, or the cache is down: not counted
        return None
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * period - now))


def _components() -> tuple[str, str, str | None]:
    """(broker, worker, checked_at) from the status beat's probe stored."""
    if not settings.REDIS_URL:
        return NOT_CONFIGURED, "eager", None
    stored = cache.get(STATUS_KEY)
    if not isinstance(stored, dict) or "checked_at" not in stored:
        return "unknown", "unknown", None
    checked_at = (
        datetime.datetime.fromtimestamp(stored["checked_at"], tz=datetime.UTC)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z")
    )
    if _now() - stored["checked_at"] > settings.HEALTH_STATUS_MAX_AGE_SECONDS:
        return "stale", "stale", checked_at
    return stored.get("broker", "unknown"), stored.get("worker", "unknown"), checked_at


@never_cache
@require_GET
def healthz(request):
    retry_after = _retry_after(request)
    if retry_after is not None:
        response = JsonResponse({"status": "too many requests"}, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    database = _database_status()
    broker, worker, checked_at = _components()
    if request.GET.get("worker") == "0":
        worker = "skipped"
    if database != "ok":
        status = "unhealthy"
    elif broker in ("ok", NOT_CONFIGURED) and worker in ("ok", "eager", "skipped"):
        status = "ok"
    else:
        status = "degraded"
    body = {
        "status": status,
        "database": database,
        "broker": broker,
        "worker": worker,
        "checked_at": checked_at,
    }
    return JsonResponse(body, status=503 if status == "unhealthy" else 200)


@never_cache
@require_GET
def livez(request):
    """GET /livez: the process answers. No database, no broker: the liveness probe, and the
    bare baseline of the benchmark (the cost of the middleware stack alone)."""
    return HttpResponse("ok", content_type="text/plain")
