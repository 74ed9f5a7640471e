"""A Redis cache that fails open: when Redis is down, the app keeps working without a cache.

Everything the Django cache holds here is a copy or a counter that may be lost: the GP lookup's
answers, the table of equated days, the API throttle's request history, the readiness status
beat measures. When Redis does not answer, reads miss (`get` returns the default), writes are
dropped and `incr` behaves as for a missing key (ValueError), so callers take their "not in the
cache" path; the API throttle then lets requests through (fails open). One WARNING line is logged
when Redis stops answering, one INFO line when it answers again.

After a failure the cache is not tried again for `RETRY_SECONDS` (per process), so that a Redis
that does not answer at all costs one connect timeout per few seconds, not one per cache call.
Sessions do not live here (SESSION_ENGINE is `socialdomain.sessions`, the database alone).
"""

import logging
import threading
import time
import uuid

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.commands.core import Script
from redis.exceptions import RedisError

logger = logging.getLogger("wijkwerk.cache")

RETRY_SECONDS = 5.0

# LOCATION -> monotonic time until which the cache is skipped. Cache objects are per thread;
# the outage is per process.
_down_until: dict[str, float] = {}
_lock = threading.Lock()


# KEYS[1]: a counter, counted once more, whose window (ARGV[1] seconds) starts with its first
# count; KEYS[2..]: values read along. Returns {count, seconds left, {values}} (a missing value
# is nil). One EVALSHA a call: a pipeline of the four commands costs the client four replies
# to parse. Redis keeps the script by its SHA1; redis-py loads it when Redis answers NOSCRIPT.
_COUNT_AND_GET = Script(
    None,
    b"""
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1], 'NX')
local left = redis.call('TTL', KEYS[1])
local got = {}
if #KEYS > 1 then got = redis.call('MGET', unpack(KEYS, 2)) end
return {count, left, got}
""",
)


class FailOpenRedisCache(RedisCache):
    def validate_key(self, key):
        """No check of the key: Django's base check warns about keys memcached would refuse
        (longer than 250 characters, spaces or control characters), reading each key a
        character at a time on every call (2 % of the GP lookup API's instructions a request,
        `scripts/request_cost.py gp --instructions`). Redis keys are binary-safe; the
        memcached backends, which have those limits, make their own check."""

    def _location(self) -> str:
        return ",".join(self._servers)

    def _available(self) -> bool:
        until = _down_until.get(self._location())
        return until is None or time.monotonic() >= until

    def _failed(self, operation: str, exc: Exception) -> None:
        location = self._location()
        with _lock:
            first = location not in _down_until
            _down_until[location] = time.monotonic() + RETRY_SECONDS
        if first:
            logger.warning(
                "cache unavailable, failing open (no cache, throttling not applied)",
                extra={"operation": operation, "error": type(exc).__name__},
            )

    def _recovered(self) -> None:
        location = self._location()
        if location in _down_until:
            with _lock:
                if _down_until.pop(location, None) is not None:
                    logger.info("cache available again")

    def _call(self, fallback, method, *args):
        """`method(self, *args)` of RedisCache, or `fallback()` when Redis does not answer."""
        if not self._available():
            return fallback()
        try:
            result = method(self, *args)
        except (RedisError, OSError) as exc:
            self._failed(method.__name__, exc)
            return fallback()
        self._recovered()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: False, RedisCache.add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(lambda: default, RedisCache.get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: None, RedisCache.set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: False, RedisCache.touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(lambda: False, RedisCache.delete, key, version)

    def get_many(self, keys, version=None):
        return self._call(dict, RedisCache.get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call(lambda: False, RedisCache.has_key, key, version)

    def incr(self, key, delta=1, version=None):
        def missing():  # what a missing key gives: callers start the counter afresh
            raise ValueError(f"Key '{key}' not found (cache unavailable)")

        return self._call(missing, RedisCache.incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: list(data), RedisCache.set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(lambda: None, RedisCache.delete_many, keys, version)

    def clear(self):
        return self._call(lambda: False, RedisCache.clear)

    def count_in_window(self, key, timeout, version=None):
        """See `count_in_window`: INCR, EXPIRE NX and TTL in one command (`_COUNT_AND_GET`)."""
        return self.get_many_and_count_in_window((), key, timeout, version)[1]

    def get_many_and_count_in_window(self, get_keys, key, timeout, version=None):
        """See `get_many_and_count_in_window`: INCR, EXPIRE NX, TTL and MGET in one Lua script,
        one command and one reply (`_COUNT_AND_GET`)."""

        def count(cache):
            name = cache.make_and_validate_key(key, version=version)
            keys = [name, *(cache.make_and_validate_key(k, version=version) for k in get_keys)]
            client = cache._cache.get_client(name, write=True)
            value, left, got = _COUNT_AND_GET(keys=keys, args=[int(timeout)], client=client)
            loads = cache._cache._serializer.loads
            found = {k: loads(raw) for k, raw in zip(get_keys, got, strict=True) if raw is not None}
            return found, (value, float(left if left > 0 else timeout))

        return self._call(lambda: ({}, None), count)


def count_in_window(cache, key: str, timeout: float) -> tuple[int, float] | None:
    """Count one more under `key` in a window of `timeout` seconds that starts with its first
    count: (the count so far, the seconds left in the window), or None when the cache does not
    answer (a caller that limits then lets the request through: fail open). On Redis one round
    trip; another cache (the tests' local memory) adds and increments, and says the whole
    window is left."""
    counting = getattr(cache, "count_in_window", None)
    if counting is not None:
        return counting(key, timeout)
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key), float(timeout)
    except ValueError:
        return None


def get_many_and_count_in_window(
    cache, get_keys, key: str, timeout: float
) -> tuple[dict, tuple[int, float] | None]:
    """The values under `get_keys` (as `get_many`: a missing key is left out) and
    `count_in_window(cache, key, timeout)`, in one round trip on Redis (two calls on another
    cache); ({}, None) when the cache does not answer."""
    both = getattr(cache, "get_many_and_count_in_window", None)
    if both is not None:
        return both(tuple(get_keys), key, timeout)
    return cache.get_many(list(get_keys)), count_in_window(cache, key, timeout)


# Generations of cached answers that the partner API's authentication reads in its own cache
# round trip (`networks.services.api_client_and_count_for_token`), registered by the app that
# keeps the answers (`read_along`; teams: the GP lookup's). The values read are left on the
# request (`generations_read(request)`): a view that keeps answers per process under such a
# generation then answers a repeated question without a round trip of its own.
_READ_ALONG: list[str] = []
GENERATIONS_READ = "_wijkwerk_generations_read"


def read_along(key: str) -> None:
    """Read the generation under `key` with every partner API request's authentication."""
    if key not in _READ_ALONG:
        _READ_ALONG.append(key)


def generations_to_read_along() -> tuple[str, ...]:
    return tuple(_READ_ALONG)


def generations_read(request) -> dict:
    """The generations this request's authentication read (key -> value), or {} when it read
    none (a session, the first request of a process, a cache that did not answer)."""
    return getattr(request, GENERATIONS_READ, None) or {}


def generation_current(key: str) -> str | None:
    """The generation under `key` in the default cache, a new one when it is missing (the
    first process to add it wins), or None when the cache does not answer. A generation is a
    random value, never a count: a cache that lost the key (restarted, evicted) starts one
    under which nothing was kept."""
    cache = caches[DEFAULT_CACHE_ALIAS]
    found = cache.get(key)
    if found is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        found = cache.get(key)
    return found


def generation_renew(key: str) -> None:
    """A new generation under `key`: whatever a process kept under the old one is read afresh."""
    caches[DEFAULT_CACHE_ALIAS].set(key, uuid.uuid4().hex, timeout=None)


def cache_is_shared(alias: str = DEFAULT_CACHE_ALIAS) -> bool:
    """Whether every process of the app sees the same entries in the cache `alias` (Redis,
    memcached, a database or file cache), not each process its own (local memory, or no cache
    at all): a generation kept there then tells every process of a change."""
    return not isinstance(caches[alias], LocMemCache | DummyCache)
