"""Break the glass (doorbreken): a professional outside a household's circle opens its file in
an emergency, after giving a reason. The grant lasts `BREAK_GLASS_HOURS`; while it lasts the
household is in `households_visible_to(user)` and every access is logged with context
`break_glass`. Every grant lands on the privacy officer's review list.

The model lives in its own module (imported at the bottom of `cases/models.py`); writes are in
`cases/break_glass_services.py`, reads in `cases/break_glass_selectors.py`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["BreakGlassAccess", "BreakGlassVerdict"]


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
