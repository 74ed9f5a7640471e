"""Progress reports (voortgangsrapportages) that a provider sends on an allocation over the
partner API, and the rules for accepting them: care has started and the client's consent covers
`progress` for the reporting organisation (or a legal basis is recorded).

Imported at the bottom of `cases/models.py`, so these are models of the `cases` app."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.households.models import HouseholdMembership
from cases.partners.models import (
    AllocationRequest,
    AllocationRequestKind,
    AllocationRequestStatus,
    ProgressReport,
)
from cases.provisions.models import Allocation
from networks.models import CooperativeMembership, Organisation
from networks.services import KEPT
from socialdomain.precompiled import precompiled_rows


def progress_reports_for(*, allocation: Allocation, organisation: Organisation):
    return ProgressReport.objects.filter(allocation=allocation, organisation=organisation)


# where a kept organisation keeps its providers of the day: (day, ids)
_PROVIDERS = "_wijkwerk_allocation_providers"


def allocation_providers(*, organisation: Organisation, today=None) -> list[int]:
    """The ids of the providers whose allocations `organisation` may see: itself, and the
    cooperatives it belongs to on `today` (a member may deliver what the cooperative was
    allocated). One query, compiled once per process (`socialdomain.precompiled`). On the
    organisation of a partner API client that its process keeps (`networks.services.KEPT`)
    the answer is kept for the day: that object lives as long as the generation of API clients
    it was kept under, which any saved or deleted membership renews (`networks.signals`), so
    the process reads the memberships again on the next request after a change. Any other
    organisation object is read afresh every time."""
    today = today or timezone.localdate()
    kept = getattr(organisation, _PROVIDERS, None)
    if kept is not None and kept[0] == today:
        return list(kept[1])
    rows = precompiled_rows(
        key=("cooperatives of a member",),
        build=lambda bind: (
            CooperativeMembership.objects.filter(
                member_id=bind("member"), start_date__lte=bind("today")
            )
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=bind("today")))
            .values("cooperative_id")
        ),
        values={"member": organisation.pk, "today": today},
    )
    providers = [organisation.pk, *(row["cooperative_id"] for row in rows)]
    if getattr(organisation, KEPT, False):
        setattr(organisation, _PROVIDERS, (today, tuple(providers)))
    return providers


def allocations_for_organisation(*, organisation: Organisation) -> QuerySet[Allocation]:
    """The allocations a provider may see: its own, and those of the cooperatives it currently
    belongs to (`allocation_providers`)."""
    # the ids first (usually none): `provider IN (list)` lets PostgreSQL walk the index
    # (provider, -created_at, -id) for a page, where an OR with a subquery made it sort all of a
    # large provider's allocations
    return Allocation.objects.filter(provider__in=allocation_providers(organisation=organisation))


# how many of the newest progress reports the household page and the plan page show
RECENT_PROGRESS_REPORTS = 5


def progress_reports_recent(
    *, household=None, plan=None, limit: int = RECENT_PROGRESS_REPORTS
) -> list[ProgressReport]:
    """The newest accepted progress reports, newest first: on the household's allocations, or
    with `plan` on the allocations granted on that plan's applications. The caller checked
    access to the household. One query."""
    reports = ProgressReport.objects.select_related("organisation", "allocation__product")
    if plan is not None:
        reports = reports.filter(
            allocation__household_id=plan.household_id,
            allocation__decision__application__plan=plan,
        )
    else:
        reports = reports.filter(allocation__household=household)
    return list(reports.order_by("-created_at", "-id")[:limit])


def allocation_requests_to_apply_for(*, household) -> list[AllocationRequest]:
    """Providers' 315 requests (a new allocation) for a current resident of the household that
    did not become an application: received, no application yet, for a client known on the
    request or, when the person was not known then, whose BSN and date of birth now match a
    current resident. Each carries `applicant`, that resident. Newest first; two queries."""
    residents = {
        m.resident_id: m.resident
        for m in HouseholdMembership.objects.current()
        .filter(household=household)
        .select_related("resident")
    }
    by_identity = {
        (r.bsn, r.birth_date): r for r in residents.values() if r.bsn and r.birth_date is not None
    }
    if not residents:
        return []
    match = Q(client_id__in=list(residents))
    for bsn, birth_date in by_identity:
        match |= Q(client__isnull=True, bsn=bsn, birth_date=birth_date)
    requests = list(
        AllocationRequest.objects.filter(
            match,
            kind=AllocationRequestKind.NEW,
            status=AllocationRequestStatus.RECEIVED,
            application__isnull=True,
        )
        .select_related("organisation", "product")
        .order_by("-created_at", "-id")
    )
    for request in requests:
        request.applicant = residents.get(request.client_id) or by_identity.get(
            (request.bsn, request.birth_date)
        )
    return requests


def allocation_request_to_apply_for(*, household, request_uuid) -> AllocationRequest:
    """One of `allocation_requests_to_apply_for`, or 404."""
    for request in allocation_requests_to_apply_for(household=household):
        if request.uuid == request_uuid:
            return request
    raise Http404


def application_initial_from_request(request: AllocationRequest) -> dict:
    """The application form's initial data from a provider's 315 request (ask once): the
    product, the resident, and the requested extent and period in the motivation (the
    application has no extent of its own: the consultant sets it in the decision)."""
    extent = f"{request.volume} {request.get_unit_display()} {request.get_frequency_display()}"
    period = request.start_date.strftime("%d-%m-%Y")
    if request.end_date:
        period += " – " + request.end_date.strftime("%d-%m-%Y")
    lines = [
        _("Request from %(organisation)s (%(code)s)")
        % {"organisation": request.organisation.name, "code": "315"},
        _("Requested extent: %(extent)s.") % {"extent": extent},
        _("Requested period: %(period)s.") % {"period": period},
        "",
        request.motivation,
    ]
    return {
        "product": request.product_id,
        "resident": request.applicant.pk,
        "motivation": "\n".join(lines)[:5000],
    }
