"""What providers report and ask over the partner API: start and stop of care on an allocation
(iWmo/iJw 305 and 307), requests for a new or changed allocation (315 and 317) and progress
reports.

The standard's rules: care cannot start before the allocation's start date (nor after its end),
cannot stop after the allocation's end date, stops on or after it started, and a start or stop
is reported once (a second one is a conflict). Every change is pushed to the provider's
webhooks. The rules of a 315/317 request are in `allocation_request_check`.

Each write records its access-log row with `cases.audit.audit_change` as its last step, inside
its transaction; the API passes `context=request_context(request)` (the partner's principal)."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from cases.audit import RequestContext, audit_change
from cases.consent.models import ConsentPurpose, DataCategory
from cases.consent.selectors import consent_covers, consent_for_purpose
from cases.households.models import HouseholdMembership, Resident
from cases.legal_terms import add_working_days, agreed_term_end
from cases.partners.models import (
    AllocationRequest,
    AllocationRequestKind,
    AllocationRequestStatus,
    ProgressReport,
)
from cases.partners.selectors import allocations_for_organisation
from cases.provisions.models import (
    Allocation,
    AllocationStatus,
    DecisionOutcome,
    ProvisionApplication,
    ProvisionDecision,
)
from cases.provisions.selectors import (
    application_advance_first_due,
    application_decision_deadline,
)
from networks.models import (
    END_REASONS_BY_LAW,
    Contract,
    CooperativeMembership,
    Organisation,
    Product,
)
from networks.services import webhook_enqueue


class AllocationStateConflict(Exception):
    """The allocation is not in a state that allows this report (e.g. already started)."""


class StaleAllocation(Exception):
    """The allocation changed since the caller read it."""


class UnknownAllocation(Exception):
    """The organisation has no allocation with this id (its own or its cooperative's): the
    same answer whether the allocation does not exist or belongs to someone else."""


def _audit(
    *,
    by,
    context: RequestContext | None,
    object_type: str,
    object_id,
    household,
    clients: Iterable = (),
) -> None:
    """The write's access-log row: the last step of a service, inside its transaction. `by` is
    the partner's principal (or None from a task or a test: the row then names no user)."""
    audit_change(
        by=by,
        context=context,
        object_type=object_type,
        object_id=object_id,
        household_uuid=household.uuid if household is not None else None,
        resident_uuids=[client.uuid for client in clients if client is not None],
    )


def _audit_allocation(allocation: Allocation, *, by, context, object_type="allocation") -> None:
    _audit(
        by=by,
        context=context,
        object_type=object_type,
        object_id=allocation.uuid,
        household=allocation.household,
        clients=[allocation.client],
    )


def allocation_payload(allocation: Allocation) -> dict:
    """What a webhook tells the provider: enough to fetch the allocation, nothing personal."""
    return {
        "id": str(allocation.uuid),
        "number": allocation.number,
        "status": allocation.status,
        "version": allocation.version,
    }


def allocation_announce(*, allocation: Allocation, event: str) -> None:
    """The event to the provider's webhooks and, when a cooperative member delivers the care,
    to the member's as well."""
    payload = allocation_payload(allocation)
    webhook_enqueue(organisation_id=allocation.provider_id, event=event, payload=payload)
    if allocation.delivered_by_id and allocation.delivered_by_id != allocation.provider_id:
        webhook_enqueue(organisation_id=allocation.delivered_by_id, event=event, payload=payload)


class NoContract(Exception):
    """The provider has no contract for the allocation's product on the day care starts."""


class NotTheProvider(Exception):
    """Only the provider named on the allocation (the cooperative) may say who delivers it."""


def _contracted(*, organisation_id: int, product_id: int, on: datetime.date) -> bool:
    return (
        Contract.objects.filter(
            organisation_id=organisation_id, product_id=product_id, valid_from__lte=on
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .exists()
    )


def cooperative_member_on(*, cooperative_id: int, member_id: int, on: datetime.date) -> bool:
    """Whether `member_id` is a member of the cooperative on `on`."""
    return (
        CooperativeMembership.objects.filter(
            cooperative_id=cooperative_id, member_id=member_id, start_date__lte=on
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .exists()
    )


@transaction.atomic
def allocation_delivered_by_set(
    *,
    allocation: Allocation,
    delivered_by: Organisation | None,
    caller: Organisation | None = None,
    expected_version: int | None = None,
    on: datetime.date | None = None,
    by=None,
    context: RequestContext | None = None,
) -> Allocation:
    """Record which organisation delivers the allocation: the provider itself (or None) or one
    of its cooperative's members today. Over the API only the provider (`caller`) may say so;
    the member's webhooks then get the allocation's events too."""
    if caller is not None and caller.pk != allocation.provider_id:
        raise NotTheProvider(
            _("Only the provider named on the allocation can say who delivers it.")
        )
    allocation = _locked(allocation, expected_version)
    on = on or timezone.localdate()
    if (
        delivered_by is not None
        and delivered_by.pk != allocation.provider_id
        and not cooperative_member_on(
            cooperative_id=allocation.provider_id, member_id=delivered_by.pk, on=on
        )
    ):
        raise ValidationError(
            {
                "delivered_by": _(
                    "%(organisation)s is not the provider nor a member of its cooperative."
                )
                % {"organisation": delivered_by.name}
            }
        )
    allocation.delivered_by = delivered_by
    allocation = _save(allocation, ["delivered_by"])
    _audit_allocation(allocation, by=by, context=context)
    return allocation


def _locked(allocation: Allocation, expected_version: int | None) -> Allocation:
    locked = (
        Allocation.objects.select_for_update(of=("self",))
        .select_related("product", "provider")
        .get(pk=allocation.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleAllocation()
    return locked


# a report is overdue this many working days after the period the contract names has ended
PROGRESS_REPORT_GRACE_WORKING_DAYS = 5


def progress_report_due(allocation: Allocation) -> datetime.date | None:
    """The last day the next progress report is on time: the period the provider's contract
    names (`Contract.report_every_months`), from the end of the last report's period (or the
    day care started), plus 5 working days (the legal-terms engine's working days). None while
    care has not started, after it stopped, or when the contract asks for no reports."""
    if allocation.care_started_on is None or allocation.care_stopped_on is not None:
        return None
    contract = (
        Contract.objects.filter(
            organisation_id=allocation.provider_id,
            product_id=allocation.product_id,
            valid_from__lte=allocation.care_started_on,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=allocation.care_started_on))
        .order_by("-valid_from")
        .first()
    )
    if contract is None or not contract.report_every_months:
        return None
    last = allocation.progress_reports.aggregate(end=Max("period_end"))["end"]
    period_start = max(filter(None, (last, allocation.care_started_on)))
    period_end = agreed_term_end(period_start, months=contract.report_every_months)
    return add_working_days(period_end, PROGRESS_REPORT_GRACE_WORKING_DAYS)


def _progress_report_due_set(allocation: Allocation) -> None:
    due = progress_report_due(allocation)
    if due != allocation.progress_report_due_on:
        Allocation.objects.filter(pk=allocation.pk).update(progress_report_due_on=due)
        allocation.progress_report_due_on = due


def _save(allocation: Allocation, fields: list[str]) -> Allocation:
    allocation.version = F("version") + 1
    allocation.save(update_fields=[*fields, "version", "updated_at"])
    allocation.refresh_from_db()
    allocation_announce(allocation=allocation, event="allocation.changed")
    return allocation


@transaction.atomic
def allocation_start(
    *,
    allocation: Allocation,
    started_on: datetime.date,
    expected_version: int | None = None,
    by=None,
    context: RequestContext | None = None,
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
    if not _contracted(
        organisation_id=allocation.provider_id, product_id=allocation.product_id, on=started_on
    ):
        raise NoContract(
            _(
                "There is no contract with %(provider)s for %(product)s on %(date)s; care "
                "cannot start. Ask the municipality's contract manager."
            )
            % {
                "provider": allocation.provider.name,
                "product": allocation.product.name,
                "date": started_on.isoformat(),
            }
        )
    allocation.status = AllocationStatus.STARTED
    allocation.care_started_on = started_on
    allocation = _save(allocation, ["status", "care_started_on"])
    _progress_report_due_set(allocation)
    _audit_allocation(allocation, by=by, context=context)
    return allocation


@transaction.atomic
def allocation_stop(
    *,
    allocation: Allocation,
    stopped_on: datetime.date,
    reason: str,
    expected_version: int | None = None,
    by=None,
    context: RequestContext | None = None,
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
    allocation = _save(allocation, ["status", "care_stopped_on", "end_reason"])
    _progress_report_due_set(allocation)
    _audit_allocation(allocation, by=by, context=context)
    return allocation


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


def _requested_product(category: str, code: str) -> Product | None:
    """The product a provider names by its iWmo/iJw category and contract code: only an active
    one can be requested."""
    return Product.objects.filter(category=category, code=code, active=True).order_by("pk").first()


def allocation_request_check(
    *,
    organisation: Organisation,
    kind: str,
    product_category: str,
    product_code: str,
    start_date: datetime.date,
    motivation: str,
    end_date: datetime.date | None = None,
    allocation_id=None,
    change_reason: str = "",
    bsn: str = "",
    birth_date: datetime.date | None = None,
) -> tuple[Product, Allocation | None]:
    """The rules of a provider's 315/317 request, before anything is stored; returns the
    product asked for and, for a change, the allocation to change.

    - a new allocation (315) names the client by BSN and date of birth, and no allocation or
      change reason; a change (317) names the allocation and a change reason (WMO002);
    - the period does not end before it starts, the motivation is not empty, the product
      (category and code) exists and is active;
    - the allocation to change is the organisation's own or its cooperative's
      (`allocations_for_organisation`); any other raises `UnknownAllocation`, as one that does
      not exist.

    Broken rules raise ValidationError with a message per field (the API's field errors)."""
    errors = {}
    if kind == AllocationRequestKind.NEW:
        if not bsn:
            errors["bsn"] = _("A request for a new allocation needs the client's BSN.")
        if not birth_date:
            errors["birth_date"] = _("Give the date of birth together with the BSN.")
        if allocation_id or change_reason:
            errors["allocation"] = _(
                "A request for a new allocation has no allocation or change reason."
            )
    else:
        if not allocation_id:
            errors["allocation"] = _("Name the allocation to change.")
        if not change_reason:
            errors["change_reason"] = _("Give the change reason (WMO002).")
    if end_date and end_date < start_date:
        errors["end_date"] = _("The end date cannot be before the start date.")
    if not motivation.strip():
        errors["motivation"] = _("Explain why the client needs this.")
    product = _requested_product(product_category, product_code)
    if product is None:
        errors["product"] = _("There is no product with this category and code.")
    if errors:
        raise ValidationError(errors)
    if kind != AllocationRequestKind.CHANGE:
        return product, None
    allocation = (
        allocations_for_organisation(organisation=organisation)
        .select_related("client", "household")
        .filter(uuid=allocation_id)
        .first()
    )
    if allocation is None:
        raise UnknownAllocation(_("You have no allocation with this id."))
    return product, allocation


@transaction.atomic
def allocation_request_submit(
    *,
    organisation: Organisation,
    kind: str,
    product_category: str,
    product_code: str,
    volume: int,
    unit: str,
    frequency: str,
    start_date: datetime.date,
    motivation: str,
    end_date: datetime.date | None = None,
    allocation_id=None,
    change_reason: str = "",
    bsn: str = "",
    birth_date: datetime.date | None = None,
    by=None,
    context: RequestContext | None = None,
) -> AllocationRequest:
    """Register a provider's 315/317 request after `allocation_request_check`. A request for a
    known client (BSN and date of birth match a resident in a household) becomes an
    application in the consultant queue; the answer never says whether the client is known."""
    product, allocation = allocation_request_check(
        organisation=organisation,
        kind=kind,
        product_category=product_category,
        product_code=product_code,
        start_date=start_date,
        motivation=motivation,
        end_date=end_date,
        allocation_id=allocation_id,
        change_reason=change_reason,
        bsn=bsn,
        birth_date=birth_date,
    )
    household = None
    if allocation is not None:
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
    _audit(
        by=by,
        context=context,
        object_type="allocation_request",
        object_id=request.uuid,
        household=household,
        clients=[client],
    )
    return request


def _application_for_request(request: AllocationRequest, household) -> ProvisionApplication:
    """The internal path around `application_submit`: no generalist applies, the provider
    does; `applied_by` stays empty. Its clocks start as `application_submit`'s do (the decision
    deadline and, for algemene bijstand, the first advance: the same selectors)."""
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
    application.advance_due_on = application_advance_first_due(
        product=request.product, applied_on=application.applied_on
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
    by=None,
    context: RequestContext | None = None,
) -> ProgressReport:
    """Accept a provider's progress report on an allocation: care has started and the client's
    consent covers `progress` for the organisation (or a legal basis is recorded); else
    `ProgressReportRefused`."""
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
    if not consent_for_purpose(
        resident=allocation.client,
        organisation=organisation,
        purpose=ConsentPurpose.PROGRESS_REPORTS,
        on=on,
    ):
        raise ProgressReportRefused(
            _(
                "The client's consent for your organisation does not name the purpose of "
                "progress reports. Ask the client's neighbourhood team."
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
    _progress_report_due_set(allocation)
    _audit_allocation(allocation, by=by, context=context, object_type="progress_report")
    return report
