"""Outcome, time-to-plan, decision and budget figures against hand-computed expectations on
the small data set in conftest.py."""

from decimal import Decimal

import pytest

from outcomes import selectors, services
from outcomes.models import (
    BudgetSummary,
    DecisionSummary,
    Dimension,
    FirstPlanSummary,
    JobStatus,
    MandateSummary,
    OutcomeSummary,
    SummaryRun,
)

pytestmark = pytest.mark.django_db


def outcome(period, district, domain, dimension=Dimension.AREA, **extra):
    row = OutcomeSummary.objects.filter(
        period=period, district=district, domain=domain, dimension=dimension, **extra
    ).first()
    return (row.improved, row.same, row.declined) if row else None


def test_household_outcomes_per_evaluation(dataset):
    # h1: intake finances 2, housing 3; evaluations (3, 3) and (4, 2)
    result = selectors.household_outcomes(household=dataset["h1"])
    assert [r.changes for r in result] == [
        {"finances": 1, "housing": 0},
        {"finances": 2, "housing": -1},
    ]
    # h5: social network scored only at intake: left out
    assert [r.changes for r in selectors.household_outcomes(household=dataset["h5"])] == [
        {"finances": 2}
    ]


def test_outcomes_per_period_district_and_domain(dataset):
    services.summaries_recompute()
    a, b = dataset["A"], dataset["B"]
    # all time, latest evaluation: h1 +2, h4 +2, h5 +2 improved; h2, h6 same; h3 declined
    assert outcome("all", a, "finances") == (3, 2, 1)
    assert outcome("all", a, "housing") == (0, 0, 1)  # h1's latest: 3 -> 2
    assert outcome("all", b, "finances") == (1, 0, 0)
    # 2026: h6 (evaluated in 2025) drops out
    assert outcome("2026", a, "finances") == (3, 1, 1)
    assert outcome("2025", a, "finances") == (0, 1, 0)
    # March 2026: only h1's first evaluation (finances 2 -> 3, housing 3 -> 3)
    assert outcome("2026-03", a, "finances") == (1, 0, 0)
    assert outcome("2026-03", a, "housing") == (0, 1, 0)
    assert outcome("2026-05", a, "finances") == (3, 1, 1)
    assert outcome("all", a, "social_network") is None


def test_outcomes_per_provider_and_product_count_overlapping_allocations_only(dataset):
    services.summaries_recompute()
    a = dataset["A"]
    # only h1's allocation with P overlaps intake..evaluation
    assert outcome("all", a, "finances", Dimension.PROVIDER, provider=dataset["P"]) == (1, 0, 0)
    assert not OutcomeSummary.objects.filter(provider=dataset["Q"]).exists()
    assert outcome("all", a, "finances", Dimension.PRODUCT, product=dataset["product"]) == (
        1,
        0,
        0,
    )


def test_time_to_first_plan(dataset):
    services.summaries_recompute()
    row = FirstPlanSummary.objects.get(period="all", district=dataset["A"])
    # h1 28 days, h2 7, h3 90, h4 40 (its first plan; the second is ignored)
    assert row.households == 4
    assert row.total_days == 28 + 7 + 90 + 40
    assert (row.within_2_weeks, row.within_6_weeks, row.within_12_weeks, row.longer) == (
        1,
        2,
        0,
        1,
    )
    january = FirstPlanSummary.objects.get(period="2026-01", district=dataset["A"])
    assert (january.households, january.total_days) == (2, 28 + 40)
    assert not FirstPlanSummary.objects.filter(district=dataset["B"]).exists()


def test_decisions_within_the_legal_term(dataset):
    services.summaries_recompute()
    a = dataset["A"]
    wmo = DecisionSummary.objects.get(period="all", district=a, law="wmo")
    # d1 within, d2 late, d4 late (co-signed after the deadline), d6 within; d5 not final
    assert (wmo.decisions, wmo.within_term) == (4, 2)
    assert (wmo.households, wmo.households_within, wmo.households_late) == (3, 1, 2)
    youth = DecisionSummary.objects.get(period="all", district=a, law="jeugd")
    assert (youth.decisions, youth.within_term) == (1, 1)
    every = DecisionSummary.objects.get(period="all", district=a, law="")
    assert (every.decisions, every.within_term, every.households) == (5, 3, 4)
    assert (every.households_within, every.households_late) == (2, 2)
    march = DecisionSummary.objects.get(period="2026-03", district=a, law="wmo")
    assert (march.decisions, march.within_term) == (3, 1)


def test_budget_and_mandate_summaries(dataset):
    services.summaries_recompute()
    budget = BudgetSummary.objects.get(year=2026, stream=dataset["stream"])
    assert budget.committed == Decimal("1500.00")
    assert (budget.commitments, budget.households) == (2, 2)
    assert budget.district == dataset["A"] and budget.team == dataset["team"]
    mandate = MandateSummary.objects.get(year=2026, team=dataset["team"])
    assert mandate.spent == Decimal("600.00")
    assert (mandate.spendings, mandate.households) == (3, 2)


def test_recompute_replaces_the_tables_and_records_the_run(dataset):
    first = services.summaries_recompute()
    rows = OutcomeSummary.objects.count()
    second = services.summaries_recompute()
    assert first == second
    assert OutcomeSummary.objects.count() == rows
    run = SummaryRun.objects.order_by("-created_at").first()
    assert (run.status, run.progress) == (JobStatus.DONE, 100)
    assert run.finished_at is not None


def test_dashboard_tables_from_the_summaries(dataset, policy_officer):
    services.summaries_recompute()
    filters = selectors.filters_parse(user=policy_officer, params={}, team_view=False)
    table = selectors.outcome_domain_table(filters)
    finances = next(row for row in table.rows if row.key == "finances")
    # municipality: district A (3, 2, 1) + district B (1, 0, 0)
    assert [finances.cells[k].value for k in ("improved", "same", "declined", "households")] == [
        4,
        2,
        1,
        7,
    ]
    assert finances.cells["share_improved"].value == 57
    filters = selectors.filters_parse(
        user=policy_officer, params={"wijk": dataset["A"].code, "jaar": "2026"}, team_view=False
    )
    decisions = selectors.decision_table(filters)
    assert [r.label for r in decisions.rows] == ["Wmo", "Jeugdwet"]
    assert decisions.rows[0].cells["share"].value == 50
    assert decisions.total.cells["decisions"].value == 5
    first_plan = selectors.first_plan_table(filters)
    assert first_plan.rows[0].cells["mean_days"].value == round(165 / 4)
