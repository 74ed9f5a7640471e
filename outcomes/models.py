"""Outcomes, budgets and bottlenecks (knelpunten).

Two kinds of tables:

- `Bottleneck` (+ its optional household link in `BottleneckHousehold`): what professionals
  record when a rule blocked a sensible solution. The bottleneck row itself holds no reference
  to a household, so the policy side's queries cannot reach one.
- Summary tables (`OutcomeSummary`, `FirstPlanSummary`, `DecisionSummary`, `BudgetSummary`,
  `MandateSummary`): aggregates materialised by `outcomes.services.summaries_recompute` (a
  Celery beat job and the "recompute now" button). The dashboards read only these.

A summary row's `period` is "all", a year ("2026") or a month ("2026-07"); see docs/outcomes.md.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from networks.models import BudgetStream, Law, Organisation, Product
from teams.models import District, Team

MONEY = {"max_digits": 14, "decimal_places": 2}
PERIOD_ALL = "all"


class RuleKind(models.TextChoices):
    WMO_REGULATION = "wmo_regulation", _("Wmo regulation (verordening)")
    YOUTH_REGULATION = "youth_regulation", _("Youth Act regulation")
    PARTICIPATION_RULES = "participation_rules", _("Participation Act or social assistance rules")
    BUDGET_LINE = "budget_line", _("Budget line")
    MANDATE_LIMIT = "mandate_limit", _("Team mandate limit")
    PROCEDURE = "procedure", _("Procedure, form or deadline")
    CONTRACT = "contract", _("Contract or product catalogue")
    DATA_SHARING = "data_sharing", _("Privacy or data-sharing rule")
    OTHER = "other", _("Other rule")


class Bottleneck(models.Model):
    """A knelpunt: a rule or budget line that blocked a sensible solution, recorded by a
    professional. No personal data: the optional household link lives in
    `BottleneckHousehold`, and the free text is checked for names, BSNs and postcodes of the
    linked household (`services.bottleneck_record`)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    rule_kind = models.CharField(_("kind of rule"), max_length=30, choices=RuleKind.choices)
    rule = models.CharField(
        _("which rule or budget line"),
        max_length=200,
        help_text=_("e.g. 'Verordening Wmo art. 4.2' or the name of the budget line."),
    )
    budget_stream = models.ForeignKey(
        BudgetStream,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("budget stream"),
    )
    blocked = models.TextField(
        _("what the rule blocked"),
        max_length=2000,
        help_text=_("The situation and the sensible solution. No names, addresses or BSNs."),
    )
    would_have_helped = models.TextField(
        _("what would have helped"),
        max_length=2000,
        help_text=_("No names, addresses or BSNs."),
    )
    district = models.ForeignKey(
        District,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    occurred_on = models.DateField(_("date"), default=timezone.localdate)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bottleneck")
        verbose_name_plural = _("bottlenecks")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["occurred_on", "rule_kind"], name="bottleneck_date_kind_idx"),
            models.Index(fields=["district", "occurred_on"], name="bottleneck_district_date_idx"),
            models.Index(fields=["reported_by", "-occurred_on"], name="bottleneck_reporter_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_kind_display()}: {self.rule}"


class BottleneckHousehold(models.Model):
    """The optional link from a bottleneck to the household it came up with: for the
    professional's own follow-up, never shown on the policy side."""

    bottleneck = models.OneToOneField(
        Bottleneck, models.CASCADE, related_name="household_link", verbose_name=_("bottleneck")
    )
    household = models.ForeignKey(
        "cases.Household",
        models.CASCADE,
        related_name="bottleneck_links",
        verbose_name=_("household"),
    )

    class Meta:
        verbose_name = _("bottleneck household link")
        verbose_name_plural = _("bottleneck household links")

    def __str__(self) -> str:
        return str(self.bottleneck_id)


# --- Summary tables -------------------------------------------------------------------------


class Dimension(models.TextChoices):
    AREA = "area", _("Area")
    PROVIDER = "provider", _("Provider")
    PRODUCT = "product", _("Product")


class OutcomeSummary(models.Model):
    """Per period, district, (provider or product) and life domain: how many households
    improved, stayed the same or declined between intake and their latest evaluation in the
    period."""

    period = models.CharField(_("period"), max_length=7)
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices)
    district = models.ForeignKey(
        District, models.CASCADE, null=True, related_name="+", verbose_name=_("district")
    )
    provider = models.ForeignKey(
        Organisation, models.CASCADE, null=True, related_name="+", verbose_name=_("provider")
    )
    product = models.ForeignKey(
        Product, models.CASCADE, null=True, related_name="+", verbose_name=_("product")
    )
    domain = models.CharField(_("life domain"), max_length=30)
    improved = models.PositiveIntegerField(_("improved"), default=0)
    same = models.PositiveIntegerField(_("stayed the same"), default=0)
    declined = models.PositiveIntegerField(_("declined"), default=0)

    class Meta:
        verbose_name = _("outcome summary")
        verbose_name_plural = _("outcome summaries")
        indexes = [
            models.Index(fields=["period", "dimension", "district"], name="outcome_sum_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.dimension} {self.domain}"


class FirstPlanSummary(models.Model):
    """Per period (of the plan's activation) and district: households whose first plan became
    active, total days from first melding or conversation, and the spread over time bands."""

    period = models.CharField(_("period"), max_length=7)
    district = models.ForeignKey(
        District, models.CASCADE, null=True, related_name="+", verbose_name=_("district")
    )
    households = models.PositiveIntegerField(_("households"), default=0)
    total_days = models.PositiveIntegerField(_("total days"), default=0)
    within_2_weeks = models.PositiveIntegerField(default=0)
    within_6_weeks = models.PositiveIntegerField(default=0)
    within_12_weeks = models.PositiveIntegerField(default=0)
    longer = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("time-to-plan summary")
        verbose_name_plural = _("time-to-plan summaries")
        indexes = [models.Index(fields=["period", "district"], name="firstplan_sum_idx")]

    def __str__(self) -> str:
        return f"{self.period} {self.district_id}"


class DecisionSummary(models.Model):
    """Per period (of the final decision), district and law ("" = all laws): decisions, how
    many within the legal term, and the distinct households behind each count."""

    period = models.CharField(_("period"), max_length=7)
    district = models.ForeignKey(
        District, models.CASCADE, null=True, related_name="+", verbose_name=_("district")
    )
    law = models.CharField(_("law"), max_length=20, choices=Law.choices, blank=True)
    decisions = models.PositiveIntegerField(_("decisions"), default=0)
    within_term = models.PositiveIntegerField(_("within the legal term"), default=0)
    households = models.PositiveIntegerField(default=0)
    households_within = models.PositiveIntegerField(default=0)
    households_late = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("decision summary")
        verbose_name_plural = _("decision summaries")
        indexes = [models.Index(fields=["period", "district"], name="decision_sum_idx")]

    def __str__(self) -> str:
        return f"{self.period} {self.district_id} {self.law}"


class InvestigationSummary(models.Model):
    """Per period (of the conversation that completed it) and district: Wmo investigations
    after a melding, how many within the legal term (the melding's stored investigation
    deadline), and the distinct households behind each count."""

    period = models.CharField(_("period"), max_length=7)
    district = models.ForeignKey(
        District, models.CASCADE, null=True, related_name="+", verbose_name=_("district")
    )
    investigations = models.PositiveIntegerField(_("investigations"), default=0)
    within_term = models.PositiveIntegerField(_("within the legal term"), default=0)
    households = models.PositiveIntegerField(default=0)
    households_within = models.PositiveIntegerField(default=0)
    households_late = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("investigation summary")
        verbose_name_plural = _("investigation summaries")
        indexes = [models.Index(fields=["period", "district"], name="investigation_sum_idx")]

    def __str__(self) -> str:
        return f"{self.period} {self.district_id}"


class BudgetSummary(models.Model):
    """Per year, stream, district and team: money committed and the households behind it."""

    year = models.PositiveSmallIntegerField(_("year"))
    stream = models.ForeignKey(
        BudgetStream, models.CASCADE, related_name="+", verbose_name=_("budget stream")
    )
    district = models.ForeignKey(
        District, models.CASCADE, null=True, related_name="+", verbose_name=_("district")
    )
    team = models.ForeignKey(
        Team, models.CASCADE, null=True, related_name="+", verbose_name=_("team")
    )
    committed = models.DecimalField(_("committed (€)"), default=0, **MONEY)
    commitments = models.PositiveIntegerField(default=0)
    households = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("budget summary")
        verbose_name_plural = _("budget summaries")
        indexes = [models.Index(fields=["year", "district"], name="budget_sum_idx")]

    def __str__(self) -> str:
        return f"{self.year} {self.stream_id} {self.district_id}"


class MandateSummary(models.Model):
    """Per year and team: mandate money spent, how often and for how many households."""

    year = models.PositiveSmallIntegerField(_("year"))
    team = models.ForeignKey(Team, models.CASCADE, related_name="+", verbose_name=_("team"))
    spent = models.DecimalField(_("spent (€)"), default=0, **MONEY)
    spendings = models.PositiveIntegerField(default=0)
    households = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("mandate summary")
        verbose_name_plural = _("mandate summaries")
        indexes = [models.Index(fields=["year", "team"], name="mandate_sum_idx")]

    def __str__(self) -> str:
        return f"{self.year} {self.team_id}"


# --- Background jobs ------------------------------------------------------------------------


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class SummaryRun(models.Model):
    """One recomputation of the summary tables (scheduled or from the button), with progress."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
        help_text=_("Empty: the scheduled run."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("summary run")
        verbose_name_plural = _("summary runs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"], name="summaryrun_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="summaryrun_progress_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.status}"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class ExportJob(models.Model):
    """A large export built in the background. The file is kept in the database and only the
    person who asked for it may download it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="+",
        verbose_name=_("requested by"),
    )
    table = models.CharField(_("table"), max_length=40)
    file_format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    filename = models.CharField(_("file name"), max_length=100, blank=True)
    content = models.BinaryField(_("file"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="exportjob_user_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="exportjob_progress_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.table}.{self.file_format} ({self.status})"
