"""Writes for objections (bezwaar). Each function is one transaction that ends with its
access-log row (`audit_change`); the decision term is computed by
`selectors.objection_decision_due` and stored on the row whenever a fact it depends on changes
(the advisory committee, a deferral, a further deferral with consent, the holiday table)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.audit import RequestContext, audit_change
from cases.households.services import ConcurrentEditError
from cases.objections.models import Objection, ObjectionOutcome, ObjectorKind
from cases.objections.selectors import objection_due_for, objection_term_end_of
from cases.provisions.models import ProvisionDecision
from cases.provisions.services import application_after_objection


def _audit(objection: Objection, *, by, context: RequestContext | None) -> None:
    resident = objection.decision.application.resident
    audit_change(
        by=by,
        context=context,
        object_type="objection",
        object_id=objection.uuid,
        household_uuid=objection.household.uuid,
        resident_uuids=[resident.uuid] if resident is not None else [],
    )


def _check_may(by) -> None:
    if not permissions.can_handle_objections(by):
        raise PermissionDenied(_("You may not handle objections."))


def _changed() -> ConcurrentEditError:
    return ConcurrentEditError(
        _(
            "Someone else changed this objection while you were working on it. Reload the page "
            "to see the change; nothing was saved."
        )
    )


def _locked(objection: Objection, expected_version: int | None) -> Objection:
    locked = (
        Objection.objects.select_for_update(of=("self",))
        .select_related("household", "decision__application__resident")
        .get(pk=objection.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise _changed()
    return locked


def _save(objection: Objection, fields: list[str]) -> None:
    objection.version = F("version") + 1
    objection.save(update_fields=[*fields, "version"])
    objection.refresh_from_db(fields=["version"])


@transaction.atomic
def objection_register(
    *,
    decision: ProvisionDecision,
    by,
    received_on: datetime.date,
    objector_kind: str,
    grounds: str,
    objector_name: str = "",
    advisory_committee: bool = False,
    hearing_on: datetime.date | None = None,
    context: RequestContext | None = None,
) -> Objection:
    """Register an objection against a decision whose letter was made known. The last day to
    object comes from the decision (Awb 6:7/6:8); an objection received after it is registered
    all the same and flagged `late`, for the consultant to judge (excusable, or inadmissible).
    The decision term (Awb 7:10) is computed and stored."""
    _check_may(by)
    decision = (
        ProvisionDecision.objects.select_for_update(of=("self",))
        .select_related("application__household", "application__resident")
        .get(pk=decision.pk)
    )
    term_end = objection_term_end_of(decision=decision)
    if term_end is None or not decision.is_final:
        raise ValidationError(
            _("An objection is registered against a final decision that was made known.")
        )
    errors = {}
    today = timezone.localdate()
    if received_on > today:
        errors["received_on"] = _("The day it was received cannot be in the future.")
    elif received_on < timezone.localdate(decision.decided_at):
        errors["received_on"] = _("An objection cannot be received before the decision was made.")
    if not grounds.strip():
        errors["grounds"] = _("Write down the grounds of the objection.")
    if objector_kind == ObjectorKind.REPRESENTATIVE and not objector_name.strip():
        errors["objector_name"] = _("Name the representative who lodged the objection.")
    if hearing_on is not None and hearing_on < received_on:
        errors["hearing_on"] = _("The hearing cannot be before the objection was received.")
    if errors:
        raise ValidationError(errors)
    objection = Objection(
        household=decision.application.household,
        decision=decision,
        received_on=received_on,
        objector_kind=objector_kind,
        objector_name=objector_name.strip(),
        grounds=grounds.strip(),
        objection_term_end=term_end,
        late=received_on > term_end,
        advisory_committee=advisory_committee,
        hearing_on=hearing_on,
        handled_by=by,
        registered_by=by,
    )
    objection.decision_due = objection_due_for(objection)
    objection.full_clean(exclude=["household", "decision", "handled_by", "registered_by"])
    try:
        with transaction.atomic():
            objection.save()
    except IntegrityError as exc:
        if "objection_one_open_per_decision" in str(exc):
            raise ValidationError(_("An objection against this decision is already open.")) from exc
        raise
    _audit(objection, by=by, context=context)
    return objection


@dataclass
class HandlingInput:
    """What the handling form changes; every field is set (the form shows the current ones)."""

    advisory_committee: bool
    deferred_on: datetime.date | None
    consent_deferral_weeks: int
    hearing_on: datetime.date | None
    late_excusable: bool | None


@transaction.atomic
def objection_handle(
    *,
    objection: Objection,
    by,
    data: HandlingInput,
    expected_version: int | None = None,
    context: RequestContext | None = None,
) -> Objection:
    """Change how an open objection is handled: an advisory committee (12 weeks instead of 6),
    the deferral by 6 weeks (Awb 7:10(3): sent before the term ended, once, never taken back),
    a further deferral the objector agreed to (7:10(4)), the hearing date, and for a late
    objection whether the lateness is excusable. The decision term is recomputed and stored."""
    _check_may(by)
    locked = _locked(objection, expected_version)
    if not locked.is_open:
        raise ValidationError(_("This objection has been decided; its handling is closed."))
    today = timezone.localdate()
    errors = {}
    if locked.deferred_on is not None and data.deferred_on != locked.deferred_on:
        errors["deferred_on"] = _("A deferral that was sent cannot be changed or taken back.")
    elif locked.deferred_on is None and data.deferred_on is not None:
        if data.deferred_on > today:
            errors["deferred_on"] = _("Record the deferral on or after the day it was sent.")
        elif data.deferred_on < locked.received_on:
            errors["deferred_on"] = _("A deferral is sent after the objection was received.")
        elif data.deferred_on > locked.decision_due:
            errors["deferred_on"] = _(
                "A deferral must be sent before the decision term ended (Awb 7:10(3))."
            )
    if data.consent_deferral_weeks and locked.deferred_on is None and data.deferred_on is None:
        errors["consent_deferral_weeks"] = _(
            "A further deferral with consent comes after the deferral of 6 weeks."
        )
    if data.consent_deferral_weeks > 52:
        errors["consent_deferral_weeks"] = _("At most 52 weeks.")
    if data.hearing_on is not None and data.hearing_on < locked.received_on:
        errors["hearing_on"] = _("The hearing cannot be before the objection was received.")
    if data.late_excusable is not None and not locked.late:
        errors["late_excusable"] = _("This objection was received in time.")
    if errors:
        raise ValidationError(errors)
    locked.advisory_committee = data.advisory_committee
    locked.deferred_on = data.deferred_on
    locked.consent_deferral_weeks = data.consent_deferral_weeks
    locked.hearing_on = data.hearing_on
    locked.late_excusable = data.late_excusable if locked.late else None
    locked.decision_due = objection_due_for(locked)
    locked.full_clean(exclude=["household", "decision", "handled_by", "registered_by"])
    _save(
        locked,
        [
            "advisory_committee",
            "deferred_on",
            "consent_deferral_weeks",
            "hearing_on",
            "late_excusable",
            "decision_due",
        ],
    )
    _audit(locked, by=by, context=context)
    return locked


REASONS_NEEDED = (
    ObjectionOutcome.FOUNDED,
    ObjectionOutcome.UNFOUNDED,
    ObjectionOutcome.INADMISSIBLE,
)


@transaction.atomic
def objection_decide(
    *,
    objection: Objection,
    by,
    outcome: str,
    reasons: str = "",
    new_decision: bool = False,
    decided_on: datetime.date | None = None,
    expected_version: int | None = None,
    context: RequestContext | None = None,
) -> Objection:
    """Decide on an open objection: founded, unfounded, inadmissible or withdrawn. A late
    objection is first judged (excusable or not, `objection_handle`); one late without excuse
    can only be inadmissible (or withdrawn). Founded, with `new_decision`: a new application on
    the same request is made through `cases.provisions.services.application_after_objection`,
    taken into review by this consultant, who decides it on the decision screen."""
    _check_may(by)
    locked = _locked(objection, expected_version)
    if not locked.is_open:
        raise ValidationError(_("This objection has already been decided."))
    today = timezone.localdate()
    decided_on = decided_on or today
    errors = {}
    if outcome not in ObjectionOutcome.values:
        errors["outcome"] = _("Choose founded, unfounded, inadmissible or withdrawn.")
    elif outcome in REASONS_NEEDED and not reasons.strip():
        errors["reasons"] = _("Give the reasons for this outcome.")
    elif locked.late and outcome not in (
        ObjectionOutcome.INADMISSIBLE,
        ObjectionOutcome.WITHDRAWN,
    ):
        if locked.late_excusable is None:
            errors["outcome"] = _(
                "This objection came in late: first judge whether the lateness is excusable."
            )
        elif locked.late_excusable is False:
            errors["outcome"] = _(
                "An objection that was late without excuse is declared inadmissible."
            )
    if new_decision and outcome != ObjectionOutcome.FOUNDED:
        errors["new_decision"] = _("A new decision follows only a founded objection.")
    if decided_on > today or decided_on < locked.received_on:
        errors["decided_on"] = _("Decided on a day between receipt and today.")
    if errors:
        raise ValidationError(errors)
    locked.outcome = outcome
    locked.outcome_reasons = reasons.strip()
    locked.decided_on = decided_on
    locked.decided_by = by
    fields = ["outcome", "outcome_reasons", "decided_on", "decided_by"]
    if new_decision:
        locked.new_application = application_after_objection(
            decision=locked.decision,
            by=by,
            motivation=_("New decision after a founded objection of %(date)s: %(reasons)s")
            % {"date": locked.received_on.strftime("%d-%m-%Y"), "reasons": reasons.strip()},
            context=context,
        )
        fields.append("new_application")
    locked.full_clean(exclude=["household", "decision", "handled_by", "registered_by"])
    _save(locked, fields)
    _audit(locked, by=by, context=context)
    return locked


@transaction.atomic
def open_objection_clocks_recompute() -> int:
    """After a change to the holiday table (`cases.tasks.open_clocks_recompute`, after the
    decisions' letters were recomputed): the last day to object as the decision now has it, and
    the stored decision term of every open objection. Returns how many moved."""
    moved = 0
    objections = Objection.objects.open().select_for_update(of=("self",)).select_related("decision")
    for objection in objections:
        term_end = (
            objection_term_end_of(decision=objection.decision) or objection.objection_term_end
        )
        objection.objection_term_end = term_end
        due = objection_due_for(objection)
        if due != objection.decision_due:
            Objection.objects.filter(pk=objection.pk).update(
                objection_term_end=term_end, decision_due=due
            )
            moved += 1
    return moved
