"""Partners and money: which cooperative member delivers an allocation (and gets its webhooks),
care starts only under a contract, and grants and mandate spending stay within the stream's
budget (a warning at 90 %, beyond 100 % only with a team lead's reason)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.partners import services as partner_services
from cases.privacy.models import AccessLogEntry
from cases.provisions import services as svc
from cases.provisions.models import (
    Allocation,
    ApplicationStatus,
    BudgetCommitment,
    DecisionOutcome,
    Delivery,
)
from networks.models import CooperativeMembership, Frequency, OrganisationType, Unit, WebhookEvent
from tests.factories import OrganisationFactory
from tests.provision_factories import ProductFactory, StreamBudgetFactory, contract_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=10)


def _grant_data(provider, amount=None):
    return svc.DecisionInput(
        outcome=DecisionOutcome.GRANT,
        volume=3,
        unit=Unit.HOUR,
        frequency=Frequency.PER_WEEK,
        start_date=START,
        end_date=START + datetime.timedelta(days=100),
        delivery=Delivery.IN_KIND,
        provider=provider,
        amount=amount,
    )


@pytest.fixture
def cooperative(db):
    return OrganisationFactory(
        name="Coöperatie Zorg Dommel", type=OrganisationType.CARE_PROVIDER, agb_code="11112222"
    )


@pytest.fixture
def member(cooperative):
    organisation = OrganisationFactory(
        name="Thuiszorg Lid", type=OrganisationType.CARE_PROVIDER, agb_code="33334444"
    )
    CooperativeMembership.objects.create(
        cooperative=cooperative, member=organisation, start_date=TODAY - datetime.timedelta(365)
    )
    return organisation


@pytest.fixture
def allocation(make_application, consultant, cooperative):
    application = make_application()
    application.resident = application.household.memberships.first().resident
    application.save(update_fields=["resident"])
    # a contract of one day, the grant's start (`decision_make` checks it): care starting any
    # later day needs another
    contract_for(
        provider=cooperative, product=application.product, valid_from=START, valid_until=START
    )
    svc.decision_make(
        application=application, by=consultant, data=_grant_data(cooperative, Decimal("50"))
    )
    return Allocation.objects.get(decision__application=application)


def url(allocation, suffix=""):
    return f"/api/v1/allocations/{allocation.uuid}/{suffix}"


# Who delivers ----------------------------------------------------------------------------------


def test_the_provider_names_a_member_who_then_gets_the_webhooks(allocation, cooperative, member):
    outsider = OrganisationFactory(type=OrganisationType.CARE_PROVIDER, agb_code="55556666")
    with pytest.raises(ValidationError, match="geen lid"):
        partner_services.allocation_delivered_by_set(allocation=allocation, delivered_by=outsider)
    with pytest.raises(partner_services.NotTheProvider):
        partner_services.allocation_delivered_by_set(
            allocation=allocation, delivered_by=member, caller=member
        )

    allocation = partner_services.allocation_delivered_by_set(
        allocation=allocation, delivered_by=member, caller=cooperative
    )
    assert allocation.delivered_by == member
    contract_for(allocation)
    partner_services.allocation_start(allocation=allocation, started_on=START)
    member_events = WebhookEvent.objects.filter(organisation=member).values_list("type", flat=True)
    assert list(member_events) == ["allocation.changed", "allocation.changed"]
    assert WebhookEvent.objects.filter(organisation=cooperative).count() == 3  # + created


def test_the_api_sets_and_shows_who_delivers(api_as, allocation, cooperative, member):
    outsider = OrganisationFactory(type=OrganisationType.CARE_PROVIDER, agb_code="55556666")
    api = api_as(cooperative)
    wrong = api.post(
        url(allocation, "delivered-by/"), {"delivered_by": outsider.code}, format="json"
    )
    assert wrong.status_code == 400
    assert wrong["Content-Type"].startswith("application/problem+json")
    unknown = api.post(url(allocation, "delivered-by/"), {"delivered_by": "nope"}, format="json")
    assert unknown.status_code == 400

    set_ = api.post(url(allocation, "delivered-by/"), {"delivered_by": "33334444"}, format="json")
    assert set_.status_code == 200, set_.content
    assert set_.json()["delivered_by"] == {
        "code": member.code,
        "name": "Thuiszorg Lid",
        "agb_code": "33334444",
    }
    # the member sees the allocation (its cooperative's) but may not change who delivers
    as_member = api_as(member)
    assert as_member.get(url(allocation)).json()["delivered_by"]["code"] == member.code
    refused = as_member.post(
        url(allocation, "delivered-by/"), {"delivered_by": None}, format="json"
    )
    assert refused.status_code == 403

    cleared = api.post(url(allocation, "delivered-by/"), {"delivered_by": None}, format="json")
    assert cleared.json()["delivered_by"] is None


def test_the_application_page_shows_the_member(client, consultant, allocation, member):
    partner_services.allocation_delivered_by_set(allocation=allocation, delivered_by=member)
    client.force_login(consultant)
    page = client.get(
        reverse("provisions:application_detail", args=[allocation.decision.application.uuid])
    )
    assert 'id="allocation-delivered-by"' in page.content.decode()
    assert "Thuiszorg Lid" in page.content.decode()


# Contracts -------------------------------------------------------------------------------------


def test_care_starts_only_under_a_contract_for_the_product_and_day(allocation):
    later = START + datetime.timedelta(1)
    # the contract the grant was made under ended the day before
    with pytest.raises(partner_services.NoContract):
        partner_services.allocation_start(allocation=allocation, started_on=later)
    # a contract for another product does not count
    contract_for(provider=allocation.provider, product=ProductFactory(youth=True), valid_from=later)
    with pytest.raises(partner_services.NoContract):
        partner_services.allocation_start(allocation=allocation, started_on=later)
    contract_for(allocation, valid_from=later)
    started = partner_services.allocation_start(allocation=allocation, started_on=later)
    assert started.care_started_on == later


def test_the_api_answers_422_without_a_contract(api_as, allocation, cooperative):
    response = api_as(cooperative).post(
        url(allocation, "start/"),
        {"date": (START + datetime.timedelta(1)).isoformat()},
        format="json",
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "no_contract"
    allocation.refresh_from_db()
    assert allocation.care_started_on is None


# Budget ----------------------------------------------------------------------------------------


def test_mandate_spending_warns_at_90_and_needs_a_team_lead_beyond_100_percent(
    make_household, generalist, team_lead, mandate, area, product
):
    StreamBudgetFactory(stream=product.budget_stream, year=TODAY.year, amount=Decimal("1000"))
    kwargs = {"team": area["team"], "stream": product.budget_stream, "reason": "Huur"}
    first = svc.mandate_spend(
        household=make_household(), amount=Decimal("850"), by=generalist, **kwargs
    )
    assert first.budget_warning == ""
    second = svc.mandate_spend(
        household=make_household(), amount=Decimal("100"), by=generalist, **kwargs
    )
    assert "95" in second.budget_warning
    with pytest.raises(svc.OverBudget):
        svc.mandate_spend(
            household=make_household(), amount=Decimal("100"), by=generalist, **kwargs
        )
    with pytest.raises(svc.OverBudget):  # a team lead must give a reason
        svc.mandate_spend(household=make_household(), amount=Decimal("100"), by=team_lead, **kwargs)
    third = svc.mandate_spend(
        household=make_household(),
        amount=Decimal("100"),
        by=team_lead,
        budget_override_reason="Ontruiming dreigt morgen.",
        **kwargs,
    )
    commitment = BudgetCommitment.objects.get(mandate_spending=third)
    assert commitment.over_budget_approved_by == team_lead
    assert commitment.over_budget_reason == "Ontruiming dreigt morgen."
    assert BudgetCommitment.objects.count() == 3


def test_a_grant_beyond_the_budget_waits_for_a_team_leads_approval(
    make_application, consultant, team_lead, provider, product
):
    StreamBudgetFactory(stream=product.budget_stream, year=START.year, amount=Decimal("1000"))
    application = make_application()
    with pytest.raises(ValidationError, match="teamleider"):
        svc.decision_make(
            application=application, by=consultant, data=_grant_data(provider, Decimal("1200"))
        )
    application.refresh_from_db()
    assert not application.is_decided and not BudgetCommitment.objects.exists()
    with pytest.raises(PermissionDenied):
        svc.application_budget_override(application=application, reason="Nodig", by=consultant)

    before = AccessLogEntry.objects.count()
    svc.application_budget_override(
        application=application, reason="Veiligheid kind.", by=team_lead
    )
    assert AccessLogEntry.objects.count() == before + 1  # audited
    decision = svc.decision_make(
        application=application, by=consultant, data=_grant_data(provider, Decimal("1200"))
    )
    assert decision.application.status == ApplicationStatus.GRANTED
    assert decision.commitment.over_budget_approved_by == team_lead
    assert decision.commitment.over_budget_reason == "Veiligheid kind."


def test_the_mandate_screen_refuses_beyond_the_budget_and_the_team_lead_overrides(
    client, make_household, team_lead, mandate, area, product
):
    StreamBudgetFactory(stream=product.budget_stream, year=TODAY.year, amount=Decimal("100"))
    household = make_household()
    client.force_login(team_lead)
    path = reverse("provisions:mandate_spend", args=[household.uuid])
    data = {"amount": "150.00", "stream": product.budget_stream.pk, "reason": "Huur"}
    refused = client.post(path, data)
    assert refused.status_code == 200 and not BudgetCommitment.objects.exists()
    assert "teamleider" in refused.content.decode()
    done = client.post(path, {**data, "budget_override_reason": "Ontruiming."})
    assert done.status_code == 302
    assert BudgetCommitment.objects.get().over_budget_approved_by == team_lead


def test_the_team_lead_approves_on_the_application_page(client, make_application, team_lead):
    application = make_application()
    client.force_login(team_lead)
    page = client.get(reverse("provisions:application_detail", args=[application.uuid]))
    assert 'id="budget-override-form"' in page.content.decode()
    response = client.post(
        reverse("provisions:application_budget_override", args=[application.uuid]),
        {"reason": "Veiligheid kind."},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.budget_override_by == team_lead
    assert application.budget_override_reason == "Veiligheid kind."


def test_only_a_team_lead_sees_the_override_in_the_mandate_form(
    client, make_household, generalist, team_lead, mandate
):
    path = reverse("provisions:mandate_spend", args=[make_household().uuid])
    client.force_login(generalist)
    assert 'name="budget_override_reason"' not in client.get(path).content.decode()
    client.force_login(team_lead)
    assert 'name="budget_override_reason"' in client.get(path).content.decode()
