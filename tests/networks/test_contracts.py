import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from networks.models import Contract, Subsidy
from tests.factories import OrganisationFactory
from tests.provision_factories import GeneralProvisionFactory, ProductFactory

JAN = datetime.date(2026, 1, 1)


@pytest.mark.django_db
def test_contract_period_and_tariff_are_checked():
    organisation, product = OrganisationFactory(), ProductFactory()
    backwards = Contract(
        organisation=organisation,
        product=product,
        tariff=Decimal("60.00"),
        valid_from=JAN,
        valid_until=JAN - datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError):
        backwards.full_clean()
    with pytest.raises(IntegrityError):
        Contract.objects.create(
            organisation=organisation, product=product, tariff=Decimal("-1"), valid_from=JAN
        )


@pytest.mark.django_db
def test_one_subsidy_per_organisation_provision_and_year():
    provision = GeneralProvisionFactory()
    Subsidy.objects.create(
        organisation=provision.organisation,
        general_provision=provision,
        year=2026,
        amount=Decimal("1000"),
    )
    again = Subsidy(
        organisation=provision.organisation,
        general_provision=provision,
        year=2026,
        amount=Decimal("5"),
    )
    with pytest.raises(ValidationError):
        again.full_clean()
