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

import functools
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socialdomain.client_ip import client_ip
from teams.roles import Role, user_roles

USER_AGENT_MAX_LENGTH = 300


class AppendOnlyError(Exception):
    """An attempt to change or delete an access log entry."""


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    CHANGE = "change", _("Changed")
    PRINT = "print", _("Printed")
    EXPORT = "export", _("Exported")
    SEARCH = "search", _("Searched")


class AccessResult(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    DENIED = "denied", _("Denied")
    NOT_FOUND = "not_found", _("Not found or not visible")


class AccessContext(models.TextChoices):
    NORMAL = "normal", _("Normal work")
    BREAK_GLASS = "break_glass", _("Emergency access (break the glass)")
    API_CLIENT = "api_client", _("Partner API client")


class AccessLogEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The access log is append-only: entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("The access log is append-only: entries cannot be deleted.")

    def for_household(self, household_uuid):
        return self.filter(household_uuid=household_uuid)


class AccessLogEntry(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    # No database constraint and DO_NOTHING: deleting a user must neither touch nor block the
    # log; the username and roles below keep saying who it was.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        db_index=False,  # covered by accesslog_user_idx
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    role_names = models.CharField(
        _("roles"), max_length=500, blank=True, help_text=_("The user's roles at that moment.")
    )
    action = models.CharField(_("action"), max_length=10, choices=AccessAction.choices)
    object_type = models.CharField(
        _("object type"), max_length=50, blank=True, help_text=_("e.g. household, resident")
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    household_uuid = models.UUIDField(_("household"), null=True, blank=True)
    resident_uuids = models.JSONField(
        _("residents"), default=list, blank=True, help_text=_("UUIDs of the residents concerned.")
    )
    search_kind = models.CharField(
        _("kind of search"),
        max_length=20,
        blank=True,
        help_text=_("bsn, postcode or name; what was searched for is never stored."),
    )
    result_count = models.PositiveIntegerField(_("number of results"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=10, choices=AccessResult.choices, default=AccessResult.ALLOWED
    )
    context = models.CharField(
        _("context"), max_length=20, choices=AccessContext.choices, default=AccessContext.NORMAL
    )
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=USER_AGENT_MAX_LENGTH, blank=True)

    objects = AccessLogEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AccessAction.values), name="accesslog_action_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(result__in=AccessResult.values), name="accesslog_result_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(context__in=AccessContext.values),
                name="accesslog_context_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["household_uuid", "at"], name="accesslog_household_idx"),
            models.Index(fields=["user", "at"], name="accesslog_user_idx"),
            models.Index(fields=["at"], name="accesslog_at_idx"),
            # the privacy officer's filters: by username (the user may be gone), and the rare
            # contexts (break the glass, API clients) without indexing every normal row
            models.Index(fields=["username", "at"], name="accesslog_username_idx"),
            models.Index(
                fields=["context", "at"],
                name="accesslog_context_idx",
                condition=~models.Q(context="normal"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '-'} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The access log is append-only: entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The access log is append-only: entries cannot be deleted.")


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
        from cases.break_glass import BreakGlassAccess

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


def household_file(object_type: str):
    """Mark a view as a household-file view and guarantee its access log row.

    The view writes its own row (with the household) when it shows or changes the file. When it
    refuses (403) or finds nothing visible (404) without having logged, this writes the
    `denied` / `not_found` row, so every request to a household-file view writes exactly one.
    Put it directly above the function, below `login_required` and the method decorators.
    `tests/test_permission_matrix.py` and `tests/cases/test_access_log_per_view.py` find the
    household-file views by this mark."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            def record(result):
                access_log_record(
                    request_or_user=request,
                    action=AccessAction.CHANGE if request.method == "POST" else AccessAction.VIEW,
                    object_type=object_type,
                    object_id=next(iter(kwargs.values()), ""),
                    household_uuid=kwargs.get("household_uuid"),
                    result=result,
                )

            try:
                response = view(request, *args, **kwargs)
            except (PermissionDenied, Http404) as exc:
                if not access_was_logged(request):
                    denied = isinstance(exc, PermissionDenied)
                    record(AccessResult.DENIED if denied else AccessResult.NOT_FOUND)
                raise
            if not access_was_logged(request):
                # a view that forgot its own row still leaves one (the per-view test catches it)
                record(AccessResult.DENIED if response.status_code == 403 else AccessResult.ALLOWED)
            return response

        wrapped.household_file = object_type
        return wrapped

    return decorator
