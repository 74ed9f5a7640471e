"""AVG (GDPR) rights: correction requests (art. 16) and the records kept when a file is destroyed
after its retention period.

Re-exported by `cases/models.py`, so these are models of the `cases` app. The writes are in
`cases.avg.services`, the retention rule in `cases.avg.selectors` (which also shows a stored
rule in the active language); the inzage export (art. 15) is built by `cases.avg.inzage`."""

import uuid

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from networks.models import Law


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class CorrectionRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=CorrectionStatus.OPEN)


class CorrectionRequest(models.Model):
    """A resident's request to correct their data (art. 16 AVG). It is answered without undue
    delay and at the latest within one month of receipt, extendable by two more months for a
    complex request when the resident is told why within the first month (art. 12(3) AVG).
    The deadline in force is stored (computed by `cases.avg.selectors.avg_request_deadline`
    when the request is recorded or extended, recomputed while it is open when the holiday
    table changes), so the list can sort and index on it; an extension keeps its reason and
    the day the resident was told."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resident = models.ForeignKey(
        "cases.Resident",
        models.CASCADE,
        related_name="correction_requests",
        verbose_name=_("resident"),
    )
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    deadline = models.DateField(_("answer by"), editable=False)
    what_is_wrong = models.TextField(_("what is wrong"), max_length=5000)
    should_be = models.TextField(_("what it should be"), max_length=5000, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.OPEN,
    )
    outcome = models.TextField(
        _("outcome"),
        max_length=5000,
        blank=True,
        help_text=_("Granted: what was changed. Refused: the reason."),
    )
    handled_on = models.DateField(_("handled on"), null=True, blank=True)
    extension_reason = models.TextField(
        _("reason for the extension"),
        max_length=2000,
        blank=True,
        help_text=_("Why the request is complex; told to the resident within the first month."),
    )
    extension_told_on = models.DateField(
        _("resident told of the extension on"), null=True, blank=True
    )
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("extended by"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CorrectionRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="correction_status_deadline_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("received_on")),
                name="correction_deadline_after_received",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open", handled_on__isnull=True, outcome="")
                | (
                    models.Q(status__in=["granted", "refused"], handled_on__isnull=False)
                    & ~models.Q(outcome="")
                ),
                name="correction_handled_has_outcome",
                violation_error_message=_("A handled request needs its date and its outcome."),
            ),
            models.CheckConstraint(
                condition=models.Q(handled_on__isnull=True)
                | models.Q(handled_on__gte=models.F("received_on")),
                name="correction_handled_after_received",
                violation_error_message=_("A request cannot be handled before it was received."),
            ),
            models.CheckConstraint(
                condition=models.Q(extension_told_on__isnull=True, extension_reason="")
                | (
                    models.Q(extension_told_on__gte=models.F("received_on"))
                    & ~models.Q(extension_reason="")
                ),
                name="correction_extension_told_with_reason",
                violation_error_message=_(
                    "An extension needs its reason and the day the resident was told."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} ({self.received_on:%d-%m-%Y})"

    @property
    def is_open(self) -> bool:
        return self.status == CorrectionStatus.OPEN

    @property
    def is_extended(self) -> bool:
        return self.extension_told_on is not None

    @property
    def days_left(self) -> int:
        return (self.deadline - timezone.localdate()).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.days_left < 0


class DestructionRecord(models.Model):
    """What remains of a household file destroyed after its retention period: which file (its
    UUID, as in the access log), which categories and how many rows, when, under which law and
    term, and by which run. Never any content: no names, BSNs, addresses or texts."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household_uuid = models.UUIDField(_("household"), db_index=True)
    destroyed_at = models.DateTimeField(_("destroyed at"), default=timezone.now)
    law = models.CharField(
        _("law"), max_length=20, help_text=_("The law whose retention term applied.")
    )
    retention_years = models.PositiveSmallIntegerField(_("retention term (years)"))
    closed_on = models.DateField(
        _("file closed on"), help_text=_("The last date anything happened in the file.")
    )
    expired_on = models.DateField(_("retention expired on"))
    rule = models.CharField(_("rule"), max_length=300)
    counts = models.JSONField(
        _("destroyed"),
        default=dict,
        help_text=_("Number of rows destroyed, per category."),
    )
    run_id = models.UUIDField(_("run"), db_index=True)
    run_by = models.CharField(
        _("run by"), max_length=150, help_text=_("The user who ran it, or the periodic task.")
    )

    class Meta:
        verbose_name = _("destruction record")
        verbose_name_plural = _("destruction records")
        ordering = ["-destroyed_at", "-pk"]
        indexes = [models.Index(fields=["-destroyed_at"], name="destruction_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expired_on__gte=models.F("closed_on")),
                name="destruction_expired_after_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_uuid} ({self.destroyed_at:%Y-%m-%d})"

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def law_display(self) -> str:
        return str(dict(Law.choices).get(self.law, self.law))

    def counts_display(self) -> list[tuple[str, int]]:
        """(category name in the active language, number) per destroyed category."""
        special = {
            "kitchentableconversation_participants": _("participants in conversations"),
            "residents_kept_referenced_elsewhere": _(
                "residents kept (still named in another household's file)"
            ),
        }
        rows = []
        for name, number in self.counts.items():
            if name in special:
                rows.append((str(special[name]), number))
                continue
            try:
                label = str(apps.get_model("cases", name)._meta.verbose_name_plural)
            except LookupError:
                label = name.replace("_", " ")
            rows.append((label, number))
        return rows
