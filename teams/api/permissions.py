from rest_framework.permissions import BasePermission

from teams import permissions

CONTACTS_SCOPE = "contacts:read"


class CanLookUpAreaContacts(BasePermission):
    """Staff in a role that needs area contacts, or a partner API client with the
    `contacts:read` scope (the client is recognised by its scopes: teams does not import
    networks)."""

    def has_permission(self, request, view) -> bool:
        client_scopes = getattr(request.auth, "scopes", None)
        if client_scopes is not None:
            return CONTACTS_SCOPE in client_scopes
        return permissions.can_look_up_area_contacts(request.user)
