"""Provisions: referrals to general provisions, applications (aanvragen) for individual
provisions, decisions (beschikkingen), allocations (toewijzingen), subsidy signals, team-mandate
spending, budget commitments and in-app notifications.

Imported at the bottom of `cases/models.py`, so these are models of the `cases` app."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from networks.models import (
    BudgetStream,
    EndReason,
    Frequency,
    GeneralProvision,
    Law,
    Organisation,
    Product,
    Unit,
)
from teams.models import District, Team, TeamMandate

MONEY = {"max_digits": 12, "decimal_places": 2}


class ReferralOutcome(models.TextChoices):
    PENDING = "pending", _("Not yet followed up")
    HELPED = "helped", _("It helped")
    PARTLY = "partly", _("It helped partly")
    NOT_HELPED = "not_helped", _("It did not help")
    NOT_USED = "not_used", _("Not used")


class GeneralProvisionReferral(models.Model):
    """A household is pointed to a general provision: no decision needed, with a follow-up
    question later on (did it help?)."""

    FOLLOW_UP_WEEKS = 4

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(
        "cases.Household",
        models.CASCADE,
        related_name="provision_referrals",
        verbose_name=_("household"),
    )
    provision = models.ForeignKey(
        GeneralProvision,
        models.PROTECT,
        related_name="referrals",
        verbose_name=_("general provision"),
    )
    plan = models.ForeignKey(
        "cases.SupportPlan",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="provision_referrals",
        verbose_name=_("support plan"),
        help_text=_("The household's plan this comes from."),
    )
    reason = models.TextField(_("why this provision"), max_length=2000, blank=True)
    referred_on = models.DateField(_("referred on"), default=timezone.localdate)
    follow_up_on = models.DateField(_("follow up on"))
    outcome = models.CharField(
        _("did it help?"),
        max_length=20,
        choices=ReferralOutcome.choices,
        default=ReferralOutcome.PENDING,
    )
    outcome_note = models.TextField(_("follow-up note"), max_length=2000, blank=True)
    followed_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    decision = models.ForeignKey(
        "cases.ProvisionDecision",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("decision"),
        help_text=_("Set when a consultant referred back to this provision."),
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referred by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("referral to a general provision")
        verbose_name_plural = _("referrals to general provisions")
        ordering = ["-referred_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome=ReferralOutcome.PENDING, followed_up_on__isnull=True)
                | (
                    ~models.Q(outcome=ReferralOutcome.PENDING)
                    & models.Q(followed_up_on__isnull=False)
                ),
                name="referral_followed_up_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provision} ({self.referred_on:%d-%m-%Y})"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    AWAITING_COSIGN = "awaiting_cosign", _("Awaiting co-signature")
    GRANTED = "granted", _("Granted")
    REJECTED = "rejected", _("Rejected")
    REFERRED_BACK = "referred_back", _("Referred to a general provision")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW)


UNDECIDED_STATUSES = (*OPEN_STATUSES, ApplicationStatus.AWAITING_COSIGN)


# Which status may follow which. Deciding happens from an open status; a grant above the
# four-eyes amount waits for a second consultant first.
APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    ApplicationStatus.SUBMITTED: frozenset(
        {
            ApplicationStatus.IN_REVIEW,
            ApplicationStatus.AWAITING_COSIGN,
            ApplicationStatus.GRANTED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.REFERRED_BACK,
            ApplicationStatus.WITHDRAWN,
        }
    ),
    ApplicationStatus.IN_REVIEW: frozenset(
        {
            ApplicationStatus.IN_REVIEW,  # re-assigned to a colleague
            ApplicationStatus.AWAITING_COSIGN,
            ApplicationStatus.GRANTED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.REFERRED_BACK,
            ApplicationStatus.WITHDRAWN,
        }
    ),
    ApplicationStatus.AWAITING_COSIGN: frozenset({ApplicationStatus.GRANTED}),
    ApplicationStatus.GRANTED: frozenset(),
    ApplicationStatus.REJECTED: frozenset(),
    ApplicationStatus.REFERRED_BACK: frozenset(),
    ApplicationStatus.WITHDRAWN: frozenset(),
}


# The statutory decision term per law, in weeks: Wmo 2015 art. 2.3.5 two weeks; Jeugdwet and
# Participatiewet set none, so the Awb 4:13 maximum of eight weeks. The deadline is computed
# only by `cases.provisions.selectors.application_decision_deadline`.
DECISION_WEEKS = {Law.WMO: 2, Law.YOUTH: 8, Law.PARTICIPATION: 8}

# The laws that set the decision term themselves (Wmo 2015 art. 2.3.5). A notice of delay
# (Awb 4:14(1)) never moves such a term: the decision is late after it. Under the other laws
# the term is the reasonable one of Awb 4:13, and a notice given within it sets a new
# reasonable term (Awb 4:14(3)).
LAWS_WITH_STATUTORY_DECISION_TERM = frozenset({Law.WMO})

# Participatiewet art. 52: while the right to algemene bijstand is not established, an advance
# is due within four weeks of the application and every four weeks after.
ADVANCE_WEEKS = 4

# An application's number as people quote it: the prefix and its id, "A-123" (docs/search.md)
APPLICATION_NUMBER_PREFIX = "A"


class ProvisionApplicationQuerySet(models.QuerySet):
    def undecided(self):
        return self.filter(status__in=UNDECIDED_STATUSES)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def with_context(self):
        return self.select_related(
            "product", "household__neighbourhood__district", "assigned_to", "applied_by"
        )


def district_of_household(household_id) -> int | None:
    """The district of a household's address (None without a neighbourhood): one query."""
    from cases.households.models import Household

    return (
        Household.objects.filter(pk=household_id)
        .values_list("neighbourhood__district_id", flat=True)
        .first()
    )


class ProvisionApplication(models.Model):
    """An aanvraag for an individual provision. The legal clock starts at `applied_on`:
    Wmo 2 weeks, Jeugdwet and Participatiewet 8 weeks; the deadline is computed by the service
    that creates the application (`selectors.application_decision_deadline`) and stored, so the
    queue can sort and index on it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(
        "cases.Household",
        models.PROTECT,
        related_name="provision_applications",
        verbose_name=_("household"),
    )
    product = models.ForeignKey(
        Product, models.PROTECT, related_name="applications", verbose_name=_("product")
    )
    law = models.CharField(_("law"), max_length=20, choices=Law.choices, editable=False)
    # the district of the household's address, kept here (set on submit, updated by a move) so
    # that the consultant's queue and its count filter the applications alone, without a join
    # to households (docs/performance.md)
    district = models.ForeignKey(
        "teams.District",
        models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("district"),
    )
    resident = models.ForeignKey(
        "cases.Resident",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="provision_applications",
        verbose_name=_("for whom"),
    )
    plan = models.ForeignKey(
        "cases.SupportPlan",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="provision_applications",
        verbose_name=_("support plan"),
        help_text=_("The household's plan this comes from."),
    )
    motivation = models.TextField(
        _("motivation"),
        max_length=5000,
        help_text=_("Why this provision, in the light of the conversation's life domains."),
    )
    applied_on = models.DateField(_("applied on"), default=timezone.localdate)
    decision_deadline = models.DateField(_("legal decision deadline"), editable=False)
    advance_due_on = models.DateField(
        _("next advance due"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Algemene bijstand: the day the next advance is due (Participatiewet art. 52), "
            "until the decision or a recorded exception."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_applications",
        verbose_name=_("consultant"),
    )
    budget_override_reason = models.TextField(
        _("reason to exceed the budget"),
        max_length=2000,
        blank=True,
        help_text=_("A team lead's approval to grant this application beyond its stream's budget."),
    )
    budget_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beyond the budget approved by"),
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applied by"),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every change; detects concurrent edits.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProvisionApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["decision_deadline", "pk"]
        indexes = [
            models.Index(fields=["status", "decision_deadline"], name="application_deadline_idx"),
            models.Index(fields=["law", "status"], name="application_law_status_idx"),
            # The consultant's queue: undecided applications, soonest deadline first, read in
            # index order so the first page stops early (docs/performance.md).
            models.Index(
                fields=["decision_deadline", "id"],
                condition=models.Q(status__in=UNDECIDED_STATUSES),
                name="application_queue_idx",
            ),
            # the work area's queue and its count: undecided applications of one district
            # and law domain (the consultant's areas), in deadline order per area
            models.Index(
                fields=["district", "law", "decision_deadline", "id"],
                condition=models.Q(status__in=UNDECIDED_STATUSES),
                name="application_area_queue_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision_deadline__gte=models.F("applied_on")),
                name="application_deadline_after_applied",
            ),
            models.CheckConstraint(
                condition=models.Q(advance_due_on__isnull=True)
                | models.Q(advance_due_on__gt=models.F("applied_on")),
                name="application_advance_after_applied",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} ({self.applied_on:%d-%m-%Y})"

    def save(self, *args, **kwargs):
        self.law = self.product.law  # the law follows the product
        if self._state.adding and self.district_id is None:
            self.district_id = district_of_household(self.household_id)
        super().save(*args, **kwargs)

    @property
    def number(self) -> str:
        """The application number: "A-" and its id (the header search finds it)."""
        return f"{APPLICATION_NUMBER_PREFIX}-{self.pk}"

    @property
    def days_left(self) -> int:
        return (self.decision_deadline - timezone.localdate()).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def is_overdue(self) -> bool:
        return self.status in UNDECIDED_STATUSES and self.days_left < 0

    @property
    def is_decided(self) -> bool:
        return self.status not in UNDECIDED_STATUSES

    def can_move_to(self, status: str) -> bool:
        return status in APPLICATION_TRANSITIONS[self.status]


class DecisionOutcome(models.TextChoices):
    GRANT = "grant", _("Grant")
    REJECT = "reject", _("Reject")
    REFER_BACK = "refer_back", _("Refer to a general provision")


class Delivery(models.TextChoices):
    IN_KIND = "in_kind", _("In kind (zorg in natura)")
    PGB = "pgb", _("Personal budget (pgb)")


def _all_or_none(*names: str) -> models.Q:
    """Q: either every extent field is filled, or none is."""
    empty = models.Q()
    filled = models.Q()
    for name, blank in names:
        empty &= models.Q(**{f"{name}__isnull": True}) if blank is None else models.Q(**{name: ""})
        filled &= (
            models.Q(**{f"{name}__isnull": False}) if blank is None else ~models.Q(**{name: ""})
        )
    return empty | filled


class ProvisionDecision(models.Model):
    """A beschikking on one application: grant, reject or refer back to a general provision.
    One decision per application (unique in the database); a grant above the four-eyes amount
    is only final once a second consultant co-signs."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.OneToOneField(
        ProvisionApplication,
        models.PROTECT,
        related_name="decision",
        verbose_name=_("application"),
    )
    outcome = models.CharField(_("decision"), max_length=20, choices=DecisionOutcome.choices)
    product = models.ForeignKey(
        Product,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("product"),
    )
    volume = models.PositiveIntegerField(_("volume"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=2, choices=Unit.choices, blank=True)
    frequency = models.CharField(
        _("frequency"), max_length=1, choices=Frequency.choices, blank=True
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    delivery = models.CharField(
        _("form of delivery"), max_length=10, choices=Delivery.choices, blank=True
    )
    provider = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("provider"),
    )
    amount = models.DecimalField(_("amount (€)"), null=True, blank=True, **MONEY)
    reasons = models.TextField(_("reasons"), max_length=5000, blank=True)
    general_provision = models.ForeignKey(
        GeneralProvision,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="refer_back_decisions",
        verbose_name=_("general provision to try first"),
    )
    is_deviation = models.BooleanField(
        _("justified deviation from the regulation (maatwerk)"), default=False
    )
    deviation_justification = models.TextField(
        _("justification of the deviation"), max_length=5000, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    cosign_required = models.BooleanField(_("co-signature required"), default=False)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("co-signed by"),
    )
    cosigned_at = models.DateTimeField(_("co-signed at"), null=True, blank=True)
    # The letter (Awb 6:7/6:8): the day the decision was made known (sent or handed over),
    # set when the letter is issued and changed by the consultant, which re-issues it. The
    # objection term is stored with it, computed by the service that sets the day.
    made_known_on = models.DateField(
        _("made known on"),
        null=True,
        blank=True,
        help_text=_("The day the decision letter was sent or handed over."),
    )
    objection_deadline = models.DateField(
        _("last day to object"), null=True, blank=True, editable=False
    )
    letter_version = models.PositiveIntegerField(
        _("letter version"), default=0, db_default=0, editable=False
    )
    letter_issued_at = models.DateTimeField(
        _("letter issued at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=_all_or_none(("volume", None), ("unit", ""), ("frequency", "")),
                name="decision_extent_all_or_none",
                violation_error_message=_(
                    "The extent consists of volume, unit and frequency: fill in all three."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome=DecisionOutcome.GRANT)
                | (
                    models.Q(product__isnull=False, volume__isnull=False, start_date__isnull=False)
                    & models.Q(amount__isnull=False)
                    & ~models.Q(delivery="")
                ),
                name="decision_grant_complete",
                violation_error_message=_(
                    "A grant needs a product, an extent, a start date, a form of delivery and "
                    "an amount."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome=DecisionOutcome.GRANT, delivery=Delivery.IN_KIND)
                | models.Q(provider__isnull=False),
                name="decision_in_kind_has_provider",
                violation_error_message=_("A grant in kind needs a provider."),
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome=DecisionOutcome.REJECT) | ~models.Q(reasons=""),
                name="decision_reject_has_reasons",
                violation_error_message=_("A rejection needs its reasons."),
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome=DecisionOutcome.REFER_BACK)
                | (models.Q(general_provision__isnull=False) & ~models.Q(reasons="")),
                name="decision_refer_back_complete",
                violation_error_message=_(
                    "A referral back names the general provision and the reason."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="decision_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=models.Q(is_deviation=False) | ~models.Q(deviation_justification=""),
                name="decision_deviation_justified",
                violation_error_message=_("A deviation from the regulation must be justified."),
            ),
            models.CheckConstraint(
                condition=models.Q(cosigned_by__isnull=True)
                | ~models.Q(cosigned_by=models.F("decided_by")),
                name="decision_cosigner_is_someone_else",
                violation_error_message=_("A second consultant must co-sign, not the first."),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="decision_amount_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(made_known_on__isnull=True, objection_deadline__isnull=True)
                | models.Q(objection_deadline__gt=models.F("made_known_on")),
                name="decision_objection_after_made_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.application}"

    @property
    def is_final(self) -> bool:
        return not self.cosign_required or self.cosigned_by_id is not None

    @property
    def awaits_cosign(self) -> bool:
        """A grant above the four-eyes amount still waiting for its second signature."""
        return not self.is_final and self.application.status == ApplicationStatus.AWAITING_COSIGN


class AllocationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    STARTED = "started", _("Started")
    STOPPED = "stopped", _("Stopped")


class Allocation(models.Model):
    """A toewijzing (iWmo/iJw 301) of a grant in kind to the provider named; a new number on
    every initial grant."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("allocation number"), max_length=20, unique=True)
    decision = models.ForeignKey(
        ProvisionDecision,
        models.PROTECT,
        related_name="allocations",
        verbose_name=_("decision"),
    )
    household = models.ForeignKey(
        "cases.Household",
        models.PROTECT,
        related_name="allocations",
        verbose_name=_("household"),
    )
    provider = models.ForeignKey(
        Organisation, models.PROTECT, related_name="allocations", verbose_name=_("provider")
    )
    delivered_by = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="delivered_allocations",
        verbose_name=_("delivered by"),
        help_text=_(
            "The cooperative member that delivers the care; empty: the provider itself "
            "(`partners.services.allocation_delivered_by_set` checks the membership)."
        ),
    )
    product = models.ForeignKey(
        Product, models.PROTECT, related_name="allocations", verbose_name=_("product")
    )
    volume = models.PositiveIntegerField(_("volume"))
    unit = models.CharField(_("unit"), max_length=2, choices=Unit.choices)
    frequency = models.CharField(_("frequency"), max_length=1, choices=Frequency.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AllocationStatus.choices,
        default=AllocationStatus.NOT_STARTED,
    )
    client = models.ForeignKey(
        "cases.Resident",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("client"),
        help_text=_("The resident the care is for."),
    )
    care_started_on = models.DateField(_("care started on"), null=True, blank=True)
    care_stopped_on = models.DateField(_("care stopped on"), null=True, blank=True)
    # the last day the next progress report is on time: the end of the period the contract
    # names plus 5 working days, kept by cases.partners.services (a clock, cases/clocks.py)
    progress_report_due_on = models.DateField(
        _("next progress report due on"), null=True, blank=True
    )
    end_reason = models.CharField(
        _("end reason"), max_length=2, choices=EndReason.choices, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["provider", "status"], name="allocation_provider_idx"),
            models.Index(
                fields=["provider", "-created_at", "-id"], name="allocation_provider_new_idx"
            ),
            models.Index(
                fields=["progress_report_due_on"],
                name="allocation_report_due_idx",
                condition=models.Q(progress_report_due_on__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="allocation_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(care_stopped_on__isnull=True)
                | models.Q(
                    care_started_on__isnull=False,
                    care_stopped_on__gte=models.F("care_started_on"),
                ),
                name="allocation_care_stop_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(status="not_started", care_started_on__isnull=True)
                | models.Q(status="started", care_started_on__isnull=False, care_stopped_on=None)
                | models.Q(status="stopped", care_stopped_on__isnull=False)
                & ~models.Q(end_reason=""),
                name="allocation_status_matches_care_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.product.name}"


class SubsidySignal(models.Model):
    """A consultant's signal to the subsidy officer: this general provision falls short."""

    general_provision = models.ForeignKey(
        GeneralProvision,
        models.PROTECT,
        related_name="subsidy_signals",
        verbose_name=_("general provision"),
    )
    decision = models.OneToOneField(
        ProvisionDecision,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="subsidy_signal",
        verbose_name=_("decision"),
    )
    reason = models.TextField(_("what falls short"), max_length=2000)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("raised by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("subsidy signal")
        verbose_name_plural = _("subsidy signals")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.general_provision} ({self.created_at:%d-%m-%Y})"


class MandateSpending(models.Model):
    """Urgent help a team granted from its own mandate, without a consultant."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mandate = models.ForeignKey(
        TeamMandate, models.PROTECT, related_name="spendings", verbose_name=_("team mandate")
    )
    household = models.ForeignKey(
        "cases.Household",
        models.PROTECT,
        related_name="mandate_spendings",
        verbose_name=_("household"),
    )
    stream = models.ForeignKey(
        BudgetStream, models.PROTECT, related_name="+", verbose_name=_("budget stream")
    )
    amount = models.DecimalField(_("amount (€)"), **MONEY)
    reason = models.TextField(_("reason"), max_length=2000)
    spent_on = models.DateField(_("date"), default=timezone.localdate)
    spent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("granted by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mandate spending")
        verbose_name_plural = _("mandate spending")
        ordering = ["-spent_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="mandate_spending_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"€ {self.amount} ({self.spent_on:%d-%m-%Y})"


class BudgetCommitment(models.Model):
    """Money committed against the broad budget stream by a grant or a mandate spending."""

    stream = models.ForeignKey(
        BudgetStream, models.PROTECT, related_name="commitments", verbose_name=_("budget stream")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    district = models.ForeignKey(
        District,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    team = models.ForeignKey(
        Team, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    amount = models.DecimalField(_("amount (€)"), **MONEY)
    decision = models.OneToOneField(
        ProvisionDecision,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="commitment",
        verbose_name=_("decision"),
    )
    mandate_spending = models.OneToOneField(
        MandateSpending,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="commitment",
        verbose_name=_("mandate spending"),
    )
    over_budget_reason = models.TextField(
        _("reason to exceed the budget"),
        max_length=2000,
        blank=True,
        help_text=_("A team lead's reason to commit beyond the stream's budget."),
    )
    over_budget_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beyond the budget approved by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("budget commitment")
        verbose_name_plural = _("budget commitments")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["year", "stream"], name="commitment_year_stream_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__isnull=False, mandate_spending__isnull=True)
                | models.Q(decision__isnull=True, mandate_spending__isnull=False),
                name="commitment_has_one_source",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="commitment_non_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(over_budget_approved_by__isnull=True, over_budget_reason="")
                | (
                    models.Q(over_budget_approved_by__isnull=False)
                    & ~models.Q(over_budget_reason="")
                ),
                name="commitment_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stream} {self.year}: € {self.amount}"


class NotificationKind(models.TextChoices):
    DEADLINE_SOON = "deadline_soon", _("Decision deadline approaching")
    OVERDUE = "overdue", _("Decision deadline passed")
    COSIGN = "cosign", _("Co-signature requested")
    CONSENT_EXPIRED = "consent_expired", _("Consent expired")
    APPOINTMENT = "appointment", _("Appointment tomorrow")
    PLAN_INVITATION = "plan_invitation", _("Invited to a support plan")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message on the user's start page."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    application = models.ForeignKey(
        ProvisionApplication,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("application"),
    )
    message = models.CharField(_("message"), max_length=300)
    # the page to act on (a path) when no application is linked, e.g. the household file
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "application", "kind"],
                name="notification_once_per_application",
            ),
        ]

    def __str__(self) -> str:
        return self.message


# Decision clocks -------------------------------------------------------------------------------


class TermEventKind(models.TextChoices):
    INCOMPLETE = "incomplete", _("Application incomplete (Awb 4:15(1))")
    APPLICANT_CONSENT = (
        "applicant_consent",
        _("Delay with the applicant's written consent (Awb 4:15(2)(a))"),
    )
    APPLICANT_DELAY = "applicant_delay", _("Delay due to the applicant (Awb 4:15(2)(b))")
    FORCE_MAJEURE = "force_majeure", _("Force majeure (Awb 4:15(2)(c))")
    NOTICE = "notice", _("Notice that the term cannot be met (Awb 4:14)")


# The kinds that suspend the term for a period (from, up to and including); an incomplete
# application suspends it from the day after the request up to the day it is completed.
SUSPENSION_PERIOD_KINDS = frozenset(
    {TermEventKind.APPLICANT_CONSENT, TermEventKind.APPLICANT_DELAY, TermEventKind.FORCE_MAJEURE}
)
SUSPENSION_KINDS = SUSPENSION_PERIOD_KINDS | {TermEventKind.INCOMPLETE}


def _only(*names: str) -> models.Q:
    """Q: the event's date fields other than `names` are empty."""
    fields = (
        "asked_on",
        "period_days",
        "completed_on",
        "suspended_from",
        "suspended_until",
        "given_on",
        "expected_on",
    )
    return models.Q(**{f"{name}__isnull": True for name in fields if name not in names})


class ApplicationTermEvent(models.Model):
    """What suspends or delays an application's decision term, as the Awb has it:

    * `incomplete` (4:15(1)): the applicant was asked on `asked_on` to complete the application
      within `period_days` days; the term stands still from the day after the request up to,
      not including, `completed_on`, or to the end of the period when it passed unused;
    * `applicant_consent`, `applicant_delay`, `force_majeure` (4:15(2)): the term stands still
      from `suspended_from` up to and including `suspended_until`;
    * `notice` (4:14): the applicant was told on `given_on` that the term cannot be met, and
      that the decision is now expected on `expected_on`.

    Recorded by `services.application_term_event_record`, which recomputes the stored deadline
    (`selectors.application_decision_deadline`) and keeps its history."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        ProvisionApplication,
        models.CASCADE,
        related_name="term_events",
        verbose_name=_("application"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TermEventKind.choices)
    asked_on = models.DateField(_("asked to complete on"), null=True, blank=True)
    period_days = models.PositiveSmallIntegerField(
        _("period to complete (days)"), null=True, blank=True
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    suspended_from = models.DateField(_("suspended from"), null=True, blank=True)
    suspended_until = models.DateField(_("suspended up to and including"), null=True, blank=True)
    given_on = models.DateField(_("notice given on"), null=True, blank=True)
    expected_on = models.DateField(_("decision now expected on"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("decision term event")
        verbose_name_plural = _("decision term events")
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind=TermEventKind.INCOMPLETE,
                        asked_on__isnull=False,
                        period_days__isnull=False,
                        period_days__gt=0,
                    )
                    & _only("asked_on", "period_days", "completed_on")
                    & (
                        models.Q(completed_on__isnull=True)
                        | models.Q(completed_on__gte=models.F("asked_on"))
                    )
                )
                | (
                    models.Q(
                        kind__in=sorted(SUSPENSION_PERIOD_KINDS),
                        suspended_from__isnull=False,
                        suspended_until__isnull=False,
                        suspended_until__gte=models.F("suspended_from"),
                    )
                    & _only("suspended_from", "suspended_until")
                )
                | (
                    models.Q(
                        kind=TermEventKind.NOTICE,
                        given_on__isnull=False,
                        expected_on__isnull=False,
                        expected_on__gt=models.F("given_on"),
                    )
                    & _only("given_on", "expected_on")
                ),
                name="term_event_fields_fit_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.application})"


class DeadlineChangeReason(models.TextChoices):
    SUSPENSION = "suspension", _("Term suspended (Awb 4:15)")
    COMPLETED = "completed", _("Application completed (Awb 4:15(1))")
    NOTICE = "notice", _("Notice of delay (Awb 4:14)")
    HOLIDAYS = "holidays", _("Holiday table changed (Algemene termijnenwet)")


class DecisionDeadlineChange(models.Model):
    """One recomputation of an application's decision deadline: from which day to which, why,
    by whom and when. Written by the services that recompute it, never changed."""

    application = models.ForeignKey(
        ProvisionApplication,
        models.CASCADE,
        related_name="deadline_changes",
        verbose_name=_("application"),
    )
    event = models.ForeignKey(
        ApplicationTermEvent,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="deadline_changes",
        verbose_name=_("term event"),
    )
    reason = models.CharField(_("why"), max_length=20, choices=DeadlineChangeReason.choices)
    previous_deadline = models.DateField(_("previous deadline"))
    new_deadline = models.DateField(_("new deadline"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("decision deadline change")
        verbose_name_plural = _("decision deadline changes")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.previous_deadline:%d-%m-%Y} → {self.new_deadline:%d-%m-%Y}"


class LetterIssueReason(models.TextChoices):
    ISSUED = "issued", _("Issued with the decision")
    MADE_KNOWN = "made_known", _("Day made known recorded")
    HOLIDAYS = "holidays", _("Holiday table changed (Algemene termijnenwet)")


class DecisionLetter(models.Model):
    """One issue of a decision letter: its version, the day it was made known and the last day
    to object that it printed (Awb 6:7/6:8). The decision holds the current values; these rows
    are the history, written by the services that issue the letter."""

    decision = models.ForeignKey(
        ProvisionDecision, models.CASCADE, related_name="letters", verbose_name=_("decision")
    )
    version = models.PositiveIntegerField(_("version"))
    reason = models.CharField(_("why"), max_length=20, choices=LetterIssueReason.choices)
    made_known_on = models.DateField(_("made known on"))
    objection_deadline = models.DateField(_("last day to object"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)

    class Meta:
        verbose_name = _("decision letter")
        verbose_name_plural = _("decision letters")
        ordering = ["decision", "version"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "version"], name="letter_version_unique"),
            models.CheckConstraint(
                condition=models.Q(objection_deadline__gt=models.F("made_known_on")),
                name="letter_objection_after_made_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision} v{self.version}"


class AdvancePayment(models.Model):
    """An advance paid on an application for algemene bijstand (Participatiewet art. 52)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        ProvisionApplication,
        models.CASCADE,
        related_name="advance_payments",
        verbose_name=_("application"),
    )
    due_on = models.DateField(_("due on"))
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (€)"), **MONEY)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("advance payment")
        verbose_name_plural = _("advance payments")
        ordering = ["paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="advance_positive"),
        ]

    def __str__(self) -> str:
        return f"€ {self.amount} ({self.paid_on:%d-%m-%Y})"


class AdvanceExceptionReason(models.TextChoices):
    NO_COOPERATION = "no_cooperation", _("The applicant did not cooperate")
    CLEARLY_NO_RIGHT = "clearly_no_right", _("There is clearly no right to assistance")


class AdvanceException(models.Model):
    """The recorded exception of Participatiewet art. 52 that ends the advance clock of an
    application for algemene bijstand: the applicant did not cooperate, or there is clearly
    no right to assistance."""

    application = models.OneToOneField(
        ProvisionApplication,
        models.CASCADE,
        related_name="advance_exception",
        verbose_name=_("application"),
    )
    reason = models.CharField(_("exception"), max_length=20, choices=AdvanceExceptionReason.choices)
    explanation = models.TextField(_("reason"), max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("advance exception")
        verbose_name_plural = _("advance exceptions")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(explanation=""), name="advance_exception_explained"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.application})"
