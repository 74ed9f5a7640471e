"""Writes for partner organisations: API clients (tokens) and webhooks. Webhook delivery
(events, retries, resend, purge) is in networks.webhooks."""

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import NamedTuple

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from networks.models import (
    DEFAULT_SCOPES_BY_TYPE,
    FALLBACK_SCOPES,
    ApiClient,
    ApiScope,
    Organisation,
    WebhookEndpoint,
)
from networks.webhooks import webhook_enqueue as webhook_enqueue  # the callers' entry point
from socialdomain.cache import (
    cache_is_shared,
    generation_current,
    generation_renew,
    generations_to_read_along,
    get_many_and_count_in_window,
)
from socialdomain.precompiled import precompiled_rows

TOKEN_PREFIX = "ww"  # noqa: S105 - a public marker, not a secret
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


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
    # an UPDATE sends no signal (`networks.signals`): every process forgets its kept clients
    transaction.on_commit(api_clients_changed)
    client.refresh_from_db()
    return client


# token prefix -> (generation, client with its organisation), in this process. A kept client
# is shared by the requests of its process: nothing changes it but what it keeps for itself
# (its last use, its organisation's cooperatives of the day: cases.partners.selectors)
_worker_clients: dict[str, tuple[str, ApiClient]] = {}
_WORKER_CLIENTS_MAX = 1000
API_CLIENTS_GENERATION_KEY = "api-clients:generation"
# set on the organisation of a kept client: what is kept on it lives only as long as the
# generation of API clients it was kept under (any other organisation object is a request's)
KEPT = "_wijkwerk_kept_by_process"


def _clients_generation() -> str | None:
    """The current generation of API clients from the shared cache (made when missing), or
    None when the cache is not shared or does not answer."""
    return generation_current(API_CLIENTS_GENERATION_KEY) if cache_is_shared() else None


def api_clients_changed() -> None:
    """A new generation of API clients, for every process (see `api_client_for_token`). Run on
    commit (`networks.signals`), never before: a process reading the old row after a new
    generation would keep it."""
    generation_renew(API_CLIENTS_GENERATION_KEY)


def api_client_for_token(*, token: str) -> ApiClient | None:
    """The usable client for a bearer token, or None. Compares hashes in constant time.

    Each process keeps the clients it has read (`_worker_clients`), with the generation of
    API clients it read before reading the client. A request reads the generation (one cache
    round trip) and takes the kept client when it is of that generation and still usable now
    (expiry is checked against the clock); `api_clients_changed` makes a new generation on
    the commit of any change to a client or an organisation, so every process reads a client
    afresh on its next request. Without a cache that every process shares (local memory, or
    the cache not answering), each request reads the database as before."""
    return api_client_and_count_for_token(token=token).client


class TokenCheck(NamedTuple):
    """What `api_client_and_count_for_token` found: the client (None: refused), the
    throttle's count made with it (or None) and the generations read along (key -> value,
    `socialdomain.cache.read_along`; None when there was no such round trip)."""

    client: ApiClient | None
    counted: tuple[int, float] | None = None
    generations: dict | None = None


def api_client_and_count_for_token(
    *, token: str, window: Callable[[ApiClient], tuple[str, float] | None] | None = None
) -> TokenCheck:
    """`api_client_for_token`, and the client's request counted in the same cache round trip
    as the generation is read: `window(client)` gives the counter's key and the window's
    seconds, or None when there is nothing to count (`socialdomain.cache.count_in_window`);
    the count comes back with the client (the partner API's throttle uses it). Counted only
    for a kept client that the token matches, so no one counts against a client without its
    token; otherwise (the first request of a process, a wrong token, no shared cache) the
    count is None and the caller counts itself. A request the permissions refuse is counted
    too (DRF's throttle would count only after them). The same round trip reads the
    generations other apps asked to be read along (`socialdomain.cache.read_along`)."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return TokenCheck(None)
    prefix, now = parts[1], timezone.now()
    token_hash = _token_hash(token)
    kept = _worker_clients.get(prefix)
    generation = counted = None
    along = None
    if cache_is_shared():
        counter = None
        matches = kept is not None and hmac.compare_digest(kept[1].token_hash, token_hash)
        if window is not None and matches:
            counter = window(kept[1])
        if counter is not None:
            found, counted = get_many_and_count_in_window(
                cache, (API_CLIENTS_GENERATION_KEY, *generations_to_read_along()), *counter
            )
            generation = found.pop(API_CLIENTS_GENERATION_KEY, None)
            if counted is not None:  # answered: what was read is the cache's now
                along = found
                if generation is None:  # the key is gone
                    generation = _clients_generation()
        else:
            generation = _clients_generation()
    if (
        generation is not None
        and kept is not None
        and kept[0] == generation
        and kept[1].is_usable(now)
    ):
        client = kept[1]
    else:
        client = _usable_client(prefix=prefix, now=now)
        if client is not None and generation is not None:
            if len(_worker_clients) >= _WORKER_CLIENTS_MAX:
                _worker_clients.clear()
            _worker_clients[prefix] = (generation, client)
            setattr(client.organisation, KEPT, True)
    if client is None or not hmac.compare_digest(client.token_hash, token_hash):
        return TokenCheck(None)
    if client.last_used_at is None or now - client.last_used_at > LAST_USED_RESOLUTION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now  # the kept client too: one update per process and minute
    return TokenCheck(client, counted, along)


_CLIENT_FIELDS = tuple(field.attname for field in ApiClient._meta.concrete_fields)
_ORGANISATION_FIELDS = tuple(field.attname for field in Organisation._meta.concrete_fields)


def _usable_client(*, prefix: str, now) -> ApiClient | None:
    """The usable client with this token prefix, with its organisation: a partner request makes
    this query whenever its process has no client kept for it (`api_client_for_token`), so it
    is compiled once per process (`socialdomain.precompiled`)."""
    using = router.db_for_read(ApiClient)
    rows = precompiled_rows(
        key=("usable api client by token prefix",),
        build=lambda bind: (
            ApiClient.objects.usable(bind("now"))
            .filter(token_prefix=bind("prefix"))
            .values(*_CLIENT_FIELDS, *(f"organisation__{name}" for name in _ORGANISATION_FIELDS))[
                :1
            ]
        ),
        values={"prefix": prefix, "now": now},
        using=using,
    )
    if not rows:
        return None
    [row] = rows
    client = ApiClient.from_db(using, _CLIENT_FIELDS, [row[name] for name in _CLIENT_FIELDS])
    client.organisation = Organisation.from_db(
        using,
        _ORGANISATION_FIELDS,
        [row[f"organisation__{name}"] for name in _ORGANISATION_FIELDS],
    )
    return client


@transaction.atomic
def webhook_register(*, organisation: Organisation, url: str) -> WebhookEndpoint:
    """A new webhook with a fresh `whsec_` signing secret; the URL is checked by
    networks.validators.webhook_target_check."""
    endpoint = WebhookEndpoint(organisation=organisation, url=url)
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_update(
    *, endpoint: WebhookEndpoint, expected_version: int | None, **changes
) -> WebhookEndpoint:
    """Change url/active. With `expected_version`, a stale version raises StaleVersionError.
    The URL is checked only when it changes: a webhook whose target is no longer allowed can
    still be switched off."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersionError()
    for name in ("url", "active"):
        if name in changes:
            setattr(locked, name, changes[name])
    locked.full_clean(exclude=None if "url" in changes else ["url"])
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
