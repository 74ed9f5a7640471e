import pytest
from rest_framework.test import APIClient

from networks.models import OrganisationType
from networks.services import api_client_create
from tests.factories import OrganisationFactory


@pytest.fixture
def provider(db):
    return OrganisationFactory(type=OrganisationType.CARE_PROVIDER, agb_code="12345678")


@pytest.fixture
def other_provider(db):
    return OrganisationFactory(type=OrganisationType.CARE_PROVIDER, agb_code="87654321")


@pytest.fixture
def api_as():
    """api_as(organisation, scopes=None) -> an APIClient sending that organisation's token."""

    def make(organisation, scopes=None, **kwargs):
        _client, token = api_client_create(
            organisation=organisation, name="test", scopes=scopes, **kwargs
        )
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        api.token = token
        return api

    return make
