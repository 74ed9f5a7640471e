"""Writes for a household's documents. An upload is checked (size, type by content, the name's
extension matching it: `cases.documents.validation`), scanned for viruses by ClamAV
(`cases.documents.scanner`) and only then stored:

- clean: stored and downloadable;
- infected: refused, nothing kept, the professional told which virus was found;
- no scanner configured, or it does not answer: stored in quarantine, not downloadable, until
  `documents_rescan` (the Celery beat task `cases.documents_rescan`) finds it clean. One found
  infected then is removed from storage and its row says so.

Every write records its change in the access log (`cases.audit.audit_change`) in its
transaction; files are deleted only once the transaction that removed them commits."""

import datetime
import logging
from dataclasses import dataclass, field
from typing import BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.audit import RequestContext, audit_change
from cases.documents import scanner
from cases.documents.models import HouseholdDocument, ScanStatus
from cases.documents.storage import document_storage, files_delete, storage_name_for
from cases.documents.validation import check_file
from cases.households.models import Household

logger = logging.getLogger(__name__)


def virus_refused(virus: str) -> str:
    return _(
        "The virus scanner found “%(virus)s” in this file. It has not been saved. "
        "Do not open the file, and tell whoever sent it."
    ) % {"virus": virus}


def _audit(*, document: HouseholdDocument, by, context, reason: str = "") -> None:
    audit_change(
        by=by,
        context=context,
        object_type="document",
        object_id=document.uuid,
        household_uuid=document.household.uuid,
        reason=reason,
    )


def document_upload(
    *,
    household: Household,
    by,
    file: BinaryIO,
    filename: str,
    category: str,
    document_date: datetime.date,
    description: str = "",
    context: RequestContext | None = None,
) -> HouseholdDocument:
    """Add a document to a household the caller may open (see `households_visible_to`).
    Raises `ValidationError` (with the reason) for a file that is too large, of a type not
    allowed, named as another type than its content, or infected."""
    if not permissions.can_use_documents(by):
        raise PermissionDenied(_("You may not add documents to this household's file."))
    if document_date > timezone.localdate():
        raise ValidationError({"document_date": _("A document cannot be dated in the future.")})
    checked = check_file(stream=file, filename=filename)
    result = scanner.scan(file)
    file.seek(0)
    if result.infected:
        logger.warning(
            "upload refused: virus %s found (household %s)", result.virus, household.uuid
        )
        raise ValidationError({"file": virus_refused(result.virus)})
    document = HouseholdDocument(
        household=household,
        category=category,
        document_date=document_date,
        description=description.strip(),
        original_filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    if result.clean:
        document.scan_status = ScanStatus.CLEAN
        document.scanned_at = timezone.now()
    else:
        document.scan_status = ScanStatus.QUARANTINED
    document.storage_name = storage_name_for(
        household_uuid=household.uuid, document_uuid=document.uuid
    )
    document.full_clean(exclude=["storage_name"])
    stored = document_storage().save(document.storage_name, File(file, name=checked.filename))
    document.storage_name = stored
    try:
        with transaction.atomic():
            document.save()
            _audit(document=document, by=by, context=context)
    except BaseException:
        files_delete([stored])
        raise
    return document


@dataclass
class RescanRun:
    examined: int = 0
    clean: list = field(default_factory=list)
    infected: list = field(default_factory=list)
    scanner_unavailable: bool = False


def document_rescan(*, document_id: int) -> str:
    """Scan one document in quarantine again, under its row lock (a second worker skips it).
    Returns its scan status afterwards, or "unavailable" when the scanner did not answer."""
    with transaction.atomic():
        document = (
            HouseholdDocument.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("household")
            .filter(pk=document_id, scan_status__in=[ScanStatus.QUARANTINED, ScanStatus.PENDING])
            .first()
        )
        if document is None:
            return ""
        with document_storage().open(document.storage_name, "rb") as stored:
            result = scanner.scan(stored)
        if not (result.clean or result.infected):
            return scanner.UNAVAILABLE
        document.scanned_at = timezone.now()
        if result.clean:
            document.scan_status = ScanStatus.CLEAN
            reason = "virus scan: clean"
        else:
            name = document.storage_name
            document.scan_status = ScanStatus.INFECTED
            document.virus_name = result.virus[:200]
            document.storage_name = ""
            transaction.on_commit(lambda: files_delete([name]))
            reason = f"virus scan: {result.virus[:150]} found, file removed"
        document.full_clean()
        document.save(update_fields=["scan_status", "scanned_at", "virus_name", "storage_name"])
        _audit(document=document, by=None, context=None, reason=reason)
        return document.scan_status


def documents_rescan(*, limit: int = 200) -> RescanRun:
    """Scan the documents kept in quarantine, oldest first, each in its own transaction; stop
    at the first that the scanner cannot scan (it is down: try again next run)."""
    run = RescanRun()
    if not scanner.configured():
        run.scanner_unavailable = True
        return run
    waiting = HouseholdDocument.objects.filter(
        scan_status__in=[ScanStatus.QUARANTINED, ScanStatus.PENDING]
    ).order_by("created_at", "pk")
    for document_id in waiting.values_list("pk", flat=True)[:limit]:
        status = document_rescan(document_id=document_id)
        if status == scanner.UNAVAILABLE:
            run.scanner_unavailable = True
            break
        if status:
            run.examined += 1
            if status == ScanStatus.CLEAN:
                run.clean.append(document_id)
            elif status == ScanStatus.INFECTED:
                run.infected.append(document_id)
    return run
