from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from networks.api.permissions import api_client_of
from socialdomain.cache import count_in_window


class ApiClientRateThrottle(SimpleRateThrottle):
    """Requests per API client (`API_THROTTLE_RATE`, e.g. `600/minute`); 429 with Retry-After.

    A counter per client in a window of the rate's duration that starts with the client's
    first request (one cache round trip a request, `socialdomain.cache.count_in_window`),
    instead of DRF's list of every request's moment, read and written back whole on every
    request. Without the cache the request goes through (fail open)."""

    scope = "api_client"
    wait_seconds = None

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        client = api_client_of(request)
        if client is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client.pk}

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        counted = count_in_window(self.cache, self.key, self.duration)
        if counted is None or counted[0] <= self.num_requests:
            return True
        self.wait_seconds = counted[1]
        return False

    def wait(self):
        return self.wait_seconds
