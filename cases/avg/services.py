"""Writes for the AVG: correction requests (art. 16 AVG): record one, and answer it (granted
with what was changed, or refused with the reason), and the destruction of household files whose
retention term expired (`cases.avg.selectors.retention_facts` says which). Each write records
its `change` row in the access log as the last step of its transaction.

The deadline of a correction request follows from art. 12(3) AVG: one month after receipt,
three when the officer extends it and tells the resident why within the first month
(`avg_request_extend`). It is computed by `cases.avg.selectors.avg_request_deadline` and
stored here; `open_avg_clocks_recompute` recomputes it for open requests when the holiday
table changes."""

import datetime
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, ProtectedError, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.agenda.models import Appointment
from cases.audit import RequestContext, audit_change
from cases.avg.models import CorrectionRequest, CorrectionStatus, DestructionRecord
from cases.avg.selectors import RetentionFacts, avg_request_deadline, retention_facts
from cases.consent.selectors import resident_household
from cases.documents.models import HouseholdDocument
from cases.documents.storage import files_delete
from cases.households.models import Household, HouseholdMembership, Resident, ResidentMergeRecord
from cases.intake.models import KitchenTableConversation, Melding, Signal
from cases.journal.models import JournalEntry
from cases.objections.models import Objection
from cases.partners.models import AllocationRequest
from cases.plans.models import Evaluation, PlanAction, SupportPlan
from cases.provisions.models import (
    Allocation,
    BudgetCommitment,
    GeneralProvisionReferral,
    MandateSpending,
    ProvisionApplication,
    ProvisionDecision,
)
from cases.volunteers.models import Volunteering


@transaction.atomic
def correction_request_record(
    *,
    resident,
    what_is_wrong: str,
    should_be: str = "",
    received_on: datetime.date | None = None,
    by,
    context: RequestContext | None = None,
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
    request.deadline = avg_request_deadline(received_on=received_on)
    request.full_clean()
    request.save()
    _audit_correction(request, by=by, context=context)
    return request


@transaction.atomic
def correction_request_handle(
    *,
    correction: CorrectionRequest,
    status: str,
    outcome: str,
    handled_on: datetime.date | None = None,
    by,
    context: RequestContext | None = None,
) -> CorrectionRequest:
    """Answer an open request. `status` is granted (outcome: what was changed) or refused
    (outcome: the reason). The row is locked, so two officers cannot answer it twice."""
    if not permissions.can_handle_avg_requests(by):
        raise PermissionDenied
    correction = (
        CorrectionRequest.objects.select_for_update(of=("self",))
        .select_related("resident")
        .get(pk=correction.pk)
    )
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
    _audit_correction(correction, by=by, context=context)
    return correction


# the access-log reason of a deadline the system moved
RECOMPUTED = "legal term recomputed"


@transaction.atomic
def avg_request_extend(
    *,
    request: CorrectionRequest,
    by,
    reason: str,
    told_on: datetime.date | None,
    context: RequestContext | None = None,
) -> CorrectionRequest:
    """Extend the term of an open, complex request by two months (art. 12(3) AVG): the
    deadline becomes three months after receipt. Only with a reason, told to the resident
    within the first month (`told_on` on or before the first month's deadline, not before
    receipt and not in the future), and only once. The row is locked."""
    if not permissions.can_handle_avg_requests(by):
        raise PermissionDenied
    request = (
        CorrectionRequest.objects.select_for_update(of=("self",))
        .select_related("resident")
        .get(pk=request.pk)
    )
    if not request.is_open:
        raise ValidationError(_("This request has already been handled."))
    if request.is_extended:
        raise ValidationError(_("The term of this request has already been extended."))
    reason = (reason or "").strip()
    problems = {}
    if not reason:
        problems["reason"] = _("Give the reason the request is complex, as told to the resident.")
    first_deadline = avg_request_deadline(received_on=request.received_on)
    if told_on is None:
        problems["told_on"] = _("Give the day the resident was told of the extension.")
    elif told_on < request.received_on:
        problems["told_on"] = _("The resident cannot be told before the request was received.")
    elif told_on > timezone.localdate():
        problems["told_on"] = _("The date cannot be in the future.")
    elif told_on > first_deadline:
        problems["told_on"] = _(
            "The resident must be told within the first month, by %(deadline)s: the term can "
            "no longer be extended."
        ) % {"deadline": first_deadline.strftime("%d-%m-%Y")}
    if problems:
        raise ValidationError(problems)
    request.deadline = avg_request_deadline(received_on=request.received_on, extended=True)
    request.extension_reason = reason
    request.extension_told_on = told_on
    request.extended_by = by
    request.full_clean()
    request.save()
    _audit_correction(request, by=by, context=context)
    return request


def open_avg_clocks_recompute(*, by=None, context: RequestContext | None = None) -> int:
    """Recompute the stored deadline of every open AVG request, e.g. after the functional
    administrator changed the holiday table (`cases.legal_terms.EquatedDay`); `by` is who
    changed it (None: the system). Handled requests keep the deadline that applied. The engine
    is asked once per distinct date of receipt (and extension), each in one transaction that
    locks only the requests whose deadline moves; each gets a change row in the access log.
    Returns the number of requests changed."""
    changed = 0
    open_requests = CorrectionRequest.objects.open()
    keys = sorted(
        {
            (received_on, told_on is not None)
            for received_on, told_on in open_requests.values_list(
                "received_on", "extension_told_on"
            )
        }
    )
    for received_on, extended in keys:
        deadline = avg_request_deadline(received_on=received_on, extended=extended)
        with transaction.atomic():
            moved = list(
                open_requests.filter(
                    received_on=received_on, extension_told_on__isnull=not extended
                )
                .exclude(deadline=deadline)
                .select_for_update(of=("self",))
                .select_related("resident")
                .order_by("pk")
            )
            for request in moved:
                request.deadline = deadline
                request.save(update_fields=["deadline"])
                _audit_correction(request, by=by, context=context, reason=RECOMPUTED)
        changed += len(moved)
    return changed


def _audit_correction(
    correction: CorrectionRequest, *, by, context: RequestContext | None, reason: str = ""
) -> None:
    household = resident_household(resident=correction.resident)
    audit_change(
        by=by,
        context=context,
        object_type="correction_request",
        object_id=correction.uuid,
        household_uuid=household.uuid if household is not None else None,
        resident_uuids=[correction.resident.uuid],
        reason=reason,
    )


SYSTEM_RUN_BY = "retention task"


# Every model that points at Household or Resident, and how destruction deals with it.
# tests/cases/test_retention.py fails when a new relation is not listed here.
HANDLED_RELATIONS = {
    # household-scoped: destroyed with the household
    "cases.Allocation.household",
    "cases.Appointment.household",
    "cases.CoordinatorChange.household",
    "cases.Handover.household",
    "cases.HouseholdAddress.household",
    "cases.GeneralProvisionReferral.household",
    "cases.HouseholdMembership.household",
    "cases.InformalNetworkMember.household",
    "cases.JournalEntry.household",
    # documents go with the household, their stored files on commit (`_documents_destroy`)
    "cases.HouseholdDocument.household",
    "cases.KitchenTableConversation.household",
    "cases.MandateSpending.household",
    "cases.Objection.household",
    "cases.Melding.household",
    "cases.ProvisionApplication.household",
    "cases.Signal.household",
    "cases.SupportPlan.household",
    # reminders of the household's clocks go with it (CASCADE)
    "cases.ClockReminder.household",
    # the optional link of a bottleneck (knelpunt) goes with the household (CASCADE); the
    # bottleneck itself holds no personal data and stays for the policy figures
    "outcomes.BottleneckHousehold.household",
    # resident-scoped: destroyed with a resident who belongs to no other household
    "cases.Allocation.client",
    "cases.AllocationRequest.client",
    "cases.Consent.resident",
    "cases.CorrectionRequest.resident",
    "cases.HouseholdMembership.resident",
    "cases.KitchenTableConversation.participants",
    "cases.PlanAction.owner_resident",
    # an agreement goes with its plan (CASCADE); one in another household's plan keeps the
    # resident, as a plan action there does
    "cases.PlanAgreement.resident",
    # a "not agreed" goes with its plan (CASCADE); one in another household's plan keeps the
    # resident, as an agreement there does
    "cases.PlanDecline.resident",
    "cases.ProvisionApplication.resident",
    "cases.ResidentMergeRecord.kept",
    "cases.Signal.resident",
    # the volunteers helping the household: their help for it goes with it (the volunteer stays
    # in the register); a volunteer's own person record is kept while the register holds it
    # (`Volunteer.resident` PROTECTs it: `_residents_destroy` keeps it)
    "cases.Volunteering.household",
    "cases.Volunteering.helped_resident",
    "cases.Volunteer.resident",
    # kept: records about access that outlive the file (SET_NULL, the household UUID as value)
    "cases.BreakGlassAccess.household",
}


@dataclass
class RetentionRun:
    run_id: uuid.UUID
    dry_run: bool
    examined: int = 0
    expired: list[RetentionFacts] = field(default_factory=list)
    records: list[DestructionRecord] = field(default_factory=list)
    skipped: list[uuid.UUID] = field(default_factory=list)


def _count(counter: Counter, deleted: tuple[int, dict[str, int]]) -> None:
    for label, number in deleted[1].items():
        if number:
            counter[label.split(".", 1)[1].lower()] += number


def _delete(counter: Counter, queryset: QuerySet) -> None:
    _count(counter, queryset.delete())


def _household_destroy(household: Household, counter: Counter) -> list[int]:
    """Delete every row of the household's file, children before what PROTECTs them. Returns
    the ids of its residents who belong to no other household (still to be destroyed)."""
    h = household
    _delete(
        counter,
        AllocationRequest.objects.filter(Q(allocation__household=h) | Q(application__household=h)),
    )
    _delete(counter, Allocation.objects.filter(household=h))  # with their progress reports
    _delete(
        counter,
        BudgetCommitment.objects.filter(
            Q(decision__application__household=h) | Q(mandate_spending__household=h)
        ),
    )
    _delete(counter, GeneralProvisionReferral.objects.filter(household=h))
    _delete(counter, Objection.objects.filter(household=h))  # before the decisions they PROTECT
    _delete(counter, ProvisionDecision.objects.filter(application__household=h))
    _delete(counter, ProvisionApplication.objects.filter(household=h))  # and notifications
    _delete(counter, MandateSpending.objects.filter(household=h))
    _delete(counter, JournalEntry.objects.filter(household=h))  # with their revisions
    _documents_destroy(h, counter)
    _delete(counter, Appointment.objects.filter(household=h))
    _delete(counter, Signal.objects.filter(household=h))
    _delete(counter, PlanAction.objects.filter(plan__household=h))
    _delete(counter, Evaluation.objects.filter(plan__household=h))  # with their scores
    _delete(counter, SupportPlan.objects.filter(household=h))  # goals, versions, check-ins...
    _delete(counter, KitchenTableConversation.objects.filter(household=h))  # with scores
    _delete(counter, Melding.objects.filter(household=h))
    _delete(counter, Volunteering.objects.filter(household=h))  # before its network entries
    elsewhere = HouseholdMembership.objects.filter(resident=OuterRef("pk")).exclude(household=h)
    resident_ids = list(
        Resident.objects.filter(memberships__household=h)
        .annotate(_elsewhere=Exists(elsewhere))
        .filter(_elsewhere=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    _delete(counter, Household.objects.filter(pk=h.pk))  # memberships, network, changes
    return resident_ids


def _documents_destroy(household: Household, counter: Counter) -> None:
    """The household's documents: their rows now, their stored files once the destruction
    commits (a rolled-back destruction keeps them)."""
    documents = HouseholdDocument.objects.filter(household=household)
    names = [name for name in documents.values_list("storage_name", flat=True) if name]
    _delete(counter, documents)
    if names:
        transaction.on_commit(lambda: files_delete(names))


def _residents_destroy(resident_ids: list[int], counter: Counter) -> int:
    """Destroy residents who belonged only to the destroyed household, with their consents and
    correction requests. One still referenced from another household's file (a plan action,
    a conversation there) is kept; returns how many were kept."""
    kept = 0
    for resident_id in resident_ids:
        local = Counter()
        try:
            with transaction.atomic():
                _delete(local, ResidentMergeRecord.objects.filter(kept_id=resident_id))
                _delete(local, AllocationRequest.objects.filter(client_id=resident_id))
                _delete(
                    local, Signal.objects.filter(resident_id=resident_id, household__isnull=True)
                )
                _delete(local, Resident.objects.filter(pk=resident_id))
        except (ProtectedError, IntegrityError):
            kept += 1
            continue
        counter.update(local)
    return kept


def household_destroy(
    *,
    facts: RetentionFacts,
    run_id: uuid.UUID,
    run_by: str,
    by=None,
    today=None,
    context: RequestContext | None = None,
) -> DestructionRecord | None:
    """Destroy one expired household file in one transaction, re-checking under a row lock
    that it is still expired; returns the DestructionRecord, or None when it no longer is. The
    destruction's `change` row (object type `destruction`) is the transaction's last write, so
    it commits with the destruction or not at all."""
    today = today or timezone.localdate()
    with transaction.atomic():
        household = Household.objects.select_for_update().filter(pk=facts.household_id).first()
        if household is None:
            return None
        current = retention_facts(households=Household.objects.filter(pk=household.pk), today=today)
        if not current or not current[0].expired(today):
            return None
        facts = current[0]
        counter: Counter = Counter()
        resident_ids = _household_destroy(household, counter)
        kept = _residents_destroy(resident_ids, counter)
        if kept:
            counter["residents_kept_referenced_elsewhere"] = kept
        record = DestructionRecord(
            household_uuid=facts.household_uuid,
            law=facts.law,
            retention_years=facts.years,
            closed_on=facts.closed_on,
            expired_on=facts.expires_on,
            rule=facts.rule,
            counts=dict(sorted(counter.items())),
            run_id=run_id,
            run_by=run_by[:150],
        )
        record.full_clean()
        record.save()
        audit_change(
            by=by,
            context=context,
            object_type="destruction",
            object_id=record.uuid,
            household_uuid=facts.household_uuid,
            reason=f"retention expired on {facts.expires_on.isoformat()} ({facts.rule})",
        )
    return record


def retention_apply(
    *,
    dry_run: bool = False,
    today: datetime.date | None = None,
    by=None,
    context: RequestContext | None = None,
) -> RetentionRun:
    """Find expired household files and (unless `dry_run`) destroy each in its own
    transaction. `by` is the user running the command; None for the periodic task."""
    today = today or timezone.localdate()
    run = RetentionRun(run_id=uuid.uuid4(), dry_run=dry_run)
    facts = retention_facts(today=today)
    run.examined = len(facts)
    run.expired = [f for f in facts if f.expired(today)]
    if dry_run:
        return run
    run_by = by.get_username() if by is not None else SYSTEM_RUN_BY
    for expired in run.expired:
        record = household_destroy(
            facts=expired, run_id=run.run_id, run_by=run_by, by=by, today=today, context=context
        )
        if record is None:
            run.skipped.append(expired.household_uuid)
        else:
            run.records.append(record)
    return run
