import uuid

import pytest
import redis
from rest_framework.test import APIClient

from networks.models import OrganisationType
from networks.services import api_client_create
from socialdomain.cache import FailOpenRedisCache
from socialdomain.celery import app as celery_app
from teams.roles import Role
from tests.factories import (
    HouseholdFactory,
    HouseholdMembershipFactory,
    NeighbourhoodFactory,
    OrganisationFactory,
    PostcodeFactory,
    TeamFactory,
    TeamMemberFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache (locmem, per process): cached GP-lookup answers,
    throttle counters and sessions never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's language: a request on the English screen leaves the
    thread's language English (LocaleMiddleware activates it and nothing resets it), which
    would make the next test's Dutch messages English, depending on the order tests run in."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def area(db):
    """A district with its team, one neighbourhood and one postcode (5611 AB)."""
    team = TeamFactory()
    neighbourhood = NeighbourhoodFactory(district=team.district)
    postcode = PostcodeFactory(postcode="5611AB", neighbourhood=neighbourhood)
    return {
        "team": team,
        "district": team.district,
        "neighbourhood": neighbourhood,
        "postcode": postcode,
    }


@pytest.fixture
def other_area(db):
    team = TeamFactory()
    neighbourhood = NeighbourhoodFactory(district=team.district)
    postcode = PostcodeFactory(postcode="5641AA", neighbourhood=neighbourhood)
    return {
        "team": team,
        "district": team.district,
        "neighbourhood": neighbourhood,
        "postcode": postcode,
    }


@pytest.fixture
def generalist(area):
    return TeamMemberFactory(team=area["team"], user__username="generalist").user


@pytest.fixture
def make_household(area):
    """make_household(neighbourhood=None, residents=1, **fields) -> household with residents."""

    def make(neighbourhood=None, residents=1, **fields):
        neighbourhood = neighbourhood or area["neighbourhood"]
        household = HouseholdFactory(neighbourhood=neighbourhood, **fields)
        for _ in range(residents):
            HouseholdMembershipFactory(household=household)
        return household

    return make


@pytest.fixture
def user_with_role(db):
    def make(role: str, **kwargs):
        return UserFactory(roles=[role], **kwargs)

    return make


@pytest.fixture
def all_roles():
    return list(Role)


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


def _redis_cache(settings, prefix: str) -> None:
    """The real Redis as the default cache, under `prefix`."""
    settings.CACHES = {
        "default": {
            "BACKEND": "socialdomain.cache.FailOpenRedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }


@pytest.fixture
def shared_cache(settings):
    """The real Redis as the cache, under a prefix of this test's own: shared, as in
    production, by every process that uses it (e.g. the API clients each process keeps,
    networks.services)."""
    prefix = f"test-shared-{uuid.uuid4().hex[:8]}"
    _redis_cache(settings, prefix)
    yield prefix
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def cache_calls(monkeypatch):
    """The calls the shared cache makes to Redis, one per round trip (`FailOpenRedisCache`
    sends each operation, a pipeline included, through `_call`): the methods, in order."""
    calls = []
    original = FailOpenRedisCache._call
    monkeypatch.setattr(
        FailOpenRedisCache,
        "_call",
        lambda self, fallback, method, *args: (
            calls.append(method) or original(self, fallback, method, *args)
        ),
    )
    return calls


@pytest.fixture
def shared_cache_and_own_queue(settings):
    """The test and the worker it starts share a cache in the real Redis (under a prefix of
    this test's own), and tasks go to a queue no other test run's worker reads."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    prefix = f"test-{queue}"
    _redis_cache(settings, prefix)
    saved = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    yield queue, prefix
    celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = saved
