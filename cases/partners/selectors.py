"""Progress reports (voortgangsrapportages) that a provider sends on an allocation over the
partner API, and the rules for accepting them: care has started and the client's consent covers
`progress` for the reporting organisation (or a legal basis is recorded).

Imported at the bottom of `cases/models.py`, so these are models of the `cases` app."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.partners.models import ProgressReport
from cases.provisions.models import Allocation
from networks.models import CooperativeMembership, Organisation


def progress_reports_for(*, allocation: Allocation, organisation: Organisation):
    return ProgressReport.objects.filter(allocation=allocation, organisation=organisation)


def allocations_for_organisation(*, organisation: Organisation) -> QuerySet[Allocation]:
    """The allocations a provider may see: its own, and those of the cooperatives it currently
    belongs to (a member may deliver what the cooperative was allocated)."""
    today = timezone.localdate()
    cooperatives = CooperativeMembership.objects.filter(
        member=organisation, start_date__lte=today
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    # the ids first (usually none): `provider IN (list)` lets PostgreSQL walk the index
    # (provider, -created_at, -id) for a page, where an OR with a subquery made it sort all of a
    # large provider's allocations
    providers = [organisation.pk, *cooperatives.values_list("cooperative_id", flat=True)]
    return Allocation.objects.filter(provider__in=providers)


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
