"""`python manage.py import_area_statistics FILE`: same as `import_areas FILE --statistics`."""

from pathlib import Path

from teams.management.commands import import_areas


class Command(import_areas.Command):
    help = "Import area statistics per district or neighbourhood from a CSV file. All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        super().handle(file=file, statistics=True)
