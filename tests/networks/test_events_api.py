"""GET /api/v1/events/: a receiver that was down catches up; and the purge after retention."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from networks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from networks.tasks import webhook_events_purge as purge_task
from networks.webhooks import webhook_events_purge

NOW = timezone.now()


def event(organisation, minutes_ago, type="allocation.changed", **payload):
    return WebhookEvent.objects.create(
        organisation=organisation,
        type=type,
        payload=payload or {"n": minutes_ago},
        created_at=NOW - datetime.timedelta(minutes=minutes_ago),
    )


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_events_since_a_moment_or_an_event_only_the_callers(provider, other_provider, api_as):
    old, middle, new = event(provider, 120), event(provider, 60), event(provider, 10)
    theirs = event(other_provider, 30)
    api = api_as(provider)
    assert ids(api.get("/api/v1/events/")) == [str(old.uuid), str(middle.uuid), str(new.uuid)]
    since = (NOW - datetime.timedelta(minutes=90)).isoformat()
    assert ids(api.get("/api/v1/events/", {"since": since})) == [str(middle.uuid), str(new.uuid)]
    # an unencoded "+" offset arrives as a space and is still understood
    plus = (NOW - datetime.timedelta(minutes=90)).astimezone(
        datetime.timezone(datetime.timedelta(hours=1))
    )
    assert ids(api.get(f"/api/v1/events/?since={plus.isoformat()}")) == [
        str(middle.uuid),
        str(new.uuid),
    ]
    assert ids(api.get("/api/v1/events/", {"since": str(old.uuid)})) == [
        str(middle.uuid),
        str(new.uuid),
    ]
    assert ids(api.get("/api/v1/events/", {"since": str(new.uuid)})) == []
    item = api.get("/api/v1/events/", {"since": str(middle.uuid)}).json()["results"][0]
    assert item == {
        "id": str(new.uuid),
        "type": "allocation.changed",
        "created_at": item["created_at"],
        "payload": {"n": 10},
    }
    assert datetime.datetime.fromisoformat(item["created_at"]) == new.created_at
    # another organisation's event is neither listed nor usable as a cursor
    assert str(theirs.uuid) not in ids(api.get("/api/v1/events/"))
    unknown = api.get("/api/v1/events/", {"since": str(theirs.uuid)})
    assert unknown.status_code == 400
    assert unknown["Content-Type"] == "application/problem+json"
    assert unknown.json()["errors"][0]["field"] == "since"


def test_events_with_the_same_moment_are_neither_skipped_nor_repeated(provider, api_as):
    same = [event(provider, 5, n=i) for i in range(3)]
    api = api_as(provider)
    assert ids(api.get("/api/v1/events/", {"since": str(same[0].uuid)})) == [
        str(same[1].uuid),
        str(same[2].uuid),
    ]


def test_events_are_cursor_paginated(provider, api_as, django_assert_max_num_queries):
    made = [str(event(provider, 100 - n).uuid) for n in range(7)]
    api = api_as(provider)
    seen, url = [], "/api/v1/events/?page_size=3"
    while url:
        with django_assert_max_num_queries(4):
            response = api.get(url)
        seen += ids(response)
        url = response.json()["next"]
    assert seen == made
    since_page = api.get("/api/v1/events/", {"since": made[2], "page_size": 2}).json()
    assert [item["id"] for item in since_page["results"]] == made[3:5]
    assert ids(api.get(since_page["next"])) == made[5:7]


@pytest.mark.parametrize("since", ["yesterday", "2025-13-01T00:00:00Z", "12345"])
def test_an_unusable_since_is_a_400(provider, api_as, since):
    response = api_as(provider).get("/api/v1/events/", {"since": since}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "since"
    assert "ISO 8601" in error["message"]


def test_events_need_the_webhooks_scope(provider, api_as, client):
    assert api_as(provider, scopes=["allocations:read"]).get("/api/v1/events/").status_code == 403
    assert client.get("/api/v1/events/").status_code == 401


def test_the_events_endpoint_is_in_the_schema(client, db):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/events/" in schema
    assert "Your events since a moment or an event" in schema
    assert "webhooks:manage" in schema


def test_purge_removes_events_deliveries_and_attempts_older_than_the_retention(provider, settings):
    settings.WEBHOOK_EVENT_RETENTION_DAYS = 45
    endpoint = WebhookEndpoint.objects.create(
        organisation=provider, url="https://provider.example/hook"
    )
    day = 24 * 60
    old, kept = event(provider, 46 * day), event(provider, 44 * day)
    for stored in (old, kept):
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=stored)
        WebhookAttempt.objects.create(
            delivery=delivery, attempted_at=stored.created_at, status_code=500
        )
    assert webhook_events_purge(now=NOW) == 1
    assert list(WebhookEvent.objects.all()) == [kept]
    assert list(WebhookDelivery.objects.values_list("event", flat=True)) == [kept.pk]
    assert list(WebhookAttempt.objects.values_list("delivery__event", flat=True)) == [kept.pk]
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_the_retention_is_at_least_30_days(provider, settings):
    settings.WEBHOOK_EVENT_RETENTION_DAYS = 7  # below the minimum: 30 days all the same
    day = 24 * 60
    event(provider, 29 * day)
    old = event(provider, 31 * day)
    assert purge_task.apply().get() == 1
    assert not WebhookEvent.objects.filter(pk=old.pk).exists()
    assert WebhookEvent.objects.count() == 1
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert any(entry["task"] == "networks.webhook_events_purge" for entry in schedule.values())
