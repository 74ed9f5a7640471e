# The name search narrows by need-to-know before it follows anyone to a household. Each
# resident carries "neighbourhoods": today's neighbourhoods of every household they have a
# membership of (ended ones included). A user's team districts then become a test on the
# resident's own row, in one GIN index with the folded name (cases.households.search_names).
#
# The column is kept by the database, like `search_name`: triggers on memberships (insert,
# update, delete) and on a household's neighbourhood recompute it for the residents concerned,
# whatever writes them (a service, the admin, the generator's COPY). It is outside Django's
# model state on purpose: Django never writes it, so a resident saved from a stale instance
# cannot overwrite it.
#
# PostgreSQL only: bigint[], statement-level triggers with transition tables (one UPDATE per
# statement, so a COPY costs one set-based update per batch). The SQLite quick start needs no
# copy: there the search reads the same fact from the memberships as it runs.

from django.db import migrations

INDEX = "resident_name_neighbourhoods_idx"

PG_UP = [
    """ALTER TABLE "cases_resident" ADD COLUMN "neighbourhoods" bigint[] NOT NULL DEFAULT '{}'""",
    """
    CREATE FUNCTION "cases_resident_neighbourhoods_refresh"(resident_ids bigint[])
    RETURNS void LANGUAGE sql AS $$
        UPDATE "cases_resident" AS r SET "neighbourhoods" = fresh.neighbourhoods
        FROM (
            SELECT ids.id, COALESCE(
                (SELECT array_agg(DISTINCT h."neighbourhood_id" ORDER BY h."neighbourhood_id")
                 FROM "cases_householdmembership" AS m
                 JOIN "cases_household" AS h ON h."id" = m."household_id"
                 WHERE m."resident_id" = ids.id AND h."neighbourhood_id" IS NOT NULL),
                '{}'::bigint[]) AS neighbourhoods
            FROM unnest(resident_ids) AS ids(id)
        ) AS fresh
        WHERE r."id" = fresh.id AND r."neighbourhoods" IS DISTINCT FROM fresh.neighbourhoods
    $$
    """,
    """
    CREATE FUNCTION "cases_membership_neighbourhoods_trigger"() RETURNS trigger
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
    """,
    """
    CREATE TRIGGER "cases_membership_neighbourhoods_insert" AFTER INSERT
    ON "cases_householdmembership" REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION "cases_membership_neighbourhoods_trigger"()
    """,
    """
    CREATE TRIGGER "cases_membership_neighbourhoods_update" AFTER UPDATE
    ON "cases_householdmembership" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION "cases_membership_neighbourhoods_trigger"()
    """,
    """
    CREATE TRIGGER "cases_membership_neighbourhoods_delete" AFTER DELETE
    ON "cases_householdmembership" REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION "cases_membership_neighbourhoods_trigger"()
    """,
    """
    CREATE FUNCTION "cases_household_neighbourhoods_trigger"() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM "cases_resident_neighbourhoods_refresh"(ARRAY(
            SELECT DISTINCT m."resident_id"
            FROM new_rows AS n JOIN old_rows AS o ON o."id" = n."id"
            JOIN "cases_householdmembership" AS m ON m."household_id" = n."id"
            WHERE n."neighbourhood_id" IS DISTINCT FROM o."neighbourhood_id"));
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER "cases_household_neighbourhoods_update" AFTER UPDATE
    ON "cases_household" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION "cases_household_neighbourhoods_trigger"()
    """,
    """
    UPDATE "cases_resident" AS r SET "neighbourhoods" = fresh.neighbourhoods
    FROM (
        SELECT m."resident_id",
               array_agg(DISTINCT h."neighbourhood_id" ORDER BY h."neighbourhood_id")
                   AS neighbourhoods
        FROM "cases_householdmembership" AS m
        JOIN "cases_household" AS h ON h."id" = m."household_id"
        WHERE h."neighbourhood_id" IS NOT NULL
        GROUP BY m."resident_id"
    ) AS fresh
    WHERE r."id" = fresh."resident_id"
    """,
    # the name and the neighbourhoods in one index: a name search within a user's districts
    # reads only the residents that match both
    f"""
    CREATE INDEX "{INDEX}" ON "cases_resident"
    USING gin ("search_name" gin_trgm_ops, "neighbourhoods")
    """,
]

PG_DOWN = [
    f'DROP INDEX IF EXISTS "{INDEX}"',
    'DROP TRIGGER IF EXISTS "cases_household_neighbourhoods_update" ON "cases_household"',
    'DROP TRIGGER IF EXISTS "cases_membership_neighbourhoods_delete" ON "cases_householdmembership"',
    'DROP TRIGGER IF EXISTS "cases_membership_neighbourhoods_update" ON "cases_householdmembership"',
    'DROP TRIGGER IF EXISTS "cases_membership_neighbourhoods_insert" ON "cases_householdmembership"',
    'DROP FUNCTION IF EXISTS "cases_household_neighbourhoods_trigger"()',
    'DROP FUNCTION IF EXISTS "cases_membership_neighbourhoods_trigger"()',
    'DROP FUNCTION IF EXISTS "cases_resident_neighbourhoods_refresh"(bigint[])',
    'ALTER TABLE "cases_resident" DROP COLUMN IF EXISTS "neighbourhoods"',
]

def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0042_application_area_queue_index"),
    ]

    operations = [
        migrations.RunPython(
            _run(PG_UP),
            _run(PG_DOWN),
        ),
    ]
