"""The name search on the demo database (SQLite, used when DATABASE_URL is unset) finds what it
finds on PostgreSQL: the same folded column (there through `wijkwerk_translate`), the same
statement, the same households for every query.

Runs `migrate` and the searches in subprocesses against a fresh SQLite file, and the same
searches here on PostgreSQL."""

import json

from cases.households.models import Household, Resident
from cases.households.search_names import households_named
from tests.factories import HouseholdFactory, HouseholdMembershipFactory
from tests.sqlite_demo import ROOT, demo_env, manage

PEOPLE = [
    ("Zoë", "", "Çelik"),
    ("Jan", "van den", "Berg"),
    ("Eva", "de", "Vos"),
    ("Ties", "", "Coreth von und zu Coredo"),
    ("Anna", "", "Bosch"),
    ("Ann", "", "Abel"),
    ("Piet", "", "Müller-Łukasz"),
    ("KEES", "", "DE JONG"),
]
QUERIES = [
    "celik",
    "ÇELİK zoe",
    "ZOË",
    "muller",
    "LUKASZ piet",
    "van berg",
    "den",
    "de vos",
    "de",
    "ties zu",
    "zu",
    "osc",
    "bo",
    "nab",
    "jong",
    "de jong",
    "b_sch",
    "an%",
]

# Run inside the demo (manage.py shell): register PEOPLE, run QUERIES, print what was found.
SEARCH = r"""
import json, os
from cases.households.models import Household, Resident
from cases.households.search_names import households_named
from tests.factories import HouseholdFactory, HouseholdMembershipFactory
from tests.cases.households.test_name_search_on_sqlite import PEOPLE, QUERIES, found

for first, prefix, last in PEOPLE:
    HouseholdMembershipFactory(household=HouseholdFactory(), resident__first_name=first,
        resident__name_prefix=prefix, resident__last_name=last)
print("FOUND " + json.dumps(found()))
"""


def found() -> dict[str, list[str]]:
    """Per query, the last names of the residents of the households found."""
    answer = {}
    for query in QUERIES:
        ids = households_named(visible=Household.objects.all(), query=query, resident_limit=50)
        residents = Resident.objects.filter(memberships__household__in=ids.household_ids)
        answer[query] = sorted(residents.values_list("last_name", flat=True))
    return answer


def test_the_sqlite_demo_finds_the_same_households_as_postgresql(tmp_path, area):
    env = demo_env(tmp_path, PYTHONPATH=str(ROOT))
    result = manage("migrate", "--noinput", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    result = manage("shell", "-c", SEARCH, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("FOUND "))
    on_sqlite = json.loads(line.removeprefix("FOUND "))

    for first, prefix, last in PEOPLE:
        HouseholdMembershipFactory(
            household=HouseholdFactory(neighbourhood=area["neighbourhood"]),
            resident__first_name=first,
            resident__name_prefix=prefix,
            resident__last_name=last,
        )
    on_postgresql = found()

    assert on_sqlite == on_postgresql
    # and what they found is what a user expects
    assert on_postgresql["ÇELİK zoe"] == ["Çelik"]
    assert on_postgresql["muller"] == ["Müller-Łukasz"]
    assert on_postgresql["van berg"] == []  # the prefix is "van den"
    assert on_postgresql["de"] == ["DE JONG", "Vos"]
    assert on_postgresql["nab"] == [] and on_postgresql["b_sch"] == []
    assert Resident.objects.count() == len(PEOPLE)


# Run inside the demo: a generalist's team district, a household there, one elsewhere they
# coordinate, one elsewhere nobody opens, one that moved away from the district; the searches
# through need-to-know (`residents_in_reach`: on SQLite from the memberships, on PostgreSQL from
# the residents' neighbourhoods).
REACH = r"""
import json
from tests.cases.households.test_name_search_on_sqlite import reach_found, reach_people
print("REACH " + json.dumps(reach_found(reach_people())))
"""


def reach_people():
    """The people of the reach test, and the generalist who searches."""
    from teams.roles import Role
    from tests.factories import (
        NeighbourhoodFactory,
        PostcodeFactory,
        TeamFactory,
        TeamMemberFactory,
    )

    home, elsewhere = TeamFactory(), TeamFactory()
    here = NeighbourhoodFactory(district=home.district)
    there = NeighbourhoodFactory(district=elsewhere.district)
    PostcodeFactory(postcode="5611AB", neighbourhood=here)
    PostcodeFactory(postcode="5641AA", neighbourhood=there)
    generalist = TeamMemberFactory(team=home, user__roles=[Role.GENERALIST]).user
    for name, neighbourhood, coordinator in [
        ("Zandstra", here, None),
        ("Zandvoort", there, generalist),
        ("Zandbergen", there, None),
        ("Zandhuis", here, None),
    ]:
        HouseholdMembershipFactory(
            household=HouseholdFactory(neighbourhood=neighbourhood, coordinator=coordinator),
            resident__first_name="Piet",
            resident__last_name=name,
        )
    moved = Household.objects.get(memberships__resident__last_name="Zandhuis")
    moved.neighbourhood = there  # moved out of the district (no handover: not the old team's)
    moved.save(update_fields=["neighbourhood"])
    return generalist


def reach_found(generalist) -> dict[str, list[str]]:
    from cases.households.selectors import household_search

    answer = {}
    for query in ["zand", "piet", "zandvoort", "bergen"]:
        households = household_search(user=generalist, query=query).results
        residents = Resident.objects.filter(memberships__household__in=households)
        answer[query] = sorted(residents.values_list("last_name", flat=True))
    return answer


def test_the_sqlite_demo_narrows_a_name_search_by_need_to_know_as_postgresql(tmp_path, db):
    env = demo_env(tmp_path, PYTHONPATH=str(ROOT))
    result = manage("migrate", "--noinput", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    result = manage("shell", "-c", REACH, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("REACH "))
    on_sqlite = json.loads(line.removeprefix("REACH "))

    on_postgresql = reach_found(reach_people())

    assert on_sqlite == on_postgresql
    assert on_postgresql["zand"] == ["Zandstra", "Zandvoort"]
    assert on_postgresql["bergen"] == []
