"""Appointments with a household (a kitchen-table conversation, a home visit, an evaluation, a
consultation): when, where, who. On each professional's own agenda, the team overview and an
iCalendar feed per professional (`CalendarFeed`: a secret, revocable URL, names no resident).
Writes in `cases.agenda.services`, reads in `cases.agenda.selectors`."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppointmentKind(models.TextChoices):
    CONVERSATION = "conversation", _("Kitchen-table conversation")
    HOME_VISIT = "home_visit", _("Home visit")
    EVALUATION = "evaluation", _("Evaluation")
    CONSULTATION = "consultation", _("Consultation")


class Appointment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(
        "cases.Household",
        models.CASCADE,  # part of the household's file: destroyed with it (cases.avg)
        related_name="appointments",
        verbose_name=_("household"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AppointmentKind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    place = models.CharField(
        _("where"), max_length=200, blank=True, help_text=_("e.g. at home, the community centre")
    )
    with_whom = models.CharField(
        _("with whom"),
        max_length=300,
        blank=True,
        help_text=_("Who of the household and its network takes part."),
    )
    professionals = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="appointments", verbose_name=_("professionals")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("planned by"),
    )
    created_at = models.DateTimeField(_("planned at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["household", "starts_at"], name="appointment_household_idx"),
            models.Index(fields=["starts_at"], name="appointment_starts_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AppointmentKind.values),
                name="appointment_kind_known",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5, duration_minutes__lte=600),
                name="appointment_duration_sensible",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class CalendarFeed(models.Model):
    """A professional's subscription link. Only the SHA-256 of its secret is stored: the link is
    shown once, when it is made; a new link revokes the old one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("professional"),
    )
    token_hash = models.CharField(_("secret (hashed)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("made at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendar_feed_one_active_per_user",
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.created_at:%Y-%m-%d})"
