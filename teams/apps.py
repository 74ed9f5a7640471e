from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Areas and teams")

    def ready(self):
        from teams.services import role_permissions_ensure

        # Model permissions exist only after every app migrated; give the functional
        # administrator theirs then (idempotent).
        post_migrate.connect(
            lambda **kwargs: role_permissions_ensure(), dispatch_uid="teams_role_permissions"
        )
