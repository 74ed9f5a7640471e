"""Request middleware: structured request logging, Dutch-first locale, refusing hostile input,
503 instead of 500 when Redis fails, the content security policy's header made once per
process, the session idle timeout and no-store caching for signed-in users.

The request log holds only the path, never the query string or body (they may carry
personal data).
"""

import contextlib
import functools
import http
import json
import logging
import re
import time
import uuid
from urllib.parse import urlencode

from csp.constants import HEADER as CSP_HEADER
from csp.constants import HEADER_REPORT_ONLY as CSP_HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.signals import setting_changed
from django.http import HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import resolve_url
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from socialdomain.outages import is_redis_outage

logger = logging.getLogger("wijkwerk.request")

# An X-Request-ID from the client (or a proxy) is kept when it is a UUID or up to 64 of these
# characters; anything else (too long, spaces, control characters, markup) is replaced.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_from(request) -> str:
    """The caller's X-Request-ID when it is safe to log and echo, else a new one."""
    given = request.headers.get("X-Request-ID", "")
    if SAFE_REQUEST_ID.fullmatch(given):
        return given
    if given and len(given) <= 100:
        with contextlib.suppress(ValueError):
            return str(uuid.UUID(given))  # {braced}, urn:uuid: and the like, normalised
    return uuid.uuid4().hex


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request)
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
        translation.activate(request_language(request))
        request.LANGUAGE_CODE = translation.get_language()


def request_language(request) -> str:
    """The language of the answer: the switch's cookie for pages, Accept-Language for the API,
    else Dutch."""
    if request.path.startswith("/api/"):
        chosen = translation.get_language_from_request(request)
    else:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        with contextlib.suppress(LookupError):
            return translation.get_supported_language_variant(chosen)
    return settings.LANGUAGE_CODE


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def problem_response(request, status: int, title: str, detail: str, code: str):
    """An RFC 7807 answer like the API's own errors (socialdomain.api.problems)."""
    from socialdomain.api.problems import PROBLEM_CONTENT_TYPE

    return JsonResponse(
        {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": request.path,
            "code": code,
        },
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )


# C0 control characters except tab, line feed and carriage return; DEL; and lone surrogates
# (only a JSON escape can produce those; no database or encoder accepts them).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class HostileInputMiddleware:
    """Refuse NUL bytes and other control characters before a view, form or query sees them.

    PostgreSQL refuses NUL in text, so a NUL in a search box, a URL or a JSON string would
    otherwise end in a 500 somewhere deep in a query. Checked: the path, query-string keys and
    values, form fields (and upload file names), and the strings of a JSON body. The answer is a
    400 with the reason: problem+json under /api/, the "request refused" page elsewhere.
    Cookies with such characters are dropped (as if not sent) rather than refused, so that a
    damaged cookie cannot lock a browser out.

    In the admin, an add form prefilled from the address (`?organisation=abc`) with a value that
    is not a valid id of the related model is refused with a 400 as well (the admin would fail
    rendering the choice)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [name for name, value in request.COOKIES.items() if _hostile(name, value)]:
            del request.COOKIES[name]
        where = self._hostile_part(request)
        if where is not None:
            return self.refuse(
                request, lambda: _control_message(where()), code="control_characters"
            )
        return self.get_response(request)

    @staticmethod
    def _hostile_part(request):
        """Where the request holds a control character (a function naming it in the language
        of the answer), or None."""
        if CONTROL_CHARACTERS.search(request.path_info):
            return lambda: _("the web address")
        if any(_hostile(key, *values) for key, values in request.GET.lists()):
            return lambda: _("the web address")
        content_type = request.content_type or ""
        # forms on the pages; the API parses JSON only (another type is its 415), and an API
        # view may still need the raw body after this (the Idempotency-Key fingerprint)
        if (
            request.method in ("POST", "PUT", "PATCH", "DELETE")
            and content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
            and not _is_api(request)
        ):
            # may raise RequestDataTooBig / TooManyFieldsSent: a 400, as it would in the view
            if any(_hostile(key, *values) for key, values in request.POST.lists()):
                return lambda: _("a form field")
            if any(_hostile(upload.name or "") for upload in request.FILES.values()):
                return lambda: _("a form field")
        elif (
            content_type == "application/json" or content_type.endswith("+json")
        ) and _json_hostile(request):
            return lambda: _("the JSON body")
        return None

    def process_view(self, request, view_func, view_args, view_kwargs):
        model_admin = getattr(view_func, "model_admin", None)
        if model_admin is None or view_func.__name__ != "add_view" or not request.GET:
            return None
        if not request.user.is_staff:
            return None  # the admin sends them to its login first
        field = _invalid_prefill(model_admin.model, request.GET)
        if field is None:
            return None
        return self.refuse(request, lambda: _prefill_message(field), code="invalid_id")

    @staticmethod
    def refuse(request, detail, *, code: str):
        """400 with the reason `detail()`, in the language of the answer."""
        with translation.override(request_language(request)):
            if _is_api(request):
                return problem_response(request, 400, _("Invalid request"), detail(), code)
            content = loader.get_template("400.html").render({"reason": detail()})
        return HttpResponse(content, status=400)


def _control_message(where: str) -> str:
    return _(
        "The request contains a NUL byte or another control character in %(where)s. "
        "Such characters are not accepted; remove them and try again."
    ) % {"where": where}


def _prefill_message(field) -> str:
    return _(
        "The web address prefills the field “%(field)s” with a value that is not a valid id. "
        "Open the form without it."
    ) % {"field": field.verbose_name}


def _hostile(*values: str) -> bool:
    return any(CONTROL_CHARACTERS.search(value) for value in values if value)


def _json_hostile(request) -> bool:
    """A JSON body whose strings hold control characters. Raw control bytes in a string are
    invalid JSON (the parser answers 400); only an escape (\\u0000) or a raw DEL gets through,
    so the body is decoded only when it holds one of those."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    if not 0 < length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return False  # empty, or the view refuses it as too large
    body = request.body
    if b"\\u" not in body and b"\x7f" not in body:
        return False
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return False  # not JSON (or absurdly nested): the parser's answer
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if CONTROL_CHARACTERS.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _invalid_prefill(model, query):
    """The first relation field prefilled with an id its related model cannot have
    (`?team=abc`), else None."""
    for name, value in query.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not (field.is_relation and field.concrete and field.related_model is not None):
            continue
        target = field.target_field
        values = value.split(",") if field.many_to_many else [value]
        for item in values:
            if not item and not field.many_to_many:
                continue
            try:
                target.to_python(item)
            except (ValidationError, ValueError, TypeError):
                return field
    return None


class ServiceUnavailableMiddleware:
    """A Redis or broker failure that a view did not handle: 503 with Retry-After (the
    "unavailable" page, or problem+json under /api/) instead of a 500. Most of the app does not
    need Redis at all (sessions in the database, a cache that fails open, dispatch that logs);
    this is the net under what remains."""

    RETRY_AFTER_SECONDS = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_redis_outage(exception):
            return None
        logger.warning(
            "service unavailable: Redis or the broker did not answer",
            exc_info=exception,
            extra={"path": request.path, "error": type(exception).__name__},
        )
        retry_after = str(self.RETRY_AFTER_SECONDS)
        with translation.override(request_language(request)):
            if _is_api(request):
                response = problem_response(
                    request,
                    503,
                    _("Service unavailable"),
                    _("A service this request needs is unavailable. Try again later."),
                    "service_unavailable",
                )
            else:
                response = HttpResponse(loader.get_template("503.html").render({}), status=503)
        response["Retry-After"] = retry_after
        return response


# What a view's decorator (csp_update, csp_replace, csp_override) leaves on a response to change
# its policy; a response with none of them carries the policy of the settings
_CSP_RESPONSE_PARTS = tuple(
    f"_csp_{part}{suffix}" for part in ("config", "update", "replace") for suffix in ("", "_ro")
)
# the header, what exempts a response from it (csp_exempt), whether it is the report-only one
_CSP_HEADERS = (
    (CSP_HEADER, "_csp_exempt", False),
    (CSP_HEADER_REPORT_ONLY, "_csp_exempt_ro", True),
)


@functools.lru_cache(maxsize=2)
def _settings_policy(report_only: bool) -> tuple[str, tuple[str, ...]]:
    """The header of the settings' policy (django-csp's own `build_policy`), and the paths it
    leaves out (`EXCLUDE_URL_PREFIXES`)."""
    name = "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
    policy = getattr(settings, name, None) or {}
    return build_policy(report_only=report_only), tuple(policy.get("EXCLUDE_URL_PREFIXES") or ())


def _forget_policy(**_kwargs) -> None:  # a test's other policy
    _settings_policy.cache_clear()


setting_changed.connect(_forget_policy)


def _left_to_django_csp(request, response) -> bool:
    """Whether the response's header is not the settings' policy as it is: a nonce was asked
    for, the view changed the policy, or it is a debug page (which django-csp leaves alone)."""
    return (
        getattr(request, "_csp_nonce", None) is not None
        or any(getattr(response, part, None) is not None for part in _CSP_RESPONSE_PARTS)
        or (
            settings.DEBUG
            and response.status_code
            in (http.HTTPStatus.INTERNAL_SERVER_ERROR, http.HTTPStatus.NOT_FOUND)
        )
    )


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the settings' policy made into its header once per
    process instead of for every response.

    django-csp builds the header anew for each response (the settings copied through a
    dataclass, then joined): a sixth of what a bare `/livez` costs the app
    (docs/performance.md, thirteenth pass). The project's policy is the same for every
    response: no template asks for a nonce and no view changes it. A response whose view does
    (a `csp.decorators` decorator), or a request that asked for a nonce, is left to django-csp
    as it is; so is the rest of what django-csp does (the nonce, the debug pages)."""

    def process_response(self, request, response):
        if _left_to_django_csp(request, response):
            return super().process_response(request, response)
        for header, exempt, report_only in _CSP_HEADERS:
            policy, excluded = _settings_policy(report_only)
            if (
                policy
                and header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(excluded)
            ):
                response[header] = policy
        # as django-csp: a nonce asked for after this would not be in the header
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


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

    @classmethod
    def seconds_left(cls, session) -> int:
        """How long the session will live without further activity, counting the request
        being answered (renewed by this middleware when the last renewal is old enough)."""
        renewed_at = session.get(cls.SESSION_KEY)
        if renewed_at is None:
            return max(0, session.get_expiry_age())
        idle = int(time.time()) - renewed_at
        if idle >= settings.SESSION_RENEW_INTERVAL:
            return settings.SESSION_COOKIE_AGE
        return max(0, settings.SESSION_COOKIE_AGE - idle)

    @classmethod
    def renew(cls, session) -> None:
        """Renew now (the "stay signed in" button): the session's expiry moves on save."""
        session[cls.SESSION_KEY] = int(time.time())


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


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session has ended is sent to the login page by `login_required`
    with a redirect that htmx would follow and swap into the page (a login form inside a
    section). Instead the whole page goes to the login page (`HX-Redirect`), with the page the
    user was on as `next`: after signing in they are back there, and what they typed comes back
    from the tab's sessionStorage (static/wijkwerk/js/session.js)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        htmx = getattr(request, "htmx", None)
        if not htmx or response.status_code != 302:
            return response
        login_url = resolve_url(settings.LOGIN_URL)
        if not response.get("Location", "").startswith(login_url):
            return response
        page = htmx.current_url_abs_path or "/"
        return HttpResponseClientRedirect(f"{login_url}?{urlencode({'next': page})}")
