import pytest

from teams.models import LawDomain
from tests.factories import AreaConsultantFactory


@pytest.fixture
def consultants(area):
    """One consultant per law domain in the `area` district (5611 AB), in domain order."""
    return [
        AreaConsultantFactory(
            district=area["district"],
            law_domain=domain,
            user__first_name=f"Consulent{index}",
            user__last_name=domain.label.split()[0],
        )
        for index, domain in enumerate(LawDomain)
    ]
