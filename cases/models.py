import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.fields import DateListField
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


# --- Kitchen-table conversation, support plan, evaluation and aftercare -------------------------


class LifeDomain(models.TextChoices):
    """The 13 domains of the Zelfredzaamheid-Matrix (2017)."""

    FINANCES = "finances", _("Finances")
    WORK_EDUCATION = "work_education", _("Work and education")
    TIME_USE = "time_use", _("Use of time")
    HOUSING = "housing", _("Housing")
    DOMESTIC_RELATIONS = "domestic_relations", _("Domestic relationships")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    PHYSICAL_HEALTH = "physical_health", _("Physical health")
    SUBSTANCE_USE = "substance_use", _("Substance use")
    BASIC_ADL = "basic_adl", _("Basic daily living activities")
    INSTRUMENTAL_ADL = "instrumental_adl", _("Instrumental daily living activities")
    SOCIAL_NETWORK = "social_network", _("Social network")
    PARTICIPATION = "participation", _("Community participation")
    JUSTICE = "justice", _("Justice")


class SelfSufficiency(models.IntegerChoices):
    ACUTE = 1, _("1 – acute problems")
    NOT_SELF_SUFFICIENT = 2, _("2 – not self-sufficient")
    LIMITED = 3, _("3 – limited self-sufficiency")
    SUFFICIENT = 4, _("4 – sufficiently self-sufficient")
    FULLY = 5, _("5 – fully self-sufficient")


class BasicNeed(models.TextChoices):
    """Basic needs screened at intake; a crisis here comes first in the plan."""

    INCOME = "income", _("Income")
    DEBTS = "debts", _("Debts")
    HOUSING = "housing", _("Housing")
    FOOD = "food", _("Food")


# the life domain a plan goal for a basic-needs crisis belongs to
BASIC_NEED_DOMAIN = {
    BasicNeed.INCOME: LifeDomain.FINANCES,
    BasicNeed.DEBTS: LifeDomain.FINANCES,
    BasicNeed.HOUSING: LifeDomain.HOUSING,
    BasicNeed.FOOD: LifeDomain.INSTRUMENTAL_ADL,
}


class KitchenTableConversation(models.Model):
    """A keukentafelgesprek: the investigation after a melding, usually at home. Records the
    resident's story in their own words, what they and their network can do, the life-domain
    assessment (`LifeDomainScore`) and the basic-needs screening."""

    # what was said and agreed, in the order the form asks it (services, inzage export)
    NARRATIVE_FIELDS = (
        "held_on",
        "place",
        "other_participants",
        "resident_story",
        "own_strength",
        "network_strength",
        "general_provisions",
        "agreements",
        "resident_remarks",
    )

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="conversations", verbose_name=_("household")
    )
    melding = models.ForeignKey(
        Melding,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
        verbose_name=_("request for help"),
    )
    held_on = models.DateField(_("date"), default=timezone.localdate)
    place = models.CharField(_("place"), max_length=200, blank=True, help_text=_("e.g. at home"))
    participants = models.ManyToManyField(
        Resident,
        blank=True,
        related_name="conversations",
        verbose_name=_("residents taking part"),
    )
    other_participants = models.TextField(
        _("network and professionals taking part"),
        max_length=2000,
        blank=True,
        help_text=_("Family carer, neighbour, professionals: names and roles."),
    )
    resident_story = models.TextField(
        _("the resident's story"),
        max_length=10000,
        help_text=_("In the resident's own words."),
    )
    own_strength = models.TextField(
        _("what the resident can do themselves"), max_length=5000, blank=True
    )
    network_strength = models.TextField(_("what the network can do"), max_length=5000, blank=True)
    general_provisions = models.TextField(
        _("general provisions considered"), max_length=5000, blank=True
    )
    agreements = models.TextField(_("agreements and next steps"), max_length=5000, blank=True)
    resident_remarks = models.TextField(
        _("the resident's remarks on the report"), max_length=5000, blank=True
    )
    income_crisis = models.BooleanField(_("income: crisis"), default=False)
    income_note = models.CharField(_("income: note"), max_length=500, blank=True)
    debts_crisis = models.BooleanField(_("debts: crisis"), default=False)
    debts_note = models.CharField(_("debts: note"), max_length=500, blank=True)
    housing_crisis = models.BooleanField(_("housing: crisis"), default=False)
    housing_note = models.CharField(_("housing: note"), max_length=500, blank=True)
    food_crisis = models.BooleanField(_("food: crisis"), default=False)
    food_note = models.CharField(_("food: note"), max_length=500, blank=True)
    conducted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("conducted by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("kitchen-table conversation")
        verbose_name_plural = _("kitchen-table conversations")
        ordering = ["-held_on", "-created_at"]
        indexes = [models.Index(fields=["household", "-held_on"], name="conversation_hh_date_idx")]

    def __str__(self) -> str:
        return f"{self.household} ({self.held_on:%d-%m-%Y})"

    def basic_needs(self) -> list[dict]:
        """The screening as rows: need, label, crisis, note (crises first)."""
        rows = [
            {
                "need": need,
                "label": need.label,
                "crisis": getattr(self, f"{need.value}_crisis"),
                "note": getattr(self, f"{need.value}_note"),
            }
            for need in BasicNeed
        ]
        return sorted(rows, key=lambda row: not row["crisis"])

    @property
    def has_crisis(self) -> bool:
        return any(getattr(self, f"{need.value}_crisis") for need in BasicNeed)


class InformalNetworkKind(models.TextChoices):
    FAMILY_CARER = "family_carer", _("Family carer (mantelzorger)")
    NEIGHBOUR = "neighbour", _("Neighbour")
    VOLUNTEER = "volunteer", _("Volunteer or buddy (maatje)")
    EXPERT_BY_EXPERIENCE = "expert_by_experience", _("Expert by experience")
    OTHER = "other", _("Other")


class InformalNetworkMember(models.Model):
    """Someone from the household's informal network: they can own actions in the plan."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(
        Household, models.CASCADE, related_name="network_members", verbose_name=_("household")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=InformalNetworkKind.choices)
    name = models.CharField(_("name"), max_length=200)
    contact = models.CharField(
        _("contact details"), max_length=200, blank=True, help_text=_("Phone or e-mail.")
    )
    contribution = models.TextField(_("what they do"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("informal network member")
        verbose_name_plural = _("informal network members")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class SupportPlanQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=PlanStatus.ACTIVE)


class SupportPlan(models.Model):
    """An ondersteuningsplan: one family, one plan, one coordinator. At most one active plan
    per household (database constraint); after closure a new plan may start (relapse)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="plans", verbose_name=_("household")
    )
    conversation = models.ForeignKey(
        KitchenTableConversation,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("kitchen-table conversation"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinated_plans",
        verbose_name=_("coordinator"),
        help_text=_("The one coordinating professional (regisseur); required to activate."),
    )
    evaluation_date = models.DateField(_("evaluation date"), null=True, blank=True)
    aftercare_in_place = models.TextField(
        _("aftercare: what must be in place"),
        max_length=5000,
        blank=True,
        help_text=_("e.g. standby support, family carer, income, housing."),
    )
    aftercare_agreed_with = models.CharField(
        _("aftercare: agreed with whom"), max_length=500, blank=True
    )
    aftercare_check_in_dates = DateListField(
        verbose_name=_("aftercare: check-in dates"),
        default=list,
        blank=True,
        help_text=_("Dates to check in after the plan has closed."),
    )
    resident_agreed_on = models.DateField(
        _("resident's agreement (akkoord) on"), null=True, blank=True
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SupportPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(status="active"),
                name="supportplan_one_active_per_household",
                violation_error_message=_("This household already has an active support plan."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | (models.Q(coordinator__isnull=False) & ~models.Q(aftercare_in_place="")),
                name="supportplan_active_needs_coordinator_and_aftercare",
                violation_error_message=_(
                    "An active plan needs a coordinator and an aftercare section."
                ),
            ),
        ]
        indexes = [models.Index(fields=["household", "status"], name="plan_household_status_idx")]

    def __str__(self) -> str:
        return f"{self.household} ({self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    @property
    def is_active(self) -> bool:
        return self.status == PlanStatus.ACTIVE

    @property
    def is_closed(self) -> bool:
        return self.status == PlanStatus.CLOSED


class PlanGoal(models.Model):
    """A goal in the family's own words, for one life domain."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(
        SupportPlan, models.CASCADE, related_name="goals", verbose_name=_("support plan")
    )
    domain = models.CharField(_("life domain"), max_length=30, choices=LifeDomain.choices)
    basic_need = models.CharField(
        _("basic need in crisis"), max_length=10, choices=BasicNeed.choices, blank=True
    )
    description = models.TextField(
        _("goal"), max_length=2000, help_text=_("In the family's own words.")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_domain_display()}: {self.description[:60]}"


class ActionOwnerKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    NETWORK = "network", _("Network member")
    PROFESSIONAL = "professional", _("Professional")
    ORGANISATION = "organisation", _("Organisation")
    OTHER = "other", _("Other")


class PlanActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_on__isnull=True)


class PlanAction(models.Model):
    """Who does what, by when. The owner is one of: a resident, an informal network member,
    a professional (user), an organisation, or a name in free text."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(
        SupportPlan, models.CASCADE, related_name="actions", verbose_name=_("support plan")
    )
    goal = models.ForeignKey(
        PlanGoal,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("goal"),
    )
    description = models.TextField(_("action"), max_length=2000)
    owner_kind = models.CharField(_("who"), max_length=20, choices=ActionOwnerKind.choices)
    owner_resident = models.ForeignKey(
        Resident,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resident"),
    )
    owner_network_member = models.ForeignKey(
        InformalNetworkMember,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("network member"),
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_actions",
        verbose_name=_("professional"),
    )
    owner_organisation = models.ForeignKey(
        "networks.Organisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    owner_text = models.CharField(_("name"), max_length=200, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PlanActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = [models.F("due_on").asc(nulls_last=True), "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        owner_kind="resident",
                        owner_resident__isnull=False,
                        owner_network_member__isnull=True,
                        owner_user__isnull=True,
                        owner_organisation__isnull=True,
                    )
                    | models.Q(
                        owner_kind="network",
                        owner_resident__isnull=True,
                        owner_network_member__isnull=False,
                        owner_user__isnull=True,
                        owner_organisation__isnull=True,
                    )
                    | models.Q(
                        owner_kind="professional",
                        owner_resident__isnull=True,
                        owner_network_member__isnull=True,
                        owner_user__isnull=False,
                        owner_organisation__isnull=True,
                    )
                    | models.Q(
                        owner_kind="organisation",
                        owner_resident__isnull=True,
                        owner_network_member__isnull=True,
                        owner_user__isnull=True,
                        owner_organisation__isnull=False,
                    )
                    | (
                        models.Q(
                            owner_kind="other",
                            owner_resident__isnull=True,
                            owner_network_member__isnull=True,
                            owner_user__isnull=True,
                            owner_organisation__isnull=True,
                        )
                        & ~models.Q(owner_text="")
                    )
                ),
                name="planaction_owner_matches_kind",
                violation_error_message=_("Choose who carries out this action."),
            ),
        ]
        indexes = [models.Index(fields=["plan", "due_on"], name="planaction_plan_due_idx")]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def owner(self):
        return {
            ActionOwnerKind.RESIDENT: self.owner_resident,
            ActionOwnerKind.NETWORK: self.owner_network_member,
            ActionOwnerKind.PROFESSIONAL: self.owner_user,
            ActionOwnerKind.ORGANISATION: self.owner_organisation,
        }.get(self.owner_kind)

    @property
    def owner_name(self) -> str:
        owner = self.owner
        if owner is None:
            return self.owner_text
        if self.owner_kind == ActionOwnerKind.PROFESSIONAL:
            return owner.get_full_name() or owner.get_username()
        if self.owner_kind == ActionOwnerKind.NETWORK:
            return owner.name
        return str(owner)

    @property
    def is_overdue(self) -> bool:
        return (
            self.done_on is None and self.due_on is not None and self.due_on < timezone.localdate()
        )


class ParticipantStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class PlanParticipant(models.Model):
    """A professional brought into the household's plan ("erbij halen", not referring away)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(
        SupportPlan, models.CASCADE, related_name="participants", verbose_name=_("support plan")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="plan_participations",
        verbose_name=_("professional"),
    )
    role = models.CharField(_("role in the plan"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ParticipantStatus.choices,
        default=ParticipantStatus.INVITED,
    )
    decline_reason = models.TextField(_("reason for declining"), max_length=2000, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    invited_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan participant")
        verbose_name_plural = _("plan participants")
        ordering = ["invited_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "user"],
                name="planparticipant_once_per_plan",
                violation_error_message=_("This professional is already part of the plan."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="planparticipant_decline_has_reason",
                violation_error_message=_("Give a reason for declining."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.role}"


class SupportPlanVersion(models.Model):
    """A snapshot of an active plan's goals, actions and aftercare after every change: nothing
    is overwritten silently."""

    plan = models.ForeignKey(
        SupportPlan, models.CASCADE, related_name="versions", verbose_name=_("support plan")
    )
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("snapshot"))
    reason = models.CharField(_("change"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("support plan version")
        verbose_name_plural = _("support plan versions")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planversion_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class Evaluation(models.Model):
    """Re-scoring of the life domains for a plan; the difference with intake is the outcome."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(
        SupportPlan, models.PROTECT, related_name="evaluations", verbose_name=_("support plan")
    )
    evaluated_on = models.DateField(_("date"), default=timezone.localdate)
    notes = models.TextField(_("what went well, what did not"), max_length=5000, blank=True)
    conducted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("conducted by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-evaluated_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.plan} ({self.evaluated_on:%d-%m-%Y})"


class LifeDomainScore(models.Model):
    """One self-sufficiency score (1-5) for one life domain, belonging to exactly one
    assessment: a kitchen-table conversation (intake) or an evaluation."""

    conversation = models.ForeignKey(
        KitchenTableConversation,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="scores",
        verbose_name=_("kitchen-table conversation"),
    )
    evaluation = models.ForeignKey(
        Evaluation,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="scores",
        verbose_name=_("evaluation"),
    )
    domain = models.CharField(_("life domain"), max_length=30, choices=LifeDomain.choices)
    score = models.PositiveSmallIntegerField(_("score"), choices=SelfSufficiency.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("life-domain score")
        verbose_name_plural = _("life-domain scores")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5),
                name="lifedomainscore_score_1_to_5",
                violation_error_message=_("A score is between 1 and 5."),
            ),
            models.CheckConstraint(
                condition=models.Q(conversation__isnull=False, evaluation__isnull=True)
                | models.Q(conversation__isnull=True, evaluation__isnull=False),
                name="lifedomainscore_one_assessment",
            ),
            models.UniqueConstraint(
                fields=["conversation", "domain"],
                condition=models.Q(conversation__isnull=False),
                name="lifedomainscore_once_per_conversation",
            ),
            models.UniqueConstraint(
                fields=["evaluation", "domain"],
                condition=models.Q(evaluation__isnull=False),
                name="lifedomainscore_once_per_evaluation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_domain_display()}: {self.score}"


class CheckInStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DUE = "due", _("Due")
    DONE = "done", _("Done")


class AftercareCheckIn(models.Model):
    """A scheduled check-in after a plan closed (nazorg). A periodic task marks it due so it
    shows on the coordinator's list."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(
        SupportPlan, models.CASCADE, related_name="check_ins", verbose_name=_("support plan")
    )
    due_on = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=CheckInStatus.choices, default=CheckInStatus.PLANNED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("how it is going"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("aftercare check-in")
        verbose_name_plural = _("aftercare check-ins")
        ordering = ["due_on"]
        indexes = [models.Index(fields=["status", "due_on"], name="checkin_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.plan.household} ({self.due_on:%d-%m-%Y})"


# The access log lives in its own module; importing it here registers the model with the app.
from cases.access_log import AccessLogEntry  # noqa: E402, F401
from cases.allocation_requests import *  # noqa: E402, F403 - 315/317 requests, own module
from cases.avg import *  # noqa: E402, F403 - correction requests, destruction records (AVG)
from cases.break_glass import *  # noqa: E402, F403 - break-the-glass grants, own module
from cases.consent import *  # noqa: E402, F403 - the consent register lives in its own module
from cases.legal_terms import EquatedDay  # noqa: E402, F401 - Atw equated days, own module
from cases.progress_reports import ProgressReport  # noqa: E402, F401
from cases.provisions import *  # noqa: E402, F403 - provision models live in their own module
