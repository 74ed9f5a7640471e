"""A GP practice system's lookup with a bearer token: the authentication reads the area
contacts' generation in its own cache round trip (`socialdomain.cache.read_along`), and the
process keeps each answer under that generation (`teams.selectors.area_contacts_cached`), so a
repeated question costs one round trip in all and no query. A change, a generation written by
another process, a lost generation and the answer's age each make the answer afresh."""

import pytest
from django.core.cache import cache

from teams import selectors
from teams.api import serializers
from teams.roles import Role
from tests.factories import ConsultantAbsenceFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/area-contacts/"


@pytest.fixture(autouse=True)
def _no_kept_answers():
    selectors._process_answers.clear()
    yield
    selectors._process_answers.clear()


@pytest.fixture
def rendered(monkeypatch):
    """The postcodes the API's serializer rendered an answer for."""
    found = []
    real = serializers.AreaContactsSerializer.to_representation

    def counting(self, instance):
        found.append(str(instance.postcode.postcode))
        return real(self, instance)

    monkeypatch.setattr(serializers.AreaContactsSerializer, "to_representation", counting)
    return found


@pytest.fixture
def gp_system(provider, api_as, area, consultants):
    """A bearer-token client that has looked up 5611 AB twice: its process keeps the client
    and the answer."""
    api = api_as(provider)
    for _ in range(2):
        assert api.get(URL, {"postcode": "5611AB"}).status_code == 200
    return api


def test_a_repeated_lookup_costs_one_round_trip_and_no_query(
    shared_cache, gp_system, rendered, cache_calls, django_assert_num_queries
):
    first = gp_system.get(URL, {"postcode": "5611AB"}).json()
    cache_calls.clear()
    with django_assert_num_queries(0):
        again = gp_system.get(URL, {"postcode": "5611 ab"})
    assert again.status_code == 200 and again.json() == first
    # the client's generation, the throttle's count and the contacts' generation together
    assert len(cache_calls) == 1
    assert rendered == []


def test_an_absence_shows_on_the_next_lookup(
    shared_cache, gp_system, consultants, django_capture_on_commit_callbacks
):
    assert not gp_system.get(URL, {"postcode": "5611AB"}).json()["consultants"][0]["is_substitute"]
    with django_capture_on_commit_callbacks(execute=True):
        ConsultantAbsenceFactory(consultant=consultants[0])
    assert gp_system.get(URL, {"postcode": "5611AB"}).json()["consultants"][0]["is_substitute"]


def test_a_generation_from_another_process_makes_the_answer_afresh(
    shared_cache, gp_system, rendered
):
    cache.set(selectors.AREA_CONTACTS_GENERATION_KEY, "another-process", timeout=None)
    assert gp_system.get(URL, {"postcode": "5611AB"}).status_code == 200
    assert rendered == ["5611AB"]
    assert gp_system.get(URL, {"postcode": "5611AB"}).status_code == 200
    assert rendered == ["5611AB"]  # kept again, under the new generation


def test_a_lost_generation_starts_one_no_answer_was_kept_under(shared_cache, gp_system, rendered):
    before = cache.get(selectors.AREA_CONTACTS_GENERATION_KEY)
    cache.delete(selectors.AREA_CONTACTS_GENERATION_KEY)  # Redis restarted, or evicted it
    assert gp_system.get(URL, {"postcode": "5611AB"}).status_code == 200
    after = cache.get(selectors.AREA_CONTACTS_GENERATION_KEY)
    assert after is not None and after != before
    assert rendered == ["5611AB"]


def test_a_kept_answer_lives_no_longer_than_the_cached_one(
    shared_cache, gp_system, rendered, cache_calls, monkeypatch
):
    later = selectors.time.monotonic() + selectors.AREA_CONTACTS_CACHE_SECONDS + 1
    monkeypatch.setattr(selectors.time, "monotonic", lambda: later)
    assert gp_system.get(URL, {"postcode": "5611AB"}).status_code == 200
    assert len(cache_calls) == 2  # the authentication's round trip, then the answer's own
    assert rendered == []  # Redis's copy is still of this generation


def test_without_a_shared_cache_no_answer_is_kept(provider, api_as, area, consultants):
    api = api_as(provider)
    for _ in range(3):
        assert api.get(URL, {"postcode": "5611AB"}).status_code == 200
    assert selectors._process_answers == {}


def test_a_session_lookup_reads_the_generation_itself(
    shared_cache, client, user_with_role, area, consultants, cache_calls
):
    client.force_login(user_with_role(Role.GP))
    assert client.get(URL, {"postcode": "5611AB"}).status_code == 200
    cache_calls.clear()
    assert client.get(URL, {"postcode": "5611AB"}).status_code == 200
    assert "get_many" in [method.__name__ for method in cache_calls]
    assert selectors._process_answers == {}  # kept only for a caller that read the generation


def test_what_the_process_keeps_is_plain_data(shared_cache, gp_system):
    [(_generation, _expires, answer)] = selectors._process_answers.values()
    assert type(answer) is dict  # not the serializer's ReturnDict, which keeps the serializer
