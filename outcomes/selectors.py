"""Reads for outcomes. The dashboards read only the summary tables (materialised by
`services.summaries_recompute`); `domain_change_rows` and `household_outcomes` read the source
data and are what the materialisation and the household-level checks are built on."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.intake.models import LifeDomain, LifeDomainScore
from cases.objections.models import ObjectionOutcome
from cases.objections.selectors import objection_counts
from cases.plans.selectors import NO_INDIVIDUAL_PROVISION, ReentryFigures, closed_plans_with_reentry
from cases.provisions.selectors import stream_budgets, subsidy_signals_by_provision
from cases.volunteers.selectors import support_by_district
from networks.models import BudgetStream, Law, Organisation, Product
from outcomes import permissions
from outcomes.models import (
    PERIOD_ALL,
    Bottleneck,
    BudgetSummary,
    DecisionSummary,
    Dimension,
    ExportJob,
    FirstPlanSummary,
    InvestigationSummary,
    MandateSummary,
    OutcomeSummary,
    RuleKind,
    SummaryRun,
)
from outcomes.tables import Cell, Column, Row, Table, percentage
from teams.models import District, TeamMandate
from teams.selectors import district_ids_of_user

ZERO = Decimal("0.00")

# Source data -------------------------------------------------------------------------------


class DomainChange(NamedTuple):
    household_id: int
    district_id: int | None
    evaluation_id: int
    evaluated_on: datetime.date
    intake_on: datetime.date | None
    domain: str
    intake: int
    score: int


def domain_change_rows(*, household_ids=None):
    """Every evaluation score next to the intake score of the same domain (the plan's
    kitchen-table conversation), ordered by household, evaluation date and evaluation.
    Domains scored only at intake or only at the evaluation are left out."""
    intake = LifeDomainScore.objects.filter(
        conversation_id=OuterRef("evaluation__plan__conversation_id"), domain=OuterRef("domain")
    ).values("score")[:1]
    queryset = (
        LifeDomainScore.objects.filter(
            evaluation__isnull=False, evaluation__plan__conversation__isnull=False
        )
        .annotate(intake=Subquery(intake))
        .filter(intake__isnull=False)
    )
    if household_ids is not None:
        queryset = queryset.filter(evaluation__plan__household_id__in=household_ids)
    rows = queryset.values_list(
        "evaluation__plan__household_id",
        "evaluation__plan__household__neighbourhood__district_id",
        "evaluation_id",
        "evaluation__evaluated_on",
        "evaluation__plan__conversation__held_on",
        "domain",
        "intake",
        "score",
    ).order_by("evaluation__plan__household_id", "evaluation__evaluated_on", "evaluation_id")
    for row in rows.iterator(chunk_size=5000):
        yield DomainChange(*row)


@dataclass
class EvaluationOutcome:
    evaluation_id: int
    evaluated_on: datetime.date
    changes: dict[str, int] = field(default_factory=dict)  # domain -> score - intake


def household_outcomes(*, household) -> list[EvaluationOutcome]:
    """Per evaluation of the household (oldest first): the change per life domain since the
    intake of that plan."""
    outcomes: list[EvaluationOutcome] = []
    for row in domain_change_rows(household_ids=[household.pk]):
        if not outcomes or outcomes[-1].evaluation_id != row.evaluation_id:
            outcomes.append(EvaluationOutcome(row.evaluation_id, row.evaluated_on))
        outcomes[-1].changes[row.domain] = row.score - row.intake
    return outcomes


# Scope and filters -------------------------------------------------------------------------


@dataclass
class Filters:
    """What a dashboard shows: a period, optionally one district (within the user's scope)
    and the life domain for the per-district/provider/product tables."""

    year: int | None = None
    month: int | None = None
    district: District | None = None
    domain: str = LifeDomain.FINANCES
    scope_ids: list[int] | None = None  # None: the whole municipality
    districts: list[District] = field(default_factory=list)

    @property
    def period(self) -> str:
        if self.year is None:
            return PERIOD_ALL
        return f"{self.year}-{self.month:02d}" if self.month else f"{self.year}"

    @property
    def budget_year(self) -> int:
        return self.year or timezone.localdate().year

    @property
    def area_ids(self) -> list[int] | None:
        """The districts the figures are about; None: everything, incl. unknown districts."""
        if self.district is not None:
            return [self.district.pk]
        return self.scope_ids

    def area_q(self, prefix: str = "district") -> Q:
        ids = self.area_ids
        return Q() if ids is None else Q(**{f"{prefix}_id__in": ids})

    @property
    def domain_label(self) -> str:
        return LifeDomain(self.domain).label

    def as_params(self) -> dict:
        params = {}
        if self.year:
            params["jaar"] = str(self.year)
        if self.month:
            params["maand"] = str(self.month)
        if self.district:
            params["wijk"] = self.district.code
        params["domein"] = self.domain
        return params


def filters_parse(*, user, params, team_view: bool) -> Filters:
    """Filters from GET parameters (`jaar`, `maand`, `wijk`, `domein`), limited to what the
    user may see: a team lead only their own districts, a policy officer everything."""
    if team_view:
        scope_ids = sorted(district_ids_of_user(user=user))
        districts = list(District.objects.filter(pk__in=scope_ids).select_related("team"))
    else:
        scope_ids = None
        districts = list(District.objects.select_related("team").order_by("name"))
    filters = Filters(scope_ids=scope_ids, districts=districts)
    year = params.get("jaar", "")
    if year.isdigit() and 2000 <= int(year) <= 2100:
        filters.year = int(year)
        month = params.get("maand", "")
        if month.isdigit() and 1 <= int(month) <= 12:
            filters.month = int(month)
    code = params.get("wijk", "")
    if code:
        filters.district = next((d for d in districts if d.code == code), None)
    if params.get("domein") in LifeDomain.values:
        filters.domain = params["domein"]
    return filters


def district_label(district: District | None) -> str:
    if district is None:
        return str(_("District unknown"))
    team = getattr(district, "team", None)
    return f"{district.name} ({team.name})" if team else district.name


# Outcome tables ----------------------------------------------------------------------------

OUTCOME_COLUMNS = [
    Column("improved", _("Improved")),
    Column("same", _("Stayed the same")),
    Column("declined", pgettext_lazy("outcome", "Declined")),
    Column("households", _("Households"), is_total=True),
    Column("share_improved", _("Share improved"), kind="percent"),
]


def _outcome_row(label: str, improved: int, same: int, declined: int, key: str = "") -> Row:
    households = improved + same + declined
    return Row(
        label,
        {
            "improved": Cell(improved, improved),
            "same": Cell(same, same),
            "declined": Cell(declined, declined),
            "households": Cell(households, households),
            "share_improved": Cell(
                percentage(improved, households),
                households,
                sources=("improved", "same", "declined"),
            ),
        },
        key=key,
    )


def _outcome_sums(filters: Filters, dimension: str, group: str, **extra):
    return (
        OutcomeSummary.objects.filter(filters.area_q(), period=filters.period, dimension=dimension)
        .filter(**extra)
        .values(group)
        .annotate(i=Sum("improved"), s=Sum("same"), d=Sum("declined"))
        .order_by()
    )


def outcome_domain_table(filters: Filters) -> Table:
    """Per life domain, for the chosen area and period."""
    sums = {r["domain"]: r for r in _outcome_sums(filters, Dimension.AREA, "domain")}
    rows = [
        _outcome_row(domain.label, sums[domain]["i"], sums[domain]["s"], sums[domain]["d"], domain)
        for domain in LifeDomain
        if domain.value in sums
    ]
    return Table(
        "outcomes",
        _("Self-sufficiency per life domain"),
        OUTCOME_COLUMNS,
        rows,
        first_column=_("Life domain"),
        note=_(
            "Households by the change between the intake score and their latest evaluation in "
            "the period."
        ),
    )


def outcome_district_table(filters: Filters) -> Table:
    sums = list(_outcome_sums(filters, Dimension.AREA, "district_id", domain=filters.domain))
    by_id = {d.pk: d for d in filters.districts}
    rows = sorted(
        (
            _outcome_row(district_label(by_id.get(r["district_id"])), r["i"], r["s"], r["d"])
            for r in sums
            if r["district_id"] is None or r["district_id"] in by_id
        ),
        key=lambda row: row.label,
    )
    total = None
    if len(rows) > 1:
        total = _outcome_row(str(_("Total")), *(sum(r[k] for r in sums) for k in ("i", "s", "d")))
    return Table(
        "outcomes_district",
        _("Per district and team: %(domain)s") % {"domain": filters.domain_label},
        OUTCOME_COLUMNS,
        rows,
        total=total,
        first_column=_("District (team)"),
    )


def _outcome_named_table(filters: Filters, dimension: str) -> Table:
    field_name = "provider_id" if dimension == Dimension.PROVIDER else "product_id"
    model = Organisation if dimension == Dimension.PROVIDER else Product
    sums = list(_outcome_sums(filters, dimension, field_name, domain=filters.domain))
    names = dict(
        model.objects.filter(pk__in=[r[field_name] for r in sums]).values_list("pk", "name")
    )
    rows = sorted(
        (_outcome_row(names.get(r[field_name], "?"), r["i"], r["s"], r["d"]) for r in sums),
        key=lambda row: row.label,
    )
    if dimension == Dimension.PROVIDER:
        key, title, first = "outcomes_provider", _("Per provider: %(domain)s"), _("Provider")
    else:
        key, title, first = "outcomes_product", _("Per product: %(domain)s"), _("Product")
    return Table(
        key,
        title % {"domain": filters.domain_label},
        OUTCOME_COLUMNS,
        rows,
        first_column=first,
        note=_(
            "A household counts for every provider and product it had an allocation with "
            "between intake and evaluation, so these rows do not add up."
        ),
    )


def outcome_provider_table(filters: Filters) -> Table:
    return _outcome_named_table(filters, Dimension.PROVIDER)


def outcome_product_table(filters: Filters) -> Table:
    return _outcome_named_table(filters, Dimension.PRODUCT)


# Time to first plan ------------------------------------------------------------------------

FIRST_PLAN_COLUMNS = [
    Column("within_2_weeks", _("≤ 2 weeks")),
    Column("within_6_weeks", _("2–6 weeks")),
    Column("within_12_weeks", _("6–12 weeks")),
    Column("longer", _("> 12 weeks")),
    Column("households", _("Households"), is_total=True),
    Column("mean_days", _("Mean days"), kind="days"),
]
BAND_KEYS = ("within_2_weeks", "within_6_weeks", "within_12_weeks", "longer")


def _first_plan_row(label: str, values: dict) -> Row:
    households = values["households"]
    cells = {key: Cell(values[key], values[key]) for key in BAND_KEYS}
    cells["households"] = Cell(households, households)
    cells["mean_days"] = Cell(
        round(values["total_days"] / households) if households else None, households
    )
    return Row(label, cells)


def first_plan_table(filters: Filters) -> Table:
    keys = (*BAND_KEYS, "households", "total_days")
    sums = list(
        FirstPlanSummary.objects.filter(filters.area_q(), period=filters.period)
        .values("district_id")
        .annotate(**{key: Sum(key) for key in keys})
        .order_by()
    )
    by_id = {d.pk: d for d in filters.districts}
    rows = sorted(
        (
            _first_plan_row(district_label(by_id.get(r["district_id"])), r)
            for r in sums
            if r["district_id"] is None or r["district_id"] in by_id
        ),
        key=lambda row: row.label,
    )
    total = None
    if len(rows) > 1:
        total = _first_plan_row(str(_("Total")), {k: sum(r[k] for r in sums) for k in keys})
    return Table(
        "first_plan",
        _("Time to the first support plan"),
        FIRST_PLAN_COLUMNS,
        rows,
        total=total,
        first_column=_("District (team)"),
        note=_(
            "Days from the household's first request for help or kitchen-table conversation to "
            "the activation of its first support plan, by month of activation."
        ),
    )


# Decisions within the legal term -----------------------------------------------------------

DECISION_COLUMNS = [
    Column("within", _("Within the legal term")),
    Column("late", _("Too late")),
    Column("decisions", _("Decisions"), is_total=True),
    Column("share", _("Share within term"), kind="percent"),
]


def _decision_row(label: str, values: dict) -> Row:
    """A row of within/late/total/share; `values` holds the count under "decisions" (also for
    investigations), and the distinct households behind each figure."""
    late = values["decisions"] - values["within"]
    return Row(
        label,
        {
            "within": Cell(values["within"], values["hh_within"]),
            "late": Cell(late, values["hh_late"]),
            "decisions": Cell(values["decisions"], values["hh"]),
            "share": Cell(
                percentage(values["within"], values["decisions"]),
                values["hh"],
                sources=("within", "late"),
            ),
        },
    )


def decision_table(filters: Filters) -> Table:
    sums = {
        r["law"]: r
        for r in DecisionSummary.objects.filter(filters.area_q(), period=filters.period)
        .values("law")
        .annotate(
            decisions=Sum("decisions"),
            within=Sum("within_term"),
            hh=Sum("households"),
            hh_within=Sum("households_within"),
            hh_late=Sum("households_late"),
        )
        .order_by()
    }
    rows = [_decision_row(law.label, sums[law.value]) for law in Law if law.value in sums]
    total = _decision_row(str(_("All laws")), sums[""]) if "" in sums and len(rows) > 1 else None
    return Table(
        "decisions",
        _("Decisions within the legal term"),
        DECISION_COLUMNS,
        rows,
        total=total,
        first_column=_("Law"),
        note=_(
            "Wmo: 2 weeks after the application; Jeugdwet and Participatiewet: 8 weeks. A grant "
            "that needs a second signature counts from the co-signature."
        ),
    )


def _term_district_table(
    filters: Filters,
    *,
    key: str,
    title,
    columns: list[Column],
    sums,
    note,
) -> Table:
    """Per district (with its team), within the user's scope: how many within the term, how
    many late, and the share within; the total over the districts shown when more than one."""
    by_id = {d.pk: d for d in filters.districts}
    shown = [r for r in sums if r["district_id"] is None or r["district_id"] in by_id]
    rows = sorted(
        (_decision_row(district_label(by_id.get(r["district_id"])), r) for r in shown),
        key=lambda row: row.label,
    )
    total = None
    if len(rows) > 1:
        fields = ("decisions", "within", "hh", "hh_within", "hh_late")
        total = _decision_row(str(_("Total")), {f: sum(r[f] for r in shown) for f in fields})
    return Table(
        key, title, columns, rows, total=total, first_column=_("District (team)"), note=note
    )


def decision_district_table(filters: Filters) -> Table:
    """Decisions within the legal term per district, all laws together."""
    sums = (
        DecisionSummary.objects.filter(filters.area_q(), period=filters.period, law="")
        .values("district_id")
        .annotate(
            decisions=Sum("decisions"),
            within=Sum("within_term"),
            hh=Sum("households"),
            hh_within=Sum("households_within"),
            hh_late=Sum("households_late"),
        )
        .order_by()
    )
    return _term_district_table(
        filters,
        key="decisions_district",
        title=_("Decisions within the legal term, per district"),
        columns=DECISION_COLUMNS,
        sums=list(sums),
        note=_("All laws together; per law in the table above."),
    )


INVESTIGATION_COLUMNS = [
    Column("within", _("Within the legal term")),
    Column("late", _("Too late")),
    Column("decisions", _("Investigations"), is_total=True),
    Column("share", _("Share within term"), kind="percent"),
]


def investigation_table(filters: Filters) -> Table:
    """Wmo investigations after a melding within the legal term, per district."""
    sums = (
        InvestigationSummary.objects.filter(filters.area_q(), period=filters.period)
        .values("district_id")
        .annotate(
            decisions=Sum("investigations"),
            within=Sum("within_term"),
            hh=Sum("households"),
            hh_within=Sum("households_within"),
            hh_late=Sum("households_late"),
        )
        .order_by()
    )
    return _term_district_table(
        filters,
        key="investigations",
        title=_("Investigations within the legal term (Wmo)"),
        columns=INVESTIGATION_COLUMNS,
        sums=list(sums),
        note=_(
            "Wmo 2015: the investigation after a melding within 6 weeks. An investigation counts "
            "in the month of the kitchen-table conversation that answered the melding; one still "
            "running is on the team's overview of running deadlines."
        ),
    )


# Budgets -----------------------------------------------------------------------------------

BUDGET_COLUMNS = [
    Column("budget", _("Budget"), kind="money"),
    Column("committed", _("Committed"), kind="money"),
    Column("left", _("Left"), kind="money"),
    Column("share", _("Used"), kind="percent"),
]


def _budget_row(label: str, budget: Decimal | None, committed: Decimal, households: int) -> Row:
    return Row(
        label,
        {
            "budget": Cell(budget),
            "committed": Cell(committed, households),
            "left": Cell(None if budget is None else budget - committed, sources=("committed",)),
            "share": Cell(
                percentage(committed, budget) if budget else None, sources=("committed",)
            ),
        },
    )


@dataclass
class BudgetData:
    rows: list[dict]
    per_stream: dict[int, Decimal]
    per_district: dict[tuple[int, int], Decimal]
    streams: dict[int, str]


def budget_data(filters: Filters) -> BudgetData:
    """The year's materialised commitments (per stream, district, team) and budgets."""
    per_stream, per_district = stream_budgets(year=filters.budget_year)
    return BudgetData(
        rows=list(
            BudgetSummary.objects.filter(filters.area_q(), year=filters.budget_year).values(
                "stream_id", "district_id", "team_id", "committed", "households"
            )
        ),
        per_stream=per_stream,
        per_district=per_district,
        streams=dict(
            BudgetStream.objects.filter(active=True).order_by("name").values_list("pk", "name")
        ),
    )


def budget_stream_table(filters: Filters, data: BudgetData | None = None) -> Table:
    data = data or budget_data(filters)
    area_ids = filters.area_ids
    rows = []
    total_budget, total_committed, total_households = ZERO, ZERO, 0
    for stream_id, name in data.streams.items():
        if area_ids is None:
            budget = data.per_stream.get(stream_id, ZERO)
        else:
            budget = sum((data.per_district.get((stream_id, d), ZERO) for d in area_ids), ZERO)
        own = [r for r in data.rows if r["stream_id"] == stream_id]
        committed = sum((r["committed"] for r in own), ZERO)
        households = sum(r["households"] for r in own)
        rows.append(_budget_row(name, budget, committed, households))
        total_budget += budget
        total_committed += committed
        total_households += households
    return Table(
        "budget_stream",
        _("Budget per stream %(year)s") % {"year": filters.budget_year},
        BUDGET_COLUMNS,
        rows,
        total=_budget_row(str(_("Total")), total_budget, total_committed, total_households)
        if rows
        else None,
        first_column=_("Stream"),
    )


def budget_district_table(filters: Filters, data: BudgetData | None = None) -> Table:
    data = data or budget_data(filters)
    by_id = {d.pk: d for d in filters.districts}
    area_ids = filters.area_ids
    rows = []
    for district in filters.districts:
        if area_ids is not None and district.pk not in area_ids:
            continue
        own = [r for r in data.rows if r["district_id"] == district.pk]
        budget = sum(
            (amount for (_s, d), amount in data.per_district.items() if d == district.pk), ZERO
        )
        rows.append(
            _budget_row(
                district_label(by_id[district.pk]),
                budget,
                sum((r["committed"] for r in own), ZERO),
                sum(r["households"] for r in own),
            )
        )
    return Table(
        "budget_district",
        _("Budget per district and team %(year)s") % {"year": filters.budget_year},
        BUDGET_COLUMNS,
        rows,
        first_column=_("District (team)"),
        note=_("Commitments of grants and mandate spending, by the household's district."),
    )


MANDATE_COLUMNS = [
    Column("budget", _("Mandate budget"), kind="money"),
    Column("spent", _("Spent"), kind="money"),
    Column("left", _("Left"), kind="money"),
    Column("spendings", _("Times used")),
]


def mandate_table(filters: Filters) -> Table:
    year = filters.budget_year
    team_q = Q() if filters.area_ids is None else Q(team__district_id__in=filters.area_ids)
    spent = {
        r["team_id"]: r
        for r in MandateSummary.objects.filter(team_q, year=year).values(
            "team_id", "spent", "spendings", "households"
        )
    }
    rows = []
    for mandate in TeamMandate.objects.filter(team_q, year=year).select_related("team"):
        used = spent.get(mandate.team_id, {"spent": ZERO, "spendings": 0, "households": 0})
        rows.append(
            Row(
                mandate.team.name,
                {
                    "budget": Cell(mandate.budget),
                    "spent": Cell(used["spent"], used["households"]),
                    "left": Cell(mandate.budget - used["spent"], sources=("spent",)),
                    "spendings": Cell(used["spendings"], used["households"]),
                },
            )
        )
    return Table(
        "mandate",
        _("Team mandate spending %(year)s") % {"year": year},
        MANDATE_COLUMNS,
        sorted(rows, key=lambda row: row.label),
        first_column=_("Team"),
    )


# Informal versus paid support (docs/volunteers.md, "The measure") --------------------------

SUPPORT_COLUMNS = [
    Column("network", _("Plan actions by the informal network")),
    Column("volunteers", _("of which by volunteers")),
    Column("paid", _("Running allocations (paid provisions)")),
    Column("share_network", _("Share informal"), kind="percent"),
]


def _support_row(label: str, figures: dict) -> Row:
    network, paid = figures["network_actions"], figures["allocations"]
    return Row(
        label,
        {
            "network": Cell(network, figures["network_households"]),
            "volunteers": Cell(figures["volunteer_actions"], figures["volunteer_households"]),
            "paid": Cell(paid, figures["allocation_households"]),
            "share_network": Cell(percentage(network, network + paid), sources=("network", "paid")),
        },
    )


def informal_support_table(filters: Filters) -> Table:
    """Per district, today: the open actions of active plans carried by the informal network
    (of which by volunteers of the register) against the running allocations of individual
    provisions, and the informal share of the two. Read live through the cases selector (the
    period filter does not apply: it is a picture of today)."""
    fields = (
        "network_actions",
        "network_households",
        "volunteer_actions",
        "volunteer_households",
        "allocations",
        "allocation_households",
    )
    figures = support_by_district(district_ids=filters.area_ids)
    by_id = {d.pk: d for d in filters.districts}
    shown = [d for d in filters.districts if filters.area_ids is None or d.pk in filters.area_ids]
    keys = [d.pk for d in shown]
    if filters.area_ids is None and None in figures:
        keys.append(None)
    rows, sums = [], dict.fromkeys(fields, 0)
    for key in keys:
        entry = figures.get(key)
        values = {name: getattr(entry, name) if entry else 0 for name in fields}
        for name in fields:
            sums[name] += values[name]
        rows.append(_support_row(district_label(by_id.get(key)), values))
    rows.sort(key=lambda row: row.label)
    total = _support_row(str(_("All districts")), sums) if len(rows) > 1 else None
    return Table(
        "informal_support",
        _("Informal network and paid provisions"),
        SUPPORT_COLUMNS,
        rows,
        total=total,
        first_column=_("District"),
        note=_(
            "Today: open actions in active support plans that a member of the household's "
            "informal network carries (a volunteer of the register included), against the "
            "allocations of individual provisions running today. Share informal: the actions "
            "as a share of both together."
        ),
    )


# Monthly series (the large export) ---------------------------------------------------------

SERIES_COLUMNS = [Column("domain", _("Life domain"), kind="text"), *OUTCOME_COLUMNS]


def outcome_series_table(filters: Filters) -> Table:
    """Every month by district by life domain: the big table behind the trends."""
    by_id = {d.pk: d for d in filters.districts}
    queryset = (
        OutcomeSummary.objects.filter(filters.area_q(), dimension=Dimension.AREA)
        .filter(period__regex=r"^\d{4}-\d{2}$")
        .order_by("period", "district_id", "domain")
        .values_list("period", "district_id", "domain", "improved", "same", "declined")
    )
    rows = []
    for period, district_id, domain, improved, same, declined in queryset.iterator(2000):
        if district_id is not None and district_id not in by_id:
            continue
        row = _outcome_row(
            f"{period} {district_label(by_id.get(district_id))}", improved, same, declined
        )
        row.cells["domain"] = Cell(LifeDomain(domain).label)
        rows.append(row)
    return Table(
        "outcomes_series",
        _("Outcomes per month, district and life domain"),
        SERIES_COLUMNS,
        rows,
        first_column=_("Month and district"),
    )


# Objections (bezwaar) ------------------------------------------------------------------------

OBJECTION_COLUMNS = [
    Column("open", _("Open")),
    *(Column(outcome.value, outcome.label) for outcome in ObjectionOutcome),
    Column("objections", _("Objections"), is_total=True),
]


def _objection_row(label: str, counts: dict[str, tuple[int, int]]) -> Row:
    """A row of objections per outcome; `counts` maps a column key to (objections,
    households)."""
    cells = {}
    for column in OBJECTION_COLUMNS[:-1]:
        number, households = counts.get(column.key, (0, 0))
        cells[column.key] = Cell(number, households)
    total = sum(number for number, _households in counts.values())
    cells["objections"] = Cell(total, sum(h for _number, h in counts.values()))
    return Row(label, cells)


def objection_table(filters: Filters) -> Table:
    """Objections received in the period, per product and outcome (open ones apart). Read
    straight from the objections (few per year, an indexed date) through the wing's selector,
    not from a summary table."""
    per_product: dict[str, dict[str, tuple[int, int]]] = {}
    totals: dict[str, tuple[int, int]] = {}
    for count in objection_counts(
        district_ids=filters.area_ids, year=filters.year, month=filters.month
    ):
        key = count.outcome or "open"
        per_product.setdefault(count.product, {})[key] = (count.objections, count.households)
        number, households = totals.get(key, (0, 0))
        totals[key] = (number + count.objections, households + count.households)
    rows = [_objection_row(product, counts) for product, counts in sorted(per_product.items())]
    return Table(
        "objections",
        _("Objections per product and outcome"),
        OBJECTION_COLUMNS,
        rows,
        total=_objection_row(str(_("All products")), totals) if len(rows) > 1 else None,
        first_column=_("Product"),
        note=_("Objections (bezwaar) received in the period against decisions on applications."),
    )


# Aftercare measured by re-entry (docs/outcomes.md, "Re-entry") -------------------------------

REENTRY_COLUMNS = [
    Column("closed_6", _("Closed, 6 months passed")),
    Column("stayed_6", _("No re-entry within 6 months")),
    Column("share_6", _("Share, 6 months"), kind="percent"),
    Column("closed_12", _("Closed, 12 months passed")),
    Column("stayed_12", _("No re-entry within 12 months")),
    Column("share_12", _("Share, 12 months"), kind="percent"),
]


def _reentry_row(label: str, figures: ReentryFigures) -> Row:
    cells = {}
    for months in (6, 12):
        closed = getattr(figures, f"closed_{months}")
        stayed = getattr(figures, f"stayed_{months}")
        cells[f"closed_{months}"] = Cell(closed, closed)
        cells[f"stayed_{months}"] = Cell(stayed, stayed)
        cells[f"share_{months}"] = Cell(
            percentage(stayed, closed), closed, sources=(f"closed_{months}", f"stayed_{months}")
        )
    return Row(label, cells)


def _period_dates(filters: Filters) -> tuple[datetime.date | None, datetime.date | None]:
    if filters.year is None:
        return None, None
    if filters.month:
        first = datetime.date(filters.year, filters.month, 1)
        following = datetime.date(filters.year + filters.month // 12, filters.month % 12 + 1, 1)
        return first, following - datetime.timedelta(days=1)  # the month's last day
    return datetime.date(filters.year, 1, 1), datetime.date(filters.year, 12, 31)


def reentry_table(filters: Filters, *, today: datetime.date | None = None) -> Table:
    """Aftercare measured by re-entry: of the plans closed in the period, per district and per
    product, the share whose household did not come back (no new melding, signal or
    application) within 6 and within 12 months. Read live through the plans wing's selector;
    a plan counts for a window only once that window has fully passed."""
    closed_from, closed_until = _period_dates(filters)
    reentry = closed_plans_with_reentry(
        closed_from=closed_from,
        closed_until=closed_until,
        district_ids=filters.area_ids,
        today=today,
    )
    by_id = {d.pk: d for d in filters.districts}
    product_ids = {product for _district, product in reentry.by_district_product} - {None}
    names = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "name"))
    no_provision = str(_("no individual provision"))
    rows, total = [], ReentryFigures()
    for district_id, figures in sorted(
        reentry.by_district.items(), key=lambda item: district_label(by_id.get(item[0]))
    ):
        district = district_label(by_id.get(district_id))
        rows.append(_reentry_row(district, figures))
        products = sorted(
            (
                no_provision if product is NO_INDIVIDUAL_PROVISION else names.get(product, "?"),
                product_figures,
            )
            for (area, product), product_figures in reentry.by_district_product.items()
            if area == district_id
        )
        rows.extend(_reentry_row(f"{district}: {name}", fig) for name, fig in products)
        for name in ("closed_6", "stayed_6", "closed_12", "stayed_12"):
            setattr(total, name, getattr(total, name) + getattr(figures, name))
    several = len(reentry.by_district) > 1
    return Table(
        "reentry",
        _("Aftercare: no re-entry after a closed plan"),
        REENTRY_COLUMNS,
        rows,
        total=_reentry_row(str(_("All districts")), total) if several else None,
        first_column=_("District and product"),
        note=_(
            "Support plans closed in the period. Stayed out: no new request for help, signal or "
            "application for the household within 6 or 12 months after closing. A plan counts "
            "only once its 6- or 12-month window has fully passed, so recent closures are not "
            "in the figures yet. Per product: the individual provisions applied for during the "
            "plan; a plan with several counts for each, so product rows do not add up."
        ),
    )


TABLES = {
    "outcomes": outcome_domain_table,
    "informal_support": informal_support_table,
    "outcomes_district": outcome_district_table,
    "outcomes_provider": outcome_provider_table,
    "outcomes_product": outcome_product_table,
    "first_plan": first_plan_table,
    "decisions": decision_table,
    "decisions_district": decision_district_table,
    "investigations": investigation_table,
    "objections": objection_table,
    "reentry": reentry_table,
    "budget_stream": budget_stream_table,
    "budget_district": budget_district_table,
    "mandate": mandate_table,
    "outcomes_series": outcome_series_table,
}
# Built in the background: they grow with the years of data.
BACKGROUND_TABLES = {"outcomes_series"}


def export_table(*, name: str, user, params: dict) -> Table:
    """One dashboard table for an export, within the user's scope (checked again here: a
    background job runs long after the request)."""
    export_table_check(name=name, user=user, params=params)
    team_view = params.get("view") == "team"
    filters = filters_parse(user=user, params=params, team_view=team_view)
    return TABLES[name](filters)


def export_table_check(*, name: str, user, params: dict) -> None:
    """404 unless the table exists and the user may see the dashboard it belongs to."""
    team_view = params.get("view") == "team"
    if name not in TABLES or not permissions.can_view_dashboard(user, team_view=team_view):
        raise Http404("No such table")


def period_years(*, back: int = 6) -> list[int]:
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - back, -1))


# Bottlenecks -------------------------------------------------------------------------------


def bottlenecks_by_rule(*, district_id: int | None = None, since=None) -> list[dict]:
    """Bottlenecks grouped by kind of rule, most first; no household, no reporter."""
    queryset = Bottleneck.objects.all()
    if district_id:
        queryset = queryset.filter(district_id=district_id)
    if since:
        queryset = queryset.filter(occurred_on__gte=since)
    counts = dict(
        queryset.values("rule_kind").annotate(n=Count("pk")).values_list("rule_kind", "n")
    )
    recent = defaultdict(list)
    for item in queryset.order_by("-occurred_on", "-pk").values(
        "rule_kind", "rule", "blocked", "would_have_helped", "occurred_on", "budget_stream__name"
    )[:200]:
        if len(recent[item["rule_kind"]]) < 5:
            recent[item["rule_kind"]].append(item)
    return sorted(
        (
            {"kind": kind, "label": RuleKind(kind).label, "count": n, "recent": recent[kind]}
            for kind, n in counts.items()
        ),
        key=lambda group: (-group["count"], str(group["label"])),
    )


def bottleneck_trend(*, district_id: int | None = None, months: int = 12) -> list[dict]:
    """Bottlenecks per month for the last `months` months (oldest first, empty months 0)."""
    today = timezone.localdate()
    first = today.replace(day=1)
    for _i in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    queryset = Bottleneck.objects.filter(occurred_on__gte=first)
    if district_id:
        queryset = queryset.filter(district_id=district_id)
    counts = {
        (r["month"].year, r["month"].month): r["n"]
        for r in queryset.annotate(month=TruncMonth("occurred_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    out = []
    day = first
    for _i in range(months):
        out.append({"month": day, "count": counts.get((day.year, day.month), 0)})
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return out


def bottleneck_table(groups: list[dict]) -> Table:
    rows = [Row(str(g["label"]), {"count": Cell(g["count"])}) for g in groups]
    return Table(
        "bottlenecks",
        _("Bottlenecks by kind of rule"),
        [Column("count", _("Bottlenecks"))],
        rows,
        first_column=_("Kind of rule"),
    )


def bottlenecks_of_reporter(*, user, limit: int = 10):
    return list(
        Bottleneck.objects.filter(reported_by=user)
        .select_related("budget_stream")
        .order_by("-occurred_on", "-pk")[:limit]
    )


def provision_signals():
    """The subsidy signals about general provisions (shown next to the bottlenecks)."""
    return subsidy_signals_by_provision()


# Jobs --------------------------------------------------------------------------------------


def latest_summary_run() -> SummaryRun | None:
    return SummaryRun.objects.order_by("-created_at").first()


def last_completed_run() -> SummaryRun | None:
    return SummaryRun.objects.filter(status="done").order_by("-finished_at").first()


def summary_run_for(*, run_uuid) -> SummaryRun:
    run = SummaryRun.objects.filter(uuid=run_uuid).first()
    if run is None:
        raise Http404("No such run")
    return run


def export_job_for(*, user, job_uuid) -> ExportJob:
    """Only the person who asked for an export sees it (404 for anyone else)."""
    job = ExportJob.objects.filter(uuid=job_uuid, requested_by=user).defer("content").first()
    if job is None:
        raise Http404("No such export")
    return job


def export_job_content(*, job: ExportJob) -> bytes:
    return bytes(ExportJob.objects.filter(pk=job.pk).values_list("content", flat=True).get())


def export_jobs_of(*, user, limit: int = 5) -> list[ExportJob]:
    return list(
        ExportJob.objects.filter(requested_by=user).defer("content").order_by("-created_at")[:limit]
    )
