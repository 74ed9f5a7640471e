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
