"""Reminders of legal clocks (`cases.clocks`): one row per clock, due date, step and person,
shown in-app on the start page and sent by e-mail once.

Imported by `cases/models.py`, so `ClockReminder` is a model of the `cases` app."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderStep(models.TextChoices):
    SOON = "soon", _("Deadline approaching")
    DUE = "due", _("Deadline today")
    LATE = "late", _("Deadline passed")


class ClockReminderQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class ClockReminder(models.Model):
    """One reminder of one clock at one step to one person: before the deadline and on the
    day to the person who must act, once it passed to the team lead as well (escalation).

    Sent once: the unique constraint on (kind, object, due date, step, recipient) makes a second
    run of the task, or two runs at the same time, add nothing (`bulk_create` with
    `ignore_conflicts`: PostgreSQL's ON CONFLICT DO NOTHING waits for the other run's row and
    skips it). The due date is part of the key, so a deadline that moves (a suspension, a new
    evaluation date) is reminded again. The e-mail goes out after the row is stored
    (`emailed_at`); one that failed is tried again by the next run."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind of clock"), max_length=30)
    object_uuid = models.UUIDField(_("object"))
    due_on = models.DateField(_("due date"))
    step = models.CharField(_("step"), max_length=10, choices=ReminderStep.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="clock_reminders",
        verbose_name=_("recipient"),
    )
    household = models.ForeignKey(
        "cases.Household",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="clock_reminders",
        verbose_name=_("household"),
    )
    url = models.CharField(_("link"), max_length=300, help_text=_("The page to act on."))
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    is_escalation = models.BooleanField(
        _("escalation"),
        default=False,
        help_text=_("Sent to the team lead (or privacy officer) because the deadline passed."),
    )
    email_wanted = models.BooleanField(_("send by e-mail"), default=False)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    run_id = models.UUIDField(_("run"), help_text=_("The run of the task that made it."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = ClockReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("clock reminder")
        verbose_name_plural = _("clock reminders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_uuid", "due_on", "step", "recipient"],
                name="clock_reminder_once",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="clock_reminder_unread_idx"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(email_wanted=True, emailed_at__isnull=True),
                name="clock_reminder_mail_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.get_step_display()} {self.due_on:%d-%m-%Y}"
