"""Reads for the privacy officer's AVG screens. The officer works municipality-wide on
requests from residents, not inside household files, so these do not go through
`households_visible_to`; the views check `permissions.can_handle_avg_requests` first."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from cases.avg.models import CorrectionRequest, DestructionRecord
from cases.households.models import HouseholdMembership, Resident


def residents_lookup(*, bsn: str = "", last_name: str = "", birth_date=None) -> QuerySet:
    """Exact matches only: a BSN, or last name (case-insensitive) and date of birth."""
    if bsn:
        return Resident.objects.filter(bsn=bsn)
    return Resident.objects.filter(last_name__iexact=last_name, birth_date=birth_date)


def resident_with_households(*, resident_uuid) -> Resident:
    memberships = HouseholdMembership.objects.select_related("household").order_by("start_date")
    resident = (
        Resident.objects.filter(uuid=resident_uuid)
        .prefetch_related(Prefetch("memberships", memberships))
        .first()
    )
    if resident is None:
        raise Http404
    return resident


def correction_requests(*, status: str = "") -> QuerySet[CorrectionRequest]:
    """Soonest deadline first (the index `correction_status_deadline_idx`)."""
    rows = CorrectionRequest.objects.select_related("resident", "handled_by")
    return rows.filter(status=status) if status else rows


def correction_request_get(*, correction_uuid) -> CorrectionRequest:
    correction = (
        CorrectionRequest.objects.select_related("resident", "recorded_by", "handled_by")
        .filter(uuid=correction_uuid)
        .first()
    )
    if correction is None:
        raise Http404
    return correction


def destruction_records() -> QuerySet[DestructionRecord]:
    return DestructionRecord.objects.all()
