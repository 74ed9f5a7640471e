"""OpenAPI post-processing for the partner API (after socialdomain.api.schema's): the scopes
of each operation, and the Standard Webhooks headers on every webhook.

Scopes: the bearer scheme's security requirement of an operation lists the scopes it needs
(`networks.api.authentication.ApiClientAuthenticationScheme`, read from the views'
`required_scopes`, which HasApiScope enforces). This hook repeats them as `x-required-scopes`
(an empty list: any valid token), names them in the description, and gives the 403 the
example of the real refusal."""

from django.utils import translation
from django.utils.translation import gettext as _

from socialdomain.api.schema import EXAMPLE_LANGUAGE, ProblemExample, problem_example_value

BEARER = "bearerAuth"

WEBHOOK_HEADERS = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "description": "The event's id: the same on every retry and resend of the event, and "
        "the `id` in the body and in GET /api/v1/events/. Process an id once.",
        "schema": {"type": "string", "format": "uuid"},
        "example": "d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6",
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "description": "Unix seconds of this attempt (new on every attempt). Refuse one more "
        "than 5 minutes off your clock.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
        "example": "1741161761",
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "description": "`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}."
        "{body}` with the key of your secret (`whsec_` + base64). Verify it over the raw "
        "body, e.g. with the `standardwebhooks` library.",
        "schema": {"type": "string", "pattern": "^v1,[A-Za-z0-9+/=]+$"},
        "example": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
    },
    {
        "name": "X-Wijkwerk-Event",
        "in": "header",
        "required": True,
        "description": "The event type again, for routing. Not signed: trust the body's "
        "`type` after verifying.",
        "schema": {"type": "string"},
    },
]
WEBHOOK_RESPONSES = {
    "2XX": {"description": "Delivered. Answer within 10 seconds; the body is ignored."},
    "default": {
        "description": "Not delivered: any other status (a redirect is not followed), a "
        "timeout or a network error. Retried after 1, 2, 4, ... minutes up to 6 hours apart, "
        "13 attempts over about 26.5 hours, with the same `webhook-id`; then the webhook is "
        "marked `failing` and the event waits in GET /api/v1/events/."
    },
}


def _scopes(operation: dict) -> list[str] | None:
    """The scopes the bearer requirement lists; None when the operation takes no token."""
    found = None
    for requirement in operation.get("security", []):
        if BEARER in requirement:
            found = sorted({*(found or []), *requirement[BEARER]})
    return found


def _scope_sentence(scopes: list[str]) -> str:
    if not scopes:
        return "**Scope:** none; any valid token."
    return "**Scope:** " + ", ".join(f"`{scope}`" for scope in scopes) + "."


def _missing_scope(operation: dict, path: str, scope: str) -> None:
    """The 403's example: the refusal a token without `scope` gets (HasApiScope's message),
    before any example the view declared."""
    response = operation.get("responses", {}).get("403")
    if response is None:
        return
    example = ProblemExample(
        403,
        lambda: _("This token does not have the scope %(scope)s needed here.") % {"scope": scope},
        code="permission_denied",
    )
    for content in response.get("content", {}).values():
        examples = content.setdefault("examples", {})
        examples.pop("permission_denied", None)
        content["examples"] = {
            "missing_scope": {
                "summary": f"a token without {scope}",
                "value": problem_example_value(example, path),
            },
            **examples,
        }


def partner_api_details(result, generator, request, public):
    """Postprocessing hook (SPECTACULAR_SETTINGS): scopes per operation, webhook headers."""
    with translation.override(EXAMPLE_LANGUAGE):
        for path, operations in result.get("paths", {}).items():
            for operation in operations.values():
                scopes = _scopes(operation)
                if scopes is None:
                    continue
                operation["x-required-scopes"] = scopes
                description = operation.get("description", "").rstrip()
                operation["description"] = f"{description}\n\n{_scope_sentence(scopes)}".lstrip()
                if scopes:
                    _missing_scope(operation, path, scopes[0])
    for path_item in result.get("webhooks", {}).values():
        for operation in path_item.values():
            operation["parameters"] = [*WEBHOOK_HEADERS, *operation.get("parameters", [])]
            operation["responses"] = dict(WEBHOOK_RESPONSES)
    return result
