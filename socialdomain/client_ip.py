"""The client's IP address, for the login lockout and the access log.

Behind TRUSTED_PROXY_COUNT reverse proxies the address is the one the outermost trusted proxy
appended to X-Forwarded-For; entries further left are set by the client and not trusted.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    address = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None
