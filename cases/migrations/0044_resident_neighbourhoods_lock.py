# A membership written while its household moves (another transaction) must not keep the old
# neighbourhood: the membership trigger of 0043 computed the resident's neighbourhoods from its
# own snapshot, which did not see the move until it committed, and the move's trigger did not
# see the new membership. Now the membership trigger first takes a share lock on the households
# concerned: it waits for a move in progress, and a move waits for it; the refresh that follows
# (a statement of its own, so a snapshot of its own) sees the other's committed rows.
# PostgreSQL only, like 0043.

from django.db import migrations

LOCKING = """
CREATE OR REPLACE FUNCTION "cases_membership_neighbourhoods_trigger"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM 1 FROM "cases_household"
        WHERE "id" IN (SELECT "household_id" FROM new_rows) ORDER BY "id" FOR SHARE;
        PERFORM "cases_resident_neighbourhoods_refresh"(
            ARRAY(SELECT DISTINCT "resident_id" FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM "cases_resident_neighbourhoods_refresh"(
            ARRAY(SELECT DISTINCT "resident_id" FROM old_rows));
    ELSE
        PERFORM 1 FROM "cases_household"
        WHERE "id" IN (
            SELECT n."household_id" FROM new_rows AS n JOIN old_rows AS o ON o."id" = n."id"
            WHERE n."household_id" IS DISTINCT FROM o."household_id"
        ) ORDER BY "id" FOR SHARE;
        PERFORM "cases_resident_neighbourhoods_refresh"(ARRAY(
            SELECT n."resident_id" FROM new_rows AS n JOIN old_rows AS o ON o."id" = n."id"
            WHERE (n."resident_id", n."household_id")
                  IS DISTINCT FROM (o."resident_id", o."household_id")
            UNION
            SELECT o."resident_id" FROM new_rows AS n JOIN old_rows AS o ON o."id" = n."id"
            WHERE (n."resident_id", n."household_id")
                  IS DISTINCT FROM (o."resident_id", o."household_id")));
    END IF;
    RETURN NULL;
END
$$
"""

UNLOCKED = """
CREATE OR REPLACE FUNCTION "cases_membership_neighbourhoods_trigger"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM "cases_resident_neighbourhoods_refresh"(
            ARRAY(SELECT DISTINCT "resident_id" FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM "cases_resident_neighbourhoods_refresh"(
            ARRAY(SELECT DISTINCT "resident_id" FROM old_rows));
    ELSE
        PERFORM "cases_resident_neighbourhoods_refresh"(ARRAY(
            SELECT n."resident_id" FROM new_rows AS n JOIN old_rows AS o ON o."id" = n."id"
            WHERE (n."resident_id", n."household_id")
                  IS DISTINCT FROM (o."resident_id", o."household_id")
            UNION
            SELECT o."resident_id" FROM new_rows AS n JOIN old_rows AS o ON o."id" = n."id"
            WHERE (n."resident_id", n."household_id")
                  IS DISTINCT FROM (o."resident_id", o."household_id")));
    END IF;
    RETURN NULL;
END
$$
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0043_resident_neighbourhoods"),
    ]

    operations = [migrations.RunPython(_run(LOCKING), _run(UNLOCKED))]
