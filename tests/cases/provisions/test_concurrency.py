"""Concurrent decisions and mandate grants on real PostgreSQL: threads with their own database
connections, released at the same moment by a barrier."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cases.provisions import services as svc
from cases.provisions.models import (
    ApplicationStatus,
    BudgetCommitment,
    DecisionOutcome,
    MandateSpending,
    ProvisionApplication,
    ProvisionDecision,
)

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(*functions):
    """Run each function in its own thread (own DB connection); return results or exceptions."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def worker(index, function):
        try:
            barrier.wait(timeout=10)
            results[index] = function()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_consultants_deciding_at_once_one_wins(make_application, consultant, second_consultant):
    application = make_application()
    version = application.version

    def decide(by, reasons):
        return lambda: svc.decision_make(
            application=ProvisionApplication.objects.get(pk=application.pk),
            by=by,
            data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons=reasons),
            expected_version=version,
        )

    results = run_at_once(decide(consultant, "Eerste"), decide(second_consultant, "Tweede"))

    decisions = [r for r in results if isinstance(r, ProvisionDecision)]
    conflicts = [r for r in results if isinstance(r, svc.DecisionConflictError)]
    assert len(decisions) == 1, results
    assert len(conflicts) == 1, results
    assert "Een collega heeft zojuist" in str(conflicts[0])
    assert ProvisionDecision.objects.filter(application=application).count() == 1
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.version == version + 1


def test_concurrent_mandate_grants_never_overspend(
    make_household, generalist, mandate, area, product
):
    # budget 5000, limit per household 1500: four grants of 1500 at once, only three fit
    households = [make_household() for _ in range(4)]

    def spend(household):
        return lambda: svc.mandate_spend(
            team=area["team"],
            household=household,
            amount=Decimal("1500.00"),
            reason="Huurachterstand",
            stream=product.budget_stream,
            by=generalist,
        )

    results = run_at_once(*(spend(h) for h in households))

    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1, results
    assert sum(s.amount for s in MandateSpending.objects.all()) == Decimal("4500.00")
    assert BudgetCommitment.objects.count() == 3


def test_concurrent_mandate_grants_for_one_household_respect_the_limit(
    make_household, generalist, mandate, area, product
):
    household = make_household()

    def spend():
        return svc.mandate_spend(
            team=area["team"],
            household=household,
            amount=Decimal("1000.00"),
            reason="Huurachterstand",
            stream=product.budget_stream,
            by=generalist,
        )

    results = run_at_once(spend, spend)

    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    assert MandateSpending.objects.get().amount == Decimal("1000.00")


def test_two_teams_spending_at_once_never_take_the_stream_beyond_its_budget(
    make_household, generalist, mandate, area, other_area, product
):
    from tests.factories import TeamMemberFactory
    from tests.provision_factories import StreamBudgetFactory, TeamMandateFactory

    StreamBudgetFactory(stream=product.budget_stream, amount=Decimal("1000.00"))  # municipal
    TeamMandateFactory(team=other_area["team"])
    other_generalist = TeamMemberFactory(team=other_area["team"], user__username="g2").user
    here = make_household()
    there = make_household(neighbourhood=other_area["neighbourhood"])

    def spend(team, household, by):
        return lambda: svc.mandate_spend(
            team=team,
            household=household,
            amount=Decimal("600.00"),
            reason="Huur",
            stream=product.budget_stream,
            by=by,
        )

    results = run_at_once(
        spend(area["team"], here, generalist), spend(other_area["team"], there, other_generalist)
    )

    assert sum(isinstance(r, MandateSpending) for r in results) == 1, results
    assert sum(isinstance(r, svc.OverBudget) for r in results) == 1, results
    assert BudgetCommitment.objects.count() == 1
