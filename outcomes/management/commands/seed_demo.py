"""`manage.py seed_demo`: the demo municipality (`cases.demo.seed`) and a year of history for
the dashboards (`outcomes.demo`). Idempotent: running it again changes nothing.

It lives in `outcomes`, the top of the apps' stack, because it seeds both and `cases` never
imports `outcomes`."""

from django.core.management.base import BaseCommand
from django.db import transaction

from cases.demo.seed import DEMO_PASSWORD, HOUSEHOLD_COUNT, DemoSeeder
from outcomes.demo import seed_outcomes


class Command(BaseCommand):
    help = "Create the demo municipality, its teams, organisations, households and users."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=HOUSEHOLD_COUNT)
        parser.add_argument("--seed", type=int, default=2015)

    @transaction.atomic
    def handle(self, *args, households: int, seed: int, **options):
        made = DemoSeeder().run(households=households, seed=seed)
        histories = seed_outcomes(seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo municipality ready: {made['postcodes']} postcodes, "
                f"{made['households']} households ({made['new_households']} new), "
                f"{made['products']} products, "
                f"{made['new_applications']} new applications, "
                f"{histories} new household histories for the dashboards."
            )
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, label in made["logins"]:
            self.stdout.write(f"  {username:<12} {label}")
