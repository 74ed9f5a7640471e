from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from teams import permissions

CONTACTS_SCOPE = "contacts:read"


class CanLookUpAreaContacts(BasePermission):
    """Staff in a role that needs area contacts, or a partner API client with the
    `contacts:read` scope (the client is recognised by its scopes: teams does not import
    networks). `api_scope` is what the OpenAPI schema lists as the scope needed."""

    api_scope = CONTACTS_SCOPE

    def has_permission(self, request, view) -> bool:
        client_scopes = getattr(request.auth, "scopes", None)
        if client_scopes is not None:
            if self.api_scope not in client_scopes:
                # the partner API's refusal (networks.api.permissions.HasApiScope), translated
                self.message = _("This token does not have the scope %(scope)s needed here.") % {
                    "scope": self.api_scope
                }
                return False
            return True
        return permissions.can_look_up_area_contacts(request.user)
