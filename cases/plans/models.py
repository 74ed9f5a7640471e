import base64
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cases.fields import DateListField
from cases.households.models import Household, Resident
from cases.intake.models import (
    BasicNeed,
    InformalNetworkMember,
    KitchenTableConversation,
    LifeDomain,
)

# the life domain a plan goal for a basic-needs crisis belongs to
BASIC_NEED_DOMAIN = {
    BasicNeed.INCOME: LifeDomain.FINANCES,
    BasicNeed.DEBTS: LifeDomain.FINANCES,
    BasicNeed.HOUSING: LifeDomain.HOUSING,
    BasicNeed.FOOD: LifeDomain.INSTRUMENTAL_ADL,
}


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class SupportPlanQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=PlanStatus.ACTIVE)

    def open(self):
        """Draft or active: the plan a household works in now (at most one)."""
        return self.exclude(status=PlanStatus.CLOSED)


class SupportPlan(models.Model):
    """An ondersteuningsplan: one family, one plan, one coordinator. At most one active plan
    and one draft per household (database constraints; `plan_create` allows no draft beside an
    active plan either); after closure a new plan may start (relapse)."""

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
    no_agreement_reason = models.TextField(
        _("why there is no agreement"),
        max_length=2000,
        blank=True,
        help_text=_(
            "Recorded when the plan was activated without the resident's agreement of its "
            "current version."
        ),
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
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(status="draft"),
                name="supportplan_one_draft_per_household",
                violation_error_message=_("This household already has a draft support plan."),
            ),
            # the coordinator is the household's (one field, `Household.coordinator`): that an
            # active plan has one is held by `plan_activate` and `household_coordinator_set`
            models.CheckConstraint(
                condition=models.Q(status="draft") | ~models.Q(aftercare_in_place=""),
                name="supportplan_active_needs_aftercare",
                violation_error_message=_("An active plan needs an aftercare section."),
            ),
        ]
        indexes = [models.Index(fields=["household", "status"], name="plan_household_status_idx")]

    def __str__(self) -> str:
        return f"{self.household} ({self.get_status_display()})"

    @property
    def coordinator(self):
        """The household's coordinator (regisseur): one family, one plan, one coordinator, kept
        in one field (`Household.coordinator`), so plan and household cannot disagree. Read
        only: a change goes through `cases.households.services.household_coordinator_set`."""
        return self.household.coordinator

    @property
    def coordinator_id(self) -> int | None:
        return self.household.coordinator_id

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    @property
    def is_active(self) -> bool:
        return self.status == PlanStatus.ACTIVE

    @property
    def is_closed(self) -> bool:
        return self.status == PlanStatus.CLOSED


# instructions for writing a goal: shown as placeholder and help text, never stored as a goal
GOAL_PLACEHOLDER = _("Describe the goal in the family's own words.")
GOAL_HELP_TEXT = _("In the family's own words.")
GOAL_INSTRUCTIONS = (GOAL_PLACEHOLDER, GOAL_HELP_TEXT)


def _instruction_key(text: str) -> str:
    return " ".join(str(text).split()).casefold().rstrip(".")


def is_goal_instruction(text: str) -> bool:
    """The text is (only) one of the goal instructions, in English or any site language."""
    key = _instruction_key(text)
    if not key:
        return False
    known = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            known.update(_instruction_key(instruction) for instruction in GOAL_INSTRUCTIONS)
    return key in known


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
    description = models.TextField(_("goal"), max_length=2000, help_text=GOAL_HELP_TEXT)
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
    organisation = models.ForeignKey(
        "networks.Organisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
        help_text=_("The partner organisation an external professional works for."),
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


class PlanChangeReason(models.TextChoices):
    """Why a version of the plan was kept: stored as a code, shown in the reader's language."""

    DETAILS_CHANGED = "details_changed", _("Plan details changed")
    GOAL_ADDED = "goal_added", _("Goal added")
    GOAL_CHANGED = "goal_changed", _("Goal changed")
    GOAL_REMOVED = "goal_removed", _("Goal removed")
    ACTION_ADDED = "action_added", _("Action added")
    ACTION_CHANGED = "action_changed", _("Action changed")
    ACTION_REMOVED = "action_removed", _("Action removed")
    PARTICIPANT_INVITED = "participant_invited", _("Professional brought in")
    PARTICIPANT_ANSWERED = "participant_answered", _("Invitation answered")
    ACTIVATED = "activated", _("Plan activated")
    CLOSED = "closed", _("Plan closed")
    AGREED = "agreed", _("Agreement recorded")
    OTHER = "other", _("Other change")


class SupportPlanVersion(models.Model):
    """A snapshot of an active plan's goals, actions and aftercare after every change: nothing
    is overwritten silently."""

    plan = models.ForeignKey(
        SupportPlan, models.CASCADE, related_name="versions", verbose_name=_("support plan")
    )
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("snapshot"))
    reason = models.CharField(
        _("change"),
        max_length=30,
        choices=PlanChangeReason.choices,
        default=PlanChangeReason.OTHER,
    )
    reason_note = models.CharField(
        _("change in words"),
        max_length=200,
        blank=True,
        help_text=_("For another change: what changed, as it was written."),
    )
    content_changed = models.BooleanField(
        _("goals or actions changed"),
        default=False,
        help_text=_("A version after an agreement with this set marks the plan changed since."),
    )
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

    @property
    def reason_display(self) -> str:
        """The change in the reader's language; another change in the words it was kept in."""
        if self.reason == PlanChangeReason.OTHER and self.reason_note:
            return self.reason_note
        return str(self.get_reason_display())


class AgreementMethod(models.TextChoices):
    PAPER = "paper", _("Signed on paper")
    DEVICE = "device", _("Signed on the device")
    REPRESENTATIVE = "representative", _("By a representative")
    # only for agreements kept as a bare date before they were bound to a version
    DATE_ONLY = "date_only", _("Date only (recorded before agreements named a version)")


class SignatureMethod(models.TextChoices):
    """How the resident signed on the device (the resident's own view of the plan)."""

    TYPED = "typed", _("Typed name")
    DRAWN = "drawn", _("Drawn signature")


# a drawn signature is a PNG from the signature pad; larger than this is no signature
SIGNATURE_MAX_BYTES = 200_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def signature_png_problem(data: bytes) -> str:
    """Why `data` is not a drawn signature we keep (empty: it is one): a real PNG (its
    8-byte signature, then the IHDR chunk with a width and height of 1 to 4000 pixels), at
    most `SIGNATURE_MAX_BYTES`. The one check, called by `plan_agreement_record`."""
    if not data:
        return str(_("Draw your signature, or type your name."))
    if len(data) > SIGNATURE_MAX_BYTES:
        return str(_("The drawn signature is too large."))
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR" or len(data) < 33:
        return str(_("The drawn signature is not a picture we can keep (PNG)."))
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    if not (1 <= width <= 4000 and 1 <= height <= 4000):
        return str(_("The drawn signature is not a picture we can keep (PNG)."))
    return ""


class PlanAgreementQuerySet(models.QuerySet):
    def latest_first(self):
        return self.order_by("-version", "-agreed_on", "-pk")


class PlanAgreement(models.Model):
    """The resident's agreement (akkoord) with one version of the plan: who agreed, how and
    on which version (`SupportPlanVersion.number`; 0 for a draft agreed before any version
    existed, from the data migration only). A version after it that changed goals or actions
    (`SupportPlanVersion.content_changed`) marks the plan changed since the agreement, until
    it is agreed again (`cases.plans.selectors.plan_agreement_state`)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(
        SupportPlan, models.CASCADE, related_name="agreements", verbose_name=_("support plan")
    )
    version = models.PositiveIntegerField(_("version agreed"))
    method = models.CharField(_("how"), max_length=20, choices=AgreementMethod.choices)
    resident = models.ForeignKey(
        Resident,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_agreements",
        verbose_name=_("resident"),
        help_text=_("The resident who agreed, or on whose behalf the representative agreed."),
    )
    agreed_by_name = models.CharField(
        _("agreed by"),
        max_length=200,
        blank=True,
        help_text=_("The name of who agreed: the resident, or the representative."),
    )
    representative_capacity = models.CharField(
        _("representative's capacity"),
        max_length=200,
        blank=True,
        help_text=_("e.g. guardian, mentor, curator, parent."),
    )
    agreed_on = models.DateField(_("agreed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    signature_method = models.CharField(
        _("signature"),
        max_length=10,
        choices=SignatureMethod.choices,
        blank=True,
        # also in the database: bulk writers (the municipality generator's COPY) leave it out
        default="",
        db_default="",
        help_text=_("Signed on the device in the resident's view of the plan: typed or drawn."),
    )
    signature_name = models.CharField(
        _("typed signature"), max_length=200, blank=True, default="", db_default=""
    )
    signature_image = models.BinaryField(
        _("drawn signature (PNG)"), null=True, blank=True, editable=False
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = PlanAgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["plan", "-version", "-agreed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(method="date_only") | ~models.Q(agreed_by_name=""),
                name="planagreement_names_who_agreed",
                violation_error_message=_("Name who agreed."),
            ),
            models.CheckConstraint(
                condition=~models.Q(method__in=["paper", "device"])
                | models.Q(resident__isnull=False),
                name="planagreement_resident_signs_self",
                violation_error_message=_("Choose the resident who signed."),
            ),
            models.CheckConstraint(
                condition=~models.Q(method="representative")
                | ~models.Q(representative_capacity=""),
                name="planagreement_representative_capacity",
                violation_error_message=_("Say in what capacity the representative agreed."),
            ),
            models.CheckConstraint(
                condition=models.Q(
                    signature_method="", signature_name="", signature_image__isnull=True
                )
                | (
                    models.Q(
                        method="device", signature_method="typed", signature_image__isnull=True
                    )
                    & ~models.Q(signature_name="")
                )
                | models.Q(
                    method="device",
                    signature_method="drawn",
                    signature_name="",
                    signature_image__isnull=False,
                ),
                name="planagreement_signature_matches_method",
                violation_error_message=_("A signature on the device is typed or drawn."),
            ),
        ]
        indexes = [models.Index(fields=["plan", "-version"], name="planagreement_plan_version")]

    def __str__(self) -> str:
        return f"{self.plan} v{self.version} ({self.agreed_on:%d-%m-%Y})"

    @property
    def signature_data_url(self) -> str:
        """The drawn signature as an image address for the page (CSP allows data: images)."""
        if not self.signature_image:
            return ""
        return "data:image/png;base64," + base64.b64encode(bytes(self.signature_image)).decode()

    @property
    def who(self) -> str:
        """The resident who signed (their name now), else the name recorded."""
        if self.method in (AgreementMethod.PAPER, AgreementMethod.DEVICE) and self.resident_id:
            return self.resident.full_name
        return self.agreed_by_name


class PlanDecline(models.Model):
    """The resident does not agree (niet akkoord) with one version of the plan, with the
    reason in their words: recorded on the device in the resident's view of the plan
    (`services.plan_decline_record`) and shown to the coordinator on the plan page. It changes
    nothing else: the plan stays as it is until the coordinator changes it with the resident."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(
        SupportPlan, models.CASCADE, related_name="declines", verbose_name=_("support plan")
    )
    version = models.PositiveIntegerField(_("version declined"))
    resident = models.ForeignKey(
        Resident,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_declines",
        verbose_name=_("resident"),
    )
    reason = models.TextField(_("reason"), max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("declined plan")
        verbose_name_plural = _("declined plans")
        ordering = ["plan", "-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="plandecline_has_reason",
                violation_error_message=_("Say why you do not agree."),
            ),
        ]
        indexes = [models.Index(fields=["plan", "-recorded_at"], name="plandecline_plan_at")]

    def __str__(self) -> str:
        return f"{self.plan} v{self.version} ({self.recorded_at:%d-%m-%Y})"


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
