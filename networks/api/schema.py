"""OpenAPI post-processing for the partner API (after socialdomain.api.schema's): the scopes
of each operation.

Scopes: the bearer scheme's security requirement of an operation lists the scopes it needs
(`networks.api.authentication.ApiClientAuthenticationScheme`, read from the views'
`required_scopes`, which HasApiScope enforces). This hook repeats them as `x-required-scopes`
(an empty list: any valid token), names them in the description, and gives the 403 the
example of the real refusal."""

from django.utils import translation
from django.utils.translation import gettext as _

from socialdomain.api.schema import EXAMPLE_LANGUAGE, ProblemExample, problem_example_value

BEARER = "bearerAuth"


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
    """Postprocessing hook (SPECTACULAR_SETTINGS): scopes per operation."""
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
    return result
