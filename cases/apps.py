from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _plan_saved(sender, instance, **_kwargs) -> None:
    """A closed plan ends its participations (cases.access_facts)."""
    from cases.plans.models import PlanStatus
    from teams.services import access_versions_bump

    if instance.status == PlanStatus.CLOSED:
        access_versions_bump(instance.participants.values_list("user_id", flat=True))


def _organisation_saved(sender, instance, **_kwargs) -> None:
    """An organisation made (in)active changes what its professionals see."""
    from teams.services import access_versions_bump

    access_versions_bump(instance.professionals.values_list("user_id", flat=True))


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Households and cases")

    def ready(self):
        from cases.plans.models import PlanParticipant, SupportPlan
        from cases.privacy.models import BreakGlassAccess
        from networks.models import Organisation, OrganisationProfessional
        from teams.services import access_versions_follow

        # The rows that decide what a user may see raise the user's access version, so the
        # cached access facts (cases.access_facts) are read afresh on the next request.
        access_versions_follow(PlanParticipant, "user")
        access_versions_follow(BreakGlassAccess, "user")
        access_versions_follow(OrganisationProfessional, "user")
        post_save.connect(_plan_saved, sender=SupportPlan, dispatch_uid="access_version_plan")
        post_save.connect(
            _organisation_saved, sender=Organisation, dispatch_uid="access_version_organisation"
        )
