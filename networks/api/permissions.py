"""Partner API access: an API client with the scope the view asks for, in one place."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from networks.models import ApiClient


def api_client_of(request) -> ApiClient | None:
    return request.auth if isinstance(request.auth, ApiClient) else None


class HasApiScope(BasePermission):
    """The view names `required_scopes = {"GET": scope, "POST": scope, ...}` (by HTTP method;
    HEAD/OPTIONS follow GET). The refusal names the missing scope, in the request's language."""

    message = _("This token does not have the scope needed here.")

    def has_permission(self, request, view) -> bool:
        client = api_client_of(request)
        if client is None:
            return False
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        scope = getattr(view, "required_scopes", {}).get(method)
        if scope is not None and not client.has_scope(scope):
            # a fresh permission instance per request: the message is this request's
            self.message = _("This token does not have the scope %(scope)s needed here.") % {
                "scope": str(scope)
            }
        return scope is not None and client.has_scope(scope)


class IsApiClient(BasePermission):
    message = _("Authenticate with an API client token: Authorization: Bearer <token>.")

    def has_permission(self, request, view) -> bool:
        return api_client_of(request) is not None
