"""`python manage.py import_areas FILE [--statistics]`: see docs/areas-import.md."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from teams import services


class Command(BaseCommand):
    help = (
        "Import municipalities, districts, neighbourhoods and postcodes (or, with --statistics, "
        "area statistics) from a ';'-separated CSV file. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--statistics", action="store_true", help="The file holds area statistics."
        )

    def handle(self, *args, file: Path, statistics: bool, **options):
        try:
            content = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            if statistics:
                result = services.area_statistics_import(content=content)
            else:
                result = services.areas_import(content=content)
        except services.ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{file}: {len(exc.errors)} problem(s); nothing was imported."
            ) from exc
        if statistics:
            message = f"Area statistics imported: {result.created} new, {result.updated} updated."
        else:
            message = (
                f"Areas imported: {result.municipalities_created} municipalities, "
                f"{result.districts_created} districts, {result.neighbourhoods_created} "
                f"neighbourhoods and {result.postcodes_created} postcodes new; "
                f"{result.postcodes_unchanged} postcodes unchanged, "
                f"{result.names_updated} names updated."
            )
        self.stdout.write(self.style.SUCCESS(message))
