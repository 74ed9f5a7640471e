"""Migration 0026 repairs plans whose coordinator differed from their household's before the
plan's own column goes (#16 item 3)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("cases", "0030_progress_report_due")]
AFTER = [("cases", "0031_moves_and_one_coordinator")]


@pytest.mark.django_db(transaction=True)
def test_the_household_wins_and_an_orphan_household_takes_its_plans_coordinator():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    User = apps.get_model("auth", "User")
    Household = apps.get_model("cases", "Household")
    SupportPlan = apps.get_model("cases", "SupportPlan")
    old, new = User.objects.create(username="old"), User.objects.create(username="new")
    address = {"street": "Kerkstraat", "postcode": "5611AB", "city": "Dommelstede"}
    reassigned = Household.objects.create(house_number=1, coordinator=new, **address)
    orphan = Household.objects.create(house_number=2, coordinator=None, **address)
    for household in (reassigned, orphan):
        SupportPlan.objects.create(
            household=household, status="active", coordinator=old, aftercare_in_place="Waakvlam"
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Household = apps.get_model("cases", "Household")
    CoordinatorChange = apps.get_model("cases", "CoordinatorChange")
    assert Household.objects.get(pk=reassigned.pk).coordinator_id == new.pk  # the household wins
    assert Household.objects.get(pk=orphan.pk).coordinator_id == old.pk  # took its plan's
    assert CoordinatorChange.objects.get().household_id == orphan.pk

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
