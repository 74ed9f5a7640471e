from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from networks.api.permissions import api_client_of


class ApiClientRateThrottle(SimpleRateThrottle):
    """Requests per API client (`API_THROTTLE_RATE`, e.g. `600/minute`); 429 with Retry-After."""

    scope = "api_client"

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        client = api_client_of(request)
        if client is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client.pk}
