# Trigram indexes for the household search by (partial) name, on PostgreSQL only.
#
# `icontains` becomes `UPPER(column::text) LIKE UPPER('%word%')`; a GIN index with
# gin_trgm_ops on the same expression serves it (and `istartswith`) instead of a sequential
# scan of every resident. The indexes are created by RunPython on PostgreSQL and are not part
# of the model state, like the access log trigger (0005): the SQLite quick start neither has
# pg_trgm nor needs it, and SQLite's table rebuilds must never try to create them.
# TrigramExtension is a no-op on other databases.

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

TRIGRAM_INDEXES = {
    "resident_last_name_trgm_idx": "last_name",
    "resident_first_name_trgm_idx": "first_name",
}


def add_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "cases_resident" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)',
            params=None,
        )


def remove_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"', params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0013_avg_corrections_destruction"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(add_trigram_indexes, remove_trigram_indexes),
    ]
