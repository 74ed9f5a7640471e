from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Areas and teams")

    def ready(self):
        from teams.models import (
            AreaConsultant,
            ConsultantAbsence,
            District,
            Neighbourhood,
            Postcode,
            Team,
        )
        from teams.services import area_contacts_changed, role_permissions_ensure

        # The GP lookup caches its answers per postcode; any change to what it shows clears them.
        for model in (Postcode, Neighbourhood, District, Team, AreaConsultant, ConsultantAbsence):
            for event, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(
                    area_contacts_changed,
                    sender=model,
                    dispatch_uid=f"area_contacts_changed_{event}_{model.__name__}",
                )

        # Model permissions exist only after every app migrated; give the functional
        # administrator theirs then (idempotent).
        post_migrate.connect(
            lambda **kwargs: role_permissions_ensure(), dispatch_uid="teams_role_permissions"
        )
