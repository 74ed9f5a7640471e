"""Requests per address to the network members' pages: `NETWORK_LINK_REQUESTS_PER_MINUTE`
a minute, counted in the Django cache (Redis in production). A counter that may be lost: when
the cache is down, requests go through (fails open, like the API throttle), and the wrong-code
lock on the link itself (`NetworkLink.code_attempts`, in the database) still holds."""

import time

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 60


def network_request_allowed(ip_address: str | None) -> bool:
    """Count this request of the address; False once it made more than its share this minute."""
    window = int(time.time() // WINDOW_SECONDS)
    key = f"network-link:ip:{ip_address or '-'}:{window}"
    if cache.add(key, 1, timeout=WINDOW_SECONDS * 2):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired or the cache is unavailable: start again
            cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
            count = 1
    return count <= settings.NETWORK_LINK_REQUESTS_PER_MINUTE
