from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from networks.services import api_client_for_token


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
        client = api_client_for_token(token=token)
        if client is None:
            raise exceptions.AuthenticationFailed(_("The token is invalid, expired or revoked."))
        return ApiClientPrincipal(client), client

    def authenticate_header(self, request):
        return 'Bearer realm="wijkwerk"'


class ApiClientAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "networks.api.authentication.ApiClientAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "API client token"}
