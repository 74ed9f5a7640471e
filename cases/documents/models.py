"""Documents on a household's file (documenten): the signed plan, letters, statements, uploaded
by the professionals and kept through Django's storage API under the `documents` alias (local
disk by default, S3-compatible storage by setting), never under a public URL.

Every file is checked by its content (`cases.documents.validation`) and scanned for viruses by
ClamAV (`cases.documents.scanner`) before it can be downloaded: `scan_status` says how far that
got. A file that no scanner has checked yet is kept in quarantine and is not downloadable."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentCategory(models.TextChoices):
    PLAN = "plan", _("Signed plan")
    LETTER = "letter", _("Letter")
    STATEMENT = "statement", _("Statement")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other")


class ScanStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the virus scan")
    CLEAN = "clean", _("Checked for viruses")
    INFECTED = "infected", _("Virus found: file removed")
    QUARANTINED = "quarantined", _("In quarantine until the virus scanner has checked it")


class HouseholdDocument(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(
        "cases.Household",
        models.CASCADE,  # part of the household's file: destroyed with it (cases.avg), file too
        related_name="documents",
        verbose_name=_("household"),
    )
    category = models.CharField(_("category"), max_length=20, choices=DocumentCategory.choices)
    document_date = models.DateField(_("date of the document"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    original_filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    storage_name = models.CharField(_("stored as"), max_length=255, blank=True)
    scan_status = models.CharField(
        _("virus scan"), max_length=20, choices=ScanStatus.choices, default=ScanStatus.PENDING
    )
    scanned_at = models.DateTimeField(_("scanned at"), null=True, blank=True)
    virus_name = models.CharField(_("virus found"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="household_documents",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["household", "-created_at"], name="document_household_idx"),
            # the rescan task's queue: only the quarantined few
            models.Index(
                fields=["created_at"],
                name="document_quarantine_idx",
                condition=models.Q(scan_status__in=["pending", "quarantined"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__in=DocumentCategory.values),
                name="document_category_known",
            ),
            models.CheckConstraint(
                condition=models.Q(scan_status__in=ScanStatus.values),
                name="document_scan_status_known",
            ),
            # only a file a scanner found clean is downloadable, so a clean one has its time
            models.CheckConstraint(
                condition=~models.Q(scan_status="clean") | models.Q(scanned_at__isnull=False),
                name="document_clean_has_scanned_at",
            ),
            # an infected file is removed from storage; every other one is stored
            models.CheckConstraint(
                condition=models.Q(scan_status="infected", storage_name="")
                | (~models.Q(scan_status="infected") & ~models.Q(storage_name="")),
                name="document_stored_unless_infected",
            ),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="document_not_empty"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.document_date:%Y-%m-%d}"

    @property
    def downloadable(self) -> bool:
        return self.scan_status == ScanStatus.CLEAN and bool(self.storage_name)
