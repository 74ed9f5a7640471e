"""Provider requests for a new (iWmo/iJw 315) or changed (317) allocation.

A request for a known client (BSN and date of birth both match a resident with a current
household) becomes a ProvisionApplication in the consultant queue, with the legal Wmo/Jeugdwet
deadline. The consultant's decision answers the request (`allocation_request_answer`, called by
the decision services): a grant names the new allocation, a rejection its reasons.

A granted change does not stop the old allocation: the provider keeps delivering on it until it
reports the stop (307) with end reason 37 ("because of a change request"), and starts the new
one (305).

For an unknown person the request is kept with status `received` and no application; the
provider's answer is the same either way, so the API never reveals whether someone is known."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from cases.allocation_requests import (
    AllocationRequest,
    AllocationRequestKind,
    AllocationRequestStatus,
)
from cases.models import HouseholdMembership, Resident
from cases.provisions import (
    Allocation,
    DecisionOutcome,
    ProvisionApplication,
    ProvisionDecision,
)
from networks.models import Organisation, Product


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
    application.decision_deadline = ProvisionApplication.deadline_for(
        application.law, application.applied_on
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
