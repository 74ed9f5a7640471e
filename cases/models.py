import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.validators import validate_bsn
from teams.models import Neighbourhood
from teams.validators import format_postcode, validate_postcode


class ResidentQuerySet(models.QuerySet):
    pass


class Resident(models.Model):
    """An inwoner. The BSN identifies a person; someone known only by name (e.g. from a
    signal) may be registered without one."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # NULL, not "", for "no BSN known": the unique constraint must not treat unknowns as equal
    bsn = models.CharField(  # noqa: DJ001
        _("BSN"),
        max_length=9,
        null=True,
        blank=True,
        validators=[validate_bsn],
        help_text=_("Citizen service number: 9 digits, valid by the elfproef."),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    name_prefix = models.CharField(
        _("name prefix"), max_length=20, blank=True, help_text=_("e.g. van, de, van der")
    )
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["bsn"],
                name="resident_bsn_unique",
                violation_error_message=_("A resident with this BSN is already registered."),
            ),
            models.CheckConstraint(
                condition=models.Q(bsn__isnull=True) | models.Q(bsn__regex=r"^[0-9]{9}$"),
                name="resident_bsn_nine_digits",
            ),
        ]
        indexes = [
            models.Index(Upper("last_name"), name="resident_last_name_upper_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(
            part for part in (self.first_name, self.name_prefix, self.last_name) if part
        )


class HouseholdQuerySet(models.QuerySet):
    def with_area(self):
        return self.select_related("neighbourhood__district__team")


class Household(models.Model):
    """A huishouden at one address: the unit of one plan and one coordinating professional."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    street = models.CharField(_("street"), max_length=150)
    house_number = models.PositiveIntegerField(_("house number"))
    house_number_addition = models.CharField(_("addition"), max_length=10, blank=True)
    postcode = models.CharField(
        _("postcode"),
        max_length=6,
        validators=[validate_postcode],
        help_text=_("Four digits and two letters, e.g. 1234 AB."),
    )
    city = models.CharField(_("city"), max_length=100)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("neighbourhood"),
        help_text=_("Derived from the postcode."),
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordinated_households",
        verbose_name=_("coordinator"),
        help_text=_("The one coordinating professional (regisseur) for this household."),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every change; detects concurrent edits.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["postcode", "house_number", "house_number_addition"]
        indexes = [
            models.Index(fields=["postcode", "house_number"], name="household_address_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.address_line}, {self.postcode_display} {self.city}"

    @property
    def address_line(self) -> str:
        addition = f"-{self.house_number_addition}" if self.house_number_addition else ""
        return f"{self.street} {self.house_number}{addition}"

    @property
    def postcode_display(self) -> str:
        return format_postcode(self.postcode)


class MembershipRole(models.TextChoices):
    PARENT = "parent", _("Parent")
    PARTNER = "partner", _("Partner")
    CHILD = "child", _("Child")
    OTHER = "other", _("Other")


class HouseholdMembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(start_date__lte=on).filter(
            models.Q(end_date__isnull=True) | models.Q(end_date__gt=on)
        )


class HouseholdMembership(models.Model):
    """A resident's membership of a household over time: moves keep their history."""

    household = models.ForeignKey(
        Household, models.CASCADE, related_name="memberships", verbose_name=_("household")
    )
    resident = models.ForeignKey(
        Resident, models.CASCADE, related_name="memberships", verbose_name=_("resident")
    )
    role = models.CharField(_("role"), max_length=20, choices=MembershipRole.choices)
    start_date = models.DateField(_("from"), default=timezone.localdate)
    end_date = models.DateField(_("until"), null=True, blank=True)

    objects = HouseholdMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("household membership")
        verbose_name_plural = _("household memberships")
        ordering = ["start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=models.Q(end_date__isnull=True),
                name="membership_one_open_per_resident",
                violation_error_message=_("This resident already lives in another household."),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} – {self.household}"


class MeldingChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    COUNTER = "counter", _("Walk-in")
    EMAIL = "email", _("E-mail")
    WEBSITE = "website", _("Website")
    HOME_VISIT = "home_visit", _("Home visit")
    SIGNAL = "signal", _("From a signal")


class MeldingStatus(models.TextChoices):
    OPEN = "open", _("Investigation running")
    COMPLETED = "completed", _("Investigation completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MeldingQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=MeldingStatus.OPEN)


class Melding(models.Model):
    """A request for help. Wmo 2015: the investigation is completed within 6 weeks of the
    melding date; the deadline is stored so that queues can sort and index on it."""

    INVESTIGATION_WEEKS = 6

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="meldingen", verbose_name=_("household")
    )
    received_on = models.DateField(_("date of the request"), default=timezone.localdate)
    channel = models.CharField(_("channel"), max_length=20, choices=MeldingChannel.choices)
    question = models.TextField(_("question in the resident's own words"), max_length=5000)
    investigation_deadline = models.DateField(_("investigation deadline"), editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=MeldingStatus.choices, default=MeldingStatus.OPEN
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MeldingQuerySet.as_manager()

    class Meta:
        verbose_name = _("request for help")
        verbose_name_plural = _("requests for help")
        ordering = ["investigation_deadline"]
        indexes = [
            models.Index(
                fields=["status", "investigation_deadline"], name="melding_status_deadline_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} ({self.received_on:%d-%m-%Y})"

    def save(self, *args, **kwargs):
        self.investigation_deadline = self.deadline_for(self.received_on)
        super().save(*args, **kwargs)

    @classmethod
    def deadline_for(cls, received_on: datetime.date) -> datetime.date:
        return received_on + datetime.timedelta(weeks=cls.INVESTIGATION_WEEKS)

    @property
    def days_left(self) -> int:
        return (self.investigation_deadline - timezone.localdate()).days

    @property
    def is_overdue(self) -> bool:
        return self.status == MeldingStatus.OPEN and self.days_left < 0


class CoordinatorChange(models.Model):
    """One household moved from one coordinator (regisseur) to another: the record of a
    caseload transfer, e.g. when a team member leaves."""

    household = models.ForeignKey(
        Household,
        models.CASCADE,
        related_name="coordinator_changes",
        verbose_name=_("household"),
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("previous coordinator"),
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("new coordinator"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("change of coordinator")
        verbose_name_plural = _("changes of coordinator")
        ordering = ["-changed_at"]
        indexes = [models.Index(fields=["household", "-changed_at"], name="coordinator_change_idx")]

    def __str__(self) -> str:
        return f"{self.household}: {self.from_user} → {self.to_user}"


class SignalSource(models.TextChoices):
    NEIGHBOUR = "neighbour", _("Neighbour")
    GP = "gp", _("General practitioner")
    HOUSING_CORPORATION = "housing_corporation", _("Housing corporation")
    SCHOOL = "school", _("School")
    POLICE = "police", _("Police")
    OTHER = "other", _("Other")


class SignalStatus(models.TextChoices):
    OPEN = "open", _("Awaiting triage")
    CONVERTED = "converted", _("Turned into a request for help")
    CLOSED = "closed", _("Closed")


class SignalQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=SignalStatus.OPEN)


class Signal(models.Model):
    """A signaal: a third party's concern about a resident. It is about a known household
    (and possibly one of its residents) or about a person known only by what the reporter
    knows. It waits in the triage queue of the team of the area until someone turns it into
    a melding or closes it with a reason."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source_type = models.CharField(_("reported by"), max_length=30, choices=SignalSource.choices)
    reporter_name = models.CharField(_("name of the reporter"), max_length=150)
    reporter_contact = models.CharField(_("reporter's phone or e-mail"), max_length=150, blank=True)
    observation = models.TextField(_("what the reporter saw"), max_length=5000)
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    household = models.ForeignKey(
        Household,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="signals",
        verbose_name=_("household"),
    )
    resident = models.ForeignKey(
        Resident,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="signals",
        verbose_name=_("resident"),
    )
    subject_name = models.CharField(
        _("name of the person"),
        max_length=200,
        blank=True,
        help_text=_("When the person is not (yet) known: the name as far as the reporter knows."),
    )
    subject_birth_date = models.DateField(_("date of birth of the person"), null=True, blank=True)
    subject_address = models.CharField(
        _("address of the person"), max_length=200, blank=True, help_text=_("As far as known.")
    )
    subject_postcode = models.CharField(
        _("postcode of the person"), max_length=6, blank=True, validators=[validate_postcode]
    )
    team = models.ForeignKey(
        "teams.Team",
        models.PROTECT,
        related_name="signals",
        verbose_name=_("neighbourhood team"),
        help_text=_("The team of the area; its members triage the signal."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SignalStatus.choices, default=SignalStatus.OPEN
    )
    melding = models.OneToOneField(
        Melding,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="signal",
        verbose_name=_("request for help"),
    )
    close_reason = models.TextField(_("reason for closing"), max_length=2000, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SignalQuerySet.as_manager()

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        ordering = ["received_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(household__isnull=False) | ~models.Q(subject_name=""),
                name="signal_has_a_subject",
                violation_error_message=_(
                    "Choose the household or give the name of the person the signal is about."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(status=SignalStatus.CONVERTED)
                | models.Q(melding__isnull=False),
                name="signal_converted_has_melding",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=SignalStatus.CLOSED) | ~models.Q(close_reason=""),
                name="signal_closed_has_reason",
                violation_error_message=_("Give the reason for closing the signal."),
            ),
        ]
        indexes = [
            models.Index(fields=["team", "status", "received_on"], name="signal_team_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_type_display()} ({self.received_on:%d-%m-%Y})"

    @property
    def subject_display(self) -> str:
        if self.resident_id:
            return self.resident.full_name
        if self.household_id:
            return str(self.household)
        return self.subject_name

    @property
    def subject_postcode_display(self) -> str:
        return format_postcode(self.subject_postcode) if self.subject_postcode else ""


class ResidentMergeRecord(models.Model):
    """Two person records turned out to be one person: what was merged into what, by whom.
    The removed record is gone; its identifying data stays here."""

    kept = models.ForeignKey(
        Resident,
        models.PROTECT,
        related_name="merge_records",
        verbose_name=_("kept person record"),
    )
    removed_uuid = models.UUIDField(_("UUID of the removed record"))
    removed_bsn = models.CharField(  # noqa: DJ001 - NULL when the removed record had no BSN
        _("BSN of the removed record"), max_length=9, null=True, blank=True
    )
    removed_name = models.CharField(_("name on the removed record"), max_length=250)
    removed_birth_date = models.DateField(
        _("date of birth on the removed record"), null=True, blank=True
    )
    moved = models.JSONField(
        _("moved relations"),
        default=dict,
        blank=True,
        help_text=_("How many related rows moved, per model."),
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("merged by"),
    )
    merged_at = models.DateTimeField(_("merged at"), default=timezone.now)

    class Meta:
        verbose_name = _("merge of person records")
        verbose_name_plural = _("merges of person records")
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.removed_name} → {self.kept}"


# The access log lives in its own module; importing it here registers the model with the app.
from cases.access_log import AccessLogEntry  # noqa: E402, F401
from cases.provisions import *  # noqa: E402, F403 - provision models live in their own module
