from rest_framework.permissions import BasePermission

from teams import permissions


class CanLookUpAreaContacts(BasePermission):
    def has_permission(self, request, view) -> bool:
        return permissions.can_look_up_area_contacts(request.user)
