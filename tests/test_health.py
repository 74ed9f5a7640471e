"""GET /livez and GET /healthz: readiness from the status beat's probe keeps in the cache, with
no broker or worker call in the request, and a rate for anonymous callers."""

import time
from unittest import mock

import pytest
import redis
from celery.app.control import Control, Inspect
from celery.app.task import Task
from django.core.cache import cache
from django.db import OperationalError
from django.urls import reverse
from kombu import Connection

from socialdomain import health
from socialdomain.tasks import health_probe
from tests.celery_worker import start_worker
from tests.factories import UserFactory

BROKER_DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def forbid(target, attribute):
    return mock.patch.object(
        target, attribute, side_effect=AssertionError(f"/healthz called {attribute}")
    )


@pytest.fixture
def no_broker_calls():
    """Every way the request could reach the broker or a worker fails the test."""
    with (
        forbid(Control, "ping") as control_ping,
        forbid(Control, "broadcast") as broadcast,
        forbid(Inspect, "_request") as inspect,
        forbid(Task, "apply_async") as apply_async,
        forbid(Connection, "connect") as kombu_connect,
        forbid(redis.Redis, "execute_command") as redis_command,
    ):
        yield [control_ping, broadcast, inspect, apply_async, kombu_connect, redis_command]
    for spy in (control_ping, broadcast, inspect, apply_async, kombu_connect, redis_command):
        spy.assert_not_called()


def healthz(client, **params):
    return client.get(reverse("healthz"), params, REMOTE_ADDR="10.1.1.1")


def test_livez_touches_nothing(client, db, django_assert_num_queries, no_broker_calls):
    with django_assert_num_queries(0):
        response = client.get(reverse("livez"))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_without_redis_tasks_run_in_process(client, db, settings):
    settings.REDIS_URL = ""
    response = healthz(client)
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "not configured (tasks run in-process)",
        "worker": "eager",
        "checked_at": None,
    }


def test_healthz_reads_the_probed_status_without_calling_broker_or_worker(
    client, db, settings, django_assert_num_queries
):
    health_probe.delay()  # what beat does every 30 s, on a worker (here: in-process)
    settings.REDIS_URL = BROKER_DOWN  # would hang or fail if the request tried the broker
    with (
        forbid(Task, "apply_async"),
        forbid(Control, "ping"),
        forbid(redis.Redis, "ping"),
        django_assert_num_queries(1),  # SELECT 1
    ):
        response = healthz(client)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert body["worker"] == "ok"
    assert body["checked_at"].endswith("Z")


def test_healthz_makes_no_broker_or_worker_call_at_all(client, db, settings, no_broker_calls):
    settings.REDIS_URL = BROKER_DOWN
    started = time.monotonic()
    response = healthz(client)
    assert time.monotonic() - started < 1
    assert response.status_code == 200  # the web process serves pages without Redis
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "broker": "unknown",
        "worker": "unknown",
        "checked_at": None,
    }


def test_an_old_status_is_stale(client, db, settings):
    health.probe_and_store()
    status = cache.get(health.STATUS_KEY)
    status["checked_at"] -= settings.HEALTH_STATUS_MAX_AGE_SECONDS + 1
    cache.set(health.STATUS_KEY, status)
    body = healthz(client).json()
    assert body["status"] == "degraded"
    assert body["broker"] == body["worker"] == "stale"
    assert body["checked_at"] is not None


def test_a_broker_error_the_probe_saw_is_reported(client, db, settings):
    settings.REDIS_URL = BROKER_DOWN
    health.probe_and_store()
    response = healthz(client)
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"].startswith("error")


def test_a_database_that_does_not_answer_is_503(client, db):
    with mock.patch.object(health.connection, "cursor", side_effect=OperationalError("gone")):
        response = healthz(client)
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert response.json()["database"] == "error: OperationalError"


def test_worker_0_skips_the_worker(client, db):
    health.probe_and_store()
    assert healthz(client, worker="0").json()["worker"] == "skipped"


# --- the rate for anonymous callers -----------------------------------------------------------


def test_anonymous_calls_beyond_the_rate_get_429_with_retry_after(client, db, settings):
    settings.HEALTHZ_ANONYMOUS_RATE = "5/minute"
    for _ in range(5):
        assert healthz(client).status_code == 200
    refused = healthz(client)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    # another address has its own count
    assert client.get(reverse("healthz"), REMOTE_ADDR="10.2.2.2").status_code == 200
    # a signed-in user is not limited
    client.force_login(UserFactory())
    assert healthz(client).status_code == 200


def test_the_default_rate_is_30_a_minute(settings):
    assert health.parse_rate(settings.HEALTHZ_ANONYMOUS_RATE) == (30, 60)
    assert health.parse_rate("2/second") == (2, 1)
    assert health.parse_rate("100/hour") == (100, 3600)


def test_the_rate_is_counted_per_window(client, db, settings):
    settings.HEALTHZ_ANONYMOUS_RATE = "2/minute"
    with mock.patch.object(health, "_now", return_value=1_000_040.0):
        assert [healthz(client).status_code for _ in range(3)] == [200, 200, 429]
        assert healthz(client)["Retry-After"] == "40"
    with mock.patch.object(health, "_now", return_value=1_000_080.0):
        assert healthz(client).status_code == 200  # the next minute


# --- end to end: a real worker runs the probe ---------------------------------------------------


def test_a_worker_runs_the_probe_and_healthz_reads_its_status(
    client, db, shared_cache_and_own_queue
):
    queue, prefix = shared_cache_and_own_queue
    assert healthz(client).json()["worker"] == "unknown"  # no probe has run yet
    worker = start_worker(queue, prefix)
    try:
        assert health_probe.apply_async(queue=queue).get(timeout=60)["worker"] == "ok"
        with forbid(Task, "apply_async"), forbid(Control, "ping"):
            body = healthz(client).json()
        assert body["status"] == "ok"
        assert (body["database"], body["broker"], body["worker"]) == ("ok", "ok", "ok")
    finally:
        worker.terminate()
        worker.wait(timeout=10)
        cache.delete(health.STATUS_KEY)
