"""Household search by (partial) name at scale: trigram indexes, two-letter prefixes, name
prefixes, and the cap that asks for more of the name."""

import pytest
from django.db import connection
from django.urls import reverse

from cases.households import selectors as household_selectors
from tests.factories import HouseholdMembershipFactory


@pytest.fixture
def named(make_household):
    def make(first_name, last_name, name_prefix="", **fields):
        household = make_household(residents=0, **fields)
        HouseholdMembershipFactory(
            household=household,
            resident__first_name=first_name,
            resident__last_name=last_name,
            resident__name_prefix=name_prefix,
        )
        return household

    return make


def _found(generalist, query):
    return set(household_selectors.household_search(user=generalist, query=query).results)


def test_trigram_indexes_exist_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases_resident'"
        )
        indexes = dict(cursor.fetchall())
    for name in ("resident_last_name_trgm_idx", "resident_first_name_trgm_idx"):
        assert "gin_trgm_ops" in indexes[name]


def test_a_whole_name_with_a_two_letter_word_inside_is_found(named, generalist):
    coreth = named("Ties", "Coreth von und zu Coredo und Starkenberg")
    named("Zus", "Zuidema")
    assert _found(generalist, "Coreth von und zu Coredo und Starkenberg") == {coreth}
    assert _found(generalist, "Ties zu") == {coreth}
    # alone, two letters still match only the start of a name
    assert coreth not in _found(generalist, "zu")


def test_part_of_a_name_anywhere_and_two_letters_from_the_start(named, generalist):
    bosch = named("Anna", "Bosch")
    hendriks = named("Kees", "Hendriks")
    assert _found(generalist, "osc") == {bosch}
    assert _found(generalist, "ANNA bos") == {bosch}
    # two letters: the start of a first or last name, not the middle
    assert _found(generalist, "bo") == {bosch}
    assert _found(generalist, "os") == set()
    assert _found(generalist, "ke") == {hendriks}


def test_a_name_prefix_matches_only_as_a_whole_word(named, generalist):
    berg = named("Jan", "Berg", name_prefix="van den")
    assert _found(generalist, "van berg") == set()  # the prefix is "van den", not "van"
    assert _found(generalist, "den berg") == set()
    assert _found(generalist, "berg") == {berg}


def test_prefix_word_matches_the_prefix_exactly(named, generalist):
    vos = named("Eva", "Vos", name_prefix="de")
    assert _found(generalist, "de vos") == {vos}


def test_too_many_matching_people_asks_for_more(named, generalist, client, monkeypatch):
    for number in range(4):
        named("Piet", f"Jansen{number}")
    monkeypatch.setattr(household_selectors, "NAME_SEARCH_RESIDENT_LIMIT", 2)
    search = household_selectors.household_search(user=generalist, query="jansen")
    assert search.truncated
    assert search.results.count() <= 2
    client.force_login(generalist)
    response = client.post(reverse("cases:household_search"), {"q": "jansen"})
    assert "Typ meer van de naam" in response.content.decode()


def test_too_many_visible_households_asks_for_more(named, generalist, monkeypatch):
    for number in range(4):
        named("Piet", f"Jansen{number}")
    monkeypatch.setattr(household_selectors, "NAME_SEARCH_LIMIT", 3)
    search = household_selectors.household_search(user=generalist, query="jansen")
    assert search.truncated
    assert search.results.count() == 3
    assert not household_selectors.household_search(user=generalist, query="jansen1").truncated


def test_name_search_keeps_to_visible_households(named, generalist, other_area):
    named("Anna", "Bosch", neighbourhood=other_area["neighbourhood"], postcode="5641AA")
    assert _found(generalist, "bosch") == set()
