"""Aftercare measured by re-entry (docs/outcomes.md, "Re-entry"), against a fixture computed by
hand. "Today" is 6 December 2026; the period is 2025.

District A (`area`), plans closed in 2025:

| plan | created | closed  | during the plan | after closing                    | 6 m    | 12 m   |
|------|---------|---------|-----------------|----------------------------------|--------|--------|
| P1   | 24-10-01| 25-01-10|                 |                                  | stayed | stayed |
| P2   | 24-12-01| 25-02-01| application X   | melding 25-05-01                 | back   | back   |
| P3   | 25-01-01| 25-03-15|                 | signal 25-11-01 (after 6 m)      | stayed | back   |
| P4   | 25-01-01| 25-04-30|                 | application Y 26-06-01 (> 12 m)  | stayed | stayed |
| P5   | 25-06-01| 25-12-20|                 | melding on the closing day       | stayed | open   |
| P6   | 25-01-01| 25-06-30| application X   | application Y 25-08-01           | back   | back   |

Not counted: P7 closed 2024-12-31 and P8 closed 2026-03-01 (outside 2025), an active plan.

A, 6 months: P1-P6 count, P1 P3 P4 P5 stayed: 4/6. 12 months: P5's window ends 2026-12-20,
after today, so P1-P4 and P6 count; P1 and P4 stayed: 2/5.
A per product: X (P2, P6): 0/2 and 0/2; no individual provision (P1 P3 P4 P5): 4/4 and 2/3.

District B (`other_area`): P9 closed 2025-05-05, melding 2026-05-05, the last day of its
12-month window (inclusive): 1/1 within 6 months, 0/1 within 12.
"""

import datetime
from fractions import Fraction

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.legal_terms import reentry_window_end
from cases.plans.models import PlanStatus, SupportPlan
from cases.plans.selectors import NO_INDIVIDUAL_PROVISION, closed_plans_with_reentry
from outcomes.selectors import Filters, district_label, reentry_table
from tests.cases.intake_factories import MeldingFactory, SignalFactory
from tests.factories import SupportPlanFactory
from tests.provision_factories import ApplicationFactory, ProductFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 12, 6)


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def closed_plan(household, *, created, closed, status=PlanStatus.CLOSED):
    plan = SupportPlanFactory(household=household, ready=True)
    SupportPlan.objects.filter(pk=plan.pk).update(
        status=status, created_at=_at(created), closed_at=_at(closed) if closed else None
    )
    return plan


@pytest.fixture
def fixture(area, other_area, make_household):
    x = ProductFactory(name="Begeleiding individueel")
    y = ProductFactory(name="Huishoudelijke ondersteuning")
    h = [make_household() for _ in range(8)]
    closed_plan(h[0], created=D(2024, 10, 1), closed=D(2025, 1, 10))
    closed_plan(h[1], created=D(2024, 12, 1), closed=D(2025, 2, 1))
    ApplicationFactory(household=h[1], product=x, applied_on=D(2025, 1, 15))
    MeldingFactory(household=h[1], received_on=D(2025, 5, 1))
    closed_plan(h[2], created=D(2025, 1, 1), closed=D(2025, 3, 15))
    SignalFactory(household=h[2], team=area["team"], received_on=D(2025, 11, 1))
    closed_plan(h[3], created=D(2025, 1, 1), closed=D(2025, 4, 30))
    ApplicationFactory(household=h[3], product=y, applied_on=D(2026, 6, 1))
    closed_plan(h[4], created=D(2025, 6, 1), closed=D(2025, 12, 20))
    MeldingFactory(household=h[4], received_on=D(2025, 12, 20))
    closed_plan(h[5], created=D(2025, 1, 1), closed=D(2025, 6, 30))
    ApplicationFactory(household=h[5], product=x, applied_on=D(2025, 3, 1))
    ApplicationFactory(household=h[5], product=y, applied_on=D(2025, 8, 1))
    closed_plan(h[6], created=D(2024, 1, 1), closed=D(2024, 12, 31))
    closed_plan(h[7], created=D(2025, 6, 1), closed=D(2026, 3, 1))
    closed_plan(make_household(), created=D(2025, 1, 1), closed=None, status=PlanStatus.ACTIVE)
    b = make_household(neighbourhood=other_area["neighbourhood"])
    closed_plan(b, created=D(2025, 1, 1), closed=D(2025, 5, 5))
    MeldingFactory(household=b, received_on=D(2026, 5, 5))
    return {"x": x, "y": y, "a": area["district"], "b": other_area["district"]}


def shares(figures) -> tuple[Fraction | None, Fraction | None]:
    def share(stayed, closed):
        return Fraction(stayed, closed) if closed else None

    return (
        share(figures.stayed_6, figures.closed_6),
        share(figures.stayed_12, figures.closed_12),
    )


def test_the_window_ends_on_the_same_date_months_later():
    assert reentry_window_end(D(2025, 5, 5), months=12) == D(2026, 5, 5)
    assert reentry_window_end(D(2025, 8, 31), months=6) == D(2026, 2, 28)


def test_re_entry_per_district_matches_the_hand_computed_fixture(fixture):
    reentry = closed_plans_with_reentry(
        closed_from=D(2025, 1, 1), closed_until=D(2025, 12, 31), today=TODAY
    )
    a, b = reentry.by_district[fixture["a"].pk], reentry.by_district[fixture["b"].pk]
    assert (a.closed_6, a.stayed_6, a.closed_12, a.stayed_12) == (6, 4, 5, 2)
    assert shares(a) == (Fraction(2, 3), Fraction(2, 5))
    assert (b.closed_6, b.stayed_6, b.closed_12, b.stayed_12) == (1, 1, 1, 0)
    assert set(reentry.by_district) == {fixture["a"].pk, fixture["b"].pk}


def test_re_entry_per_product_matches_the_hand_computed_fixture(fixture):
    reentry = closed_plans_with_reentry(
        closed_from=D(2025, 1, 1), closed_until=D(2025, 12, 31), today=TODAY
    )
    per_product = reentry.by_district_product
    x = per_product[(fixture["a"].pk, fixture["x"].pk)]
    none = per_product[(fixture["a"].pk, NO_INDIVIDUAL_PROVISION)]
    assert (x.closed_6, x.stayed_6, x.closed_12, x.stayed_12) == (2, 0, 2, 0)
    assert (none.closed_6, none.stayed_6, none.closed_12, none.stayed_12) == (4, 4, 3, 2)
    # Y was only applied for after the plans closed: re-entry, not a product of a plan
    assert (fixture["a"].pk, fixture["y"].pk) not in per_product


def test_a_window_not_yet_passed_is_left_out_of_the_denominator(fixture):
    early = closed_plans_with_reentry(
        closed_from=D(2025, 1, 1), closed_until=D(2025, 12, 31), today=D(2025, 7, 11)
    )
    a = early.by_district[fixture["a"].pk]
    # on 11 July 2025 only P1's 6-month window (ends 10 July) has passed; no 12-month one
    assert (a.closed_6, a.stayed_6, a.closed_12, a.stayed_12) == (1, 1, 0, 0)


def test_the_district_filter_and_the_whole_history(fixture):
    only_b = closed_plans_with_reentry(district_ids=[fixture["b"].pk], today=TODAY)
    assert set(only_b.by_district) == {fixture["b"].pk}
    everything = closed_plans_with_reentry(today=TODAY)
    a = everything.by_district[fixture["a"].pk]
    # P7 (closed 2024-12-31, nothing after) and P8 (2026-03-01: 6 m window ends 2026-09-01)
    assert (a.closed_6, a.stayed_6, a.closed_12, a.stayed_12) == (8, 6, 6, 3)


def test_the_dashboard_table_shows_the_shares_with_suppression(fixture):
    filters = Filters(year=2025, districts=[fixture["a"], fixture["b"]])
    table = reentry_table(filters, today=TODAY)
    rows = {row.label: row for row in table.rows}
    a = rows[district_label(fixture["a"])]
    assert a.cells["closed_6"].value == 6
    assert a.cells["share_6"].value == round(100 * Fraction(2, 3))
    assert a.cells["share_12"].value == round(100 * Fraction(2, 5))
    assert not a.cells["closed_6"].suppressed
    assert a.cells["stayed_6"].suppressed  # 4 households: "<5"
    assert a.cells["share_6"].suppressed  # derived from a suppressed figure
    assert f"{district_label(fixture['a'])}: Begeleiding individueel" in rows
    assert table.total is not None
    assert table.total.cells["closed_6"].value == 7


def test_the_dashboard_shows_the_re_entry_table(client, user_with_role, fixture):
    from teams.roles import Role

    client.force_login(user_with_role(Role.POLICY_OFFICER))
    response = client.get(reverse("outcomes:policy_dashboard"), {"jaar": "2025"})
    body = response.content.decode()
    assert 'id="table-reentry"' in body


def test_the_re_entry_table_reads_in_a_fixed_number_of_queries(
    fixture, django_assert_max_num_queries
):
    filters = Filters(year=2025, districts=[fixture["a"], fixture["b"]])
    with django_assert_max_num_queries(5):
        reentry_table(filters, today=TODAY)
