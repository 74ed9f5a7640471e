"""Request middleware: structured request logging, Dutch-first locale, the session idle timeout
and no-store caching for signed-in users.

The request log holds only the path, never the query string or body (they may carry
personal data).
"""

import contextlib
import logging
import time
import uuid

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger("wijkwerk.request")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        request.request_id = request_id
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        user = getattr(request, "user", None)
        logger.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "htmx": request.headers.get("HX-Request") == "true",
            },
        )
        response["X-Request-ID"] = request_id
        return response


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    """Dutch unless the user picked another language with the switch (the language cookie).

    The browser's Accept-Language is not consulted for pages: many municipal workstations run an
    English browser, and the product speaks Dutch by default. The API does honour it, so that
    integrators get problem details in the language they ask for."""

    def process_request(self, request):
        if request.path.startswith("/api/"):
            chosen = translation.get_language_from_request(request)
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = settings.LANGUAGE_CODE
        if chosen:
            with contextlib.suppress(LookupError):
                language = translation.get_supported_language_variant(chosen)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SessionIdleTimeoutMiddleware:
    """Renew a signed-in user's session while they are active, so that it expires after
    SESSION_COOKIE_AGE seconds without activity instead of that long after login.

    Saving the session moves its expiry date; to spare a database write on every request it is
    saved at most once per SESSION_RENEW_INTERVAL seconds. The time of the last renewal is set
    at login (the session is written then anyway); a session without it is not renewed and
    ends SESSION_COOKIE_AGE after it was created."""

    SESSION_KEY = "_wijkwerk_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None:
            now = int(time.time())
            renewed_at = session.get(self.SESSION_KEY)
            if session.modified or (
                renewed_at is not None and now - renewed_at >= settings.SESSION_RENEW_INTERVAL
            ):
                session[self.SESSION_KEY] = now
        return response


class NoStoreForSignedInMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user: pages, partials and API
    answers may carry personal data and must not stay in a browser or proxy cache. Static files
    are answered by WhiteNoise before this middleware runs; /healthz carries no personal data."""

    EXEMPT_PATHS = ("/healthz",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path not in self.EXEMPT_PATHS
            and "no-store" not in response.get("Cache-Control", "")
        ):
            add_never_cache_headers(response)
        return response
