"""socialdomain.precompiled: a query built with the ORM, compiled once per key, run with each
call's values."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from networks.models import Organisation, OrganisationType
from socialdomain import precompiled
from socialdomain.precompiled import Bind, precompiled_rows
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def build(bind):
    return (
        Organisation.objects.filter(bind.any_of("id", "ids"))
        .filter(type=bind("type"))
        .order_by("name")
        .values("name", "type")
    )


def test_compiled_once_per_key_and_list_length_and_bound_per_call(monkeypatch):
    a, b, c = (
        OrganisationFactory(name=name, type=OrganisationType.CARE_PROVIDER) for name in "abc"
    )
    compiles = []
    real = precompiled.Bind

    def counting(values, *, placeholders):
        compiles.append(placeholders)
        return real(values, placeholders=placeholders)

    monkeypatch.setattr(precompiled, "Bind", counting)
    precompiled._STATEMENTS.clear()
    care = OrganisationType.CARE_PROVIDER

    def rows(ids, kind=care):
        return precompiled_rows(key=("test",), build=build, values={"ids": ids, "type": kind})

    assert rows([a.pk]) == [{"name": "a", "type": care}]
    assert rows([b.pk]) == [{"name": "b", "type": care}]
    assert rows([c.pk, a.pk]) == [{"name": "a", "type": care}, {"name": "c", "type": care}]
    assert rows([b.pk, c.pk]) == [{"name": "b", "type": care}, {"name": "c", "type": care}]
    assert rows([a.pk], kind=OrganisationType.MUNICIPALITY) == []
    # one statement for one id, one for two: compiled twice in five calls
    assert compiles == [True, True]


def test_the_rows_are_the_orms_rows():
    """What the SQLite demo runs (the ORM with the values) and the compiled statement agree."""
    first, second = OrganisationFactory(name="x"), OrganisationFactory(name="y")
    values = {"ids": [first.pk, second.pk], "type": first.type}
    orm = list(build(Bind(values, placeholders=False)))
    with CaptureQueriesContext(connection) as queries:
        assert precompiled_rows(key=("orm",), build=build, values=values) == orm
    assert len(queries) == 1


def test_a_full_cache_lets_its_oldest_statement_go(monkeypatch):
    """Statements per user's access (the caseload) come and go: when the cache is full the
    oldest makes room, the others stay compiled."""
    monkeypatch.setattr(precompiled, "_STATEMENTS_MAX", 3)
    precompiled._STATEMENTS.clear()
    organisation = OrganisationFactory(name="z")
    values = {"ids": [organisation.pk], "type": organisation.type}
    for name in ("first", "second", "third", "fourth"):
        assert precompiled_rows(key=(name,), build=build, values=values) == [
            {"name": "z", "type": organisation.type}
        ]
    assert [key[2] for key in precompiled._STATEMENTS] == ["second", "third", "fourth"]


def test_model_instances_are_the_orms_with_related_objects_and_annotations(
    make_household, generalist, django_assert_num_queries
):
    """`precompiled_objects` builds what the ORM builds: the fields, the `select_related`
    objects (no query when read) and the annotations, with the value bound per call."""
    from django.db.models import Count, UUIDField

    from cases.households.models import Household

    households = [make_household(residents=n, coordinator=generalist) for n in (1, 2)]

    def build(bind):
        return (
            Household.objects.with_area()
            .select_related("coordinator")
            .annotate(members=Count("memberships"))
            .filter(uuid=bind("uuid", UUIDField()))
            .order_by()
        )

    precompiled._STATEMENTS.clear()
    for household in households:
        [orm] = build(Bind({"uuid": household.uuid}, placeholders=False))
        with django_assert_num_queries(1):
            [found] = precompiled.precompiled_objects(
                key=("household",), build=build, values={"uuid": household.uuid}
            )
            assert found.neighbourhood.district.team.name == orm.neighbourhood.district.team.name
            assert found.coordinator.username == generalist.username
        assert found == orm and found.members == orm.members
        assert {f.attname: getattr(found, f.attname) for f in Household._meta.concrete_fields} == {
            f.attname: getattr(orm, f.attname) for f in Household._meta.concrete_fields
        }
        assert found._state.db == orm._state.db and not found._state.adding
    assert len(precompiled._STATEMENTS) == 1


def test_statements_are_prepared_once_per_connection_and_run_as_execute():
    """PostgreSQL parses and plans a compiled statement once per connection: the first run
    prepares it (behind a savepoint, the first time in a process), later runs are EXECUTE."""
    organisation = OrganisationFactory(name="p")
    values = {"ids": [organisation.pk], "type": organisation.type}
    precompiled._STATEMENTS.clear()

    def own(bind):  # a statement of this test's own: not prepared on this connection yet
        return build(bind).exclude(code="prepared-once-per-connection")

    runs = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert precompiled_rows(key=("prepared",), build=own, values=values) == [
                {"name": "p", "type": organisation.type}
            ]
        runs.append([q["sql"] for q in queries])
    # one round trip also the first time: the savepoint, PREPARE and EXECUTE in one
    assert [len(run) for run in runs] == [1, 1, 1]
    assert "PREPARE precompiled_" in runs[0][0] and "SAVEPOINT" in runs[0][0]
    assert all(run[0].startswith("EXECUTE precompiled_") for run in runs[1:])
    assert "networks_organisation" in precompiled.prepared_text(runs[1][0])


def test_a_statement_postgresql_cannot_prepare_runs_as_it_is():
    """A value whose type PostgreSQL cannot tell from the statement (here one only compared
    with NULL) makes PREPARE fail: the savepoint keeps the transaction, the statement runs
    plain."""
    from django.db.models import CharField

    OrganisationFactory(name="q")
    precompiled._STATEMENTS.clear()

    def untyped(bind):
        return (
            Organisation.objects.annotate(said=bind("said", CharField()))
            .filter(said__isnull=False)  # `$1 IS NOT NULL`: no type to tell
            .values("name", "said")
        )

    for _ in range(2):
        rows = precompiled_rows(key=("untyped",), build=untyped, values={"said": "hallo"})
        assert rows == [{"name": "q", "said": "hallo"}]
    [statement] = precompiled._STATEMENTS.values()
    assert statement.name in precompiled._UNPREPARABLE
    assert Organisation.objects.filter(name="q").exists()  # the transaction still works


def test_an_array_value_is_one_statement_whatever_its_length():
    """`Bind.in_array`: a tuple of ids is one array parameter, so lists of any length share
    one compiled statement (the caseload's households); the ORM's `IN` on SQLite."""
    organisations = [OrganisationFactory(name=name) for name in "uvw"]
    precompiled._STATEMENTS.clear()

    def named(bind):
        return (
            Organisation.objects.filter(bind.in_array("id", "ids", "bigint"))
            .order_by("name")
            .values("name")
        )

    for chosen in (organisations[:1], organisations, organisations[1:]):
        rows = precompiled_rows(
            key=("array",), build=named, values={"ids": tuple(o.pk for o in chosen)}
        )
        assert rows == [{"name": o.name} for o in chosen]
        assert rows == list(named(Bind({"ids": tuple(o.pk for o in chosen)}, placeholders=False)))
    assert len(precompiled._STATEMENTS) == 1


def test_sql_composed_of_compiled_querysets_is_compiled_once_and_bound_per_call():
    """`precompiled_sql`: SQL written around compiled querysets (a CTE, say), their bound
    values included; prepared once, run with each call's values, the rows as tuples."""
    a, b = OrganisationFactory(name="a"), OrganisationFactory(name="b")
    precompiled._STATEMENTS.clear()

    def around(bind):
        inner, params = (
            Organisation.objects.filter(name=bind("name")).values("pk").query.sql_with_params()
        )
        return f'WITH "found" AS ({inner}) SELECT COUNT(*) FROM "found"', list(params)  # noqa: S608

    def count(name):
        return precompiled.precompiled_sql(key=("around",), build=around, values={"name": name})

    with CaptureQueriesContext(connection) as queries:
        assert count("a") == [(1,)]
        assert count("b") == [(1,)]
        assert count("c") == [(0,)]
    assert len(precompiled._STATEMENTS) == 1
    assert all("EXECUTE precompiled_" in q["sql"] for q in queries)
    assert "WITH" in precompiled.prepared_text(queries[-1]["sql"])
    # the values as they are (the SQLite demo's way) give the same rows
    sql, params = around(Bind({"name": a.name}, placeholders=False))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert cursor.fetchall() == [(1,)]
    assert b.name == "b"


def test_a_statement_asking_for_the_generic_plan_is_never_planned_again():
    """`generic_plan=True`: PostgreSQL runs the statement with its generic plan from the first
    run on (no custom plan for the values), also when it prepares it (behind the savepoint the
    first time in a process, without it later), and every other statement plans as before:
    the setting is reset in the same round trip."""
    organisation = OrganisationFactory(name="g")
    values = {"ids": [organisation.pk], "type": organisation.type}
    precompiled._STATEMENTS.clear()

    def own(bind):
        return build(bind).exclude(code="generic-plan")

    def plans():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s",
                [statement.name],
            )
            return cursor.fetchone()

    def run(times):
        for _ in range(times):
            with CaptureQueriesContext(connection) as queries:
                rows = precompiled_rows(
                    key=("generic",), build=own, values=values, generic_plan=True
                )
            assert rows == [{"name": "g", "type": organisation.type}]
            assert len(queries) == 1  # one round trip, the setting included
            with connection.cursor() as cursor:
                cursor.execute("SHOW plan_cache_mode")
                assert cursor.fetchone() == ("auto",)

    run(7)
    [statement] = precompiled._STATEMENTS.values()
    assert statement.generic and statement.name in precompiled._PREPARES
    assert plans() == (7, 0)
    # the same statement without the flag (another entry, the same prepared statement) is
    # planned for its values
    for _ in range(2):
        precompiled_rows(key=("generic",), build=own, values=values)
    assert plans() == (7, 2)
    # prepared again, as on a new connection: no savepoint now, still the generic plan
    with connection.cursor() as cursor:
        cursor.execute(f"DEALLOCATE {statement.name}")
    precompiled._PREPARED[connection.connection].discard(statement.name)
    run(3)
    assert plans() == (3, 0)


def test_uuids_and_dates_as_text_only_where_asked_and_only_on_that_query():
    """`as_text`: the UUID and date columns of that query come back as the text `str()` of the
    UUID and `isoformat()` of the date give (what the partner list writes into its JSON and
    access log); other queries, on the same connection after it, still get the objects. Under
    a DateStyle other than ISO a date stays a date."""
    import datetime
    import uuid

    from cases.households.models import Resident
    from tests.factories import ResidentFactory

    resident = ResidentFactory(birth_date=datetime.date(1961, 2, 3))

    def build_resident(bind):
        return Resident.objects.filter(pk=bind("pk")).values("uuid", "birth_date")

    values = {"pk": resident.pk}
    as_text = precompiled_rows(
        key=("as text",), build=build_resident, values=values, as_text=("uuid", "date")
    )
    assert as_text == [{"uuid": str(resident.uuid), "birth_date": "1961-02-03"}]
    plain = precompiled_rows(key=("plain",), build=build_resident, values=values)
    assert plain == [{"uuid": resident.uuid, "birth_date": datetime.date(1961, 2, 3)}]
    assert isinstance(plain[0]["uuid"], uuid.UUID)
    assert isinstance(Resident.objects.values_list("uuid", flat=True).get(), uuid.UUID)
    with connection.cursor() as cursor:
        cursor.execute("SET DateStyle = 'SQL, DMY'")
    try:
        other_style = precompiled_rows(
            key=("as text",), build=build_resident, values=values, as_text=("uuid", "date")
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET DateStyle")
    assert other_style == [{"uuid": str(resident.uuid), "birth_date": datetime.date(1961, 2, 3)}]
