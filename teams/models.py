from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from teams.validators import (
    format_postcode,
    validate_district_code,
    validate_municipality_code,
    validate_neighbourhood_code,
    validate_postcode,
)


class Municipality(models.Model):
    code = models.CharField(
        _("CBS code"), max_length=6, unique=True, validators=[validate_municipality_code]
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A wijk: has one neighbourhood team and one area consultant per law domain."""

    municipality = models.ForeignKey(
        Municipality, models.PROTECT, related_name="districts", verbose_name=_("municipality")
    )
    code = models.CharField(
        _("CBS code"), max_length=8, unique=True, validators=[validate_district_code]
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Neighbourhood(models.Model):
    """A buurt; postcodes map to exactly one neighbourhood."""

    district = models.ForeignKey(
        District, models.PROTECT, related_name="neighbourhoods", verbose_name=_("district")
    )
    code = models.CharField(
        _("CBS code"), max_length=10, unique=True, validators=[validate_neighbourhood_code]
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("neighbourhood")
        verbose_name_plural = _("neighbourhoods")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PostcodeQuerySet(models.QuerySet):
    def with_area(self):
        return self.select_related("neighbourhood__district__municipality")


class Postcode(models.Model):
    """A six-character postcode (`1234AB`) and the one neighbourhood it belongs to."""

    postcode = models.CharField(
        _("postcode"), max_length=6, primary_key=True, validators=[validate_postcode]
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, models.PROTECT, related_name="postcodes", verbose_name=_("neighbourhood")
    )

    objects = PostcodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("postcode")
        verbose_name_plural = _("postcodes")
        ordering = ["postcode"]

    def __str__(self) -> str:
        return format_postcode(self.postcode)


class Team(models.Model):
    """A sociaal wijkteam: one per district."""

    district = models.OneToOneField(
        District, models.PROTECT, related_name="team", verbose_name=_("district")
    )
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("neighbourhood team")
        verbose_name_plural = _("neighbourhood teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MemberProfile(models.TextChoices):
    CARE_WORKER = "hulpverlener", _("Generalist social worker")
    CARE_PROVIDER = "zorgverlener", _("Generalist care worker")
    COMMUNITY_BUILDER = "samenlevingsopbouw", _("Generalist community builder")
    TEAM_LEAD = "teamleider", _("Team lead")


class TeamMember(models.Model):
    team = models.ForeignKey(Team, models.CASCADE, related_name="members", verbose_name=_("team"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="team_memberships",
        verbose_name=_("user"),
    )
    profile = models.CharField(
        _("profile"),
        max_length=30,
        choices=MemberProfile.choices,
        default=MemberProfile.CARE_WORKER,
    )
    contract_hours = models.DecimalField(
        _("contract hours per week"),
        max_digits=4,
        decimal_places=1,
        default=32,
        validators=[MinValueValidator(0)],
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_member_unique"),
            models.CheckConstraint(
                condition=models.Q(contract_hours__gte=0), name="team_member_hours_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.team})"
