import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.households.models import Household, Resident
from teams.validators import format_postcode, validate_postcode

# A signal's number as people quote it: the prefix and its id, "S-45" (docs/search.md)
SIGNAL_NUMBER_PREFIX = "S"


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
    """A request for help. Wmo 2015 art. 2.3.2: the investigation is completed within six
    weeks of the melding, and the resident may hand in a personal plan within seven days.
    Both deadlines are stored (computed by `cases.intake.selectors` when the melding is
    registered, recomputed while it is open when the holiday table changes), so queues can
    sort and index on them. A melding the resident withdraws keeps when, why and who
    recorded it (`cases.intake.services.melding_withdraw`)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="meldingen", verbose_name=_("household")
    )
    received_on = models.DateField(_("date of the request"), default=timezone.localdate)
    channel = models.CharField(_("channel"), max_length=20, choices=MeldingChannel.choices)
    question = models.TextField(_("question in the resident's own words"), max_length=5000)
    investigation_deadline = models.DateField(_("investigation deadline"), editable=False)
    personal_plan_deadline = models.DateField(
        _("personal plan until"),
        editable=False,
        help_text=_("The resident may hand in a personal plan until this day (Wmo 2015)."),
    )
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
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), max_length=2000, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawal recorded by"),
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
        constraints = [
            models.CheckConstraint(
                condition=models.Q(investigation_deadline__gt=models.F("received_on"))
                & models.Q(personal_plan_deadline__gt=models.F("received_on")),
                name="melding_deadlines_after_received",
            ),
            # only a withdrawn melding has withdrawal details (meldingen withdrawn before the
            # reason was kept have none)
            models.CheckConstraint(
                condition=models.Q(status="withdrawn")
                | models.Q(withdrawn_on__isnull=True, withdrawn_reason=""),
                name="melding_withdrawal_only_when_withdrawn",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} ({self.received_on:%d-%m-%Y})"

    @property
    def days_left(self) -> int:
        return (self.investigation_deadline - timezone.localdate()).days

    @property
    def is_overdue(self) -> bool:
        return self.status == MeldingStatus.OPEN and self.days_left < 0

    @property
    def personal_plan_window_open(self) -> bool:
        """The resident may still hand in a personal plan (the stored deadline not passed)."""
        return (
            self.status == MeldingStatus.OPEN
            and self.personal_plan_deadline >= timezone.localdate()
        )


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
    def number(self) -> str:
        """The signal number: "S-" and its id (the header search finds it)."""
        return f"{SIGNAL_NUMBER_PREFIX}-{self.pk}"

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


class BasicNeedAnswer(models.TextChoices):
    """The answer to "is there a crisis?" for one basic need, as the form asks it; stored as
    `<need>_crisis` True / False / None."""

    YES = "yes", _("Yes, a crisis")
    NO = "no", _("No")
    NOT_ASKED = "not_asked", _("Not asked")

    @classmethod
    def from_crisis(cls, crisis: bool | None) -> "BasicNeedAnswer":
        return cls.NOT_ASKED if crisis is None else (cls.YES if crisis else cls.NO)

    def crisis(self) -> bool | None:
        return {self.YES: True, self.NO: False}.get(self)


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
    network_participants = models.ManyToManyField(
        "cases.InformalNetworkMember",
        blank=True,
        related_name="conversations",
        verbose_name=_("informal network taking part"),
    )
    other_participants = models.TextField(
        _("others taking part"),
        max_length=2000,
        blank=True,
        help_text=_("Professionals, or someone not in the network yet: names and roles."),
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
    # basic needs: True = a crisis, False = asked, no crisis, None = not asked (conversations
    # recorded before the question had three answers read "not asked": migration 0028)
    income_crisis = models.BooleanField(_("income: crisis"), null=True, blank=True, default=None)
    income_note = models.CharField(_("income: note"), max_length=500, blank=True)
    debts_crisis = models.BooleanField(_("debts: crisis"), null=True, blank=True, default=None)
    debts_note = models.CharField(_("debts: note"), max_length=500, blank=True)
    housing_crisis = models.BooleanField(_("housing: crisis"), null=True, blank=True, default=None)
    housing_note = models.CharField(_("housing: note"), max_length=500, blank=True)
    food_crisis = models.BooleanField(_("food: crisis"), null=True, blank=True, default=None)
    food_note = models.CharField(_("food: note"), max_length=500, blank=True)
    domains_not_discussed = models.JSONField(
        _("life domains not discussed"),
        default=list,
        blank=True,
        help_text=_("Life domains marked 'not discussed' in the conversation (codes)."),
    )
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
        """The screening as rows: need, label, crisis (True, False, None: not asked), answer
        (a `BasicNeedAnswer`) and note; crises first."""
        rows = [
            {
                "need": need,
                "label": need.label,
                "crisis": getattr(self, f"{need.value}_crisis"),
                "answer": BasicNeedAnswer.from_crisis(getattr(self, f"{need.value}_crisis")),
                "note": getattr(self, f"{need.value}_note"),
            }
            for need in BasicNeed
        ]
        return sorted(rows, key=lambda row: row["crisis"] is not True)

    @property
    def has_crisis(self) -> bool:
        return any(getattr(self, f"{need.value}_crisis") is True for need in BasicNeed)

    def clean(self):
        super().clean()
        codes = list(self.domains_not_discussed or [])
        if any(code not in LifeDomain.values for code in codes) or len(set(codes)) != len(codes):
            raise ValidationError(
                {"domains_not_discussed": _("Each life domain not discussed is named once.")}
            )


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
        "cases.Evaluation",
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


# The GP's warm hand-off (docs/gp-handoff.md) ---------------------------------------------------


class HandoffUrgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class HandoffStatus(models.TextChoices):
    OPEN = "open", _("Awaiting call-back")
    CONTACT_MADE = "contact_made", _("Contact made")
    NO_CONTACT = "no_contact", _("No contact after 3 attempts")


class GpHandoff(models.Model):
    """A GP's warm hand-off: a concern about a patient sent from the area-contacts lookup to
    the team of the patient's district, with the patient's consent. It becomes a signal (the
    team's triage) and a call-back clock; the GP gets its status back, never the file.

    What the GP typed is kept here as the GP's own record (so "Mijn overdrachten" can name the
    patient to the GP who sent it); the concern itself lives in the signal only."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="gp_handoffs",
        verbose_name=_("sent by"),
    )
    practice_name = models.CharField(_("practice"), max_length=150, blank=True)
    reply_email = models.EmailField(
        _("e-mail for the status"),
        help_text=_("The practice hears here whether contact was made; nothing about the case."),
    )
    patient_name = models.CharField(_("name of the patient"), max_length=200)
    patient_birth_date = models.DateField(_("date of birth of the patient"))
    postcode = models.CharField(_("postcode"), max_length=6, validators=[validate_postcode])
    house_number = models.CharField(_("house number"), max_length=10)
    consent_confirmed = models.BooleanField(_("the patient agreed to this hand-off"), default=False)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=HandoffUrgency.choices, default=HandoffUrgency.NORMAL
    )
    district = models.ForeignKey(
        "teams.District",
        models.PROTECT,
        related_name="gp_handoffs",
        verbose_name=_("district"),
    )
    signal = models.OneToOneField(
        Signal, models.PROTECT, related_name="gp_handoff", verbose_name=_("signal")
    )
    callback_due = models.DateField(_("call back by"), editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=HandoffStatus.choices, default=HandoffStatus.OPEN
    )
    status_at = models.DateTimeField(_("status since"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("GP hand-off")
        verbose_name_plural = _("GP hand-offs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(consent_confirmed=True),
                name="gphandoff_consent_confirmed",
                violation_error_message=_("Send a hand-off only with your patient's consent."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(status_at__isnull=False),
                name="gphandoff_status_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["sent_by", "created_at"], name="gphandoff_sender_idx"),
            models.Index(
                fields=["district", "status", "callback_due"], name="gphandoff_callback_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """What the practice's e-mail names: no patient, only this reference."""
        return f"HA-{str(self.uuid)[:8].upper()}"

    @property
    def is_open(self) -> bool:
        return self.status == HandoffStatus.OPEN


class CallbackOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NOT_REACHED = "not_reached", _("Not reached")


# The third attempt without contact closes the call-back as "no contact".
MAX_CALLBACK_ATTEMPTS = 3


class CallbackAttempt(models.Model):
    """One try by the team to call the patient of a GP hand-off back."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    handoff = models.ForeignKey(
        GpHandoff, models.CASCADE, related_name="attempts", verbose_name=_("GP hand-off")
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallbackOutcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("call-back attempt")
        verbose_name_plural = _("call-back attempts")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["handoff", "number"], name="callback_attempt_once"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=MAX_CALLBACK_ATTEMPTS),
                name="callback_attempt_at_most_three",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.handoff} #{self.number}: {self.get_outcome_display()}"
