"""Webhooks that never lose an event, signed per the Standard Webhooks specification
(https://www.standardwebhooks.com/; docs/api.md, "Webhooks").

An event is stored once for its organisation (WebhookEvent, kept WEBHOOK_EVENT_RETENTION_DAYS for
replay over GET /api/v1/events/) and delivered to each of its active webhooks (WebhookDelivery).
The first attempt is made right after the commit that created the event; a failed attempt sets
the delivery's next due time in the database from WEBHOOK_RETRY_SCHEDULE, and the beat task
`networks.webhook_deliveries_due` sends what is due (no Celery countdowns: one longer than the
broker's visibility timeout would be delivered twice). A delivery is locked with SELECT ... FOR
UPDATE SKIP LOCKED while it is sent, so two workers never send it at once; a worker that dies
mid-send leaves it due and it is sent again, with the same webhook-id for the receiver to dedupe.
After the last retry the delivery is failed and its webhook marked failing; "resend failed"
queues every undelivered event of a webhook again.
"""

import datetime
import http.client
import json
import logging
import math
import socket
import ssl
import time
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from standardwebhooks import Webhook

from networks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from networks.validators import WebhookTarget, webhook_target_check
from socialdomain.tasks import dispatch

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
USER_AGENT = "wijkwerk-webhooks/2"
MIN_RETENTION_DAYS = 30
# A beat run stops picking new deliveries after this long (the next run, a minute later,
# carries on), so runs against receivers that time out do not pile up.
PICK_BUDGET_SECONDS = 50
PURGE_BATCH = 1000


# Writing events ------------------------------------------------------------------------------


def webhook_enqueue(*, organisation_id: int, event: str, payload: dict) -> WebhookEvent:
    """Store `event` for the organisation and queue it for each of its active webhooks; the
    first attempt is made after commit. Called inside the transaction that made the change, so
    the event exists exactly when the change does."""
    stored = WebhookEvent.objects.create(
        organisation_id=organisation_id, type=event, payload=payload
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event=stored,
            created_at=stored.created_at,
            next_attempt_at=stored.created_at,
        )
        for endpoint in WebhookEndpoint.objects.filter(organisation_id=organisation_id, active=True)
    )
    for delivery in deliveries:
        transaction.on_commit(partial(_dispatch, delivery.pk))
    return stored


def _dispatch(delivery_id: int) -> None:
    """Ask a worker for the first attempt. Whatever goes wrong here (broker down, or in-process
    the attempt itself) only delays the delivery: it is due in the database, and beat sends it."""
    from networks.tasks import deliver_webhook

    try:
        dispatch(deliver_webhook, delivery_id)
    except Exception:
        logger.warning("webhook delivery %s: first attempt not started", delivery_id, exc_info=True)


# Signing and sending -------------------------------------------------------------------------


def webhook_body(event: WebhookEvent) -> bytes:
    """The body of every delivery of `event`: the same bytes on every retry and resend."""
    created = event.created_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    return json.dumps(
        {"id": str(event.uuid), "type": event.type, "timestamp": created, "data": event.payload},
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def webhook_headers(
    *, secret: str, event: WebhookEvent, body: bytes, timestamp: datetime.datetime
) -> dict[str, str]:
    """Standard Webhooks headers: webhook-id is the event's id (the same on every attempt),
    webhook-timestamp the moment of this attempt, webhook-signature
    `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`."""
    message_id = str(event.uuid)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(math.floor(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, timestamp, body),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Wijkwerk-Event": event.type,
    }


def _connect(addresses: tuple[str, ...], port: int, timeout: float) -> socket.socket:
    error: OSError = OSError("no address to connect to")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            error = exc
    raise error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the addresses that were checked, not to a fresh DNS answer (no rebinding
    between the check and the request). http.client never follows a redirect."""

    def __init__(self, target: WebhookTarget, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self.addresses = target.addresses

    def connect(self):
        self.sock = _connect(self.addresses, self.port, self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: WebhookTarget, timeout: float):
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self.addresses = target.addresses

    def connect(self):
        sock = _connect(self.addresses, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _post(target: WebhookTarget, body: bytes, headers: dict[str, str]) -> int:
    """POST once; the HTTP status. The response body is never read."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, TIMEOUT_SECONDS)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """One attempt: (HTTP status or None, error). The error names the status code or the
    exception class, never what the receiver answered."""
    event = delivery.event
    body = webhook_body(event)
    try:
        target = webhook_target_check(delivery.endpoint.url, at_send=True)
        headers = webhook_headers(
            secret=delivery.endpoint.secret, event=event, body=body, timestamp=timezone.now()
        )
        status = _post(target, body, headers)
    except ValidationError as exc:
        return None, _("Refused: %(reason)s") % {"reason": " ".join(exc.messages)}
    except Exception as exc:  # network, TLS, protocol errors: the class is what is kept
        logger.info("webhook delivery %s: %s", delivery.pk, type(exc).__name__)
        return None, type(exc).__name__
    if 200 <= status < 300:
        return status, ""
    if 300 <= status < 400:
        return status, f"HTTP {status} (redirect not followed)"
    return status, f"HTTP {status}"


def _attempt(delivery: WebhookDelivery, *, now: datetime.datetime) -> WebhookDelivery:
    """Send a locked, due delivery once and record the outcome: delivered on a 2xx, otherwise
    due again after the next delay of WEBHOOK_RETRY_SCHEDULE, or failed after the last."""
    started = time.monotonic()
    status_code, error = _send(delivery)
    WebhookAttempt.objects.create(
        delivery=delivery,
        attempted_at=now,
        status_code=status_code,
        error=error[:500],
        duration_ms=round((time.monotonic() - started) * 1000),
    )
    delivery.attempts += 1
    delivery.last_status_code = status_code
    delivery.last_error = error[:500]
    schedule = settings.WEBHOOK_RETRY_SCHEDULE
    if not error:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, failing=True).update(
            failing=False, failing_since=None
        )
    elif delivery.attempts <= len(schedule):
        delivery.next_attempt_at = now + datetime.timedelta(seconds=schedule[delivery.attempts - 1])
    else:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        _mark_failing(delivery.endpoint, now=now)
    delivery.save(
        update_fields=[
            "attempts", "last_status_code", "last_error", "status", "delivered_at",
            "next_attempt_at",
        ]
    )  # fmt: skip
    return delivery


def _mark_failing(endpoint: WebhookEndpoint, *, now: datetime.datetime) -> None:
    marked = WebhookEndpoint.objects.filter(pk=endpoint.pk, failing=False).update(
        failing=True, failing_since=now
    )
    if marked:
        logger.warning(
            "webhook %s of organisation %s is failing", endpoint.pk, endpoint.organisation_id
        )
        transaction.on_commit(partial(_notify_failing, endpoint.pk))


def _notify_failing(endpoint_id: int) -> None:
    """Tell the organisation (its e-mail address in the register) that its webhook is failing."""
    endpoint = WebhookEndpoint.objects.select_related("organisation").get(pk=endpoint_id)
    address = endpoint.organisation.email
    if not address:
        return
    hours = round(sum(settings.WEBHOOK_RETRY_SCHEDULE) / 3600, 1)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Webhook failing: %(url)s") % {"url": endpoint.url}
        message = _(
            "An event for %(organisation)s could not be delivered to your webhook %(url)s, "
            "also not after retrying for %(hours)s hours. The webhook is marked as failing.\n\n"
            "New events are still sent to it; once one arrives, the mark is cleared. Fetch the "
            "events you missed with GET /api/v1/events/?since=<the last event you received>, "
            "or ask the municipality to resend the failed deliveries."
        ) % {"organisation": endpoint.organisation, "url": endpoint.url, "hours": hours}
    try:
        send_mail(subject, message, None, [address])
    except Exception:
        logger.warning("webhook %s: failing notice not sent", endpoint_id, exc_info=True)


# Picking up what is due ----------------------------------------------------------------------


def _due(now: datetime.datetime):
    return (
        WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("event", "endpoint")
        .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__active=True)
    )


def webhook_deliver(*, delivery_id: int, now: datetime.datetime | None = None) -> str:
    """The first attempt of one delivery (task `networks.deliver_webhook`), if it is still due
    and no other worker is sending it."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = _due(now).filter(pk=delivery_id).first()
        if delivery is None:
            return "skipped"
        return _attempt(delivery, now=now).status


def webhook_deliveries_due(
    *,
    now: datetime.datetime | None = None,
    limit: int = 1000,
    budget_seconds: float = PICK_BUDGET_SECONDS,
) -> int:
    """Send every due delivery once, oldest due first, each in its own transaction holding its
    row lock (skipping rows another worker holds). Returns the number of attempts made. `now`
    (simulated time, for tests) decides what is due and when it is due again; the signature's
    timestamp is always the real time of the attempt."""
    deadline = time.monotonic() + budget_seconds
    attempts = 0
    while attempts < limit and time.monotonic() < deadline:
        with transaction.atomic():
            moment = now or timezone.now()
            delivery = _due(moment).order_by("next_attempt_at", "id").first()
            if delivery is None:
                break
            _attempt(delivery, now=moment)
        attempts += 1
    return attempts


# Resend and purge ----------------------------------------------------------------------------


@transaction.atomic
def webhook_resend_failed(
    *, endpoint: WebhookEndpoint, now: datetime.datetime | None = None
) -> int:
    """Queue every undelivered event of the webhook again (failed, and pending ones at once),
    with a fresh retry schedule; beat sends them within a minute, signed with the same
    webhook-id. Returns how many were queued."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .exclude(status=DeliveryStatus.SUCCEEDED)
        .update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now or timezone.now())
    )


def webhook_retention_days() -> int:
    return max(settings.WEBHOOK_EVENT_RETENTION_DAYS, MIN_RETENTION_DAYS)


def webhook_events_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete events older than WEBHOOK_EVENT_RETENTION_DAYS (at least 30) with their
    deliveries and attempts, in batches; and any attempt that old. Returns the events deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=webhook_retention_days())
    purged = 0
    while True:
        batch = list(
            WebhookEvent.objects.filter(created_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)[:PURGE_BATCH]
        )
        if not batch:
            break
        with transaction.atomic():
            WebhookAttempt.objects.filter(delivery__event__in=batch).delete()
            WebhookDelivery.objects.filter(event__in=batch).delete()
            WebhookEvent.objects.filter(pk__in=batch).delete()
        purged += len(batch)
    WebhookAttempt.objects.filter(attempted_at__lt=cutoff).delete()
    return purged
