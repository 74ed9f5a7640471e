"""Beat keeps the tables small: Idempotency-Key records after their window, expired sessions
every night; the readiness probe every 30 seconds."""

import datetime

from celery.schedules import crontab
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from networks.models import IdempotencyRecord
from networks.services import api_client_create
from socialdomain.celery import app as celery_app
from socialdomain.tasks import idempotency_records_purge, sessions_clear


def test_idempotency_records_are_purged_after_their_window(provider, settings):
    client, _token = api_client_create(organisation=provider, name="test")
    window = datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_RETENTION_HOURS)
    now = timezone.now()
    for key, age in (
        ("old", window + datetime.timedelta(minutes=1)),
        ("recent", window - datetime.timedelta(minutes=1)),
        ("new", datetime.timedelta(0)),
    ):
        record = IdempotencyRecord.objects.create(
            client=client, key=key, request_fingerprint="f", status_code=201
        )
        IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=now - age)
    assert idempotency_records_purge.delay().get() == 1
    assert set(IdempotencyRecord.objects.values_list("key", flat=True)) == {"recent", "new"}


def test_expired_sessions_are_cleared(db):
    live, expired = SessionStore(), SessionStore()
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    sessions_clear.delay().get()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_beat_runs_the_probe_and_the_purges(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    probe = schedule["socialdomain-health-probe"]
    assert probe["task"] == "socialdomain.health_probe"
    assert probe["schedule"] == datetime.timedelta(seconds=30)
    assert probe["options"]["expires"] == 30  # a probe nobody took in time is dropped
    purge = schedule["socialdomain-idempotency-records-purge"]
    assert purge["task"] == "socialdomain.idempotency_records_purge"
    assert purge["schedule"] == crontab(minute=20)  # hourly
    sessions = schedule["socialdomain-sessions-clear"]
    assert sessions["task"] == "socialdomain.sessions_clear"
    assert sessions["schedule"] == crontab(hour=4, minute=0)  # daily
    # a worker knows these tasks (socialdomain is not an installed app)
    assert "socialdomain.tasks" in celery_app.conf.imports
    for entry in (probe, purge, sessions):
        assert entry["task"] in celery_app.tasks
