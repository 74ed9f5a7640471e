"""Statements the ORM builds once per process: for a hot read whose query costs more to build
and compile than to run (the partner allocation list, a bearer token's lookup:
docs/performance.md). The query is written with the ORM as everywhere else; `build` gets a
`Bind` and writes `bind("name")` for each value that changes from request to request. On
PostgreSQL that is a placeholder: the query is compiled once per `key` (what changes the SQL
itself: a filter present or not, the page size, the day), then run with each request's values.
The SQLite demo builds the query with the values themselves and runs it as the ORM does, so
both give the same rows (dicts, as `.values()` gives them).

    rows = precompiled_rows(
        key=("allocation page", status is not None),
        build=lambda bind: Allocation.objects.filter(bind.any_of("provider_id", "providers"))
        .filter(status=bind("status")).values("uuid"),
        values={"providers": [organisation.pk], "status": "started"},
    )

A settings change (a test's `override_settings`) empties the cache.
"""

import functools
import operator
from collections.abc import Callable, Mapping

from django.core.signals import setting_changed
from django.db import connections, router
from django.db.models import Expression, Field, Q, QuerySet

_STATEMENTS: dict[tuple, tuple[str, tuple, tuple, list]] = {}
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


def _item(name: str, index: int) -> str:
    return f"{name}[{index}]"


def precompiled_rows(
    *,
    key: tuple,
    build: Callable[[Bind], QuerySet],
    values: Mapping[str, object],
    using: str | None = None,
) -> list[dict]:
    """The rows of the `.values()` queryset `build(bind)` returns, with each `bind(name)` bound
    to `values[name]`; on PostgreSQL compiled on the first call per `key` and database (by
    default the one the router reads from: the replica inside `replica_reads()`)."""
    using = using or router.db_for_read(None)
    connection = connections[using]
    if connection.vendor != "postgresql":
        return list(build(Bind(values, placeholders=False)))
    # a list is one placeholder per value (`Bind.any_of`): its length shapes the statement
    lists = {name: value for name, value in values.items() if isinstance(value, list)}
    cache_key = (using, *key, *((name, len(value)) for name, value in sorted(lists.items())))
    statement = _STATEMENTS.get(cache_key)
    if statement is None:
        compiler = build(Bind(values, placeholders=True)).query.get_compiler(using)
        sql, params = compiler.as_sql()
        slots = tuple(
            (index, param.name) for index, param in enumerate(params) if isinstance(param, _Slot)
        )
        # the fields' own conversions from the database (a JSON field, a custom field), as the
        # ORM applies them to `.values()` rows
        converters = [
            (index, functions, expression)
            for index, (functions, expression) in compiler.get_converters(
                [column[0] for column in compiler.select]
            ).items()
        ]
        statement = (sql, tuple(params), slots, converters)
        if len(_STATEMENTS) >= _STATEMENTS_MAX:
            # the oldest goes: a statement per user's access (the caseload) comes and goes
            del _STATEMENTS[next(iter(_STATEMENTS))]
        _STATEMENTS[cache_key] = statement
    sql, params, slots, converters = statement
    if slots:
        if lists:
            values = dict(values)
            for name, value in lists.items():
                values.update((_item(name, index), item) for index, item in enumerate(value))
        params = list(params)
        for index, name in slots:
            params[index] = values[name]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        rows = cursor.fetchall()
    if converters:
        rows = [list(row) for row in rows]
        for row in rows:
            for index, functions, expression in converters:
                for function in functions:
                    row[index] = function(row[index], expression, connection)
    return [dict(zip(names, row, strict=True)) for row in rows]


def _forget(**_kwargs) -> None:
    _STATEMENTS.clear()


setting_changed.connect(_forget)

__all__ = ["Bind", "Param", "precompiled_rows"]
