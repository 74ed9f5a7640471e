from django.contrib.auth.models import Group, Permission
from django.db import transaction

from teams.roles import Role

# What the functional administrator maintains in the admin: the register and its reference data.
FUNCTIONAL_ADMIN_APPS = ("teams", "networks", "cases")
FUNCTIONAL_ADMIN_AUTH_MODELS = ("user", "group")


@transaction.atomic
def role_permissions_ensure() -> None:
    group, _ = Group.objects.get_or_create(name=Role.FUNCTIONAL_ADMIN)
    permissions = Permission.objects.filter(
        content_type__app_label__in=FUNCTIONAL_ADMIN_APPS
    ) | Permission.objects.filter(
        content_type__app_label="auth", content_type__model__in=FUNCTIONAL_ADMIN_AUTH_MODELS
    )
    group.permissions.add(*permissions)


@transaction.atomic
def user_role_assign(*, user, role: str) -> None:
    """Give a user a role. A functional administrator also gets access to the admin."""
    group, _ = Group.objects.get_or_create(name=Role(role).value)
    user.groups.add(group)
    if role == Role.FUNCTIONAL_ADMIN:
        role_permissions_ensure()
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    user.__dict__.pop("_wijkwerk_roles", None)
