"""The access log (NEN 7513 in spirit): who looked at or changed whose file, when, from where,
with what result and why.

The model and its choices live here; every row is written by `cases.audit` (services record
their changes with `audit_change`, the access helper `cases.access` records reads and refusals).
Re-exported by `cases/models.py`, so this is a model of the `cases` app.

Entries outlive both the user and the file: the user is copied as username and role names
(the user id has no database constraint), the household and residents as UUID values, not
foreign keys. The log is append-only three times over: the model refuses to save an existing
row or delete one, its queryset refuses `update()` and `delete()`, and on PostgreSQL a trigger
(migration `access_log`) refuses UPDATE and DELETE on the table for every client.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    NETWORK_LINK = "network_link", _("Network member's link")


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
    # a network member's link (cases.network): no user, the link is who acted
    network_link_uuid = models.UUIDField(_("network link"), null=True, blank=True)

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
            # a person's rows: partner systems and network links act without a user, and a
            # page of 50 allocations writes 50 rows, so their rows stay out of this index
            models.Index(
                fields=["user", "at"],
                name="accesslog_user_idx",
                condition=models.Q(user__isnull=False),
            ),
            models.Index(fields=["at"], name="accesslog_at_idx"),
            # the privacy officer's filters: by username (the user may be gone), and the rare
            # contexts (break the glass, API clients) without indexing every normal row
            models.Index(fields=["username", "at"], name="accesslog_username_idx"),
            models.Index(
                fields=["context", "at"],
                name="accesslog_context_idx",
                condition=~models.Q(context="normal"),
            ),
            # every use of one network member's link (cases.network)
            models.Index(
                fields=["network_link_uuid", "at"],
                name="accesslog_network_link_idx",
                condition=models.Q(network_link_uuid__isnull=False),
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


class BreakGlassVerdict(models.TextChoices):
    JUSTIFIED = "justified", _("Justified")
    NOT_JUSTIFIED = "not_justified", _("Not justified")


class BreakGlassAccessQuerySet(models.QuerySet):
    def active(self, now=None):
        return self.filter(expires_at__gt=now or timezone.now())

    def pending_review(self):
        return self.filter(reviewed_at__isnull=True)


class BreakGlassAccess(models.Model):
    """One emergency opening of a household file: who, which household, why, when, until when,
    and the privacy officer's review."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="break_glass_accesses",
        verbose_name=_("professional"),
    )
    # The household as a value too: the record outlives the file (retention destroys files,
    # not this record); the foreign key is for the visibility join while the file exists.
    household = models.ForeignKey(
        "cases.Household",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="break_glass_accesses",
        verbose_name=_("household"),
    )
    household_uuid = models.UUIDField(_("household id"))
    reason = models.TextField(_("reason"), max_length=2000)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    expires_at = models.DateTimeField(_("access until"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    verdict = models.CharField(
        _("verdict"), max_length=20, choices=BreakGlassVerdict.choices, blank=True
    )
    review_note = models.TextField(_("review note"), max_length=2000, blank=True)

    objects = BreakGlassAccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency access (break the glass)")
        verbose_name_plural = _("emergency accesses (break the glass)")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("opened_at")),
                name="breakglass_expires_after_opened",
            ),
            models.CheckConstraint(
                condition=models.Q(reviewed_at__isnull=True, verdict="")
                | (
                    models.Q(reviewed_at__isnull=False, reviewed_by__isnull=False)
                    & models.Q(verdict__in=BreakGlassVerdict.values)
                ),
                name="breakglass_review_complete",
            ),
            models.CheckConstraint(
                condition=~models.Q(reviewed_by=models.F("user")),
                name="breakglass_not_reviewed_by_self",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "expires_at"], name="breakglass_user_active_idx"),
            models.Index(
                fields=["opened_at"],
                name="breakglass_pending_idx",
                condition=models.Q(reviewed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.opened_at:%Y-%m-%d %H:%M} {self.household_uuid}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None
