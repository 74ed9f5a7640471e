"""Sending a text message (SMS): one pluggable backend, named by `settings.SMS_BACKEND`, like
Django's e-mail backends. A backend is a class with `send(to, text)`."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("wijkwerk.sms")

# messages "sent" by the locmem backend (tests), like django.core.mail.outbox
outbox: list[tuple[str, str]] = []


class ConsoleSmsBackend:
    """Development: the message goes to the log, not to a phone."""

    def send(self, to: str, text: str) -> None:
        logger.info("sms to %s: %s", to, text)


class LocmemSmsBackend:
    """Tests: the message is kept in `cases.network.sms.outbox`."""

    def send(self, to: str, text: str) -> None:
        outbox.append((to, text))


def send_sms(*, to: str, text: str) -> None:
    import_string(settings.SMS_BACKEND)().send(to, text)
