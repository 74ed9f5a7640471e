"""Writes for outcomes: recording bottlenecks, materialising the summary tables and building
background exports. Definitions of every figure: docs/outcomes.md."""

import csv
import datetime
import io
import re
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Min, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.audit import RequestContext, audit_change
from cases.households.models import Household
from cases.intake.models import KitchenTableConversation, Melding, MeldingStatus
from cases.plans.models import SupportPlan
from cases.provisions.models import (
    Allocation,
    BudgetCommitment,
    MandateSpending,
    ProvisionDecision,
)
from outcomes import selectors
from outcomes.models import (
    PERIOD_ALL,
    Bottleneck,
    BottleneckHousehold,
    BudgetSummary,
    DecisionSummary,
    Dimension,
    ExportFormat,
    ExportJob,
    FirstPlanSummary,
    InvestigationSummary,
    JobStatus,
    MandateSummary,
    OutcomeSummary,
    SummaryRun,
)
from socialdomain.tasks import dispatch

BATCH = 5000
# one advisory lock key for "the summary tables are being replaced" (PostgreSQL)
SUMMARY_LOCK_KEY = 80_080_001


def periods_of(day: datetime.date) -> tuple[str, str, str]:
    """The periods a date counts in: all time, its year and its month."""
    return PERIOD_ALL, f"{day.year}", f"{day.year}-{day.month:02d}"


# Bottlenecks --------------------------------------------------------------------------------

BSN_LIKE = re.compile(r"(?<!\d)\d{9}(?!\d)")
POSTCODE_LIKE = re.compile(r"\b[1-9]\d{3}\s?[A-Za-z]{2}\b")


def _personal_data_problems(text: str, household: Household | None) -> list[str]:
    """Free text for the policy side must not identify anyone: no BSN-like numbers, no
    postcodes, and none of the linked household's names or street."""
    problems = []
    if BSN_LIKE.search(text):
        problems.append(_("Remove the number that looks like a BSN."))
    if POSTCODE_LIKE.search(text):
        problems.append(_("Remove the postcode."))
    if household is not None:
        words = {w.lower() for w in re.findall(r"[^\W\d_]{3,}", text)}
        names = {household.street.lower()}
        for membership in household.memberships.current().select_related("resident"):
            names.add(membership.resident.first_name.lower())
            names.add(membership.resident.last_name.lower())
        found = sorted(n for n in names if n and (n in words or (" " in n and n in text.lower())))
        if found:
            problems.append(
                _("Remove names and addresses from the household: %(found)s.")
                % {"found": ", ".join(found)}
            )
    return problems


@transaction.atomic
def bottleneck_record(
    *,
    by,
    rule_kind: str,
    rule: str,
    blocked: str,
    would_have_helped: str,
    budget_stream=None,
    district=None,
    household: Household | None = None,
    occurred_on: datetime.date | None = None,
    context: RequestContext | None = None,
) -> Bottleneck:
    """Record a knelpunt. The district is the household's (when linked), else the one given
    (the reporter's team). Refuses free text with personal data. A bottleneck linked to a
    household adds that link to the household's file: logged as a `change` (object type
    `bottleneck`, object id the household's UUID, so the log does not tie the anonymous
    bottleneck to the household); one without a household touches no file and is not logged."""
    problems = {}
    for name, text in (("blocked", blocked), ("would_have_helped", would_have_helped)):
        found = _personal_data_problems(text, household)
        if found:
            problems[name] = found
    if problems:
        raise ValidationError(problems)
    if household is not None and household.neighbourhood_id:
        district = household.neighbourhood.district
    bottleneck = Bottleneck(
        rule_kind=rule_kind,
        rule=rule.strip(),
        blocked=blocked.strip(),
        would_have_helped=would_have_helped.strip(),
        budget_stream=budget_stream,
        district=district,
        occurred_on=occurred_on or timezone.localdate(),
        reported_by=by,
    )
    bottleneck.full_clean()
    bottleneck.save()
    if household is not None:
        BottleneckHousehold.objects.create(bottleneck=bottleneck, household=household)
        audit_change(
            by=by,
            context=context,
            object_type="bottleneck",
            object_id=household.uuid,
            household_uuid=household.uuid,
        )
    return bottleneck


# Materialisation ----------------------------------------------------------------------------


def _progress(model, pk, progress: int, **fields) -> None:
    """Progress is written outside the big transaction so a poller sees it at once."""
    model.objects.filter(pk=pk).update(progress=progress, **fields)


def outcome_rows() -> list[OutcomeSummary]:
    """Households improved / same / declined per domain between intake and their latest
    evaluation in each period, per district and per provider and product."""
    allocations = defaultdict(list)
    for household_id, provider_id, product_id, start, end in Allocation.objects.values_list(
        "household_id", "provider_id", "product_id", "start_date", "end_date"
    ).iterator(chunk_size=BATCH):
        allocations[household_id].append((provider_id, product_id, start, end))

    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])

    def flush(household_id, district_id, evaluations):
        latest: dict[str, tuple] = {}
        for evaluation in evaluations:  # in date order: the last one per period wins
            for period in periods_of(evaluation[1]):
                latest[period] = evaluation
        for period, (_id, evaluated_on, intake_on, changes) in latest.items():
            providers, products = set(), set()
            for provider_id, product_id, start, end in allocations.get(household_id, ()):
                if start <= evaluated_on and (end is None or intake_on is None or end >= intake_on):
                    providers.add(provider_id)
                    products.add(product_id)
            for domain, change in changes.items():
                index = 0 if change > 0 else (1 if change == 0 else 2)
                counts[(period, Dimension.AREA, district_id, None, None, domain)][index] += 1
                for provider_id in providers:
                    key = (period, Dimension.PROVIDER, district_id, provider_id, None, domain)
                    counts[key][index] += 1
                for product_id in products:
                    key = (period, Dimension.PRODUCT, district_id, None, product_id, domain)
                    counts[key][index] += 1

    current, district, evaluations = None, None, []
    for row in selectors.domain_change_rows():
        if row.household_id != current:
            if current is not None:
                flush(current, district, evaluations)
            current, district, evaluations = row.household_id, row.district_id, []
        if not evaluations or evaluations[-1][0] != row.evaluation_id:
            evaluations.append((row.evaluation_id, row.evaluated_on, row.intake_on, {}))
        evaluations[-1][3][row.domain] = row.score - row.intake
    if current is not None:
        flush(current, district, evaluations)
    return [
        OutcomeSummary(
            period=period,
            dimension=dimension,
            district_id=district_id,
            provider_id=provider_id,
            product_id=product_id,
            domain=domain,
            improved=improved,
            same=same,
            declined=declined,
        )
        for (period, dimension, district_id, provider_id, product_id, domain), (
            improved,
            same,
            declined,
        ) in counts.items()
    ]


BANDS = ((14, "within_2_weeks"), (42, "within_6_weeks"), (84, "within_12_weeks"))


def first_plan_rows() -> list[FirstPlanSummary]:
    """Per household: days from its first melding or kitchen-table conversation to the
    activation of its first support plan, counted in the month of that activation."""
    first_plan = dict(
        SupportPlan.objects.filter(activated_at__isnull=False)
        .values("household_id")
        .annotate(first=Min("activated_at"))
        .values_list("household_id", "first")
    )
    starts: dict[int, datetime.date] = {}
    for model, field in ((Melding, "received_on"), (KitchenTableConversation, "held_on")):
        for household_id, first in (
            model.objects.filter(household_id__in=list(first_plan))
            .values("household_id")
            .annotate(first=Min(field))
            .values_list("household_id", "first")
        ):
            if household_id not in starts or first < starts[household_id]:
                starts[household_id] = first
    districts = dict(
        Household.objects.filter(pk__in=list(first_plan)).values_list(
            "pk", "neighbourhood__district_id"
        )
    )
    rows: dict[tuple, FirstPlanSummary] = {}
    for household_id, activated_at in first_plan.items():
        start = starts.get(household_id)
        activated_on = timezone.localdate(activated_at)
        if start is None or start > activated_on:
            continue  # no melding or conversation before the plan: not measurable
        days = (activated_on - start).days
        band = next((name for limit, name in BANDS if days <= limit), "longer")
        for period in periods_of(activated_on):
            key = (period, districts.get(household_id))
            row = rows.get(key) or FirstPlanSummary(period=period, district_id=key[1])
            rows[key] = row
            row.households += 1
            row.total_days += days
            setattr(row, band, getattr(row, band) + 1)
    return list(rows.values())


def decision_rows() -> list[DecisionSummary]:
    """Per final decision: was it taken within the legal term (the application's decision
    deadline)? A grant that needs a co-signature is final when co-signed."""
    acc: dict[tuple, dict] = {}
    decisions = ProvisionDecision.objects.values_list(
        "application__household_id",
        "application__household__neighbourhood__district_id",
        "application__law",
        "application__decision_deadline",
        "decided_at",
        "cosign_required",
        "cosigned_at",
    ).iterator(chunk_size=BATCH)
    for household_id, district_id, law, deadline, decided_at, cosign, cosigned_at in decisions:
        final_at = cosigned_at if cosign else decided_at
        if final_at is None:
            continue  # waiting for the second signature: not decided yet
        final_on = timezone.localdate(final_at)
        within = final_on <= deadline
        for period in periods_of(final_on):
            for law_key in (law, ""):
                entry = acc.setdefault(
                    (period, district_id, law_key),
                    {"decisions": 0, "within": 0, "hh": set(), "in": set(), "late": set()},
                )
                entry["decisions"] += 1
                entry["hh"].add(household_id)
                if within:
                    entry["within"] += 1
                    entry["in"].add(household_id)
                else:
                    entry["late"].add(household_id)
    return [
        DecisionSummary(
            period=period,
            district_id=district_id,
            law=law,
            decisions=entry["decisions"],
            within_term=entry["within"],
            households=len(entry["hh"]),
            households_within=len(entry["in"]),
            households_late=len(entry["late"]),
        )
        for (period, district_id, law), entry in acc.items()
    ]


def investigation_rows() -> list[InvestigationSummary]:
    """Per Wmo investigation after a melding (Wmo 2015 art. 2.3.2): was the kitchen-table
    conversation that answered it held on or before the melding's stored investigation deadline?
    The investigation counts in the month of its first conversation; a melding without one is
    still running (it shows on the team's overview of running clocks) and a withdrawn one is
    left out."""
    acc: dict[tuple, dict] = {}
    investigations = (
        Melding.objects.exclude(status=MeldingStatus.WITHDRAWN)
        .annotate(completed_on=Min("conversations__held_on"))
        .filter(completed_on__isnull=False)
        .values_list(
            "household_id",
            "household__neighbourhood__district_id",
            "investigation_deadline",
            "completed_on",
        )
        .order_by()
        .iterator(chunk_size=BATCH)
    )
    for household_id, district_id, deadline, completed_on in investigations:
        within = completed_on <= deadline
        for period in periods_of(completed_on):
            entry = acc.setdefault(
                (period, district_id),
                {"n": 0, "within": 0, "hh": set(), "in": set(), "late": set()},
            )
            entry["n"] += 1
            entry["hh"].add(household_id)
            if within:
                entry["within"] += 1
                entry["in"].add(household_id)
            else:
                entry["late"].add(household_id)
    return [
        InvestigationSummary(
            period=period,
            district_id=district_id,
            investigations=entry["n"],
            within_term=entry["within"],
            households=len(entry["hh"]),
            households_within=len(entry["in"]),
            households_late=len(entry["late"]),
        )
        for (period, district_id), entry in acc.items()
    ]


def budget_rows() -> list[BudgetSummary]:
    return [
        BudgetSummary(**row)
        for row in BudgetCommitment.objects.values("year", "stream_id", "district_id", "team_id")
        .annotate(
            committed=Sum("amount"),
            commitments=Count("pk"),
            households=Count(
                Coalesce("decision__application__household_id", "mandate_spending__household_id"),
                distinct=True,
            ),
        )
        .order_by()
    ]


def mandate_rows() -> list[MandateSummary]:
    return [
        MandateSummary(**row)
        for row in MandateSpending.objects.annotate(
            year=F("mandate__year"), team_id=F("mandate__team_id")
        )
        .values("year", "team_id")
        .annotate(
            spent=Sum("amount"),
            spendings=Count("pk"),
            households=Count("household_id", distinct=True),
        )
        .order_by()
    ]


STEPS = (
    ("outcomes", outcome_rows, OutcomeSummary),
    ("first_plan", first_plan_rows, FirstPlanSummary),
    ("decisions", decision_rows, DecisionSummary),
    ("investigations", investigation_rows, InvestigationSummary),
    ("budgets", budget_rows, BudgetSummary),
    ("mandate", mandate_rows, MandateSummary),
)


def summary_run_request(*, by) -> SummaryRun:
    """The "recompute now" button: a queued run, started after the commit. A run that is
    already waiting or running is returned instead of starting a second one."""
    from outcomes.tasks import summaries_recompute_task

    busy = (
        SummaryRun.objects.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
        .filter(created_at__gte=timezone.now() - datetime.timedelta(hours=1))
        .first()
    )
    if busy:
        return busy
    run = SummaryRun.objects.create(requested_by=by)
    transaction.on_commit(lambda: dispatch(summaries_recompute_task, run.pk))
    return run


def summaries_recompute(*, run: SummaryRun | None = None) -> dict[str, int]:
    """Recompute every summary table from the source data and replace them in one
    transaction (readers see the old figures until the commit). Progress goes to `run`."""
    run = run or SummaryRun.objects.create()
    _progress(SummaryRun, run.pk, 1, step="start", status=JobStatus.RUNNING)
    try:
        computed = []
        for index, (name, compute, model) in enumerate(STEPS):
            computed.append((model, compute()))
            _progress(SummaryRun, run.pk, int((index + 1) * 80 / len(STEPS)), step=name)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SUMMARY_LOCK_KEY])
            counts = {}
            for model, rows in computed:
                model.objects.all().delete()
                model.objects.bulk_create(rows, batch_size=BATCH)
                counts[model._meta.model_name] = len(rows)
    except Exception as exc:
        SummaryRun.objects.filter(pk=run.pk).update(
            status=JobStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    SummaryRun.objects.filter(pk=run.pk).update(
        status=JobStatus.DONE, progress=100, step="done", finished_at=timezone.now()
    )
    return counts


# Exports ------------------------------------------------------------------------------------


def table_file(lines: list[list], *, file_format: str, title: str) -> bytes:
    """A CSV (UTF-8 with BOM, semicolons: Dutch Excel) or XLSX file of a table's rows."""
    if file_format == ExportFormat.XLSX:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=title[:31] or "data")
        for line in lines:
            sheet.append(line)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    for line in lines:
        writer.writerow(line)
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def export_job_start(*, by, table: str, file_format: str, params: dict) -> ExportJob:
    from outcomes.tasks import export_job_task

    job = ExportJob.objects.create(
        requested_by=by, table=table, file_format=file_format, params=params
    )
    transaction.on_commit(lambda: dispatch(export_job_task, job.pk))
    return job


def export_job_run(*, job_id: int) -> ExportJob:
    """Build the export's file in the background, reporting progress."""
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    _progress(ExportJob, job.pk, 5, status=JobStatus.RUNNING)
    try:
        table = selectors.export_table(name=job.table, user=job.requested_by, params=job.params)
        lines = table.export_rows()
        _progress(ExportJob, job.pk, 50)
        content = table_file(lines, file_format=job.file_format, title=str(table.title))
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        progress=100,
        rows=len(lines) - 1,
        content=content,
        filename=f"{job.table}-{timezone.localdate():%Y%m%d}.{job.file_format}",
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def export_jobs_purge(*, older_than_days: int = 7) -> int:
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    deleted, _rows = ExportJob.objects.filter(created_at__lt=cutoff).delete()
    return deleted
