"""Start and stop of care on an allocation (iWmo/iJw 305 and 307), as reported by providers.

The standard's rules: care cannot start before the allocation's start date (nor after its end),
cannot stop after the allocation's end date, stops on or after it started, and a start or stop
is reported once (a second one is a conflict). Every change is pushed to the provider's
webhooks."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from cases.consent.models import DataCategory
from cases.consent.selectors import consent_covers
from cases.households.models import HouseholdMembership, Resident
from cases.partners.models import (
    AllocationRequest,
    AllocationRequestKind,
    AllocationRequestStatus,
    ProgressReport,
)
from cases.provisions.models import (
    Allocation,
    AllocationStatus,
    DecisionOutcome,
    ProvisionApplication,
    ProvisionDecision,
)
from cases.provisions.selectors import application_decision_deadline
from networks.models import END_REASONS_BY_LAW, Organisation, Product
from networks.services import webhook_enqueue


class AllocationStateConflict(Exception):
    """The allocation is not in a state that allows this report (e.g. already started)."""


class StaleAllocation(Exception):
    """The allocation changed since the caller read it."""


def allocation_payload(allocation: Allocation) -> dict:
    """What a webhook tells the provider: enough to fetch the allocation, nothing personal."""
    return {
        "id": str(allocation.uuid),
        "number": allocation.number,
        "status": allocation.status,
        "version": allocation.version,
    }


def allocation_announce(*, allocation: Allocation, event: str) -> None:
    webhook_enqueue(
        organisation_id=allocation.provider_id, event=event, payload=allocation_payload(allocation)
    )


def _locked(allocation: Allocation, expected_version: int | None) -> Allocation:
    locked = Allocation.objects.select_for_update().select_related("product").get(pk=allocation.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleAllocation()
    return locked


def _save(allocation: Allocation, fields: list[str]) -> Allocation:
    allocation.version = F("version") + 1
    allocation.save(update_fields=[*fields, "version", "updated_at"])
    allocation.refresh_from_db()
    allocation_announce(allocation=allocation, event="allocation.changed")
    return allocation


@transaction.atomic
def allocation_start(
    *, allocation: Allocation, started_on: datetime.date, expected_version: int | None = None
) -> Allocation:
    allocation = _locked(allocation, expected_version)
    if allocation.status != AllocationStatus.NOT_STARTED:
        raise AllocationStateConflict(_("Care on this allocation has already been started."))
    if started_on < allocation.start_date:
        raise ValidationError(
            {"date": _("Care cannot start before the allocation's start date (%(date)s).")
             % {"date": allocation.start_date.isoformat()}}
        )  # fmt: skip
    if allocation.end_date and started_on > allocation.end_date:
        raise ValidationError(
            {"date": _("Care cannot start after the allocation's end date (%(date)s).")
             % {"date": allocation.end_date.isoformat()}}
        )  # fmt: skip
    allocation.status = AllocationStatus.STARTED
    allocation.care_started_on = started_on
    return _save(allocation, ["status", "care_started_on"])


@transaction.atomic
def allocation_stop(
    *,
    allocation: Allocation,
    stopped_on: datetime.date,
    reason: str,
    expected_version: int | None = None,
) -> Allocation:
    allocation = _locked(allocation, expected_version)
    if allocation.status == AllocationStatus.STOPPED:
        raise AllocationStateConflict(_("Care on this allocation has already been stopped."))
    if allocation.status == AllocationStatus.NOT_STARTED:
        raise AllocationStateConflict(_("Care on this allocation has not been started yet."))
    errors = {}
    if reason not in END_REASONS_BY_LAW.get(allocation.product.law, frozenset()):
        errors["reason"] = _("%(reason)s is not an end reason for this law. Valid: %(valid)s.") % {
            "reason": reason or "-",
            "valid": ", ".join(sorted(END_REASONS_BY_LAW.get(allocation.product.law, ()))),
        }
    if allocation.end_date and stopped_on > allocation.end_date:
        errors["date"] = _("Care cannot stop after the allocation's end date (%(date)s).") % {
            "date": allocation.end_date.isoformat()
        }
    elif stopped_on < allocation.care_started_on:
        errors["date"] = _("Care cannot stop before it started (%(date)s).") % {
            "date": allocation.care_started_on.isoformat()
        }
    if errors:
        raise ValidationError(errors)
    allocation.status = AllocationStatus.STOPPED
    allocation.care_stopped_on = stopped_on
    allocation.end_reason = reason
    return _save(allocation, ["status", "care_stopped_on", "end_reason"])


def _known_client(bsn: str, birth_date: datetime.date | None):
    if not bsn or birth_date is None:
        return None, None
    resident = Resident.objects.filter(bsn=bsn, birth_date=birth_date).first()
    if resident is None:
        return None, None
    membership = (
        HouseholdMembership.objects.current()
        .filter(resident=resident)
        .select_related("household")
        .order_by("-start_date")
        .first()
    )
    return resident, membership.household if membership else None


@transaction.atomic
def allocation_request_submit(
    *,
    organisation: Organisation,
    kind: str,
    product: Product,
    volume: int,
    unit: str,
    frequency: str,
    start_date: datetime.date,
    motivation: str,
    end_date: datetime.date | None = None,
    allocation: Allocation | None = None,
    change_reason: str = "",
    bsn: str = "",
    birth_date: datetime.date | None = None,
) -> AllocationRequest:
    """Register a provider's 315/317 request. The caller has checked that `allocation` is
    visible to the organisation."""
    household = None
    if kind == AllocationRequestKind.CHANGE:
        client = allocation.client
        household = allocation.household
        bsn, birth_date = "", None
    else:
        client, household = _known_client(bsn, birth_date)
        if household is None:
            client = None
    request = AllocationRequest(
        organisation=organisation,
        kind=kind,
        allocation=allocation,
        bsn=bsn,
        birth_date=birth_date,
        client=client,
        product=product,
        volume=volume,
        unit=unit,
        frequency=frequency,
        start_date=start_date,
        end_date=end_date,
        change_reason=change_reason,
        motivation=motivation,
    )
    request.full_clean()
    if household is not None:
        with override(settings.LANGUAGE_CODE):  # the consultant's language, not the caller's
            request.application = _application_for_request(request, household)
    request.save()
    return request


def _application_for_request(request: AllocationRequest, household) -> ProvisionApplication:
    """The internal path around `application_submit`: no generalist applies, the provider
    does; `applied_by` stays empty."""
    code = "317" if request.kind == AllocationRequestKind.CHANGE else "315"
    prefix = _("Request from %(organisation)s (%(code)s)") % {
        "organisation": request.organisation.name,
        "code": code,
    }
    extent = f"{request.volume} {request.get_unit_display()} {request.get_frequency_display()}"
    lines = [prefix, _("Requested extent: %(extent)s.") % {"extent": extent}]
    if request.allocation_id:
        lines.append(
            _("Change of allocation %(number)s, reason %(reason)s.")
            % {"number": request.allocation.number, "reason": request.get_change_reason_display()}
        )
    lines += ["", request.motivation]
    application = ProvisionApplication(
        household=household,
        resident=request.client,
        product=request.product,
        motivation="\n".join(lines)[:5000],
        applied_on=timezone.localdate(),
        applied_by=None,
    )
    application.law = request.product.law
    application.decision_deadline = application_decision_deadline(
        law=application.law, applied_on=application.applied_on
    )
    application.full_clean()
    application.save()
    return application


def allocation_request_answer(*, decision: ProvisionDecision) -> None:
    """Called by the decision services when a decision is final: the request (if the
    application came from one) follows it."""
    request = (
        AllocationRequest.objects.select_for_update()
        .filter(application_id=decision.application_id, status=AllocationRequestStatus.RECEIVED)
        .first()
    )
    if request is None:
        return
    if decision.outcome == DecisionOutcome.GRANT:
        allocation = decision.allocations.order_by("pk").first()
        request.status = AllocationRequestStatus.GRANTED
        request.answer = (
            _("Granted: allocation %(number)s.") % {"number": allocation.number}
            if allocation
            else _("Granted as a personal budget (pgb); there is no allocation.")
        )
    else:
        request.status = AllocationRequestStatus.REJECTED
        request.answer = decision.reasons
    request.answered_at = timezone.now()  # the answer text is in the municipality's language
    request.save(update_fields=["status", "answer", "answered_at", "updated_at"])


def granted_allocation(request: AllocationRequest) -> Allocation | None:
    if request.status != AllocationRequestStatus.GRANTED or request.application is None:
        return None
    decision = getattr(request.application, "decision", None)
    if decision is None:
        return None
    allocations = list(decision.allocations.all())  # prefetched in the API's queryset
    return min(allocations, key=lambda a: a.pk) if allocations else None


class ProgressReportRefused(PermissionDenied):
    """The report may not be accepted; the message says why without revealing other data."""


@transaction.atomic
def progress_report_create(
    *,
    allocation: Allocation,
    organisation: Organisation,
    period_start: datetime.date,
    period_end: datetime.date,
    text: str,
    goal_attainment: int | None = None,
    on: datetime.date | None = None,
) -> ProgressReport:
    if allocation.care_started_on is None:
        raise ProgressReportRefused(
            _("Care on this allocation has not started; a progress report cannot be accepted yet.")
        )
    if allocation.client_id is None or not consent_covers(
        resident=allocation.client,
        organisation=organisation,
        category=DataCategory.PROGRESS,
        on=on,
    ):
        raise ProgressReportRefused(
            _(
                "No consent or legal basis is recorded for your organisation to share progress "
                "on this client. Ask the client's neighbourhood team."
            )
        )
    report = ProgressReport(
        allocation=allocation,
        organisation=organisation,
        period_start=period_start,
        period_end=period_end,
        text=text,
        goal_attainment=goal_attainment,
    )
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period cannot end before it starts.")})
    report.full_clean()
    report.save()
    return report
