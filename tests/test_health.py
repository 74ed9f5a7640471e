import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

from socialdomain.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


def test_healthy_without_redis_runs_tasks_in_process(client, db, settings):
    settings.REDIS_URL = ""
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "not configured (tasks run in-process)",
        "worker": "eager",
    }


def test_unreachable_broker_is_503(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")
    assert response.json()["status"] == "unhealthy"


@pytest.fixture
def own_queue(settings):
    """Tasks go through the real Redis broker to a queue of this test's own, so that no other
    test run's worker can answer."""
    queue = f"health-{uuid.uuid4().hex[:8]}"
    saved = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    yield queue
    celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = saved


def start_worker(queue: str) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "TEST_CELERY_EAGER": "false"}
    return subprocess.Popen(  # noqa: S603 - fixed argv: this interpreter running celery
        [sys.executable, "-m", "celery", "-A", "socialdomain", "worker", "--pool=solo",
         "--concurrency=1", "-Q", queue, "--loglevel=WARNING", "--without-heartbeat",
         "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def test_worker_status_through_redis(client, db, settings, own_queue):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200  # a missing worker does not make the web unhealthy
    assert response.json()["broker"] == "ok"
    assert response.json()["worker"] == "no worker answered"

    worker = start_worker(own_queue)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            body = client.get(reverse("healthz")).json()
            if body["worker"] == "ok":
                break
        assert body == {"status": "ok", "database": "ok", "broker": "ok", "worker": "ok"}
    finally:
        worker.terminate()
        worker.wait(timeout=10)
