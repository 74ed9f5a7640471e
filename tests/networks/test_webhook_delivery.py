"""Webhook deliveries against real HTTP receivers on 127.0.0.1 (tests/networks/webhook_receiver.py),
allowed through WEBHOOK_ALLOWED_HOSTS. Time is simulated by passing `now` to the beat task's
service; the signatures carry the real time, so standardwebhooks verifies them."""

import base64
import datetime
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook

from networks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from networks.services import webhook_enqueue, webhook_register
from networks.tasks import webhook_deliveries_due as deliveries_due_task
from networks.webhooks import webhook_deliveries_due, webhook_resend_failed
from socialdomain.celery import app as celery_app
from tests.networks.webhook_receiver import ANSWER_BODY

ROOT = Path(__file__).resolve().parents[2]
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def hook(provider, receiver, allow_local):
    """The provider's webhook pointing at the receiver, which verifies with its secret."""
    endpoint = webhook_register(organisation=provider, url=receiver.url)
    receiver.secret = endpoint.secret
    return endpoint


def enqueue(organisation, n=1, event="allocation.changed"):
    return [
        webhook_enqueue(organisation_id=organisation.pk, event=event, payload={"n": i})
        for i in range(n)
    ]


def run_beat(start, until, step=MINUTE):
    """Beat every `step` of simulated time from `start` up to `until`."""
    now = start
    while now <= until:
        webhook_deliveries_due(now=now)
        now += step


def test_a_delivery_follows_standard_webhooks(
    provider, receiver, hook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the first attempt follows commit
        event = webhook_enqueue(
            organisation_id=provider.pk, event="allocation.created", payload={"id": "A-1"}
        )
    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    assert request["verified"]
    assert Webhook(hook.secret).verify(body, headers)["data"] == {"id": "A-1"}
    # the specification by hand: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">
    assert hook.secret.startswith("whsec_")
    key = base64.b64decode(hook.secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    assert headers["webhook-id"] == str(event.uuid)
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {
        "id": str(event.uuid),
        "type": "allocation.created",
        "timestamp": event.created_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "data": {"id": "A-1"},
    }
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryStatus.SUCCEEDED,
        1,
        None,
    )
    attempt = WebhookAttempt.objects.get()
    assert (attempt.status_code, attempt.error) == (204, "")


def test_events_are_kept_for_replay_without_any_webhook(provider):
    event = enqueue(provider)[0]
    assert WebhookEvent.objects.get() == event
    assert not WebhookDelivery.objects.exists()


def test_a_receiver_down_for_two_hours_gets_every_event_by_retry(
    provider, receiver, hook, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SCHEDULE = [60, 300, 1800, 3600, 7200, 14400]
    receiver.stop()  # down: connections refused
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        events = enqueue(provider, n=3)
    assert WebhookAttempt.objects.filter(error="ConnectionRefusedError").count() == 3
    run_beat(start, start + datetime.timedelta(hours=2))
    assert receiver.delivered == {}
    # the first attempt and retries 1, 6, 36 and 96 minutes later (rounded up to beat's minute)
    assert set(WebhookDelivery.objects.values_list("attempts", flat=True)) == {5}
    receiver.start()  # back, on the same port
    run_beat(start + datetime.timedelta(hours=2), start + datetime.timedelta(hours=4))
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}
    assert sorted(receiver.delivered) == sorted(str(event.uuid) for event in events)
    assert receiver.duplicates == []
    assert all(request["verified"] for request in receiver.requests)
    for request in receiver.requests:
        Webhook(hook.secret).verify(request["body"], request["headers"])
    errors = set(WebhookAttempt.objects.exclude(error="").values_list("error", flat=True))
    assert errors == {"ConnectionRefusedError"}  # the exception class, nothing more
    hook.refresh_from_db()
    assert not hook.failing


def test_after_the_last_retry_the_webhook_is_failing_and_resend_failed_delivers(
    provider,
    receiver,
    hook,
    settings,
    api_as,
    admin_client,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    settings.WEBHOOK_RETRY_SCHEDULE = [60, 120]
    provider.email = "ict@zorggroep.example"
    provider.save()
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        [delivered_before] = enqueue(provider, event="allocation.created")
    receiver.default = 503  # down, but it still sees the ids
    with django_capture_on_commit_callbacks(execute=True):
        events = enqueue(provider, n=3)
        run_beat(start, start + datetime.timedelta(hours=2))
    assert set(
        WebhookDelivery.objects.filter(event__in=events).values_list("status", flat=True)
    ) == {"failed"}
    assert WebhookAttempt.objects.filter(delivery__event__in=events).count() == 3 * 3
    hook.refresh_from_db()
    assert hook.failing and hook.failing_since is not None
    assert len(mailoutbox) == 1  # once, not per delivery
    assert mailoutbox[0].to == ["ict@zorggroep.example"]
    assert hook.url in mailoutbox[0].subject
    # the functional administrator sees it in the list, with a filter
    changelist = reverse("admin:networks_webhookendpoint_changelist")
    assert hook.url in admin_client.get(changelist, {"failing__exact": "1"}).content.decode()
    assert hook.url not in admin_client.get(changelist, {"failing__exact": "0"}).content.decode()
    # the organisation's own administrator sees it over the API
    [listed] = api_as(provider).get("/api/v1/webhooks/").json()["results"]
    assert listed["failing"] is True and listed["failing_since"]
    seen_failing = [r["headers"]["webhook-id"] for r in receiver.requests if r["status"] == 503]
    assert set(seen_failing) == {str(event.uuid) for event in events}

    receiver.default = 204  # back
    response = admin_client.post(
        changelist, {"action": "resend_failed", "_selected_action": [hook.pk]}, follow=True
    )
    assert response.status_code == 200
    assert WebhookDelivery.objects.filter(status="pending").count() == 3
    assert webhook_deliveries_due() == 3  # beat, within a minute
    assert sorted(receiver.delivered) == sorted(
        [str(delivered_before.uuid), *(str(event.uuid) for event in events)]
    )
    assert receiver.duplicates == []  # the event delivered before was not sent again
    assert all(request["verified"] for request in receiver.requests)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}
    hook.refresh_from_db()
    assert not hook.failing and hook.failing_since is None
    assert webhook_resend_failed(endpoint=hook) == 0


def test_a_redirect_is_not_followed_nor_delivered(provider, receiver, hook):
    receiver.answers.extend([302, 500])
    enqueue(provider)
    assert webhook_deliveries_due() == 1
    assert receiver.followed == []
    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code == 302
    assert delivery.last_error == "HTTP 302 (redirect not followed)"
    assert webhook_deliveries_due(now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert delivery.last_error == "HTTP 500"
    assert receiver.delivered == {}
    stored = [*WebhookAttempt.objects.values_list("error", flat=True), delivery.last_error]
    assert not any(ANSWER_BODY.decode() in error for error in stored)


def test_beat_picks_up_due_deliveries_and_not_future_ones(provider, receiver, hook, allow_local):
    now = timezone.now()
    due, future, done = (
        WebhookDelivery.objects.get(event=event) for event in enqueue(provider, n=3)
    )
    WebhookDelivery.objects.filter(pk=due.pk).update(next_attempt_at=now - MINUTE)
    WebhookDelivery.objects.filter(pk=future.pk).update(next_attempt_at=now + MINUTE)
    WebhookDelivery.objects.filter(pk=done.pk).update(
        status=DeliveryStatus.SUCCEEDED, next_attempt_at=None
    )
    elsewhere = WebhookEndpoint.objects.create(organisation=provider, url=receiver.url + "?off")
    WebhookEndpoint.objects.filter(pk=elsewhere.pk).update(active=False)
    WebhookDelivery.objects.create(
        endpoint=elsewhere, event=due.event, next_attempt_at=now - MINUTE
    )
    assert deliveries_due_task.apply().get() == 1
    assert list(receiver.delivered) == [str(due.event.uuid)]
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert any(entry["task"] == "networks.webhook_deliveries_due" for entry in schedule.values())
    assert "networks.webhook_deliveries_due" in celery_app.tasks


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_pickers_never_send_one_delivery_twice(provider, receiver, allow_local):
    endpoint = webhook_register(organisation=provider, url=receiver.url)
    receiver.secret = endpoint.secret
    receiver.delay = 0.05
    events = [
        WebhookEvent.objects.create(organisation=provider, type="allocation.changed", payload={})
        for _ in range(20)
    ]
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=timezone.now() - MINUTE)
        for event in events
    )
    counts = []
    barrier = threading.Barrier(2)

    def pick():
        try:
            barrier.wait()
            counts.append(webhook_deliveries_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=pick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 20
    assert min(counts) > 0  # both picked, at the same time
    assert len(receiver.requests) == 20
    assert receiver.duplicates == []
    assert sorted(receiver.delivered) == sorted(str(event.uuid) for event in events)
    assert WebhookAttempt.objects.count() == 20


@pytest.fixture
def own_queue():
    queue = f"webhooks-{uuid.uuid4().hex[:8]}"
    saved = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    yield queue
    celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = saved


@pytest.fixture
def real_worker(own_queue):
    """A Celery worker process on the real Redis broker, using this test's database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**db),
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        "TEST_CELERY_EAGER": "false",
    }
    worker = subprocess.Popen(  # noqa: S603 - fixed argv: this interpreter running celery
        [sys.executable, "-m", "celery", "-A", "socialdomain", "worker", "--pool=solo",
         "-Q", own_queue, "--loglevel=WARNING", "--without-heartbeat",
         "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    yield worker
    worker.terminate()
    worker.wait(timeout=10)


def wait_for(condition, seconds=40):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_worker_makes_the_first_attempt_and_beat_the_retry(
    provider, receiver, allow_local, real_worker
):
    endpoint = webhook_register(organisation=provider, url=receiver.url)
    receiver.secret = endpoint.secret
    receiver.answers.append(500)
    webhook_enqueue(organisation_id=provider.pk, event="allocation.changed", payload={"n": 1})
    delivery = WebhookDelivery.objects.get()
    assert wait_for(lambda: WebhookAttempt.objects.exists())
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at > timezone.now()  # due again later: no countdown queued
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    deliveries_due_task.delay()
    assert wait_for(lambda: WebhookDelivery.objects.filter(status="succeeded").exists())
    assert [request["status"] for request in receiver.requests] == [500, 204]
    assert {request["headers"]["webhook-id"] for request in receiver.requests} == {
        str(delivery.event.uuid)
    }
    assert len({request["body"] for request in receiver.requests}) == 1
