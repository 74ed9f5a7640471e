"""Objections (bezwaar) against a decision on an application: received on, by whom, the
grounds; the term to decide on it (Awb 7:10, with an advisory committee and a deferral); the
hearing; the outcome, and where it is founded the new decision (an application decided through
`cases.provisions.services`). Writes in `cases.objections.services`, reads in
`cases.objections.selectors`; the decision term is computed only by
`selectors.objection_decision_due` and stored on the row (`decision_due`), which is what the
clock (`cases.clocks`) reads."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ObjectorKind(models.TextChoices):
    RESIDENT = "resident", _("The resident")
    REPRESENTATIVE = "representative", _("A representative")


class ObjectionOutcome(models.TextChoices):
    FOUNDED = "founded", _("Founded (gegrond)")
    UNFOUNDED = "unfounded", _("Unfounded (ongegrond)")
    INADMISSIBLE = "inadmissible", _("Inadmissible (niet-ontvankelijk)")
    WITHDRAWN = "withdrawn", _("Withdrawn (ingetrokken)")


# the outcomes an objection that was late without excuse can have (Awb 6:11)
CLOSED_WITHOUT_MERITS = (ObjectionOutcome.INADMISSIBLE, ObjectionOutcome.WITHDRAWN)


class ObjectionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(outcome="")

    def decided(self):
        return self.exclude(outcome="")


class Objection(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(
        "cases.Household",
        models.CASCADE,  # part of the household's file: destroyed with it (cases.avg)
        related_name="objections",
        verbose_name=_("household"),
    )
    decision = models.ForeignKey(
        "cases.ProvisionDecision",
        models.PROTECT,
        related_name="objections",
        verbose_name=_("decision objected to"),
    )
    received_on = models.DateField(_("received on"))
    objector_kind = models.CharField(_("lodged by"), max_length=20, choices=ObjectorKind.choices)
    objector_name = models.CharField(
        _("name of the objector"),
        max_length=200,
        blank=True,
        help_text=_("Who signed the objection, e.g. the representative's name and capacity."),
    )
    grounds = models.TextField(_("grounds"), max_length=5000)
    # Awb 6:7/6:8: the last day to object, copied from the decision when the objection came in
    objection_term_end = models.DateField(_("last day to object"), editable=False)
    late = models.BooleanField(_("received after the objection term"), default=False)
    # Awb 6:11: for a late objection the consultant judges whether the lateness is excusable
    # (verschoonbaar): None not judged yet, True excusable, False not (then inadmissible).
    late_excusable = models.BooleanField(_("lateness excusable"), null=True, blank=True)
    advisory_committee = models.BooleanField(
        _("advisory committee (Awb 7:13)"),
        default=False,
        help_text=_("An independent committee advises: the decision term is 12 weeks."),
    )
    deferred_on = models.DateField(
        _("deferral sent on (Awb 7:10(3))"),
        null=True,
        blank=True,
        help_text=_("The day the objector was told the decision is deferred by 6 weeks."),
    )
    consent_deferral_weeks = models.PositiveSmallIntegerField(
        _("further deferral with the objector's consent (weeks, Awb 7:10(4))"),
        default=0,
    )
    decision_due = models.DateField(_("decide on the objection by"), editable=False)
    hearing_on = models.DateField(_("hearing date"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=ObjectionOutcome.choices, blank=True
    )
    outcome_reasons = models.TextField(_("reasons for the outcome"), max_length=5000, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    # founded: the new decision is made on this application, through the provisions services
    new_application = models.OneToOneField(
        "cases.ProvisionApplication",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="objection_redo",
        verbose_name=_("application for the new decision"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["household", "received_on"], name="objection_household_idx"),
            models.Index(
                fields=["decision_due"],
                condition=models.Q(outcome=""),
                name="objection_open_due_idx",
            ),
            models.Index(fields=["received_on"], name="objection_received_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="") | models.Q(outcome__in=ObjectionOutcome.values),
                name="objection_outcome_known",
            ),
            models.CheckConstraint(
                condition=models.Q(objector_kind__in=ObjectorKind.values),
                name="objection_objector_kind_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(objector_kind=ObjectorKind.REPRESENTATIVE)
                | ~models.Q(objector_name=""),
                name="objection_representative_named",
                violation_error_message=_("Name the representative who lodged the objection."),
            ),
            models.CheckConstraint(
                condition=(models.Q(outcome="") & models.Q(decided_on__isnull=True))
                | (~models.Q(outcome="") & models.Q(decided_on__isnull=False)),
                name="objection_decided_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(new_application__isnull=True)
                | models.Q(outcome=ObjectionOutcome.FOUNDED),
                name="objection_new_decision_only_when_founded",
            ),
            models.CheckConstraint(
                condition=~models.Q(late=True, late_excusable=False)
                | models.Q(outcome__in=["", *CLOSED_WITHOUT_MERITS]),
                name="objection_inexcusably_late_inadmissible",
                violation_error_message=_(
                    "An objection that was late without excuse is declared inadmissible."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(late=True) | models.Q(late_excusable__isnull=True),
                name="objection_excusable_only_when_late",
            ),
            models.CheckConstraint(
                condition=models.Q(decision_due__gt=models.F("objection_term_end")),
                name="objection_due_after_term",
            ),
            models.CheckConstraint(
                condition=models.Q(consent_deferral_weeks__lte=52),
                name="objection_consent_deferral_sensible",
            ),
            models.UniqueConstraint(
                fields=["decision"],
                condition=models.Q(outcome=""),
                name="objection_one_open_per_decision",
                violation_error_message=_("An objection against this decision is already open."),
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Objection')} {self.received_on:%d-%m-%Y}"

    @property
    def is_open(self) -> bool:
        return self.outcome == ""

    @property
    def is_deferred(self) -> bool:
        return self.deferred_on is not None
