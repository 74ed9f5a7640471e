"""Household search by (partial) name at scale: one trigram index over the folded name,
two-letter prefixes, name prefixes, accents, and the cap that asks for more of the name."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.households import selectors as household_selectors
from cases.households.models import Resident
from cases.households.name_fold import fold
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


def test_one_trigram_index_over_the_folded_name_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases_resident'"
        )
        indexes = dict(cursor.fetchall())
    assert "gin_trgm_ops" in indexes["resident_search_name_trgm_idx"]
    assert "(search_name gin_trgm_ops)" in indexes["resident_search_name_trgm_idx"]
    # a name prefix is matched whole, through its own b-tree index
    assert "lower((name_prefix)::text)" in indexes["resident_name_prefix_lower_idx"]
    # the per-name indexes of migration 0014 are gone: nothing reads them any more
    assert "resident_last_name_trgm_idx" not in indexes
    assert "resident_first_name_trgm_idx" not in indexes


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


def test_the_stored_name_is_folded_like_the_query(named):
    household = named("Zoë", "Çelik-Łukasz", name_prefix="Van")
    resident = household.memberships.get().resident
    resident.refresh_from_db()
    assert resident.search_name == "|zoe|celik-lukasz"
    # a `|` typed or registered is a space: the separators stay separators
    assert fold("A|b") == "a b"


def test_accents_and_capitals_do_not_matter_either_way(named, generalist):
    celik = named("Zoë", "Çelik")
    muller = named("Jan", "Muller")
    assert _found(generalist, "celik") == {celik}
    assert _found(generalist, "ÇELİK zoe") == {celik}
    assert _found(generalist, "ZOË") == {celik}
    # an accent typed where the name has none still finds it
    assert _found(generalist, "Müller") == {muller}
    assert _found(generalist, "mü") == {muller}


def test_a_word_does_not_match_across_first_and_last_name(named, generalist):
    named("Ann", "Abel")
    # "nab" would be found in "annabel" if the column were one run of letters
    assert _found(generalist, "nab") == set()
    # a word of three letters or more is not matched against the name prefix
    named("Eva", "Bos", name_prefix="uit den")
    assert _found(generalist, "uit") == set()


def test_like_wildcards_typed_are_plain_characters(named, generalist):
    named("Anna", "Bosch")
    assert _found(generalist, "b_sch") == set()
    assert _found(generalist, "bo%ch") == set()
    assert _found(generalist, "an\\") == set()


def test_a_prefix_word_also_matches_inside_a_name(named, generalist):
    vandijk = named("Piet", "Vandijk")
    devos = named("Eva", "Vos", name_prefix="de")
    assert _found(generalist, "van") == {vandijk}
    assert _found(generalist, "de") == {devos}


def test_the_search_is_one_statement_before_the_page(named, generalist):
    for number in range(5):
        named("Piet", f"Jansen{number}")
    # the user's facts and visibility filter, as the first search of a request builds them
    household_selectors.household_search(user=generalist, query="jansen")
    with CaptureQueriesContext(connection) as queries:
        search = household_selectors.household_search(user=generalist, query="jansen")
    assert search.count == 5
    assert len(queries) == 1, [query["sql"] for query in queries]
    with CaptureQueriesContext(connection) as queries:
        assert household_selectors.household_search(user=generalist, query="nobody").count == 0
    assert len(queries) == 1, [query["sql"] for query in queries]


def test_matches_out_of_reach_neither_fill_the_cap_nor_show(
    named, other_area, generalist, monkeypatch
):
    for number in range(3):
        named(
            "Piet",
            f"Jansen{number}",
            neighbourhood=other_area["neighbourhood"],
            postcode="5641AA",
        )
    mine = named("Kees", "Jansen")
    monkeypatch.setattr(household_selectors, "NAME_SEARCH_RESIDENT_LIMIT", 2)
    search = household_selectors.household_search(user=generalist, query="jansen")
    # three people elsewhere match before the cap of two: the one in the user's district is
    # still found, and the search is complete
    assert set(search.results) == {mine}
    assert not search.truncated


def test_too_many_matches_within_reach_say_so(named, generalist, monkeypatch):
    for number in range(3):
        named("Piet", f"Jansen{number}")
    monkeypatch.setattr(household_selectors, "NAME_SEARCH_RESIDENT_LIMIT", 2)
    search = household_selectors.household_search(user=generalist, query="jansen")
    assert search.count == 2
    assert search.truncated


def test_the_admins_resident_search_reads_the_folded_name(admin_client, named):
    named("Zoë", "Çelik")
    named("Jan", "Bakker")
    bakker = Resident.objects.get(last_name="Bakker")
    changelist = reverse("admin:cases_resident_changelist")

    def shown(query):
        response = admin_client.get(changelist, {"q": query})
        return {resident.last_name for resident in response.context["cl"].result_list}

    assert shown("celik") == {"Çelik"}
    assert shown("ZOE çel") == {"Çelik"}
    assert shown("akk") == {"Bakker"}
    assert shown(bakker.bsn[2:7]) == {"Bakker"}  # digits: part of a BSN
    assert shown("") == {"Çelik", "Bakker"}


def test_a_common_name_stops_after_a_few_residents_when_households_suffice(
    make_household, generalist, monkeypatch
):
    """The statement follows three residents per household wanted first; only when those
    residents live in too few households while more matched does a second statement follow
    all of them. Either way the households found are the same."""
    from cases.households import search_names

    monkeypatch.setattr(household_selectors, "NAME_SEARCH_LIMIT", 1)
    monkeypatch.setattr(search_names, "_FIRST_FOLLOW", 1)  # two residents first

    def family(size, name):
        household = make_household(residents=0)
        for number in range(size):
            HouseholdMembershipFactory(
                household=household,
                resident__first_name=f"Kind{number}",
                resident__last_name=name,
            )
        return household

    for _ in range(3):
        family(1, "Veldhuis")
    with CaptureQueriesContext(connection) as queries:
        search = household_selectors.household_search(user=generalist, query="veldhuis")
    # two residents in two households: more than the one shown, so no second statement
    assert search.truncated and search.count == 1
    assert len([q for q in queries if "search_name" in q["sql"]]) == 1

    together = family(3, "Brinkhuis")
    with CaptureQueriesContext(connection) as queries:
        search = household_selectors.household_search(user=generalist, query="brinkhuis")
    # two residents, one household, and a third matched: all followed, still one household
    assert set(search.results) == {together}
    assert not search.truncated
    assert len([q for q in queries if "search_name" in q["sql"]]) == 2
