"""Writes on correction requests (art. 16 AVG): record one, and answer it (granted with what was
changed, or refused with the reason). The deadline follows from art. 12(3) AVG: one month after
receipt (`CorrectionRequest.deadline_for`)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.avg import CorrectionRequest, CorrectionStatus


@transaction.atomic
def correction_request_record(
    *,
    resident,
    what_is_wrong: str,
    should_be: str = "",
    received_on: datetime.date | None = None,
    by,
) -> CorrectionRequest:
    if not permissions.can_handle_avg_requests(by):
        raise PermissionDenied
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The date of receipt cannot be in the future.")})
    request = CorrectionRequest(
        resident=resident,
        received_on=received_on,
        what_is_wrong=(what_is_wrong or "").strip(),
        should_be=(should_be or "").strip(),
        recorded_by=by,
    )
    request.deadline = CorrectionRequest.deadline_for(received_on)
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def correction_request_handle(
    *,
    correction: CorrectionRequest,
    status: str,
    outcome: str,
    handled_on: datetime.date | None = None,
    by,
) -> CorrectionRequest:
    """Answer an open request. `status` is granted (outcome: what was changed) or refused
    (outcome: the reason). The row is locked, so two officers cannot answer it twice."""
    if not permissions.can_handle_avg_requests(by):
        raise PermissionDenied
    correction = CorrectionRequest.objects.select_for_update().get(pk=correction.pk)
    if not correction.is_open:
        raise ValidationError(_("This request has already been handled."))
    if status not in (CorrectionStatus.GRANTED, CorrectionStatus.REFUSED):
        raise ValidationError({"status": _("Choose granted or refused.")})
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError(
            {
                "outcome": _("Say what was changed.")
                if status == CorrectionStatus.GRANTED
                else _("Give the reason for refusing.")
            }
        )
    handled_on = handled_on or timezone.localdate()
    if handled_on < correction.received_on:
        raise ValidationError(
            {"handled_on": _("A request cannot be handled before it was received.")}
        )
    if handled_on > timezone.localdate():
        raise ValidationError({"handled_on": _("The date cannot be in the future.")})
    correction.status = status
    correction.outcome = outcome
    correction.handled_on = handled_on
    correction.handled_by = by
    correction.full_clean()
    correction.save()
    return correction
