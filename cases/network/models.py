"""Network links: a network member (neighbour, aunt, volunteer) ticks off their own plan actions.

The coordinator gives an informal network member (`InformalNetworkMember`, the owner of plan
actions with `owner_kind="network"`) a link to a page that shows only that member's actions of
one plan. No account: the link is the key, with a 6-digit one-time code by SMS or e-mail as a
second factor when the member gave a phone number or e-mail address; without one the link lives
only a short time. A link expires (an agreed term, `cases.network.selectors`), can be revoked, and
every use is access-logged with the link's id (`cases.audit.network_link_context`).

The secret of the link and the code are stored only as hashes. What the member reports on an
action is a `NetworkActionReport` (done or "needs help", with a short note), shown to the
coordinator on the plan page; it does not change the plan itself (docs/network-links.md)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.intake.models import InformalNetworkMember
from cases.plans.models import PlanAction, SupportPlan

NOTE_MAX_LENGTH = 500


class NetworkLinkQuerySet(models.QuerySet):
    def usable(self, today=None):
        """Not revoked, not expired, not locked by wrong codes."""
        today = today or timezone.localdate()
        return self.filter(revoked_at__isnull=True, expires_on__gte=today, code_locked_at=None)


class NetworkLink(models.Model):
    """A link for one network member to their own actions in one plan."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(
        SupportPlan, models.CASCADE, related_name="network_links", verbose_name=_("support plan")
    )
    member = models.ForeignKey(
        InformalNetworkMember,
        models.CASCADE,
        related_name="links",
        verbose_name=_("network member"),
    )
    email = models.EmailField(_("e-mail address for the code"), blank=True)
    phone = models.CharField(_("mobile number for the code"), max_length=20, blank=True)
    token_hash = models.CharField(_("secret (hashed)"), max_length=64, unique=True)
    expires_on = models.DateField(
        _("valid until"), help_text=_("The last day on which the link works.")
    )
    code_hash = models.CharField(_("one-time code (hashed)"), max_length=64, blank=True)
    code_attempts = models.PositiveSmallIntegerField(_("wrong codes entered"), default=0)
    code_used_at = models.DateTimeField(_("code used at"), null=True, blank=True)
    code_locked_at = models.DateTimeField(_("locked after wrong codes at"), null=True, blank=True)
    code_resent_on = models.DateField(_("new code last sent on"), null=True, blank=True)
    code_resends = models.PositiveSmallIntegerField(_("new codes sent that day"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = NetworkLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("network link")
        verbose_name_plural = _("network links")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked_by__isnull=True) | models.Q(revoked_at__isnull=False),
                name="networklink_revoked_by_needs_at",
            ),
            # a code is sent only to a contact the member gave
            models.CheckConstraint(
                condition=models.Q(code_hash="") | ~models.Q(email="", phone=""),
                name="networklink_code_needs_contact",
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "created_at"], name="networklink_plan_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} ({self.expires_on:%Y-%m-%d})"

    @property
    def has_code(self) -> bool:
        return bool(self.code_hash)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, today=None) -> bool:
        return (today or timezone.localdate()) > self.expires_on

    @property
    def is_locked(self) -> bool:
        return self.code_locked_at is not None

    def is_usable(self, today=None) -> bool:
        return not (self.is_revoked or self.is_locked or self.is_expired(today))


class ReportStatus(models.TextChoices):
    DONE = "done", _("Done")
    NEEDS_HELP = "needs_help", _("Needs help")


class NetworkActionReport(models.Model):
    """What a network member reported on one of their actions through their link. Every report
    is kept; the latest per action is the one the coordinator sees first."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    link = models.ForeignKey(
        NetworkLink, models.CASCADE, related_name="reports", verbose_name=_("network link")
    )
    action = models.ForeignKey(
        PlanAction, models.CASCADE, related_name="network_reports", verbose_name=_("action")
    )
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices)
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    at = models.DateTimeField(_("reported at"), default=timezone.now)

    class Meta:
        verbose_name = _("network report")
        verbose_name_plural = _("network reports")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ReportStatus.values),
                name="networkreport_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["action", "at"], name="networkreport_action_idx")]

    def __str__(self) -> str:
        return f"{self.action} – {self.get_status_display()}"
