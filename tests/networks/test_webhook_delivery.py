"""Webhook deliveries against a real HTTP receiver on 127.0.0.1."""

import contextlib
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from celery.exceptions import Retry
from django.db import connection

from networks.models import DeliveryStatus, WebhookDelivery
from networks.services import WEBHOOK_MAX_ATTEMPTS, webhook_enqueue, webhook_register
from networks.tasks import deliver_webhook
from socialdomain.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def receiver():
    """A local HTTP server that records requests and answers with queued status codes."""
    received = []
    answers = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"headers": dict(self.headers), "body": body})
            self.send_response(answers.pop(0) if answers else 204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {
        "url": f"http://127.0.0.1:{server.server_port}/hook",
        "received": received,
        "answers": answers,
    }
    server.shutdown()


@pytest.mark.django_db(transaction=True)
def test_delivery_is_signed_and_logged(provider, receiver):
    endpoint = webhook_register(organisation=provider, url=receiver["url"])
    webhook_enqueue(
        organisation_id=provider.pk, event="allocation.created", payload={"allocation": "A-1"}
    )
    assert len(receiver["received"]) == 1  # sent after commit (tasks run in-process here)
    request = receiver["received"][0]
    expected = hmac.new(endpoint.secret.encode(), request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Wijkwerk-Signature"] == f"sha256={expected}"
    assert request["headers"]["X-Wijkwerk-Event"] == "allocation.created"
    assert json.loads(request["body"])["data"] == {"allocation": "A-1"}
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 1


def test_a_receiver_that_keeps_failing_ends_as_failed(provider, receiver):
    endpoint = webhook_register(organisation=provider, url=receiver["url"])
    receiver["answers"].extend([500] * WEBHOOK_MAX_ATTEMPTS)
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="x", payload={})
    for _attempt in range(WEBHOOK_MAX_ATTEMPTS):  # what the worker's retries do
        with contextlib.suppress(Retry):  # in-process, a retry is only announced
            deliver_webhook.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == WEBHOOK_MAX_ATTEMPTS
    assert delivery.last_status_code == 500
    assert len(receiver["received"]) == WEBHOOK_MAX_ATTEMPTS
    deliver_webhook.apply(args=[delivery.pk])  # a failed delivery is not re-sent
    assert len(receiver["received"]) == WEBHOOK_MAX_ATTEMPTS


@pytest.fixture
def real_worker(own_queue_settings):
    """A Celery worker process on the real Redis broker, using this test's database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**db),
        "WEBHOOK_BACKOFF_SECONDS": "1",
        "TEST_CELERY_EAGER": "false",
    }
    worker = subprocess.Popen(  # noqa: S603 - fixed argv: this interpreter running celery
        [sys.executable, "-m", "celery", "-A", "socialdomain", "worker", "--pool=solo",
         "-Q", own_queue_settings, "--loglevel=WARNING", "--without-heartbeat",
         "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    yield worker
    worker.terminate()
    worker.wait(timeout=10)


@pytest.fixture
def own_queue_settings():
    queue = f"webhooks-{uuid.uuid4().hex[:8]}"
    saved = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    yield queue
    celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = saved


@pytest.mark.django_db(transaction=True)
def test_a_worker_retries_with_backoff_until_delivered(provider, receiver, real_worker):
    webhook_register(organisation=provider, url=receiver["url"])
    receiver["answers"].extend([500, 503])
    webhook_enqueue(organisation_id=provider.pk, event="allocation.changed", payload={"n": 1})
    deadline = time.monotonic() + 40
    delivery = WebhookDelivery.objects.get()
    while time.monotonic() < deadline and delivery.status == DeliveryStatus.PENDING:
        time.sleep(0.3)
        delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 3
    assert len(receiver["received"]) == 3
    bodies = {request["body"] for request in receiver["received"]}
    assert len(bodies) == 1  # the same signed body every time
