"""Factories for the provision catalogue, team mandates and applications."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases.provisions.models import ProvisionApplication
from cases.provisions.selectors import application_decision_deadline
from networks.models import BudgetStream, GeneralProvision, Law, Product, StreamBudget, Unit
from teams.models import TeamMandate
from tests.factories import HouseholdFactory, OrganisationFactory, TeamFactory, UserFactory


class BudgetStreamFactory(DjangoModelFactory):
    class Meta:
        model = BudgetStream
        django_get_or_create = ["code"]

    code = "wmo-begeleiding"
    name = "Wmo begeleiding"


class StreamBudgetFactory(DjangoModelFactory):
    class Meta:
        model = StreamBudget

    stream = factory.SubFactory(BudgetStreamFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    amount = Decimal("100000.00")


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    name = "Begeleiding individueel"
    law = Law.WMO
    category = "02"
    code = "02A01"
    unit = Unit.HOUR
    tariff = Decimal("60.00")
    budget_stream = factory.SubFactory(BudgetStreamFactory)

    class Params:
        youth = factory.Trait(
            name="Jeugdhulp ambulant",
            law=Law.YOUTH,
            category="45",
            code="45A01",
            budget_stream=factory.SubFactory(
                BudgetStreamFactory, code="jeugdhulp", name="Jeugdhulp"
            ),
        )
        participation = factory.Trait(
            name="Bijzondere bijstand",
            law=Law.PARTICIPATION,
            category="",
            code="",
            unit=Unit.EURO,
            tariff=Decimal("0.01"),
            budget_stream=factory.SubFactory(
                BudgetStreamFactory, code="bijzondere-bijstand", name="Bijzondere bijstand"
            ),
        )


class GeneralProvisionFactory(DjangoModelFactory):
    class Meta:
        model = GeneralProvision

    name = factory.Sequence(lambda n: f"Inloopspreekuur {n}")
    organisation = factory.SubFactory(OrganisationFactory, type="welfare")
    offer = "Hulp bij post en formulieren."
    access = "Zonder afspraak op dinsdagochtend."


class TeamMandateFactory(DjangoModelFactory):
    class Meta:
        model = TeamMandate

    team = factory.SubFactory(TeamFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    budget = Decimal("5000.00")
    per_case_limit = Decimal("1500.00")


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = ProvisionApplication

    household = factory.SubFactory(HouseholdFactory)
    product = factory.SubFactory(ProductFactory)
    motivation = "Financiën scoort 2; structuur nodig."
    applied_by = factory.SubFactory(UserFactory)
    applied_on = factory.LazyFunction(timezone.localdate)
    # what `application_submit` stores: the one function that computes the deadline
    decision_deadline = factory.LazyAttribute(
        lambda o: application_decision_deadline(law=o.product.law, applied_on=o.applied_on)
    )


def contract_for(
    allocation=None,
    valid_from=datetime.date(2000, 1, 1),
    valid_until=None,
    *,
    provider=None,
    product=None,
):
    """A contract between a provider and the municipality for a product: the allocation's (so
    care on it may start, `partners.services.allocation_start` checks it), or `provider` and
    `product` (so a grant in kind to them may be made, `decision_make` checks it)."""
    from networks.models import Contract

    return Contract.objects.get_or_create(
        organisation_id=provider.pk if provider is not None else allocation.provider_id,
        product_id=product.pk if product is not None else allocation.product_id,
        valid_from=valid_from,
        defaults={"tariff": 60, "valid_until": valid_until},
    )[0]
