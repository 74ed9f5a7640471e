"""Identifiers of organisations (AGB code, KvK number) and webhook targets."""

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

EIGHT_DIGITS = re.compile(r"^\d{8}$")


validate_agb_code = RegexValidator(
    EIGHT_DIGITS, _("An AGB code has exactly 8 digits, e.g. 12345678."), code="invalid_agb"
)
validate_kvk_number = RegexValidator(
    EIGHT_DIGITS, _("A KvK number has exactly 8 digits, e.g. 12345678."), code="invalid_kvk"
)


# Where a webhook may not be sent: the cloud metadata service first (it is link-local too, but
# deserves its own message), then the kinds of internal address.
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)


@dataclass(frozen=True)
class WebhookTarget:
    """A checked webhook URL: where to connect (`addresses`, every one checked) and what to ask
    for (`path`, with the query)."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def _refusal(host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why `address` is no place for a webhook, or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    values = {"host": host, "address": address}
    if address in METADATA_ADDRESSES:
        return _("%(host)s is the cloud metadata address (%(address)s).") % values
    if address.is_unspecified:
        return _("%(host)s is an unspecified address (%(address)s).") % values
    if address.is_loopback:
        return _("%(host)s points to a loopback address (%(address)s).") % values
    if address.is_link_local:
        return _("%(host)s points to a link-local address (%(address)s).") % values
    if address.is_multicast:
        return _("%(host)s points to a multicast address (%(address)s).") % values
    if address.is_private or not address.is_global:
        return _("%(host)s points to a private or reserved address (%(address)s).") % values
    return None


def webhook_target_check(url: str, *, at_send: bool = False) -> WebhookTarget:
    """The one check of a webhook URL, when it is saved and again before every attempt.

    http(s) only, and https unless DEBUG is on; every address the host resolves to must be
    public: no loopback, link-local (the metadata address 169.254.169.254 among them), private,
    reserved, unspecified or multicast address. A host named in WEBHOOK_ALLOWED_HOSTS skips the
    https and address rules. On save a name that does not resolve (yet) passes; at send time it
    is refused. Raises ValidationError with a translated message."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValidationError(_("A webhook URL must start with https://."), code="webhook_scheme")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise ValidationError(_("A webhook URL needs a host name."), code="webhook_host")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise ValidationError(
            _("The port of the webhook URL is invalid."), code="webhook_port"
        ) from None
    allowed = host in settings.WEBHOOK_ALLOWED_HOSTS
    if scheme == "http" and not settings.DEBUG and not allowed:
        raise ValidationError(
            _("A webhook URL must use https (%(host)s is not in WEBHOOK_ALLOWED_HOSTS).")
            % {"host": host},
            code="webhook_https",
        )
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        addresses = _resolve(host, port, at_send=at_send)
    if not allowed:
        if host == "localhost" or host.endswith(".localhost"):
            addresses.append(ipaddress.ip_address("127.0.0.1"))
        for address in addresses:
            refusal = _refusal(host, address)
            if refusal:
                raise ValidationError(
                    _("Webhooks are not sent to internal addresses: %(reason)s")
                    % {"reason": refusal},
                    code="webhook_internal_address",
                )
    path = parts.path or "/"
    return WebhookTarget(
        scheme=scheme,
        host=host,
        port=port,
        path=f"{path}?{parts.query}" if parts.query else path,
        addresses=tuple(dict.fromkeys(str(address) for address in addresses)),
    )


def _resolve(host: str, port: int, *, at_send: bool) -> list:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        if at_send:
            raise ValidationError(
                _("The host %(host)s cannot be resolved.") % {"host": host},
                code="webhook_unresolved",
            ) from None
        return []
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


def validate_webhook_url(value: str) -> None:
    """Model, serializer and admin validation of a webhook URL: webhook_target_check."""
    webhook_target_check(value)
