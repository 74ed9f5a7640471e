"""Start and stop of care on an allocation (iWmo/iJw 305 and 307), as reported by providers.

The standard's rules: care cannot start before the allocation's start date (nor after its end),
cannot stop after the allocation's end date, stops on or after it started, and a start or stop
is reported once (a second one is a conflict). Every change is pushed to the provider's
webhooks."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.provisions import Allocation, AllocationStatus
from networks.models import END_REASONS_BY_LAW, CooperativeMembership, Organisation
from networks.services import webhook_enqueue


class AllocationStateConflict(Exception):
    """The allocation is not in a state that allows this report (e.g. already started)."""


class StaleAllocation(Exception):
    """The allocation changed since the caller read it."""


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
