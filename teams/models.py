from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teams.roles import Role
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


class Specialism(models.TextChoices):
    GGZ = "ggz", _("Mental health (GGZ)")
    YOUTH = "jeugd", _("Youth")
    WORK_INCOME = "werk_inkomen", _("Work & income")
    DEBTS = "schulden", _("Debts")
    ELDERLY = "ouderen", _("Elderly care")
    LVB = "lvb", _("Mild intellectual disability (LVB)")
    DOMESTIC_VIOLENCE = "huiselijk_geweld", _("Domestic violence")


class MemberSpecialism(models.Model):
    """One specialism of a team member (a member may have several)."""

    member = models.ForeignKey(
        TeamMember, models.CASCADE, related_name="specialisms", verbose_name=_("team member")
    )
    specialism = models.CharField(_("specialism"), max_length=30, choices=Specialism.choices)

    class Meta:
        verbose_name = _("specialism")
        verbose_name_plural = _("specialisms")
        ordering = ["specialism"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "specialism"], name="member_specialism_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.get_specialism_display()


class AreaStatistics(models.Model):
    """Figures for one district or one neighbourhood (exactly one of the two), e.g. from CBS
    'Kerncijfers wijken en buurten'. Shares are percentages (0-100)."""

    district = models.OneToOneField(
        District,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="statistics",
        verbose_name=_("district"),
    )
    neighbourhood = models.OneToOneField(
        Neighbourhood,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="statistics",
        verbose_name=_("neighbourhood"),
    )
    year = models.PositiveSmallIntegerField(_("reference year"))
    residents = models.PositiveIntegerField(_("residents"))
    households = models.PositiveIntegerField(_("households"))
    share_single_parent = models.DecimalField(
        _("single-parent households (%)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Share of all households."),
    )
    share_low_income = models.DecimalField(
        _("low-income households (%)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Share of all households."),
    )
    share_65_plus = models.DecimalField(
        _("residents aged 65 or over (%)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    share_under_18 = models.DecimalField(
        _("residents under 18 (%)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("area statistics")
        verbose_name_plural = _("area statistics")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(district__isnull=False, neighbourhood__isnull=True)
                | models.Q(district__isnull=True, neighbourhood__isnull=False),
                name="area_statistics_one_area",
                violation_error_message=_("Statistics belong to a district or a neighbourhood."),
            ),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__gte": 0, f"{name}__lte": 100}),
                    name=f"area_statistics_{name}_percentage",
                )
                for name in (
                    "share_single_parent",
                    "share_low_income",
                    "share_65_plus",
                    "share_under_18",
                )
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district or self.neighbourhood} ({self.year})"


class LawDomain(models.TextChoices):
    WMO = "wmo", _("Wmo")
    YOUTH = "jeugd", _("Youth Act (Jeugdwet)")
    PARTICIPATION = "participatie", _("Participation Act")


class AreaConsultant(models.Model):
    """The municipal consultant for one law domain in one district (werkgebied)."""

    district = models.ForeignKey(
        District, models.CASCADE, related_name="consultants", verbose_name=_("district")
    )
    law_domain = models.CharField(_("law domain"), max_length=20, choices=LawDomain.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="consultant_areas",
        verbose_name=_("consultant"),
    )
    phone = models.CharField(_("phone"), max_length=30)
    email = models.EmailField(_("e-mail"))
    reachable_hours = models.CharField(
        _("reachable"), max_length=100, blank=True, help_text=_("e.g. Mon-Thu 9:00-12:00")
    )

    class Meta:
        verbose_name = _("area consultant")
        verbose_name_plural = _("area consultants")
        ordering = ["district__name", "law_domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "law_domain"],
                name="area_consultant_one_per_domain",
                violation_error_message=_(
                    "This district already has a consultant for this law domain."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_law_domain_display()} ({self.district})"


class ConsultantAbsenceQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(start_date__lte=on, end_date__gte=on)


class ConsultantAbsence(models.Model):
    """A consultant's absence (holiday, illness) with the substitute shown meanwhile.
    Both dates are inclusive."""

    consultant = models.ForeignKey(
        AreaConsultant, models.CASCADE, related_name="absences", verbose_name=_("consultant")
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until (inclusive)"))
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="consultant_substitutions",
        verbose_name=_("substitute"),
    )
    substitute_phone = models.CharField(_("substitute's phone"), max_length=30)
    substitute_email = models.EmailField(_("substitute's e-mail"))

    objects = ConsultantAbsenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultant absence")
        verbose_name_plural = _("consultant absences")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="consultant_absence_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]
        indexes = [
            models.Index(fields=["consultant", "start_date", "end_date"], name="absence_period_idx")
        ]

    def __str__(self) -> str:
        return f"{self.consultant.user} {self.start_date:%d-%m-%Y}–{self.end_date:%d-%m-%Y}"


class TeamMandate(models.Model):
    """A team's yearly mandate budget (doorzettingsmacht): urgent help without a consultant,
    up to a limit per household."""

    team = models.ForeignKey(Team, models.CASCADE, related_name="mandates", verbose_name=_("team"))
    year = models.PositiveSmallIntegerField(_("year"))
    budget = models.DecimalField(_("budget (€)"), max_digits=10, decimal_places=2)
    per_case_limit = models.DecimalField(
        _("limit per household (€)"),
        max_digits=10,
        decimal_places=2,
        help_text=_("The most the team may spend on one household in this year."),
    )

    class Meta:
        verbose_name = _("team mandate")
        verbose_name_plural = _("team mandates")
        ordering = ["-year", "team__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "year"],
                name="team_mandate_one_per_year",
                violation_error_message=_("This team already has a mandate for that year."),
            ),
            models.CheckConstraint(
                condition=models.Q(budget__gte=0) & models.Q(per_case_limit__gt=0),
                name="team_mandate_amounts_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(per_case_limit__lte=models.F("budget")),
                name="team_mandate_limit_within_budget",
                violation_error_message=_("The limit per household cannot exceed the budget."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.year}"


class RoleChangeKind(models.TextChoices):
    ROLE_ADDED = "role_added", _("Role added")
    ROLE_REMOVED = "role_removed", _("Role removed")
    STAFF_GRANTED = "staff_granted", _("Admin access granted")
    STAFF_REVOKED = "staff_revoked", _("Admin access revoked")
    SUPERUSER_GRANTED = "superuser_granted", _("Superuser status granted")
    SUPERUSER_REVOKED = "superuser_revoked", _("Superuser status revoked")
    PERMISSION_ADDED = "permission_added", _("Permission added")
    PERMISSION_REMOVED = "permission_removed", _("Permission removed")


class RoleChangeAppendOnlyError(Exception):
    """An attempt to change or delete a recorded role change."""


class RoleChangeQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise RoleChangeAppendOnlyError("Role changes are append-only: they cannot be changed.")

    def delete(self):
        raise RoleChangeAppendOnlyError("Role changes are append-only: they cannot be deleted.")


class RoleChange(models.Model):
    """One change to who may do what: a role (group) given to or taken from a user, admin access
    (`is_staff`) or superuser status granted or revoked, a permission added to or removed from a
    user or a role. Written only by `teams.services` (the admin calls it); shown to the privacy
    officer. Append-only: the model and its queryset refuse changes and deletes, and on
    PostgreSQL a trigger refuses every UPDATE and DELETE (migration `teams/0006`). Users are
    referenced without a database constraint, and named as text too, so a row outlives them."""

    at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
        verbose_name=_("changed by"),
    )
    by_username = models.CharField(
        _("changed by (username)"),
        max_length=150,
        blank=True,
        help_text=_("Empty when the system made the change (a command or the demo data)."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(
        _("username"), max_length=150, blank=True, help_text=_("Whose rights changed.")
    )
    group_name = models.CharField(
        _("role"),
        max_length=150,
        blank=True,
        help_text=_("The role given or taken, or the role whose permissions changed."),
    )
    kind = models.CharField(_("change"), max_length=20, choices=RoleChangeKind.choices)
    permission = models.CharField(
        _("permission"), max_length=255, blank=True, help_text=_("app.codename")
    )

    objects = RoleChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("role change")
        verbose_name_plural = _("role changes")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["at"], name="rolechange_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=RoleChangeKind.values), name="rolechange_kind_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(username="") | ~models.Q(group_name=""),
                name="rolechange_names_someone",
            ),
        ]

    def __str__(self) -> str:
        whom = self.username or self.group_name
        return f"{self.at:%d-%m-%Y %H:%M} {self.get_kind_display()}: {whom}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RoleChangeAppendOnlyError("Role changes are append-only: they cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RoleChangeAppendOnlyError("Role changes are append-only: they cannot be deleted.")

    @property
    def role_label(self) -> str:
        """The role's name in the user's language (a group that is no role: its name)."""
        if self.group_name in Role.values:
            return str(Role(self.group_name).label)
        return self.group_name


class AccessVersion(models.Model):
    """A number per user, raised whenever something that decides what the user may see
    changes: their roles (groups), team memberships, consultant areas and cover, plan
    participations, partner organisation and break-the-glass grants
    (`teams.services.access_versions_bump`, connected to those models' saves and deletes and to
    `User.groups` changes). The per-user access facts are cached under it
    (`cases.access_facts`), so every web process sees a change on its next request, whatever
    the cache. A user without a row has version 0."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        primary_key=True,
        related_name="access_version",
        verbose_name=_("user"),
    )
    version = models.PositiveBigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("access version")
        verbose_name_plural = _("access versions")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.version}"
