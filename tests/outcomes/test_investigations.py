"""Share of Wmo investigations and of decisions within their legal term, per district: the
dashboards' figures read the materialised summaries (outcomes.services.investigation_rows)."""

import pytest
from django.urls import reverse

from cases.intake.models import Melding, MeldingStatus
from outcomes import selectors, services
from outcomes.models import InvestigationSummary
from tests.outcome_dataset import D, conversation, melding

pytestmark = pytest.mark.django_db


def investigation(household, *, received, deadline, held=(), status=MeldingStatus.OPEN):
    """A melding with its stored deadline (set here: the summary reads it, never computes
    it) answered by kitchen-table conversations on the days in `held`."""
    made = melding(household, received)
    Melding.objects.filter(pk=made.pk).update(investigation_deadline=deadline, status=status)
    for day in held:
        conversation(household, day, {"finances": 3}, melding=made)
    return made


@pytest.fixture
def investigations(area, other_area, make_household):
    a = [make_household() for _ in range(5)]
    b = make_household(neighbourhood=other_area["neighbourhood"])
    deadline = D(2026, 2, 12)
    investigation(a[0], received=D(2026, 1, 1), deadline=deadline, held=[D(2026, 1, 20)])
    investigation(a[1], received=D(2026, 1, 1), deadline=deadline, held=[D(2026, 2, 12)])
    # late: the first conversation after the deadline; a later second one does not count twice
    investigation(
        a[2], received=D(2026, 1, 1), deadline=deadline, held=[D(2026, 3, 2), D(2026, 4, 1)]
    )
    investigation(a[3], received=D(2026, 1, 1), deadline=deadline)  # still running
    investigation(  # withdrawn: no investigation to measure
        a[4],
        received=D(2026, 1, 1),
        deadline=deadline,
        held=[D(2026, 1, 5)],
        status=MeldingStatus.WITHDRAWN,
    )
    investigation(b, received=D(2026, 1, 1), deadline=deadline, held=[D(2026, 1, 6)])
    return {"A": area["district"], "B": other_area["district"]}


def summary(period, district):
    row = InvestigationSummary.objects.get(period=period, district=district)
    return (row.investigations, row.within_term, row.households_within, row.households_late)


def test_investigations_within_the_term_per_period_and_district(investigations):
    services.summaries_recompute()
    assert summary("all", investigations["A"]) == (3, 2, 2, 1)
    assert summary("2026", investigations["A"]) == (3, 2, 2, 1)
    assert summary("2026-02", investigations["A"]) == (1, 1, 1, 0)  # counted when held
    assert summary("2026-03", investigations["A"]) == (1, 0, 0, 1)
    assert summary("all", investigations["B"]) == (1, 1, 1, 0)
    assert not InvestigationSummary.objects.filter(period="2026-04").exists()


def test_the_table_per_district_with_a_total_and_suppression(investigations, policy_officer):
    services.summaries_recompute()
    filters = selectors.filters_parse(user=policy_officer, params={}, team_view=False)
    table = selectors.investigation_table(filters)
    # rows sorted by the district's name (a factory's random name): find each by its label
    rows = {row.label: row for row in table.rows}
    a, b = (rows[selectors.district_label(investigations[key])] for key in ("A", "B"))
    assert (a.cells["decisions"].value, b.cells["decisions"].value) == (3, 1)
    assert (a.cells["share"].value, b.cells["share"].value) == (pytest.approx(66.7, 0.1), 100)
    assert table.total.cells["decisions"].value == 4 and table.total.cells["within"].value == 3
    assert a.cells["within"].suppressed  # 2 households: "<5"


def test_a_team_lead_sees_their_own_districts_only(investigations, team_lead):
    services.summaries_recompute()
    filters = selectors.filters_parse(user=team_lead, params={}, team_view=True)
    table = selectors.investigation_table(filters)
    assert len(table.rows) == 1 and table.total is None
    assert table.rows[0].cells["decisions"].value == 3


def test_decisions_per_district_add_up_to_all_laws(dataset, policy_officer):
    services.summaries_recompute()
    filters = selectors.filters_parse(user=policy_officer, params={}, team_view=False)
    per_law = selectors.decision_table(filters)
    per_district = selectors.decision_district_table(filters)
    lines = [per_district.total] if per_district.total else per_district.rows
    assert sum(line.cells["decisions"].value for line in lines) == (
        per_law.total.cells["decisions"].value
    )
    assert sum(line.cells["within"].value for line in lines) == (
        per_law.total.cells["within"].value
    )


def test_both_dashboards_show_the_terms_per_district(client, investigations, policy_officer):
    services.summaries_recompute()
    client.force_login(policy_officer)
    content = client.get(reverse("outcomes:policy_dashboard")).content.decode()
    assert "Onderzoeken binnen de wettelijke termijn (Wmo)" in content
    assert "Besluiten binnen de wettelijke termijn, per wijk" in content


@pytest.mark.parametrize("table", ["investigations", "decisions_district"])
def test_the_new_tables_export(client, investigations, policy_officer, table):
    services.summaries_recompute()
    client.force_login(policy_officer)
    response = client.get(reverse("outcomes:export", args=[table, "csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
