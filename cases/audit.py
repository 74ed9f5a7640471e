"""The one writer of access-log rows (NEN 7513 in spirit): who looked at or changed whose file,
when, from where, with what result and why. The model is `cases.privacy.models.AccessLogEntry`.

Two kinds of callers:

- **services** record a change with `audit_change(by=..., context=..., ...)` *inside* the
  transaction of the write, as its last step, so a write that fails or is refused leaves no
  "changed" row, and a row is never written for a change that did not happen;
- the **access helper** (`cases.access`) records reads, refusals and "not found" with
  `access_log_record`; searches and exports record themselves the same way.

A view turns its request into a `RequestContext` (`request_context(request)`) and passes it to
the service: who acts, through which partner client, from which address and browser, on whose
behalf and why. Tasks and commands pass no context: the row then names only the user.
"""

import datetime
import functools
import uuid
from collections.abc import Container, Iterable
from dataclasses import dataclass, field

import orjson
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection
from django.http import HttpRequest
from django.utils import timezone

from cases.privacy.models import (
    USER_AGENT_MAX_LENGTH,
    AccessAction,
    AccessContext,
    AccessLogEntry,
    AccessResult,
    BreakGlassAccess,
)
from socialdomain.client_ip import client_ip
from teams.roles import Role, user_roles


@dataclass(frozen=True)
class RequestContext:
    """Who acts and from where, taken from a request once and handed to services.

    `user` is the signed-in user or a partner API principal (it has `.client`); `reason` and
    `on_behalf_of` are free text for the log (a substitute's cover, a break-the-glass reason).
    """

    user: object = None
    ip_address: str | None = None
    user_agent: str = ""
    reason: str = ""
    on_behalf_of: str = ""
    # a network member's link (cases.network) acting without a user: logged with its id
    network_link_uuid: uuid.UUID | None = None
    request: HttpRequest | None = field(default=None, repr=False, compare=False)

    def mark_logged(self) -> None:
        """Tell the household-file mark that this request has its row (see `cases.access`)."""
        if self.request is not None:
            self.request._wijkwerk_access_logged = True


def _http_request(request_or_user):
    """The Django request behind a view's request (a DRF Request wraps one), or None."""
    if isinstance(request_or_user, HttpRequest):
        return request_or_user
    inner = getattr(request_or_user, "_request", None)
    return inner if isinstance(inner, HttpRequest) else None


def request_context(request_or_user, *, reason: str = "", on_behalf_of: str = "") -> RequestContext:
    """The context of a view's request (Django's or DRF's), or of a bare user (tasks,
    commands). An existing context is returned as it is."""
    if isinstance(request_or_user, RequestContext):
        return request_or_user
    request = _http_request(request_or_user)
    if request is None:
        return RequestContext(user=request_or_user, reason=reason, on_behalf_of=on_behalf_of)
    return RequestContext(
        # a DRF request authenticates lazily: its user is the partner principal
        user=getattr(request_or_user, "user", None),
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", "")[:USER_AGENT_MAX_LENGTH],
        reason=reason,
        on_behalf_of=on_behalf_of,
        request=request,
    )


def network_link_context(request, *, link_uuid) -> RequestContext:
    """The context of a request made through a network member's link (`cases.network`): no
    user (the member has no account), the link's id instead, so every use of the link is in the
    access log under it (context `network_link`)."""
    return RequestContext(
        user=None,
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", "")[:USER_AGENT_MAX_LENGTH],
        network_link_uuid=link_uuid,
        request=request,
    )


def break_glass_household_uuids(user) -> frozenset[str]:
    """UUIDs (text) of the households the user holds an active break-the-glass grant for, read
    once per request (cached on the user object like the roles)."""
    cached = getattr(user, "_wijkwerk_break_glass", None)
    if cached is None:
        cached = frozenset(
            str(value)
            for value in BreakGlassAccess.objects.active()
            .filter(user=user)
            .values_list("household_uuid", flat=True)
        )
        user._wijkwerk_break_glass = cached
    return cached


def access_was_logged(request) -> bool:
    """Whether this request wrote an access log row already (see `cases.access.household_file`)."""
    request = _http_request(request)
    return bool(request is not None and getattr(request, "_wijkwerk_access_logged", False))


@dataclass(frozen=True)
class _Actor:
    """Who an access-log row names, from a request's context: the same for every row a
    request writes."""

    user_id: int | None  # a signed-in user's (a partner principal or a link has none)
    username: str
    role_names: str
    access_context: str | None  # the context it imposes (API client, network link), or None
    break_glass: Container[str]  # the households the user holds a grant for (UUIDs as text)
    reason: str


def _actor(context: RequestContext, reason: str = "") -> _Actor:
    user = context.user
    partner = getattr(user, "client", None) if user is not None else None
    signed_in = user is not None and user.is_authenticated and partner is None
    imposed = None
    if context.network_link_uuid is not None:
        imposed = AccessContext.NETWORK_LINK
        username, role_names, signed_in = "", "", False
    elif partner is not None:
        imposed = AccessContext.API_CLIENT
        username, role_names = str(user)[:150], Role.PARTNER_API.value
    elif signed_in:
        username, role_names = user.get_username(), ",".join(sorted(user_roles(user)))
    else:
        username, role_names = "", ""
    reason = reason or context.reason
    if context.on_behalf_of:
        reason = f"{reason} ({context.on_behalf_of})" if reason else context.on_behalf_of
    return _Actor(
        user_id=user.pk if signed_in else None,
        username=username,
        role_names=role_names,
        access_context=imposed,
        # read only when a row names a household (`_entry_values`)
        break_glass=_LazyGrants(user) if signed_in else frozenset(),
        reason=reason,
    )


class _LazyGrants:
    """A signed-in user's break-the-glass households, read only when a row names one."""

    __slots__ = ("user",)

    def __init__(self, user):
        self.user = user

    def __contains__(self, household_uuid: str) -> bool:
        return household_uuid in break_glass_household_uuids(self.user)


def _entry_values(
    *,
    actor: _Actor,
    context: RequestContext,
    at: datetime.datetime,
    action: str,
    object_type: str = "",
    object_id="",
    household_uuid: uuid.UUID | str | None = None,
    resident_uuids: Iterable = (),
    result: str = AccessResult.ALLOWED,
    access_context: str = AccessContext.NORMAL,
    search_kind: str = "",
    result_count: int | None = None,
) -> dict:
    """An entry's field values (by attribute name): who (the actor), what, and the access
    context."""
    return {
        **_shared_values(
            actor=actor,
            context=context,
            at=at,
            action=action,
            object_type=object_type,
            result=result,
            search_kind=search_kind,
            result_count=result_count,
        ),
        **_item_values(
            actor=actor,
            object_id=object_id,
            household_uuid=household_uuid,
            resident_uuids=resident_uuids,
            result=result,
            access_context=access_context,
        ),
    }


def _shared_values(
    *,
    actor: _Actor,
    context: RequestContext,
    at: datetime.datetime,
    action: str,
    object_type: str,
    result: str,
    search_kind: str = "",
    result_count: int | None = None,
) -> dict:
    """The values of an entry that do not depend on the file it names: who, when, what kind."""
    return {
        "at": at,
        "user_id": actor.user_id,
        "username": actor.username,
        "role_names": actor.role_names,
        "action": action,
        "object_type": object_type,
        "search_kind": search_kind,
        "result_count": result_count,
        "result": result,
        "reason": actor.reason,
        "ip_address": context.ip_address,
        "user_agent": context.user_agent,
        "network_link_uuid": context.network_link_uuid,
    }


def _item_values(
    *,
    actor: _Actor,
    object_id,
    household_uuid: uuid.UUID | str | None,
    resident_uuids: Iterable,
    result: str,
    access_context: str = AccessContext.NORMAL,
) -> dict:
    """The values of an entry that name the file, and the access context, which can depend on
    it (a household under the actor's break-the-glass grant)."""
    if actor.access_context is not None:
        access_context = actor.access_context
    elif (
        actor.user_id is not None
        and access_context == AccessContext.NORMAL
        and household_uuid
        and result == AccessResult.ALLOWED
        and str(household_uuid) in actor.break_glass
    ):
        access_context = AccessContext.BREAK_GLASS
    return {
        "object_id": str(object_id or ""),
        "household_uuid": household_uuid or None,
        "resident_uuids": sorted({str(value) for value in resident_uuids}),
        "context": access_context,
    }


def _build_entry(*, context: RequestContext, reason: str = "", **what) -> AccessLogEntry:
    """An unsaved entry: who (from the context), what, and the access context."""
    return AccessLogEntry(
        **_entry_values(actor=_actor(context, reason), context=context, at=timezone.now(), **what)
    )


_REASON_MAX_LENGTH = AccessLogEntry._meta.get_field("reason").max_length


@functools.cache
def _insert_statement(vendor: str) -> tuple[str, tuple]:
    """The one INSERT of an access-log row, built once per process: the columns of every
    field but the id, whose value comes back (`RETURNING`)."""
    meta = AccessLogEntry._meta
    fields = tuple(field for field in meta.concrete_fields if not field.primary_key)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # names from the model's meta, quoted; the values are parameters
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING {pk}"  # noqa: S608
    return sql, fields


def _save(entry: AccessLogEntry, context: RequestContext) -> AccessLogEntry:
    """One plain INSERT, in the caller's transaction (append-only: the table's trigger refuses
    UPDATE and DELETE). The database checks the constraints (action, result, context, lengths);
    the reason's length, a text column, is checked here. No model validation or save machinery
    on every page view (docs/performance.md)."""
    _check_reason(entry.reason)
    if not connection.features.can_return_columns_from_insert:
        entry.save()
    else:
        sql, fields = _insert_statement(connection.vendor)
        params = [
            field.get_db_prep_save(getattr(entry, field.attname), connection) for field in fields
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            entry.pk = cursor.fetchone()[0]
        entry._state.adding = False
        entry._state.db = connection.alias
    context.mark_logged()
    return entry


def access_log_record(
    *,
    request_or_user,
    action: str,
    object_type: str = "",
    object_id="",
    household_uuid: uuid.UUID | str | None = None,
    resident_uuids: Iterable = (),
    result: str = AccessResult.ALLOWED,
    context: str = AccessContext.NORMAL,
    reason: str = "",
    search_kind: str = "",
    result_count: int | None = None,
) -> AccessLogEntry:
    """Write one access log entry for a read, a search, an export or a refusal. Pass the
    request from a view (it gives the user, IP address and browser), or a user from a task or
    command. Never pass what was searched for. A change is recorded by its service with
    `audit_change`, never here.

    The context follows from who asks: a partner system's API client is `api_client`; a user
    with an active break-the-glass grant for the household is `break_glass`."""
    request_ctx = request_context(request_or_user)
    entry = _build_entry(
        context=request_ctx,
        action=action,
        object_type=object_type,
        object_id=object_id,
        household_uuid=household_uuid,
        resident_uuids=resident_uuids,
        result=result,
        access_context=context,
        reason=reason,
        search_kind=search_kind,
        result_count=result_count,
    )
    return _save(entry, request_ctx)


def audit_change(
    *,
    by,
    context: RequestContext | None = None,
    object_type: str,
    object_id="",
    household_uuid: uuid.UUID | str | None = None,
    resident_uuids: Iterable = (),
    reason: str = "",
) -> AccessLogEntry:
    """Record an allowed change to a household file. Called by the service that made the
    change, inside its transaction and after the write, so the row commits (or rolls back)
    with the change. `context` comes from the view (`request_context(request)`); without it
    (tasks, commands, tests) the row names `by` only."""
    request_ctx = context if context is not None else request_context(by)
    entry = _build_entry(
        context=request_ctx,
        action=AccessAction.CHANGE,
        object_type=object_type,
        object_id=object_id,
        household_uuid=household_uuid,
        resident_uuids=resident_uuids,
        reason=reason,
    )
    return _save(entry, request_ctx)


def _page_values(*, request_or_user, action: str, object_type: str):
    """(request context, actor, the values the rows of a page of several files share): who
    acts, taken from the request once, and what the page's rows have in common."""
    request_ctx = request_context(request_or_user)
    actor = _actor(request_ctx)
    shared = _shared_values(
        actor=actor,
        context=request_ctx,
        at=timezone.now(),
        action=action,
        object_type=object_type,
        result=AccessResult.ALLOWED,
    )
    return request_ctx, actor, shared


def _check_reason(reason: str) -> None:
    """The reason's length (a text column, which the database does not check)."""
    if len(reason) > _REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"At most {_REASON_MAX_LENGTH} characters."})


def access_log_record_many(*, request_or_user, action: str, object_type: str, items) -> None:
    """One row per item, in one INSERT, for a list that shows several files at once (a page of
    the partner API's allocations). `items`: (object id, household UUID, resident UUIDs). Who
    acts is taken from the request once, and what the rows share is made once; per item only
    what names its file (and the access context that can depend on it), as a plain dict."""
    request_ctx, actor, shared = _page_values(
        request_or_user=request_or_user, action=action, object_type=object_type
    )
    rows = [
        _item_values(
            actor=actor,
            object_id=object_id,
            household_uuid=household_uuid,
            resident_uuids=resident_uuids,
            result=AccessResult.ALLOWED,
        )
        for object_id, household_uuid, resident_uuids in items
    ]
    _insert_many(shared, rows)
    request_ctx.mark_logged()


@dataclass(frozen=True)
class ShownRowsLog:
    """The access-log rows of a page that its own statement writes (PostgreSQL): the page's
    query becomes a data-modifying `WITH` that inserts one row per row it shows and returns
    its rows (`statement`), one statement and one round trip, with nothing sent back to be
    logged. What the rows share (who, when, what kind) is bound as parameters (`values`); what
    names each file is read from the page's own columns, so the rows logged are by
    construction the rows read. Made by `access_log_shown_rows`."""

    context: RequestContext
    shared: dict  # column -> value, as the fields prepare them
    using = DEFAULT_DB_ALIAS  # where the page runs: the log's database (`connection`)

    def values(self) -> dict:
        """The shared values by the names `statement` binds them under."""
        return {f"log {column}": value for column, value in self.shared.items()}

    def statement(
        self,
        bind,
        sql: str,
        params: list,
        *,
        shown: int,
        object_id: str,
        household_uuid: str,
        resident_uuid: str,
    ) -> tuple[str, list]:
        """`sql` (a compiled page, `params` with its bound values) wrapped so that it logs the
        first `shown` of its rows, in its order: the columns `object_id` (as text),
        `household_uuid` and `resident_uuid` (the one resident concerned, NULL for none)
        name each row's file. `bind` makes the shared values parameters."""
        _sql, fields = _insert_statement("postgresql")
        quote = connection.ops.quote_name
        page = '"shown"'
        varying = {
            "object_id": f"{page}.{quote(object_id)}::text",
            "household_uuid": f"{page}.{quote(household_uuid)}",
            "resident_uuids": (
                f"CASE WHEN {page}.{quote(resident_uuid)} IS NULL THEN '[]'::jsonb "
                f"ELSE jsonb_build_array({page}.{quote(resident_uuid)}::text) END"
            ),
        }
        selected, shared_params = [], []
        for model_field in fields:
            if model_field.column in varying:
                selected.append(varying[model_field.column])
            else:
                selected.append(f"%s::{model_field.db_type(connection)}")
                shared_params.append(bind(f"log {model_field.column}").slot)
        columns = ", ".join(quote(model_field.column) for model_field in fields)
        table = quote(AccessLogEntry._meta.db_table)
        # names from the model's meta and the page's own columns; the values are parameters.
        # The page is materialised once; PostgreSQL's scan of it keeps the page's order
        wrapped = (
            f"WITH {page} AS MATERIALIZED ({sql}), "  # noqa: S608
            f'"logged" AS (INSERT INTO {table} ({columns}) '
            f"SELECT {', '.join(selected)} FROM (SELECT * FROM {page} LIMIT {int(shown)}) "
            f"AS {page}) "
            f"SELECT * FROM {page}"
        )
        return wrapped, [*params, *shared_params]

    def done(self) -> None:
        """The statement ran: the request has its rows (`RequestContext.mark_logged`)."""
        self.context.mark_logged()


def access_log_shown_rows(*, request_or_user, action: str, object_type: str) -> ShownRowsLog | None:
    """A `ShownRowsLog` for a page of several files that logs in its own statement, or None
    where that cannot be: another database than PostgreSQL (the SQLite demo), or an actor
    whose access context can depend on the file (a signed-in user's break-the-glass grant);
    the page then logs with `access_log_record_many`. Only for an actor with a context of
    its own (a partner's API client, a network member's link)."""
    if connection.vendor != "postgresql":
        return None
    request_ctx, actor, values = _page_values(
        request_or_user=request_or_user, action=action, object_type=object_type
    )
    if actor.access_context is None:
        return None
    _check_reason(values["reason"])
    values["context"] = actor.access_context
    _sql, fields = _insert_statement("postgresql")
    shared = {
        field.column: field.get_db_prep_save(values[field.attname], connection)
        for field in fields
        if field.attname in values
    }
    return ShownRowsLog(context=request_ctx, shared=shared)


def _insert_many(shared: dict, rows: list[dict]) -> None:
    """Entries with the values `shared` (`_shared_values`) and each row's own (`_item_values`),
    in one statement, in the caller's transaction. On PostgreSQL the shared values are sent
    once, and the rows' as one JSON parameter, which `jsonb_to_recordset` turns into the rows:
    one statement, one round trip, no per-object save machinery, and nothing encoded or parsed
    per row but what names its file. The SQLite demo takes `bulk_create`."""
    if not rows:
        return
    _check_reason(shared["reason"])
    if connection.vendor != "postgresql":
        AccessLogEntry.objects.bulk_create(AccessLogEntry(**shared, **row) for row in rows)
        return
    _sql, fields = _insert_statement("postgresql")
    varying = tuple(field.column for field in fields if field.attname in rows[0])
    values = [
        field.get_db_prep_save(shared[field.attname], connection)
        for field in fields
        if field.column not in varying
    ]
    # orjson writes a UUID as text, which `jsonb_to_recordset` reads back into the column's
    # type; any other kind of value is refused (TypeError). The rows' keys are the fields'
    # names, and each of these columns is named as its field
    payload = orjson.dumps(rows)
    with connection.cursor() as cursor:
        cursor.execute(_insert_many_statement(varying), [*values, payload.decode()])


@functools.cache
def _insert_many_statement(varying: tuple) -> str:
    """`INSERT … SELECT %s::type, …, item.column, … FROM jsonb_to_recordset(%s::jsonb) AS
    item(column type, …)` (PostgreSQL): the `varying` columns from the rows' JSON, each other
    column one value; the parameters are those values in the order of the fields, then the
    JSON. Built once per process and set of varying columns."""
    _sql, fields = _insert_statement("postgresql")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    table = quote(AccessLogEntry._meta.db_table)
    values = ", ".join(
        f"item.{quote(field.column)}"
        if field.column in varying
        else f"%s::{field.db_type(connection)}"
        for field in fields
    )
    definitions = ", ".join(
        f"{quote(field.column)} {field.db_type(connection)}"
        for field in fields
        if field.column in varying
    )
    # names and types from the model's meta; the values are parameters
    return (
        f"INSERT INTO {table} ({columns}) SELECT {values} "  # noqa: S608
        f"FROM jsonb_to_recordset(%s::jsonb) AS item({definitions})"
    )
