"""A process keeps the API clients it has read (networks.services.api_client_for_token) under
the generation of API clients in the shared cache; every change to a client or organisation
makes a new generation on commit, so a kept client is never used after a change."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from networks import services
from networks.api.authentication import _client_throttle
from networks.api.throttling import ApiClientRateThrottle
from networks.models import ApiClient, ApiScope
from networks.services import api_client_create, api_client_for_token, api_client_revoke


@pytest.fixture
def kept(provider, shared_cache):
    """A client read once, so this process keeps it; (client, token)."""
    client, token = api_client_create(organisation=provider, name="EPD")
    assert api_client_for_token(token=token) == client
    assert token.split("_")[1] in services._worker_clients
    return client, token


def test_a_kept_client_is_used_without_a_query(kept, django_assert_num_queries):
    client, token = kept
    with django_assert_num_queries(0):
        found = api_client_for_token(token=token)
    assert found == client
    assert found.organisation == client.organisation


def test_a_wrong_token_with_a_kept_prefix_is_still_refused(kept):
    _client, token = kept
    assert api_client_for_token(token=token[:-2] + "xx") is None


def test_a_revoked_token_is_refused_on_the_next_request(kept, django_capture_on_commit_callbacks):
    client, token = kept
    with django_capture_on_commit_callbacks(execute=True):
        api_client_revoke(client=ApiClient.objects.get(pk=client.pk))
    # the kept copy does not know: only the new generation makes the process read afresh
    assert services._worker_clients[token.split("_")[1]][1].revoked_at is None
    assert api_client_for_token(token=token) is None


def test_a_changed_scope_shows_on_the_next_request(kept, django_capture_on_commit_callbacks):
    client, token = kept
    stored = ApiClient.objects.get(pk=client.pk)
    stored.scopes = [ApiScope.CONTACTS_READ.value]
    with django_capture_on_commit_callbacks(execute=True):
        stored.save()  # as the admin saves it
    assert api_client_for_token(token=token).scopes == [ApiScope.CONTACTS_READ.value]


def test_a_deactivated_organisation_is_refused_on_the_next_request(
    kept, provider, django_capture_on_commit_callbacks
):
    _client, token = kept
    provider.active = False
    with django_capture_on_commit_callbacks(execute=True):
        provider.save()
    assert api_client_for_token(token=token) is None


def test_a_deleted_client_is_refused_on_the_next_request(kept, django_capture_on_commit_callbacks):
    client, token = kept
    with django_capture_on_commit_callbacks(execute=True):
        ApiClient.objects.get(pk=client.pk).delete()
    assert api_client_for_token(token=token) is None


def test_a_new_generation_from_another_process_makes_this_one_read_afresh(
    kept, django_assert_num_queries
):
    client, token = kept
    ApiClient.objects.filter(pk=client.pk).update(revoked_at=timezone.now())
    # what another process's api_clients_changed leaves in the shared cache
    cache.set(services.API_CLIENTS_GENERATION_KEY, "another process's", timeout=None)
    with django_assert_num_queries(1):
        assert api_client_for_token(token=token) is None


def test_a_change_is_not_announced_before_its_commit(kept, django_capture_on_commit_callbacks):
    client, _token = kept
    before = cache.get(services.API_CLIENTS_GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api_client_revoke(client=ApiClient.objects.get(pk=client.pk))
    assert cache.get(services.API_CLIENTS_GENERATION_KEY) == before
    assert callbacks  # the new generation waits for the commit


def test_a_kept_client_expires_by_the_clock(provider, shared_cache, monkeypatch):
    client, token = api_client_create(
        organisation=provider, name="short", expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    assert api_client_for_token(token=token) == client
    # an hour later, with nothing changed: the kept client's expiry refuses it
    later = timezone.now() + datetime.timedelta(hours=1, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert api_client_for_token(token=token) is None


def test_a_lost_generation_starts_one_no_client_was_kept_under(kept):
    _client, token = kept
    prefix = token.split("_")[1]
    kept_under = services._worker_clients[prefix][0]
    cache.delete(services.API_CLIENTS_GENERATION_KEY)  # Redis restarted or evicted the key
    assert api_client_for_token(token=token) is not None
    assert services._worker_clients[prefix][0] != kept_under


@pytest.mark.parametrize(
    "caches",
    [
        None,  # the tests' own cache: each process's local memory, nothing is kept
        {
            "default": {
                "BACKEND": "socialdomain.cache.FailOpenRedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
                "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
            }
        },
    ],
    ids=["local memory", "a cache that does not answer"],
)
def test_without_a_shared_cache_every_request_reads_the_database(
    caches, provider, settings, django_assert_num_queries
):
    if caches is not None:
        settings.CACHES = caches
    client, token = api_client_create(organisation=provider, name="EPD")
    api_client_for_token(token=token)
    with django_assert_num_queries(1):
        assert api_client_for_token(token=token) == client
    api_client_revoke(client=client)
    assert api_client_for_token(token=token) is None


def test_the_partner_api_refuses_a_revoked_token_it_served_before(
    provider, shared_cache, api_as, django_capture_on_commit_callbacks
):
    api = api_as(provider)
    assert api.get("/api/v1/me/").status_code == 200
    assert api.get("/api/v1/me/").status_code == 200  # from the kept client
    client = ApiClient.objects.get(token_prefix=api.token.split("_")[1])
    with django_capture_on_commit_callbacks(execute=True):
        api_client_revoke(client=client)
    assert api.get("/api/v1/me/").status_code == 401


def test_the_throttle_refuses_beyond_the_rate_with_a_shared_cache(
    provider, shared_cache, api_as, settings
):
    settings.API_THROTTLE_RATE = "3/minute"
    api = api_as(provider)
    statuses = [api.get("/api/v1/me/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert int(api.get("/api/v1/me/")["Retry-After"]) > 0


def test_a_kept_clients_request_costs_one_cache_round_trip(
    provider, shared_cache, api_as, cache_calls
):
    api = api_as(provider)
    assert api.get("/api/v1/me/").status_code == 200  # read and kept
    cache_calls.clear()
    assert api.get("/api/v1/me/").status_code == 200
    assert len(cache_calls) == 1  # the generation and the throttle's count together


def test_a_wrong_token_with_a_kept_prefix_counts_nothing(kept):
    client, token = kept
    key = f"count-test-{client.pk}"
    found, counted, _read = services.api_client_and_count_for_token(
        token=token[:-2] + "xx", window=lambda _client: (key, 60)
    )
    assert (found, counted) == (None, None)
    assert cache.get(key) is None
    found, counted, _read = services.api_client_and_count_for_token(
        token=token, window=lambda _client: (key, 60)
    )
    assert found == client
    assert counted[0] == 1


def test_only_a_view_with_the_client_throttle_counts_while_authenticating(rf):
    class Counted(APIView):
        throttle_classes = [ApiClientRateThrottle]

    class Other(APIView):
        throttle_classes = [AnonRateThrottle]

    for view, expected in ((Counted, ApiClientRateThrottle), (Other, type(None))):
        request = Request(rf.get("/"), parser_context={"view": view()})
        assert type(_client_throttle(request)) is expected


def test_the_redis_cache_takes_any_key_without_reading_it_for_memcached(shared_cache):
    """`FailOpenRedisCache` does not run Django's memcached key check (a warning for spaces,
    control characters or more than 250 characters, read a character at a time on every
    call): Redis keys are binary-safe, and such a key is stored and read back."""
    import warnings

    from django.core.cache import cache
    from django.core.cache.backends.base import CacheKeyWarning

    key = "met spatie\tand a tab " + "x" * 300
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        cache.set(key, "bewaard", 30)
        assert cache.get(key) == "bewaard"
        assert cache.get_many([key, "another key"]) == {key: "bewaard"}
