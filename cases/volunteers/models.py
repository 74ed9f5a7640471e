"""The reciprocity register (wederkerigheid): volunteers (vrijwilligers) and whom they help.

A volunteer is a person, never free text: a `Resident` row of the person register. A resident
who was helped becomes a volunteer with their own row; someone who lives outside the
municipality's register gets a `Resident` row without a BSN and without a household (a person
record, like someone known only by name from a signal). Every volunteer is registered with a
consent of the consent register for the purpose `ConsentPurpose.VOLUNTEER_REGISTER`
(`cases.consent`); a volunteer whose consent was withdrawn or expired is no longer findable.

`Volunteering` links a volunteer to a household they help (and optionally the resident in it),
since when and what: it owns the entry in that household's informal network
(`Volunteering.network_member`; from the entry, `member.volunteering`), so a plan action
carried by the volunteer is an action of that network member. Writes in
`cases.volunteers.services`, reads in `cases.volunteers.selectors` (docs/volunteers.md)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OfferCategory(models.TextChoices):
    """What a volunteer offers: the filter of the find-a-volunteer page."""

    BUDDY = "buddy", _("Buddy and company (maatje)")
    ERRANDS = "errands", _("Shopping and errands")
    TRANSPORT = "transport", _("Transport and going along to appointments")
    ODD_JOBS = "odd_jobs", _("Odd jobs in and around the house")
    PAPERWORK = "paperwork", _("Help with letters and paperwork")
    LANGUAGE = "language", _("Practising Dutch (taalmaatje)")
    CHILDREN = "children", _("Help with children and parenting")
    EXPERIENCE = "experience", _("Expert by experience")
    OTHER = "other", _("Other")


class VolunteerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_on__isnull=True)


class Volunteer(models.Model):
    """One person in the reciprocity register: where they volunteer, what they offer, under
    which consent."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resident = models.OneToOneField(
        "cases.Resident",
        models.PROTECT,
        related_name="volunteer",
        verbose_name=_("person"),
    )
    district = models.ForeignKey(
        "teams.District",
        models.PROTECT,
        related_name="volunteers",
        verbose_name=_("district"),
        help_text=_("The district where the volunteer wants to help."),
    )
    offer_note = models.TextField(
        _("what they offer, in their own words"), max_length=2000, blank=True
    )
    availability = models.CharField(
        _("when available"),
        max_length=200,
        blank=True,
        help_text=_("For example: weekday mornings."),
    )
    consent = models.ForeignKey(
        "cases.Consent",
        models.PROTECT,
        related_name="+",
        verbose_name=_("consent"),
        help_text=_("The consent to be in the volunteer register."),
    )
    started_on = models.DateField(_("volunteer since"))
    ended_on = models.DateField(_("stopped on"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["resident__last_name", "resident__first_name", "pk"]
        indexes = [models.Index(fields=["district", "ended_on"], name="volunteer_district_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="volunteer_ended_after_started",
            ),
        ]

    def __str__(self) -> str:
        return str(self.resident)

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class VolunteerOffer(models.Model):
    """One category a volunteer offers (a row each, so the list filters on it in SQL)."""

    volunteer = models.ForeignKey(
        Volunteer, models.CASCADE, related_name="offers", verbose_name=_("volunteer")
    )
    category = models.CharField(_("offer"), max_length=20, choices=OfferCategory.choices)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["category"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "category"], name="volunteeroffer_one_per_category"
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=OfferCategory.values),
                name="volunteeroffer_category_known",
            ),
        ]
        indexes = [models.Index(fields=["category", "volunteer"], name="volunteeroffer_cat_idx")]

    def __str__(self) -> str:
        return self.get_category_display()


class VolunteeringQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_on__isnull=True)


class Volunteering(models.Model):
    """A volunteer helps a household (and, where named, one resident in it): since when and
    what. Its `network_member` is the entry in the household's informal network that the plan's
    actions can name as owner."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    volunteer = models.ForeignKey(
        Volunteer, models.PROTECT, related_name="volunteerings", verbose_name=_("volunteer")
    )
    household = models.ForeignKey(
        "cases.Household",
        models.PROTECT,
        related_name="volunteerings",
        verbose_name=_("household"),
    )
    helped_resident = models.ForeignKey(
        "cases.Resident",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("helped resident"),
    )
    network_member = models.OneToOneField(
        "cases.InformalNetworkMember",
        models.PROTECT,
        related_name="volunteering",
        verbose_name=_("network entry"),
    )
    category = models.CharField(_("offer"), max_length=20, choices=OfferCategory.choices)
    what = models.CharField(_("what the volunteer does"), max_length=300)
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = VolunteeringQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteering")
        verbose_name_plural = _("volunteerings")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "household"],
                condition=models.Q(ended_on__isnull=True),
                name="volunteering_one_active_per_household",
                violation_error_message=_("This volunteer already helps this household."),
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="volunteering_ended_after_started",
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=OfferCategory.values),
                name="volunteering_category_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} → {self.household}"
