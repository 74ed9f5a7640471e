"""Where a login lands when no page was asked for (password, two-step and OpenID Connect)."""

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from teams.roles import Role, user_roles


def landing_url(user) -> str:
    """A GP, whose only screen is the postcode lookup, goes straight to it (the postcode field
    has focus); everyone else to the start page."""
    if not user.is_superuser and user_roles(user) == {Role.GP}:
        return reverse("teams:area_contacts")
    return resolve_url(settings.LOGIN_REDIRECT_URL)
