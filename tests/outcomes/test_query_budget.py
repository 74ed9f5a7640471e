"""The dashboards read only the summary tables: a fixed number of queries, however much data
lies behind them (more districts, providers, products, years)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from outcomes import services
from outcomes.models import OutcomeSummary
from tests.factories import OrganisationFactory, TeamFactory

pytestmark = pytest.mark.django_db

# +2 each: decisions per district and investigations per district (one query a table); +1
# each: objections per product and outcome (read from the objections, cases/objections);
# +2 each: informal network actions and running allocations per district (read live, two
# grouped queries however many districts: cases.volunteers.selectors.support_by_district)
# +5 each: re-entry after closed plans (at most five queries however many plans: the plans,
# their households' meldings, signals and applications, the product names;
# cases.plans.selectors.closed_plans_with_reentry, tests/outcomes/test_reentry.py)
POLICY_BUDGET = 29
TEAM_BUDGET = 30


def more_summaries():
    """Ten more districts with teams and thirty providers, each with summary rows."""
    rows = []
    providers = [OrganisationFactory() for _ in range(30)]
    for _ in range(10):
        district = TeamFactory().district
        for domain in ("finances", "housing", "mental_health"):
            rows.append(
                OutcomeSummary(
                    period="all", dimension="area", district=district, domain=domain, improved=9
                )
            )
            rows.extend(
                OutcomeSummary(
                    period="all",
                    dimension="provider",
                    district=district,
                    provider=provider,
                    domain=domain,
                    same=6,
                )
                for provider in providers
            )
    OutcomeSummary.objects.bulk_create(rows)


def test_policy_dashboard_query_budget(
    client, dataset, policy_officer, django_assert_max_num_queries
):
    services.summaries_recompute()
    client.force_login(policy_officer)
    client.get(reverse("home"))  # session and roles warm, as for a returning user
    with django_assert_max_num_queries(POLICY_BUDGET):
        assert client.get(reverse("outcomes:policy_dashboard")).status_code == 200
    more_summaries()
    cache.clear()  # the tables are cached per summary run: these rows came without a run
    client.get(reverse("home"))  # the user's access facts warm again
    with django_assert_max_num_queries(POLICY_BUDGET):
        response = client.get(reverse("outcomes:policy_dashboard"))
    assert len(response.context["sections"]()[1]["table"].rows) == 12
    with django_assert_max_num_queries(POLICY_BUDGET):
        client.get(
            reverse("outcomes:policy_dashboard"),
            {"jaar": "2026", "wijk": dataset["A"].code, "domein": "housing"},
        )


def test_team_dashboard_query_budget(client, dataset, team_lead, django_assert_max_num_queries):
    services.summaries_recompute()
    more_summaries()
    client.force_login(team_lead)
    with django_assert_max_num_queries(TEAM_BUDGET):
        assert client.get(reverse("outcomes:team_dashboard")).status_code == 200


def test_bottleneck_overview_query_budget(client, policy_officer, django_assert_max_num_queries):
    client.force_login(policy_officer)
    # 9: the first request also reads the user's access facts (version + one statement)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("outcomes:bottlenecks")).status_code == 200


def test_the_dashboard_tables_are_rendered_once_per_summary_run(
    client, dataset, policy_officer, monkeypatch
):
    from outcomes import views

    calls = []
    real = views._sections
    monkeypatch.setattr(views, "_sections", lambda filters: calls.append(1) or real(filters))
    services.summaries_recompute()
    client.force_login(policy_officer)
    first = client.get(reverse("outcomes:policy_dashboard")).content.decode()
    second = client.get(reverse("outcomes:policy_dashboard")).content.decode()
    assert len(calls) == 1
    assert 'id="table-outcomes"' in second
    assert first.count('id="section-') == second.count('id="section-')
    services.summaries_recompute()  # a new run: rendered afresh
    client.get(reverse("outcomes:policy_dashboard"))
    assert len(calls) == 2
