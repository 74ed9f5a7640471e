"""Generate a synthetic municipality at scale (PostgreSQL): see cases/demo/synthetic.py and
docs/performance.md."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from cases.demo.synthetic import PASSWORD, MunicipalityGenerator


class Command(BaseCommand):
    help = (
        "Create a synthetic municipality with N households (about 2.4 residents each), their "
        "meldingen, conversations, plans, applications, decisions, allocations and access log, "
        "with COPY. Deterministic for a seed and reference date."
    )

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, required=True)
        parser.add_argument("--seed", type=int, default=2015)
        parser.add_argument("--code", default="GM0998", help="CBS municipality code (GM + 4)")
        parser.add_argument("--name", default="Grootstede")
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            help="Reference date (YYYY-MM-DD) for all dates; default: today.",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, households, seed, code, name, today, no_progress, **options):
        if households < 1:
            raise CommandError("--households must be at least 1.")
        try:
            generator = MunicipalityGenerator(
                households=households,
                seed=seed,
                code=code,
                name=name,
                today=today,
                progress=not no_progress,
                log=self.stdout.write,
            )
            result = generator.run()
        except (RuntimeError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        for table, count in result.counts.items():
            self.stdout.write(f"  {table:<20} {count:>12,}")
        self.stdout.write(
            self.style.SUCCESS(f"{name} ready in {result.seconds:.1f} s (seed {seed}).")
        )
        self.stdout.write(f"Logins (password {PASSWORD}): " + ", ".join(result.logins.values()))
