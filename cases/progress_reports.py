"""Progress reports (voortgangsrapportages) that a provider sends on an allocation over the
partner API, and the rules for accepting them: care has started and the client's consent covers
`progress` for the reporting organisation (or a legal basis is recorded).

Imported at the bottom of `cases/models.py`, so these are models of the `cases` app."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.consent import DataCategory
from cases.consent_selectors import consent_covers
from cases.provisions import Allocation
from networks.models import Organisation

__all__ = ["ProgressReport"]


class ProgressReport(models.Model):
    allocation = models.ForeignKey(
        Allocation,
        models.CASCADE,
        related_name="progress_reports",
        verbose_name=gettext_lazy("allocation"),
    )
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="progress_reports",
        verbose_name=gettext_lazy("organisation"),
    )
    period_start = models.DateField(gettext_lazy("period from"))
    period_end = models.DateField(gettext_lazy("period until"))
    text = models.TextField(gettext_lazy("report"), max_length=5000)
    goal_attainment = models.PositiveSmallIntegerField(
        gettext_lazy("goal attainment (1-5)"), null=True, blank=True
    )
    created_at = models.DateTimeField(gettext_lazy("created at"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("progress report")
        verbose_name_plural = gettext_lazy("progress reports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["allocation", "organisation", "-created_at"],
                name="progress_report_list_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="progress_report_period_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(goal_attainment__isnull=True)
                | models.Q(goal_attainment__gte=1, goal_attainment__lte=5),
                name="progress_report_attainment_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.allocation} {self.period_start}–{self.period_end}"


class ProgressReportRefused(PermissionDenied):
    """The report may not be accepted; the message says why without revealing other data."""


def progress_reports_for(*, allocation: Allocation, organisation: Organisation):
    return ProgressReport.objects.filter(allocation=allocation, organisation=organisation)


@transaction.atomic
def progress_report_create(
    *,
    allocation: Allocation,
    organisation: Organisation,
    period_start: datetime.date,
    period_end: datetime.date,
    text: str,
    goal_attainment: int | None = None,
    on: datetime.date | None = None,
) -> ProgressReport:
    if allocation.care_started_on is None:
        raise ProgressReportRefused(
            _("Care on this allocation has not started; a progress report cannot be accepted yet.")
        )
    if allocation.client_id is None or not consent_covers(
        resident=allocation.client,
        organisation=organisation,
        category=DataCategory.PROGRESS,
        on=on,
    ):
        raise ProgressReportRefused(
            _(
                "No consent or legal basis is recorded for your organisation to share progress "
                "on this client. Ask the client's neighbourhood team."
            )
        )
    report = ProgressReport(
        allocation=allocation,
        organisation=organisation,
        period_start=period_start,
        period_end=period_end,
        text=text,
        goal_attainment=goal_attainment,
    )
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period cannot end before it starts.")})
    report.full_clean()
    report.save()
    return report
