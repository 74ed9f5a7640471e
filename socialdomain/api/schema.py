"""OpenAPI post-processing: every operation documents its problem-details error answers.

Each operation under /api/v1/ gets the error responses that apply to it, each as
`application/problem+json` referring to the one `Problem` component, with an example built by
the same code that builds the real answer (`problems.problem_for`), in Dutch, the default
language (`Accept-Language: en` gives English):

- always: 400 (a control character in the address, or an invalid field), 401, 406, 429
  (with Retry-After), 503 (with Retry-After);
- 403 where the security requirement names scopes (or the view declares it);
- 404 on a path with an id, and on a paginated list (an unknown `cursor`);
- 409 where the view declares it (a state conflict);
- 412 where the operation takes `If-Match`;
- 415 where it takes a body;
- 422 where it takes `Idempotency-Key`.

(No operation requires If-Match, so none answers 428.)

A view declares its own error answers with `problem_response` and `problem_example`; the hook
gives them the Problem schema and completes their examples (type, title, instance)."""

import dataclasses
import re
from collections.abc import Callable
from http import HTTPStatus

from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.exceptions import ErrorDetail

from socialdomain.api.problems import (
    PROBLEM_CONTENT_TYPE,
    PreconditionFailed,
    ServiceUnavailable,
    Unprocessable,
    problem_for,
)

EXAMPLE_LANGUAGE = "nl"
EXAMPLE_ID = "3f6b1c2e-8a4d-4b7e-9c15-2d7e0a9f4b61"

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 7807 problem details (`application/problem+json`), in the language of "
    "`Accept-Language` (`nl`, the default, or `en`): `title` names the kind of error, `detail` "
    "says what was wrong with this request, `code` is a stable machine-readable code, and "
    "`errors` lists invalid fields.",
    "properties": {
        "type": {
            "type": "string",
            "description": "Always `about:blank`.",
            "example": "about:blank",
        },
        "title": {
            "type": "string",
            "description": "The kind of error, translated.",
            "example": "Ongeldig verzoek",
        },
        "status": {"type": "integer", "description": "The HTTP status.", "example": 400},
        "detail": {"type": "string", "description": "What went wrong, translated."},
        "instance": {
            "type": ["string", "null"],
            "description": "The path of the request.",
            "example": "/api/v1/signals/",
        },
        "code": {
            "type": ["string", "null"],
            "description": "Machine-readable: `invalid`, `not_authenticated`, "
            "`authentication_failed`, `permission_denied`, `not_found`, `conflict`, "
            "`precondition_failed`, `unprocessable`, `throttled`, `control_characters`, "
            "`service_unavailable`, ...",
        },
        "errors": {
            "type": "array",
            "description": "With `code` `invalid`: one entry per invalid field.",
            "items": {
                "type": "object",
                "properties": {
                    "field": {
                        "type": ["string", "null"],
                        "description": "The field, dotted for a nested one (`product.code`); "
                        "null for the request as a whole.",
                    },
                    "message": {"type": "string", "description": "Translated."},
                    "code": {"type": ["string", "null"], "example": "required"},
                },
                "required": ["field", "message", "code"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
SECONDS = {"schema": {"type": "integer", "minimum": 0}}
RETRY_AFTER = {"Retry-After": {**SECONDS, "description": "Seconds to wait before trying again."}}


# Declaring error answers in a view ----------------------------------------------------------


def _resolve(message):
    return message() if callable(message) else message


@dataclasses.dataclass(frozen=True)
class ProblemExample:
    """What a problem example says, built into the full problem details (in Dutch) by the hook.
    `detail` is a lazy message or a function giving one, so the example is the translation the
    real answer gives; `errors` maps a field to (message, code) for a 400, the message lazy or
    a function too."""

    status: int
    detail: Callable[[], str] | str | None = None
    code: str | None = None
    errors: dict[str, tuple] | None = None

    def exception(self) -> exceptions.APIException:
        if self.errors is not None:
            return exceptions.ValidationError(
                {
                    field: [ErrorDetail(str(_resolve(message)), code=code)]
                    for field, (message, code) in self.errors.items()
                }
            )
        if self.status == 429:
            return exceptions.Throttled(wait=30)
        exc = exceptions.APIException(_resolve(self.detail), self.code)
        exc.status_code = self.status
        return exc


def problem_example(
    name: str,
    status: int,
    detail=None,
    *,
    code: str | None = None,
    errors: dict[str, tuple] | None = None,
    summary: str = "",
) -> OpenApiExample:
    """An example error answer for `problem_response`: `detail` a lazy message (or a function
    giving one), or `errors={"field": (message, code)}` for a 400."""
    return OpenApiExample(
        name,
        value=ProblemExample(status=status, detail=detail, code=code, errors=errors),
        summary=summary or name,
        response_only=True,
        status_codes=[str(status)],
    )


def problem_response(description: str, *examples: OpenApiExample) -> OpenApiResponse:
    """An error answer of an operation: problem+json with the Problem schema (set by the
    hook), its description and examples."""
    return OpenApiResponse(
        response=OpenApiTypes.OBJECT, description=description, examples=list(examples)
    )


# The error answers that apply ---------------------------------------------------------------


def _required_field(operation: dict, components: dict) -> str | None:
    """The first required field of the operation's JSON body, if any."""
    content = operation.get("requestBody", {}).get("content", {})
    schema = next(iter(content.values()), {}).get("schema", {})
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    required = schema.get("required") or []
    return required[0] if required else None


def _query_parameters(operation: dict) -> list[str]:
    return [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]


def _header(operation: dict, name: str) -> dict | None:
    return next(
        (
            p
            for p in operation.get("parameters", [])
            if p.get("in") == "header" and p["name"].lower() == name.lower()
        ),
        None,
    )


# the messages of socialdomain.api.conditional and .idempotency, for their examples
STALE = "The resource was changed since you read it. Read it again and retry."
KEY_REUSED = "This Idempotency-Key was used for a different request."


def _example(status: int, detail, code: str, *, name: str = "") -> tuple[str, ProblemExample]:
    return name or code, ProblemExample(status, detail, code=code)


def _control_characters() -> ProblemExample:
    from socialdomain.middleware import _control_message

    return ProblemExample(
        400, lambda: _control_message(_("the web address")), code="control_characters"
    )


def applicable_errors(
    path: str, operation: dict, components: dict
) -> dict[str, tuple[str, list[tuple[str, ProblemExample]]]]:
    """status -> (description, [(example name, example)]) for the errors this operation can
    answer with (see the module docstring)."""
    drf = exceptions
    invalid = [("control_characters", _control_characters())]
    field = _required_field(operation, components)
    if field:
        required = serializers.Field.default_error_messages["required"]
        invalid.insert(
            0, ("invalid_field", ProblemExample(400, errors={field: (required, "required")}))
        )
    errors = {
        "400": (
            "Invalid request: an invalid field (see `errors`), invalid JSON, or a NUL byte or "
            "another control character in the address or the body (`code` "
            "`control_characters`).",
            invalid,
        ),
        "401": (
            "No token, or an invalid, expired or revoked one (`WWW-Authenticate: Bearer`).",
            [_example(401, drf.NotAuthenticated.default_detail, "not_authenticated")],
        ),
    }
    if any(any(scopes) for requirement in operation.get("security", []) for scopes in
           requirement.values()) or "403" in operation.get("responses", {}):  # fmt: skip
        errors["403"] = (
            "The token lacks the scope this operation needs (see its security requirement).",
            [_example(403, drf.PermissionDenied.default_detail, "permission_denied")],
        )
    if "{" in path or "cursor" in _query_parameters(operation):
        errors["404"] = (
            "Not found, or not yours (never a 403 that would confirm it exists); on a list, "
            "an unknown `cursor`.",
            [_example(404, drf.NotFound.default_detail, "not_found")],
        )
    errors["406"] = (
        "Not acceptable: ask for `application/json` (or leave `Accept` out).",
        [_example(406, drf.NotAcceptable.default_detail, "not_acceptable")],
    )
    if _header(operation, "If-Match") is not None:
        errors["412"] = (
            "`If-Match` does not match the current `ETag`: read the resource again.",
            [_example(412, lambda: _(STALE), PreconditionFailed.default_code, name="stale")],
        )
    if "requestBody" in operation:
        errors["415"] = (
            "Unsupported media type: send `application/json`.",
            [_example(415, lambda: drf.UnsupportedMediaType("text/plain").detail,
                      "unsupported_media_type")],
        )  # fmt: skip
    if _header(operation, "Idempotency-Key") is not None:
        errors["422"] = (
            "The `Idempotency-Key` was used before for a different request (or is longer "
            "than 255 characters).",
            [_example(422, lambda: _(KEY_REUSED), Unprocessable.default_code,
                      name="idempotency_key_reused")],
        )  # fmt: skip
    errors["429"] = (
        "Too many requests from this client (`API_THROTTLE_RATE`, default 600 a minute): "
        "wait `Retry-After` seconds.",
        [_example(429, None, "throttled")],
    )
    errors["503"] = (
        "A service the request needs (Redis) is unavailable: retry after `Retry-After` seconds.",
        [_example(503, lambda: ServiceUnavailable().detail, ServiceUnavailable.default_code)],
    )
    return errors


def problem_example_value(example: ProblemExample, path: str) -> dict:
    """The problem details `example` stands for, on `path` (ids filled in), in the active
    language."""
    return _example_value(example, _instance(path))


def _example_value(example: ProblemExample, instance: str) -> dict:
    exc = example.exception()
    data = exc.detail if isinstance(exc.detail, dict | list) else {"detail": exc.detail}
    return problem_for(exc, data, example.status, instance)


def _instance(path: str) -> str:
    return re.sub(r"\{[^}]+\}", EXAMPLE_ID, path)


def _problem_content(response: dict, status: str, instance: str, defaults: list) -> dict:
    """`response` as problem+json with the Problem schema; its examples completed, or the
    default examples when it has none."""
    examples = {}
    for content in response.get("content", {}).values():
        examples.update(content.get("examples", {}))
    if not examples:
        examples = {name: {"value": example, "summary": name} for name, example in defaults}
    for example in examples.values():
        if isinstance(example.get("value"), ProblemExample):
            example["value"] = _example_value(example["value"], instance)
    response["content"] = {PROBLEM_CONTENT_TYPE: {"schema": PROBLEM_REF, "examples": examples}}
    return response


def add_problem_responses(result, generator, request, public):
    """Postprocessing hook (SPECTACULAR_SETTINGS): the Problem component and each operation's
    error answers, with examples in Dutch."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    with translation.override(EXAMPLE_LANGUAGE):
        for path, operations in result.get("paths", {}).items():
            if not path.startswith("/api/v1/") or path.endswith("/schema/"):
                continue
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                applicable = applicable_errors(path, operation, components)
                for status, (description, _examples) in applicable.items():
                    responses.setdefault(status, {"description": description})
                for status, response in responses.items():
                    if not status.startswith(("4", "5")):
                        response["description"] = (
                            response.get("description") or HTTPStatus(int(status)).phrase
                        )
                        continue
                    defaults = applicable.get(status, (None, []))[1]
                    _problem_content(response, status, _instance(path), defaults)
                    if status in ("429", "503"):
                        response.setdefault("headers", {}).update(RETRY_AFTER)
                    if status == "401":
                        response.setdefault("headers", {})["WWW-Authenticate"] = {
                            "schema": {"type": "string"},
                            "description": 'The scheme to use: `Bearer realm="wijkwerk"`.',
                        }
                operation["responses"] = dict(sorted(responses.items()))
    return result
