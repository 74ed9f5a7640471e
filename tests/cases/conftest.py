import pytest

from teams.models import LawDomain
from teams.roles import Role
from tests.factories import AreaConsultantFactory, OrganisationFactory, TeamMemberFactory
from tests.provision_factories import (
    ApplicationFactory,
    ProductFactory,
    TeamMandateFactory,
    contract_for,
)


@pytest.fixture
def consultant(user_with_role, area):
    """The area consultant of `area` for every law domain: decides its households' applications
    (and so may open those households; docs/privacy.md)."""
    user = user_with_role(Role.CONSULTANT, username="consultant", email="consultant@example.org")
    for domain in LawDomain:
        AreaConsultantFactory(district=area["district"], law_domain=domain, user=user)
    return user


@pytest.fixture
def second_consultant(user_with_role):
    return user_with_role(Role.CONSULTANT, username="consultant2")


@pytest.fixture
def provider(product):
    """A care provider with a contract for `product` (since 2000, open-ended): a grant in kind
    to it passes `decision_make`'s contract rule."""
    provider = OrganisationFactory(name="Zorggroep De Linde")
    contract_for(provider=provider, product=product)
    return provider


@pytest.fixture
def product(db):
    return ProductFactory()


@pytest.fixture
def team_lead(area):
    return TeamMemberFactory(
        team=area["team"],
        user__username="teamlead",
        user__email="lead@example.org",
        user__roles=[Role.TEAM_LEAD],
    ).user


@pytest.fixture
def mandate(area):
    return TeamMandateFactory(team=area["team"])


@pytest.fixture
def make_application(make_household, product, generalist):
    def make(household=None, **fields):
        fields.setdefault("product", product)
        fields.setdefault("applied_by", generalist)
        return ApplicationFactory(household=household or make_household(), **fields)

    return make
