from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from networks.api.permissions import api_client_of
from socialdomain.cache import count_in_window

# the attribute on a request under which the authentication leaves (key, (count, seconds left))
COUNTED = "_api_client_counted"


class ApiClientRateThrottle(SimpleRateThrottle):
    """Requests per API client (`API_THROTTLE_RATE`, e.g. `600/minute`); 429 with Retry-After.

    A counter per client in a window of the rate's duration that starts with the client's
    first request (one cache round trip a request, `socialdomain.cache.count_in_window`),
    instead of DRF's list of every request's moment, read and written back whole on every
    request; for a client its process has kept, the authentication makes the count in the
    round trip that checks the client (`networks.services.api_client_and_count_for_token`).
    Without the cache the request goes through (fail open)."""

    scope = "api_client"
    wait_seconds = None

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        client = api_client_of(request)
        if client is None:
            return None
        return self.key_for(client)

    def key_for(self, client) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client.pk}

    def window_for(self, client) -> tuple[str, float] | None:
        """(counter key, window seconds) of `client`, for the authentication to count this
        request in its own cache round trip (`ApiClientAuthentication`); None without a rate."""
        return None if self.rate is None else (self.key_for(client), self.duration)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        # counted already when the authentication read the client (one round trip for both)
        counted = getattr(request, COUNTED, None)
        if counted is None or counted[0] != self.key:
            counted = count_in_window(self.cache, self.key, self.duration)
        else:
            counted = counted[1]
        if counted is None or counted[0] <= self.num_requests:
            return True
        self.wait_seconds = counted[1]
        return False

    def wait(self):
        return self.wait_seconds
