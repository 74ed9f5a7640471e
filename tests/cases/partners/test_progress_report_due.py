"""A provider's progress reports are expected every period its contract names: the allocation
stores the last day the next one is on time (period end + 5 working days, by the legal-terms
engine), kept when care starts, a report comes in and care stops; the clock shows it late."""

import datetime

import pytest
from django.utils import timezone

from cases import clocks
from cases.consent.models import ConsentPurpose
from cases.consent.services import consent_record
from cases.legal_terms import add_working_days, agreed_term_end
from cases.partners import services as partner_services
from cases.provisions import services as svc
from cases.provisions.models import Allocation, DecisionOutcome, Delivery
from networks.models import Contract, Frequency, OrganisationType, Unit
from tests.factories import OrganisationFactory

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=120)


@pytest.fixture
def provider(db):
    return OrganisationFactory(type=OrganisationType.CARE_PROVIDER, agb_code="12341234")


@pytest.fixture
def allocation(make_application, consultant, provider, product, generalist):
    application = make_application()
    household = application.household
    household.coordinator = generalist
    household.save(update_fields=["coordinator"])
    application.resident = household.memberships.first().resident
    application.save(update_fields=["resident"])
    Contract.objects.create(
        organisation=provider,
        product=product,
        tariff=50,
        valid_from=datetime.date(2000, 1, 1),
        report_every_months=3,
    )
    svc.decision_make(
        application=application,
        by=consultant,
        data=svc.DecisionInput(
            outcome=DecisionOutcome.GRANT,
            volume=3,
            unit=Unit.HOUR,
            frequency=Frequency.PER_WEEK,
            start_date=START,
            end_date=TODAY + datetime.timedelta(days=200),
            delivery=Delivery.IN_KIND,
            provider=provider,
        ),
    )
    return Allocation.objects.get(decision__application=application)


def expected(period_start):
    return add_working_days(agreed_term_end(period_start, months=3), 5)


def test_no_report_is_due_before_care_starts(allocation):
    assert allocation.progress_report_due_on is None


def test_care_starting_sets_the_first_due_date(allocation):
    started = partner_services.allocation_start(allocation=allocation, started_on=START)
    assert started.progress_report_due_on == expected(START)
    assert partner_services.progress_report_due(started) == expected(START)


def test_a_report_moves_the_due_date_to_the_next_period_and_stopping_clears_it(
    allocation, provider, generalist
):
    allocation = partner_services.allocation_start(allocation=allocation, started_on=START)
    consent_record(
        resident=allocation.client,
        organisation=provider,
        categories=["progress"],
        purpose=ConsentPurpose.PROGRESS_REPORTS,
        given_by="de inwoner",
        given_on=START,
        by=generalist,
    )
    period_end = agreed_term_end(START, months=3)
    partner_services.progress_report_create(
        allocation=allocation,
        organisation=provider,
        period_start=START,
        period_end=period_end,
        text="Gaat goed.",
    )
    allocation.refresh_from_db()
    assert allocation.progress_report_due_on == expected(period_end)

    reason = "19" if allocation.product.law == "wmo" else "34"
    partner_services.allocation_stop(allocation=allocation, stopped_on=TODAY, reason=reason)
    allocation.refresh_from_db()
    assert allocation.progress_report_due_on is None


def test_without_a_report_period_in_the_contract_nothing_is_due(allocation):
    Contract.objects.update(report_every_months=None)
    started = partner_services.allocation_start(allocation=allocation, started_on=START)
    assert started.progress_report_due_on is None


def test_an_overdue_report_is_a_late_clock_for_the_coordinator(allocation, generalist):
    allocation = partner_services.allocation_start(allocation=allocation, started_on=START)
    household = allocation.household
    [clock] = [
        c
        for c in clocks.clocks_by_household(user=generalist, household_ids=[household.pk])[
            household.pk
        ]
        if c.kind == "progress_report"
    ]
    assert clock.due_on == expected(START)
    assert clock.status == clocks.LATE  # 120 days after the start, 3 months + 5 working days
    assert clock.responsible_id == generalist.pk
