"""Statements the ORM builds once per process: for a hot read whose query costs more to build
and compile than to run (the partner allocation list, a bearer token's lookup:
docs/performance.md). The query is written with the ORM as everywhere else; `build` gets a
`Bind` and writes `bind("name")` for each value that changes from request to request. On
PostgreSQL that is a placeholder: the query is compiled once per `key` (what changes the SQL
itself: a filter present or not, the page size, the day), then run with each request's values.
The SQLite demo builds the query with the values themselves and runs it as the ORM does, so
both give the same rows (dicts, as `.values()` gives them; `precompiled_objects` gives model
instances). On PostgreSQL each statement is also prepared once per database connection (see
`_execute`). A list of values is one placeholder per value (`Bind.any_of`: its length is part
of the key); a tuple is one array parameter (`Bind.in_array`: one statement for any length).

    rows = precompiled_rows(
        key=("allocation page", status is not None),
        build=lambda bind: Allocation.objects.filter(bind.any_of("provider_id", "providers"))
        .filter(status=bind("status")).values("uuid"),
        values={"providers": [organisation.pk], "status": "started"},
    )

A settings change (a test's `override_settings`) empties the cache.
"""

import functools
import hashlib
import operator
import re
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from django.core.signals import setting_changed
from django.db import DatabaseError, connections, router
from django.db.models import Expression, Field, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.query import get_related_populators

_STATEMENTS: dict[tuple, "_Statement"] = {}
_STATEMENTS_MAX = 256


class _Slot:
    """Stands for a value in the compiled parameters; found again by identity (the ORM copies
    expressions while it builds the query, but not their parameters)."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"<value {self.name}>"


class Param(Expression):
    """A value given when the statement runs, by `name` (see `precompiled_rows`)."""

    def __init__(self, name: str, output_field=None):
        super().__init__(output_field=output_field or Field())
        self.slot = _Slot(name)

    def as_sql(self, compiler, connection):
        return "%s", [self.slot]


class Bind:
    """What `build` writes for a value: a `Param` when the statement is compiled once
    (PostgreSQL), the value itself when the ORM runs the query as it is (SQLite)."""

    def __init__(self, values: Mapping[str, object], *, placeholders: bool):
        self.values = values
        self.placeholders = placeholders

    def __call__(self, name: str, output_field=None):
        return Param(name, output_field) if self.placeholders else self.values[name]

    def any_of(self, field: str, name: str) -> Q:
        """A filter: `field` is one of the values in the list `values[name]`. One placeholder
        per value (the list's length is part of the statement's key), so PostgreSQL plans it as
        it plans the ORM's `IN` of the values: one value is an equality, which walks an index
        in its order."""
        found = self.values[name]
        if not self.placeholders:
            return Q(**{f"{field}__in": found})
        if not found:
            return Q(pk__in=[])
        return functools.reduce(
            operator.or_, (Q(**{field: Param(_item(name, index))}) for index in range(len(found)))
        )

    def in_array(self, field: str, name: str, db_type: str) -> Q:
        """A filter: `field` is one of the values in the tuple `values[name]`, bound as one
        array (`db_type[]`): one statement whatever the number of values. For a list of ids
        whose length varies from page to page (the caseload's households)."""
        found = self.values[name]
        if not self.placeholders:
            return Q(**{f"{field}__in": list(found)})
        array = RawSQL(f"SELECT unnest(%s::{db_type}[])", (Param(name).slot,))  # noqa: S611
        return Q(**{f"{field}__in": array})


def _item(name: str, index: int) -> str:
    return f"{name}[{index}]"


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple  # the ORM's, with a `_Slot` for each value bound per call
    slots: tuple[tuple[int, str], ...]  # (position in params, value's name)
    converters: list  # (column, functions, expression): the fields' conversions of `.values()`
    compiler: object  # for model instances: its select, klass_info and converters
    models: tuple | None  # (model, first column, end, attnames, related populators)
    name: str  # of the prepared statement: a hash of its text
    prepare: str  # PREPARE name AS ...: $1, $2 … for the slots, every other value written in
    execute: str  # EXECUTE name(%s, …): the slots' values in their order
    # run with PostgreSQL's generic plan: `execute` is then wrapped in `_GENERIC`, whose SET
    # gives one result before the EXECUTE's rows
    generic: bool = False
    # the columns' names, read from the first run's cursor (`.values()` rows' keys)
    names: tuple[str, ...] | None = None


def _run(
    *,
    key,
    build,
    values,
    using,
    models: bool | None,
    generic: bool = False,
    as_text: tuple[str, ...] = (),
    wrap: Callable | None = None,
) -> tuple[_Statement, list, str]:
    """The statement of `key` (compiled on its first call), run with `values`: the statement,
    the rows as the database returns them and the database's alias. `models=None`: `build`
    returns SQL and its parameters (`precompiled_sql`), not a queryset. `generic`: always
    with the generic plan (`_GENERIC`). `as_text`: columns of these types come back as their
    text (`_load_as_text`)."""
    using = using or router.db_for_read(None)
    # a list is one placeholder per value (`Bind.any_of`): its length shapes the statement
    lists = {name: value for name, value in values.items() if isinstance(value, list)}
    cache_key = (
        using,
        models,
        *key,
        *((name, len(value)) for name, value in sorted(lists.items())),
        generic,
    )
    statement = _STATEMENTS.get(cache_key)
    if statement is None:
        bind = Bind(values, placeholders=True)
        statement = _compile(
            build(bind),
            using,
            models=models,
            wrap=None if wrap is None else functools.partial(wrap, bind),
        )
        if generic:
            statement = replace(
                statement, execute=_GENERIC.format(execute=statement.execute), generic=True
            )
        if len(_STATEMENTS) >= _STATEMENTS_MAX:
            # the oldest goes: a statement per user's access (the caseload) comes and goes
            del _STATEMENTS[next(iter(_STATEMENTS))]
        _STATEMENTS[cache_key] = statement
    if lists:
        values = dict(values)
        for name, value in lists.items():
            values.update((_item(name, index), item) for index, item in enumerate(value))
    # a tuple (`Bind.in_array`) is one array parameter
    bound = [
        list(value) if isinstance(value := values[name], tuple) else value
        for _index, name in statement.slots
    ]
    connection = connections[using]
    with connection.cursor() as cursor:
        if as_text:
            _load_as_text(connection, cursor, as_text)
        _execute(connection, cursor, statement, bound)
        rows = cursor.fetchall()
        if not models and statement.names is None:
            statement = replace(
                statement, names=tuple(column.name for column in cursor.description)
            )
            if cache_key in _STATEMENTS:
                _STATEMENTS[cache_key] = statement
    if not models:
        rows = (statement.names, rows)
    return statement, rows, using


# PostgreSQL's text of a value of these types is what Python's `str()` or `isoformat()` of it
# gives: a UUID in lower case with hyphens; a date as YYYY-MM-DD, but only with a DateStyle
# of ISO (the default), so with any other a date is loaded as a date.
_TEXT_AS_PYTHON_WRITES_IT = {"uuid": None, "date": "ISO"}


def _load_as_text(connection, cursor, types: tuple[str, ...]) -> None:
    """Load the columns of `types` as their text on this cursor only (psycopg's text loader, in
    C with psycopg's binary package): a page that writes them out as text (JSON) then makes no
    Python object per value to turn back into text."""
    from psycopg.types.string import TextLoader  # PostgreSQL only: the demo may lack libpq

    for name in types:
        style = _TEXT_AS_PYTHON_WRITES_IT[name]  # KeyError: a type not known to be safe
        if style and not (
            connection.connection.info.parameter_status("DateStyle") or ""
        ).startswith(style):
            continue
        cursor.cursor.adapters.register_loader(name, TextLoader)


# Each statement is also *prepared*, once per database connection (PREPARE, run as EXECUTE),
# as `cases.clocks` prepares its page of clocks: PostgreSQL then parses it once and, after a
# few runs, keeps a generic plan. Planning was most of the database's time for these
# statements at 500,000 households (about 1 ms each, against 0.3 to 1 ms to run them). A
# prepared statement outlives a rolled-back transaction; a new connection prepares it again.
# A statement PostgreSQL cannot prepare (a value whose type it cannot tell) runs as it is: the
# first time a process prepares a statement inside a transaction, a savepoint in the same
# round trip keeps the transaction usable if PREPARE fails.
_PREPARED: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()
_PREPARES: set[str] = set()  # prepared once without an error in this process
_UNPREPARABLE: set[str] = set()
_SAVEPOINT = "precompiled_prepare"


# A statement can ask for the generic plan on every run. PostgreSQL plans a prepared statement
# for its values (a custom plan) on its first five runs and keeps the generic plan only when
# that is estimated no dearer than their average plus the planning; otherwise it plans every
# run again. The partner list's page is such a statement: its generic plan runs as fast as a
# custom one (the same joins and the consents of the organisation hashed once), but the
# estimate is a little higher, so each request planned it again, 2 to 4 ms at 500,000
# households. `plan_cache_mode` is set around the EXECUTE in the same round trip and reset
# after it (a failed batch rolls the SET back with it), so other statements plan as before.
_GENERIC = "SET plan_cache_mode = force_generic_plan; {execute}; RESET plan_cache_mode"


def _execute(connection, cursor, statement: _Statement, bound: list) -> None:
    prepared = _PREPARED.setdefault(connection.connection, set())
    if statement.name in prepared:
        cursor.execute(statement.execute, bound)
        if statement.generic:
            cursor.nextset()
        return
    if statement.name in _UNPREPARABLE:
        params = list(statement.params)
        for (index, _name), value in zip(statement.slots, bound, strict=True):
            params[index] = value
        cursor.execute(statement.sql, params)
        return
    # prepared and run in one round trip
    batch = f"{statement.prepare.replace('%', '%%')}; {statement.execute}"
    ahead = 2 if statement.generic else 1  # results before the EXECUTE's: PREPARE's (and SET's)
    guarded = statement.name not in _PREPARES and connection.in_atomic_block
    if guarded:
        batch, ahead = f"SAVEPOINT {_SAVEPOINT}; {batch}; RELEASE SAVEPOINT {_SAVEPOINT}", ahead + 1
    try:
        cursor.execute(batch, bound)
    except DatabaseError:
        if statement.name in _PREPARES:
            raise
        # an error PostgreSQL raised left the transaction failed: back to the savepoint (one
        # raised before anything was sent left it as it was)
        from psycopg.pq import TransactionStatus  # PostgreSQL only: the demo may lack libpq

        if guarded and connection.connection.info.transaction_status == TransactionStatus.INERROR:
            cursor.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}; RELEASE SAVEPOINT {_SAVEPOINT}")
        _UNPREPARABLE.add(statement.name)
        _execute(connection, cursor, statement, bound)
        return
    for _ in range(ahead):
        cursor.nextset()
    _PREPARES.add(statement.name)
    prepared.add(statement.name)


def prepared_statement(
    prefix: str, sql: str, params, *, slot: Callable[[object], object], using: str
) -> tuple[str, str, list]:
    """A compiled statement as a prepared one: (its name, `PREPARE name AS …`, the keys of its
    parameters in the order of $1, $2 …). `slot(param)` is the key of a parameter given on
    every run (the same key is the same $n), or None for one written in as the ORM's
    client-side binding writes it. The name is `prefix` and a hash of the text, so the same
    statement has the same name in every process. `cases.clocks` prepares its page of clocks
    with it too."""
    parts, written, keys, index = [], [], [], 0
    for part in re.split(r"(%%|%s)", sql):
        if part == "%s":
            key = slot(params[index])
            if key is None:
                written.append(params[index])
            else:
                if key not in keys:
                    keys.append(key)
                part = f"${keys.index(key) + 1}"
            index += 1
        parts.append(part)
    with connections[using].cursor() as cursor:
        body = cursor.mogrify("".join(parts), written)
    name = prefix + hashlib.sha256(body.encode()).hexdigest()[:24]
    return name, f"PREPARE {name} AS {body}", keys


def _prepared(sql: str, params: list, using: str) -> tuple[str, str, str]:
    """(name, PREPARE, EXECUTE) of a compiled statement: each slot is a parameter of its own."""
    name, prepare, keys = prepared_statement(
        "precompiled_",
        sql,
        params,
        # a value the query reads in several places (its `_Slot` shared by the ORM's copies)
        # is bound once per place, as the compiled parameters list it
        slot=lambda param: object() if isinstance(param, _Slot) else None,
        using=using,
    )
    execute = f"EXECUTE {name}({', '.join(['%s'] * len(keys))})" if keys else f"EXECUTE {name}"
    return name, prepare, execute


def _compile(built, using: str, *, models: bool | None, wrap=None) -> _Statement:
    if models is None:  # SQL with its parameters (`precompiled_sql`)
        sql, params = built
        compiler = None
    else:
        compiler = built.query.get_compiler(using)
        sql, params = compiler.as_sql()
    params = list(params)
    if wrap is not None:  # the same columns, inside the caller's statement
        sql, params = wrap(sql, params)
        params = list(params)
    slots = tuple(
        (index, param.name) for index, param in enumerate(params) if isinstance(param, _Slot)
    )
    prepared = _prepared(sql, params, using)
    if models is None:
        return _Statement(sql, tuple(params), slots, [], None, None, *prepared)
    if not models:
        # the fields' own conversions from the database (a JSON field, a custom field), as the
        # ORM applies them to `.values()` rows
        converters = [
            (index, functions, expression)
            for index, (functions, expression) in compiler.get_converters(
                [column[0] for column in compiler.select]
            ).items()
        ]
        return _Statement(sql, tuple(params), slots, converters, None, None, *prepared)
    # what `ModelIterable` reads from the compiler to build the instances
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    attnames = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, using)
    return _Statement(
        sql,
        tuple(params),
        slots,
        [],
        compiler,
        (klass_info["model"], start, end, attnames, populators),
        *prepared,
    )


def prepared_text(sql: str) -> str:
    """The SQL behind `EXECUTE name(…)` of a statement compiled here (for a test or a profile
    that reads what ran); any other SQL as it is."""
    match = re.match(
        r"(?:PREPARE (precompiled_\w+) AS .*; )?(?:SET plan_cache_mode [^;]*; )?"
        r"EXECUTE (precompiled_\w+)",
        sql,
        re.S,
    )
    if not match:
        return sql
    for statement in _STATEMENTS.values():
        if statement.name == match.group(2):
            return statement.sql
    return sql


def precompiled_rows(
    *,
    key: tuple,
    build: Callable[[Bind], QuerySet],
    values: Mapping[str, object],
    using: str | None = None,
    generic_plan: bool = False,
    as_text: tuple[str, ...] = (),
    wrap: Callable[[Bind, str, list], tuple[str, list]] | None = None,
) -> list[dict]:
    """The rows of the `.values()` queryset `build(bind)` returns, with each `bind(name)` bound
    to `values[name]`; on PostgreSQL compiled on the first call per `key` and database (by
    default the one the router reads from: the replica inside `replica_reads()`).
    `wrap(bind, sql, params)`: on PostgreSQL the compiled SQL and its parameters are put
    inside a statement of the caller's that returns the same columns (a data-modifying `WITH`
    around it: `cases.audit.ShownRowsLog`); part of the key is the caller's to give.
    `generic_plan`: PostgreSQL runs it with its generic plan, never planning it again (for a
    statement whose plan does not depend on the values, see `_GENERIC`). `as_text`: columns of
    these types ("uuid", "date") as their text on PostgreSQL, for a caller that writes them out
    as text anyway (no `uuid.UUID` or `datetime.date` made per value); the SQLite demo (and a
    date under another DateStyle than ISO) still gives the objects, so such a caller takes
    either."""
    if connections[using or router.db_for_read(None)].vendor != "postgresql":
        return list(build(Bind(values, placeholders=False)))
    statement, (names, rows), using = _run(
        key=key,
        build=build,
        values=values,
        using=using,
        models=False,
        generic=generic_plan,
        as_text=as_text,
        wrap=wrap,
    )
    if statement.converters:
        connection = connections[using]
        rows = [list(row) for row in rows]
        for row in rows:
            for index, functions, expression in statement.converters:
                for function in functions:
                    row[index] = function(row[index], expression, connection)
    return [dict(zip(names, row, strict=True)) for row in rows]


def precompiled_objects(
    *,
    key: tuple,
    build: Callable[[Bind], QuerySet],
    values: Mapping[str, object],
    using: str | None = None,
) -> list:
    """`precompiled_rows` for a queryset of model instances: the instances the ORM would build,
    with their `select_related` objects and annotations. No `prefetch_related`: prefetch on the
    instances (`prefetch_related_objects`)."""
    if connections[using or router.db_for_read(None)].vendor != "postgresql":
        return list(build(Bind(values, placeholders=False)))
    statement, rows, using = _run(key=key, build=build, values=values, using=using, models=True)
    compiler = statement.compiler
    model, start, end, attnames, populators = statement.models
    annotations = compiler.annotation_col_map
    objects = []
    for row in compiler.results_iter([rows]):
        instance = model.from_db(using, attnames, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        for name, position in annotations.items():
            setattr(instance, name, row[position])
        objects.append(instance)
    return objects


def precompiled_sql(
    *,
    key: tuple | None,
    build: Callable[[Bind], tuple[str, list]],
    values: Mapping[str, object],
    using: str | None = None,
) -> list[tuple]:
    """`precompiled_rows` for a statement the ORM cannot write as one queryset: `build(bind)`
    returns SQL and its parameters, composed of compiled querysets (their `bind(name)` values
    included). The rows as tuples. `key=None`: a statement not worth keeping (its SQL differs
    from call to call), built with the values and run as it is."""
    using = using or router.db_for_read(None)
    if key is None or connections[using].vendor != "postgresql":
        sql, params = build(Bind(values, placeholders=False))
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    _statement, (_names, rows), _using = _run(
        key=key, build=build, values=values, using=using, models=None
    )
    return rows


def _forget(**_kwargs) -> None:
    _STATEMENTS.clear()


setting_changed.connect(_forget)

__all__ = [
    "Bind",
    "Param",
    "precompiled_objects",
    "precompiled_rows",
    "precompiled_sql",
    "prepared_statement",
    "prepared_text",
]
