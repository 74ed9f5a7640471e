from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from networks.models import Law, Product, StreamBudget, Unit
from teams.models import TeamMandate
from teams.roles import Role
from tests.factories import DistrictFactory, TeamFactory
from tests.provision_factories import BudgetStreamFactory, ProductFactory, StreamBudgetFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("law", "category", "valid"),
    [
        (Law.WMO, "02", True),
        (Law.WMO, "45", False),
        (Law.YOUTH, "45", True),
        (Law.YOUTH, "02", False),
        (Law.PARTICIPATION, "", True),
        (Law.PARTICIPATION, "02", False),
        (Law.WMO, "", False),
    ],
)
def test_product_category_must_fit_the_law(law, category, valid):
    product = Product(
        name="Product",
        law=law,
        category=category,
        unit=Unit.HOUR,
        tariff=Decimal("10.00"),
        budget_stream=BudgetStreamFactory(),
    )
    if valid:
        product.full_clean()
        product.save()
    else:
        with pytest.raises(ValidationError):
            product.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            product.save()


def test_one_budget_per_stream_year_and_district():
    stream = BudgetStreamFactory()
    district = DistrictFactory()
    StreamBudgetFactory(stream=stream, year=2026)
    StreamBudgetFactory(stream=stream, year=2026, district=district)
    for kwargs in ({}, {"district": district}):
        with pytest.raises(IntegrityError), transaction.atomic():
            StreamBudget.objects.create(stream=stream, year=2026, amount=1, **kwargs)


def test_mandate_limit_cannot_exceed_the_budget():
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamMandate.objects.create(
            team=TeamFactory(), year=2026, budget=Decimal("100"), per_case_limit=Decimal("200")
        )


@pytest.mark.parametrize(
    "url",
    [
        "admin:networks_product_changelist",
        "admin:networks_generalprovision_changelist",
        "admin:networks_budgetstream_changelist",
        "admin:teams_teammandate_changelist",
    ],
)
def test_functional_admin_maintains_the_catalogue(client, user_with_role, url):
    ProductFactory()
    client.force_login(user_with_role(Role.FUNCTIONAL_ADMIN))
    assert client.get(reverse(url)).status_code == 200
    client.force_login(user_with_role(Role.CONSULTANT))
    assert client.get(reverse(url)).status_code == 302
