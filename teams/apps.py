from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Areas and teams")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from socialdomain.cache import read_along
        from teams.models import (
            AreaConsultant,
            ConsultantAbsence,
            District,
            Neighbourhood,
            Postcode,
            Team,
            TeamMember,
        )
        from teams.selectors import AREA_CONTACTS_GENERATION_KEY
        from teams.services import (
            access_versions_follow,
            area_consultant_saved,
            area_contacts_changed,
            group_saved,
            groups_changed,
            role_permissions_ensure,
            team_saved,
        )

        # The GP lookup caches its answers per postcode; any change to what it shows clears them.
        for model in (Postcode, Neighbourhood, District, Team, AreaConsultant, ConsultantAbsence):
            for event, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(
                    area_contacts_changed,
                    sender=model,
                    dispatch_uid=f"area_contacts_changed_{event}_{model.__name__}",
                )

        # The partner API's authentication reads the GP lookup's generation in its own cache
        # round trip: a repeated lookup with a bearer token then costs no round trip of its own
        read_along(AREA_CONTACTS_GENERATION_KEY)

        # What a user may see is cached per user under a version kept in the database
        # (teams.models.AccessVersion); the rows that decide it raise the version. Roles are
        # groups: a change from the user's side, the group's side, a service or the admin.
        m2m_changed.connect(
            groups_changed,
            sender=get_user_model().groups.through,
            dispatch_uid="access_version_groups",
        )
        post_save.connect(group_saved, sender=Group, dispatch_uid="access_version_group")
        access_versions_follow(TeamMember, "user")
        access_versions_follow(AreaConsultant, "user")
        access_versions_follow(ConsultantAbsence, "substitute")
        post_save.connect(team_saved, sender=Team, dispatch_uid="access_version_team")
        post_save.connect(
            area_consultant_saved, sender=AreaConsultant, dispatch_uid="access_version_area"
        )

        # Model permissions exist only after every app migrated; give the functional
        # administrator theirs then (idempotent).
        post_migrate.connect(
            lambda **kwargs: role_permissions_ensure(), dispatch_uid="teams_role_permissions"
        )
