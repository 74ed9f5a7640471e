"""Every API error as `application/problem+json` (RFC 7807), in the request's language."""

import math
from http import HTTPStatus

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"


def _titles() -> dict[int, str]:
    return {
        400: _("Invalid request"),
        401: _("Not authenticated"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        409: _("Conflict"),
        412: _("Precondition failed"),
        413: _("Request too large"),
        415: _("Unsupported media type"),
        422: _("Unprocessable request"),
        428: _("Precondition required"),
        429: _("Too many requests"),
        503: _("Service unavailable"),
    }


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"


class ServiceUnavailable(exceptions.APIException):
    """A service the request needs (Redis: broker, cache) did not answer: 503 with Retry-After."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service_unavailable"
    retry_after_seconds = 30

    def __init__(self, detail=None, code=None):
        super().__init__(
            detail or _("A service this request needs is unavailable. Try again later."), code
        )


def _field_errors(data, prefix="") -> list[dict]:
    errors = []
    if isinstance(data, dict):
        for field, value in data.items():
            name = f"{prefix}.{field}" if prefix else str(field)
            errors.extend(_field_errors(value, name))
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, dict | list):
                errors.extend(_field_errors(item, prefix))
            else:
                errors.append(
                    {
                        "field": prefix or None,
                        "message": str(item),
                        "code": getattr(item, "code", None),
                    }
                )
    else:
        errors.append(
            {"field": prefix or None, "message": str(data), "code": getattr(data, "code", None)}
        )
    return errors


def problem_for(exc, data, status_code: int, instance: str | None) -> dict:
    """The problem details of an APIException `exc` whose DRF answer is `data` (`{"detail":
    ...}` or field errors), in the active language. The OpenAPI examples are built with it too
    (socialdomain.api.schema), so they read as the real answers do."""
    problem = {
        "type": "about:blank",
        "title": _titles().get(status_code, HTTPStatus(status_code).phrase),
        "status": status_code,
        "instance": instance,
    }
    if isinstance(data, dict) and set(data) == {"detail"}:
        problem["detail"] = str(data["detail"])
        problem["code"] = getattr(data["detail"], "code", None)
    else:
        errors = _field_errors(data)
        problem["detail"] = (
            _("The request has %(count)d invalid field(s).") % {"count": len(errors)}
            if errors
            else problem["title"]
        )
        problem["code"] = "invalid"
        problem["errors"] = errors
    if isinstance(exc, exceptions.Throttled):
        # DRF's own text is only half translated; Retry-After carries the seconds too
        problem["detail"] = (
            ngettext(
                "Too many requests. Try again in %(seconds)d second.",
                "Too many requests. Try again in %(seconds)d seconds.",
                math.ceil(exc.wait),
            )
            % {"seconds": math.ceil(exc.wait)}
            if exc.wait is not None
            else _("Too many requests. Try again later.")
        )
    return problem


def problem_exception_handler(exc, context):
    from socialdomain.outages import is_redis_outage

    if is_redis_outage(exc):
        exc = ServiceUnavailable()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoValidationError):
        # a service refused: its (translated) messages become a 400 with field errors
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    problem = problem_for(
        exc, response.data, response.status_code, request.path if request is not None else None
    )
    response.data = problem
    response.content_type = PROBLEM_CONTENT_TYPE
    if isinstance(exc, ServiceUnavailable):
        response["Retry-After"] = str(exc.retry_after_seconds)
    return response


def api_aware_page_not_found(request, exception):
    """404 for URLs no view matched: problem details under /api/, the normal page elsewhere."""
    from django.http import JsonResponse
    from django.views import defaults

    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "type": "about:blank",
                "title": _titles()[404],
                "status": 404,
                "detail": _("There is no API endpoint at this address."),
                "instance": request.path,
            },
            status=404,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    return defaults.page_not_found(request, exception)
