"""The household's journal (journaal): short dated notes between the conversations ("called the
landlord, arrears arrangement agreed"), on the household and optionally on one of its plans,
applications or allocations. Writes in `cases.journal.services`, reads (with who may see a
sensitive note) in `cases.journal.selectors`.

An entry can be edited by its author for a short while (`settings.JOURNAL_EDIT_HOURS`), and
every edit keeps the text it replaced as a `JournalEntryRevision`; after that the journal is
append-only and a correction is a new entry."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JournalKind(models.TextChoices):
    PHONE_CALL = "phone_call", _("Phone call")
    VISIT = "visit", _("Visit")
    CONSULTATION = "consultation", _("Consultation")
    EMAIL = "email", _("E-mail")
    OTHER = "other", _("Other")


class JournalVisibility(models.TextChoices):
    TEAM = "team", _("Team")
    RESTRICTED = "restricted", _("Coordinator and author only")


class JournalEntry(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(
        "cases.Household",
        models.CASCADE,  # part of the household's file: destroyed with it (cases.avg)
        related_name="journal_entries",
        verbose_name=_("household"),
    )
    plan = models.ForeignKey(
        "cases.SupportPlan",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="journal_entries",
        verbose_name=_("support plan"),
    )
    application = models.ForeignKey(
        "cases.ProvisionApplication",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="journal_entries",
        verbose_name=_("application"),
    )
    allocation = models.ForeignKey(
        "cases.Allocation",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="journal_entries",
        verbose_name=_("allocation"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=JournalKind.choices)
    occurred_on = models.DateField(_("date"), default=timezone.localdate)
    text = models.TextField(_("note"), max_length=4000)
    visibility = models.CharField(
        _("visible to"),
        max_length=20,
        choices=JournalVisibility.choices,
        default=JournalVisibility.TEAM,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="journal_entries",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    edited_at = models.DateTimeField(_("last edited at"), null=True, blank=True)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["-occurred_on", "-created_at"]
        indexes = [
            models.Index(
                fields=["household", "-occurred_on", "-created_at"], name="journal_household_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=JournalKind.values), name="journal_kind_known"
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=JournalVisibility.values),
                name="journal_visibility_known",
            ),
            models.CheckConstraint(condition=~models.Q(text=""), name="journal_text_not_empty"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_on:%Y-%m-%d}"


class JournalEntryRevision(models.Model):
    """The text an edit replaced: the journal never loses what was written."""

    entry = models.ForeignKey(
        JournalEntry, models.CASCADE, related_name="revisions", verbose_name=_("journal entry")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=JournalKind.choices)
    occurred_on = models.DateField(_("date"))
    text = models.TextField(_("note"), max_length=4000)
    visibility = models.CharField(_("visible to"), max_length=20, choices=JournalVisibility.choices)
    replaced_at = models.DateTimeField(_("replaced at"), default=timezone.now)

    class Meta:
        verbose_name = _("earlier text of a journal entry")
        verbose_name_plural = _("earlier texts of journal entries")
        ordering = ["entry", "-replaced_at"]

    def __str__(self):
        return f"{self.entry} ({self.replaced_at:%Y-%m-%d %H:%M})"
