"""The access log (NEN 7513 in spirit): who looked at or changed whose file, when, from where,
with what result and why.

One module for the concern: the model, its choices and the one write function
`access_log_record`. The model is imported at the bottom of `cases/models.py` so that Django
registers it with the cases app.

Entries outlive both the user and the file: the user is copied as username and role names
(the user id has no database constraint), the household and residents as UUID values, not
foreign keys. The log is append-only three times over: the model refuses to save an existing
row or delete one, its queryset refuses `update()` and `delete()`, and on PostgreSQL a trigger
(migration `access_log`) refuses UPDATE and DELETE on the table for every client.
"""

import uuid
from collections.abc import Iterable

from django.http import HttpRequest

from cases.privacy.models import USER_AGENT_MAX_LENGTH, AccessContext, AccessLogEntry, AccessResult
from socialdomain.client_ip import client_ip
from teams.roles import Role, user_roles


def _http_request(request_or_user):
    """The Django request behind a view's request (a DRF Request wraps one), or None."""
    if isinstance(request_or_user, HttpRequest):
        return request_or_user
    inner = getattr(request_or_user, "_request", None)
    return inner if isinstance(inner, HttpRequest) else None


def break_glass_household_uuids(user) -> frozenset[str]:
    """UUIDs (text) of the households the user holds an active break-the-glass grant for, read
    once per request (cached on the user object like the roles)."""
    cached = getattr(user, "_wijkwerk_break_glass", None)
    if cached is None:
        from cases.privacy.models import BreakGlassAccess

        cached = frozenset(
            str(value)
            for value in BreakGlassAccess.objects.active()
            .filter(user=user)
            .values_list("household_uuid", flat=True)
        )
        user._wijkwerk_break_glass = cached
    return cached


def access_was_logged(request) -> bool:
    """Whether this request wrote an access log row already (see `household_file`)."""
    request = _http_request(request)
    return bool(request is not None and getattr(request, "_wijkwerk_access_logged", False))


def _build_entry(
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
    """An unsaved entry: who (from the request or user), what, and the context."""
    request = _http_request(request_or_user)
    user = getattr(request_or_user, "user", None) if request is not None else request_or_user
    partner = getattr(user, "client", None) if user is not None else None
    signed_in = user is not None and user.is_authenticated and partner is None
    if partner is not None:
        context = AccessContext.API_CLIENT
        username, role_names = str(user)[:150], Role.PARTNER_API.value
    elif signed_in:
        username, role_names = user.get_username(), ",".join(sorted(user_roles(user)))
        if (
            context == AccessContext.NORMAL
            and household_uuid
            and result == AccessResult.ALLOWED
            and str(household_uuid) in break_glass_household_uuids(user)
        ):
            context = AccessContext.BREAK_GLASS
    else:
        username, role_names = "", ""
    entry = AccessLogEntry(
        user=user if signed_in else None,
        username=username,
        role_names=role_names,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        household_uuid=household_uuid or None,
        resident_uuids=sorted({str(value) for value in resident_uuids}),
        search_kind=search_kind,
        result_count=result_count,
        result=result,
        context=context,
        reason=reason,
        ip_address=client_ip(request) if request is not None else None,
        user_agent=(
            request.headers.get("User-Agent", "")[:USER_AGENT_MAX_LENGTH]
            if request is not None
            else ""
        ),
    )
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
    """Write one access log entry. Pass the request from a view (it gives the user, IP address
    and browser), or a user from a task or command. Never pass what was searched for.

    The context follows from who asks: a partner system's API client is `api_client`; a user
    with an active break-the-glass grant for the household is `break_glass`."""
    entry = _build_entry(
        request_or_user=request_or_user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        household_uuid=household_uuid,
        resident_uuids=resident_uuids,
        result=result,
        context=context,
        reason=reason,
        search_kind=search_kind,
        result_count=result_count,
    )
    # the user comes from the request and the database checks the constraints itself: no
    # extra queries on every page view
    entry.full_clean(exclude=["user"], validate_constraints=False)
    entry.save()
    request = _http_request(request_or_user)
    if request is not None:
        request._wijkwerk_access_logged = True
    return entry


def access_log_record_many(*, request_or_user, action: str, object_type: str, items) -> None:
    """One row per item, in one INSERT, for a list that shows several files at once (a page of
    the partner API's allocations). `items`: (object id, household UUID, resident UUIDs)."""
    entries = [
        _build_entry(
            request_or_user=request_or_user,
            action=action,
            object_type=object_type,
            object_id=object_id,
            household_uuid=household_uuid,
            resident_uuids=resident_uuids,
        )
        for object_id, household_uuid, resident_uuids in items
    ]
    if entries:
        AccessLogEntry.objects.bulk_create(entries)
    request = _http_request(request_or_user)
    if request is not None:
        request._wijkwerk_access_logged = True
