"""Writes for partner organisations: API clients (tokens) and webhooks."""

import contextlib
import datetime
import hashlib
import hmac
import json
import secrets

from celery.exceptions import Retry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from networks.models import (
    DEFAULT_SCOPES_BY_TYPE,
    FALLBACK_SCOPES,
    ApiClient,
    ApiScope,
    DeliveryStatus,
    Organisation,
    WebhookDelivery,
    WebhookEndpoint,
)

TOKEN_PREFIX = "ww"  # noqa: S105 - a public marker, not a secret
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
WEBHOOK_MAX_ATTEMPTS = 6


def _token_hash(token: str) -> str:
    # Tokens carry 256 random bits: a plain SHA-256 is enough (no password stretching needed).
    return hashlib.sha256(token.encode()).hexdigest()


def default_scopes_for(organisation: Organisation) -> list[str]:
    return [str(s) for s in DEFAULT_SCOPES_BY_TYPE.get(organisation.type, FALLBACK_SCOPES)]


@transaction.atomic
def api_client_create(
    *,
    organisation: Organisation,
    name: str,
    scopes: list[str] | None = None,
    expires_at: datetime.datetime | None = None,
    by=None,
) -> tuple[ApiClient, str]:
    """Create an API client; returns it with the plain token, which is never stored or shown
    again. Without scopes the client gets what the organisation's type may have."""
    scopes = list(dict.fromkeys(scopes)) if scopes else default_scopes_for(organisation)
    unknown = set(scopes) - set(ApiScope.values)
    if unknown:
        raise ValidationError(
            _("Unknown scope(s): %(scopes)s. Known: %(known)s.")
            % {"scopes": ", ".join(sorted(unknown)), "known": ", ".join(ApiScope.values)}
        )
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    client = ApiClient(
        organisation=organisation,
        name=name,
        token_prefix=prefix,
        token_hash=_token_hash(token),
        scopes=scopes,
        expires_at=expires_at,
    )
    client.full_clean()
    client.save()
    return client, token


@transaction.atomic
def api_client_revoke(*, client: ApiClient, by=None) -> ApiClient:
    ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    client.refresh_from_db()
    return client


def api_client_for_token(*, token: str) -> ApiClient | None:
    """The usable client for a bearer token, or None. Compares hashes in constant time."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    client = (
        ApiClient.objects.usable()
        .select_related("organisation")
        .filter(token_prefix=parts[1])
        .first()
    )
    if client is None or not hmac.compare_digest(client.token_hash, _token_hash(token)):
        return None
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > LAST_USED_RESOLUTION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


@transaction.atomic
def webhook_register(*, organisation: Organisation, url: str) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(organisation=organisation, url=url, secret=secrets.token_hex(32))
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_update(
    *, endpoint: WebhookEndpoint, expected_version: int | None, **changes
) -> WebhookEndpoint:
    """Change url/active. With `expected_version`, a stale version raises StaleVersionError."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersionError()
    for name in ("url", "active"):
        if name in changes:
            setattr(locked, name, changes[name])
    locked.full_clean()
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    return locked


@transaction.atomic
def webhook_delete(*, endpoint: WebhookEndpoint) -> None:
    """Remove a webhook with its delivery log."""
    endpoint.delete()


class StaleVersionError(Exception):
    """The resource changed since the client read it (If-Match did not match)."""


def webhook_signature(*, secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_enqueue(*, organisation_id: int, event: str, payload: dict) -> list[WebhookDelivery]:
    """Queue `event` for every active webhook of the organisation; sent after commit."""
    from networks.tasks import deliver_webhook

    deliveries = [
        WebhookDelivery.objects.create(endpoint=endpoint, event=event, payload=payload)
        for endpoint in WebhookEndpoint.objects.filter(organisation_id=organisation_id, active=True)
    ]
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: _dispatch(deliver_webhook, pk))
    return deliveries


def _dispatch(task, delivery_id: int) -> None:
    # Without a worker (tasks in-process) a failed first attempt raises Retry here; the
    # delivery log holds the outcome and the request that caused the event goes on.
    with contextlib.suppress(Retry):
        task.delay(delivery_id)


def webhook_body(delivery: WebhookDelivery) -> bytes:
    return json.dumps(
        {
            "id": str(delivery.uuid),
            "event": delivery.event,
            "created": delivery.created_at.isoformat(),
            "data": delivery.payload,
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def webhook_attempt_record(
    *, delivery: WebhookDelivery, status_code: int | None, error: str = ""
) -> WebhookDelivery:
    """Record one attempt; a 2xx answer means delivered, anything else is retried until the
    last attempt, after which the delivery is failed."""
    delivery.attempts += 1
    delivery.last_status_code = status_code
    delivery.last_error = error[:500]
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = timezone.now()
    elif delivery.attempts >= WEBHOOK_MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
    delivery.save(
        update_fields=[
            "attempts", "last_status_code", "last_error", "status", "delivered_at"
        ]
    )  # fmt: skip
    return delivery
