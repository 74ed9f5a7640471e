"""The roles of wijkwerk, as Django groups (created by a data migration).

Roles are the one place the rest of the code asks "what may this person do"; apps check
them through their own `permissions.py`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GENERALIST = "generalist", _("Generalist")
    CONSULTANT = "consultant", _("Municipal consultant")
    TEAM_LEAD = "team_lead", _("Team lead")
    POLICY_OFFICER = "policy_officer", _("Policy officer")
    GP = "gp", _("General practitioner")
    PARTNER_API = "partner_api", _("Partner organisation (API)")
    FUNCTIONAL_ADMIN = "functional_admin", _("Functional administrator")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")


def user_roles(user) -> frozenset[str]:
    """The role names of a user, cached on the user object for the request."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_wijkwerk_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._wijkwerk_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user).intersection(roles))
