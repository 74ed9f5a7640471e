from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from networks.api.throttling import COUNTED, ApiClientRateThrottle
from networks.models import ApiScope
from networks.services import api_client_and_count_for_token
from socialdomain.cache import GENERATIONS_READ


class ApiClientPrincipal:
    """`request.user` for a partner system: authenticated, but no person and no staff rights."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, client):
        self.client = client
        self.organisation = client.organisation

    def __str__(self) -> str:
        return f"api:{self.client.organisation.code}/{self.client.name}"


class ApiClientAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`; `request.auth` is the ApiClient."""

    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Malformed Authorization header: use 'Bearer <token>'.")
            )
        try:
            token = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token has invalid characters.")) from None
        throttle = _client_throttle(request)
        client, counted, generations = api_client_and_count_for_token(
            token=token, window=throttle.window_for if throttle is not None else None
        )
        if client is None:
            raise exceptions.AuthenticationFailed(_("The token is invalid, expired or revoked."))
        if counted is not None:  # the throttle's count, made in the same cache round trip
            setattr(request, COUNTED, (throttle.key_for(client), counted))
        if generations is not None:  # read in that round trip (`socialdomain.cache.read_along`)
            setattr(request, GENERATIONS_READ, generations)
        return ApiClientPrincipal(client), client

    def authenticate_header(self, request):
        return 'Bearer realm="wijkwerk"'


def _client_throttle(request) -> ApiClientRateThrottle | None:
    """The view's per-client throttle, when it has one: its count is made while the client is
    read (`api_client_and_count_for_token`), so the request costs one cache round trip for
    both."""
    view = (request.parser_context or {}).get("view")
    if view is None:
        return None
    for throttle in view.get_throttles():
        if isinstance(throttle, ApiClientRateThrottle):
            return throttle
    return None


def required_scopes_of(view, method: str) -> list[str]:
    """The scopes a partner token needs for `method` on `view`, read from where they are
    enforced: the view's `required_scopes` (HasApiScope) or a permission's `api_scope` (e.g.
    teams' CanLookUpAreaContacts). Empty: any valid token will do (e.g. GET /me/)."""
    method = "GET" if method.upper() in ("HEAD", "OPTIONS") else method.upper()
    scope = getattr(view, "required_scopes", {}).get(method)
    if scope:
        return [str(scope)]
    return sorted(
        {
            str(permission.api_scope)
            for permission in view.get_permissions()
            if getattr(permission, "api_scope", None)
        }
    )


class ApiClientAuthenticationScheme(OpenApiAuthenticationExtension):
    """`bearerAuth` in the schema. Each operation's security requirement lists the scopes the
    token needs (OpenAPI 3.1 allows role names on a non-OAuth scheme); the schema hook copies
    them to `x-required-scopes` (socialdomain.api.schema)."""

    target_class = "networks.api.authentication.ApiClientAuthentication"
    name = "bearerAuth"

    def get_security_requirement(self, auto_schema):
        return {self.name: required_scopes_of(auto_schema.view, auto_schema.method)}

    def get_security_definition(self, auto_schema):
        scopes = "\n".join(f"- `{scope.value}`: {scope.label}" for scope in ApiScope)
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API client token of your organisation: "
            '`Authorization: Bearer <token>` (see docs/api.md, "Access"). A token carries '
            "scopes; each operation's security requirement (and its `x-required-scopes`) names "
            "the scope it needs, and a token without it gets a 403. The scopes:\n\n" + scopes,
        }
