"""Writes for provisions: referrals, applications, decisions, allocations, team-mandate spending
and deadline reminders. Each function is one transaction; every entry point calls these.

A write that changes a household file records its access-log row with `cases.audit.audit_change`
as its last step, inside its transaction; views pass `context=request_context(request)`. The
four-eyes rule (`decision_needs_cosign`, `decision_cosign_refusal`) is owned here."""

import copy
import datetime
import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from cases import permissions
from cases.audit import RequestContext, audit_change
from cases.households.models import Household
from cases.households.services import ConcurrentEditError
from cases.legal_terms import agreed_term_end
from cases.partners.services import allocation_announce, allocation_request_answer
from cases.plans.models import PlanStatus, SupportPlan
from cases.provisions.models import (
    SUSPENSION_PERIOD_KINDS,
    UNDECIDED_STATUSES,
    AdvanceException,
    AdvanceExceptionReason,
    AdvancePayment,
    Allocation,
    ApplicationStatus,
    ApplicationTermEvent,
    BudgetCommitment,
    DeadlineChangeReason,
    DecisionDeadlineChange,
    DecisionLetter,
    DecisionOutcome,
    Delivery,
    GeneralProvisionReferral,
    LetterIssueReason,
    MandateSpending,
    Notification,
    NotificationKind,
    ProvisionApplication,
    ProvisionDecision,
    ReferralOutcome,
    SubsidySignal,
    TermEventKind,
)
from cases.provisions.selectors import (
    BUDGET_WARN_SHARE,
    advance_next_due,
    application_advance_first_due,
    application_decision_deadline,
    cosign_candidates,
    decision_objection_deadline,
    provider_contracted,
    stream_budget_use,
)
from networks.models import BudgetStream, Frequency, GeneralProvision, Product, Unit
from teams.models import Team, TeamMandate
from teams.permissions import can_spend_mandate
from teams.roles import Role, has_role

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


class DecisionConflictError(ConcurrentEditError):
    """Another consultant decided this application first; this decision was not saved."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or _(
                "A colleague has just decided on this application. Your decision was not "
                "saved; reload the page to see theirs."
            )
        )


def _application_changed() -> ConcurrentEditError:
    return ConcurrentEditError(
        _(
            "Someone else changed this application while you were working on it. Reload the "
            "page to see the change; nothing was saved."
        )
    )


def _audit(
    *,
    by,
    context: RequestContext | None,
    object_type: str,
    object_id,
    household_uuid,
    residents: Iterable = (),
) -> None:
    """The write's access-log row: the last step of a service, inside its transaction."""
    audit_change(
        by=by,
        context=context,
        object_type=object_type,
        object_id=object_id,
        household_uuid=household_uuid,
        resident_uuids=[resident.uuid for resident in residents if resident is not None],
    )


def _plan_for(household: Household, plan):
    """The given plan (it must be this household's), or else the household's current plan:
    the active one, or the newest draft."""
    if plan is not None:
        if plan.household_id != household.pk:
            raise ValidationError(_("This plan belongs to another household."))
        return plan
    return (
        SupportPlan.objects.filter(household=household)
        .exclude(status=PlanStatus.CLOSED)
        .order_by("status", "-pk")  # "active" sorts before "draft"
        .first()
    )


# Referrals to general provisions ---------------------------------------------------------------


@transaction.atomic
def referral_create(
    *,
    household: Household,
    provision: GeneralProvision,
    by,
    reason: str = "",
    referred_on: datetime.date | None = None,
    plan=None,
    context: RequestContext | None = None,
) -> GeneralProvisionReferral:
    """Point a household to a general provision: no decision needed; a follow-up is planned."""
    if not permissions.can_apply_for_provision(by):
        raise PermissionDenied
    referral = _referral_new(
        household=household,
        provision=provision,
        by=by,
        reason=reason,
        referred_on=referred_on,
        plan=plan,
    )
    _audit(
        by=by,
        context=context,
        object_type="referral",
        object_id=referral.uuid,
        household_uuid=household.uuid,
    )
    return referral


def _referral_new(
    *,
    household: Household,
    provision: GeneralProvision,
    by,
    reason: str = "",
    referred_on: datetime.date | None = None,
    decision: ProvisionDecision | None = None,
    plan=None,
) -> GeneralProvisionReferral:
    """The referral itself, for `referral_create` and for a decision that refers back (which
    records the change once, as the decision)."""
    if not provision.active:
        raise ValidationError({"provision": _("This general provision is no longer offered.")})
    referred_on = referred_on or timezone.localdate()
    referral = GeneralProvisionReferral(
        household=household,
        provision=provision,
        reason=reason,
        referred_on=referred_on,
        follow_up_on=agreed_term_end(referred_on, weeks=GeneralProvisionReferral.FOLLOW_UP_WEEKS),
        decision=decision,
        plan=_plan_for(household, plan),
        referred_by=by,
    )
    referral.full_clean()
    referral.save()
    return referral


@transaction.atomic
def referral_follow_up(
    *,
    referral: GeneralProvisionReferral,
    by,
    outcome: str,
    note: str = "",
    context: RequestContext | None = None,
) -> GeneralProvisionReferral:
    """Record whether the general provision helped."""
    if not permissions.can_follow_up_referral(by):
        raise PermissionDenied
    if outcome == ReferralOutcome.PENDING:
        raise ValidationError({"outcome": _("Say whether the provision helped.")})
    referral = GeneralProvisionReferral.objects.select_for_update().get(pk=referral.pk)
    referral.outcome = outcome
    referral.outcome_note = note
    referral.followed_up_on = timezone.localdate()
    referral.full_clean()
    referral.save(update_fields=["outcome", "outcome_note", "followed_up_on"])
    _audit(
        by=by,
        context=context,
        object_type="referral",
        object_id=referral.uuid,
        household_uuid=referral.household.uuid,
    )
    return referral


# Applications ----------------------------------------------------------------------------------


@transaction.atomic
def application_submit(
    *,
    household: Household,
    product: Product,
    motivation: str,
    by,
    applied_on: datetime.date | None = None,
    resident=None,
    plan=None,
    context: RequestContext | None = None,
) -> ProvisionApplication:
    """Apply for an individual provision for a resident of the household; the legal clock
    (Wmo 2 weeks, Jeugdwet and Participatiewet 8 weeks) starts at `applied_on`, and its
    deadline is stored (`selectors.application_decision_deadline`); for algemene bijstand so is
    the first advance's due day (Participatiewet art. 52, `selectors.advance_next_due`)."""
    if not permissions.can_apply_for_provision(by):
        raise PermissionDenied
    return _application_new(
        household=household,
        product=product,
        motivation=motivation,
        by=by,
        applied_on=applied_on,
        resident=resident,
        plan=plan,
        context=context,
    )


def _application_new(
    *, household, product, motivation, by, applied_on, resident, plan, context
) -> ProvisionApplication:
    if not product.active:
        raise ValidationError({"product": _("This product can no longer be applied for.")})
    if (
        resident is not None
        and not household.memberships.current().filter(resident=resident).exists()
    ):
        raise ValidationError({"resident": _("This person does not live in the household.")})
    application = ProvisionApplication(
        household=household,
        resident=resident,
        product=product,
        motivation=motivation,
        applied_on=applied_on or timezone.localdate(),
        applied_by=by,
        plan=_plan_for(household, plan),
    )
    application.law = product.law
    application.decision_deadline = application_decision_deadline(
        law=product.law, applied_on=application.applied_on
    )
    application.advance_due_on = application_advance_first_due(
        product=product, applied_on=application.applied_on
    )
    application.full_clean()
    application.save()
    _audit_application(application, by=by, context=context)
    return application


@transaction.atomic
def application_after_objection(
    *,
    decision: ProvisionDecision,
    by,
    motivation: str,
    applied_on: datetime.date | None = None,
    context: RequestContext | None = None,
) -> ProvisionApplication:
    """A founded objection (`cases.objections`): the consultant makes a new decision on the same
    request. A new application for the decision's household, resident and product, with its own
    decision term, taken into review by the consultant; it is decided on the decision screen
    like any other (`decision_make`: four eyes, contract, budget)."""
    if not permissions.can_decide(by):
        raise PermissionDenied
    old = decision.application
    application = _application_new(
        household=old.household,
        product=old.product,
        motivation=motivation,
        by=by,
        applied_on=applied_on,
        resident=old.resident,
        plan=old.plan,
        context=context,
    )
    return application_claim(application=application, by=by, context=context)


def _audit_application(
    application: ProvisionApplication, *, by, context: RequestContext | None
) -> None:
    _audit(
        by=by,
        context=context,
        object_type="application",
        object_id=application.uuid,
        household_uuid=application.household.uuid,
        residents=[application.resident],
    )


def _locked(application: ProvisionApplication, expected_version: int | None):
    locked = ProvisionApplication.objects.select_for_update().get(pk=application.pk)
    if expected_version is not None and locked.version != expected_version:
        if locked.is_decided or locked.status == ApplicationStatus.AWAITING_COSIGN:
            raise DecisionConflictError()
        raise _application_changed()
    return locked


def _move(application: ProvisionApplication, status: str) -> None:
    if not application.can_move_to(status):
        raise ValidationError(
            _("An application with status “%(current)s” cannot become “%(new)s”.")
            % {
                "current": application.get_status_display(),
                "new": ApplicationStatus(status).label,
            }
        )
    application.status = status


def _save_application(application: ProvisionApplication, by) -> None:
    application.version = F("version") + 1
    application.save(update_fields=["status", "assigned_to", "version", "updated_at"])
    application.refresh_from_db(fields=["version"])


@transaction.atomic
def application_claim(
    *,
    application: ProvisionApplication,
    by,
    expected_version: int | None = None,
    context: RequestContext | None = None,
) -> ProvisionApplication:
    """A consultant takes the application into review."""
    return application_assign(
        application=application,
        consultant=by,
        by=by,
        expected_version=expected_version,
        context=context,
    )


@transaction.atomic
def application_assign(
    *,
    application: ProvisionApplication,
    consultant,
    by,
    expected_version: int | None = None,
    context: RequestContext | None = None,
) -> ProvisionApplication:
    """Put an application in review with a (named) consultant."""
    if not permissions.can_decide(by):
        raise PermissionDenied
    if not has_role(consultant, Role.CONSULTANT):
        raise ValidationError({"consultant": _("Only a municipal consultant can review this.")})
    locked = _locked(application, expected_version)
    _move(locked, ApplicationStatus.IN_REVIEW)
    locked.assigned_to = consultant
    _save_application(locked, by)
    _audit_application(locked, by=by, context=context)
    return locked


def _may_withdraw_applications(user) -> bool:
    return permissions.can_apply_for_provision(user) or permissions.can_decide(user)


def application_may_withdraw(*, application: ProvisionApplication, by) -> bool:
    """Whether `by` may withdraw the application now: a generalist or a consultant, before a
    decision (also before a co-signature is asked). `application_withdraw` enforces it."""
    return _may_withdraw_applications(by) and application.can_move_to(ApplicationStatus.WITHDRAWN)


@transaction.atomic
def application_withdraw(
    *,
    application: ProvisionApplication,
    by,
    expected_version: int | None = None,
    context: RequestContext | None = None,
) -> ProvisionApplication:
    """The resident withdraws the application before a decision."""
    if not _may_withdraw_applications(by):
        raise PermissionDenied
    locked = _locked(application, expected_version)
    _move(locked, ApplicationStatus.WITHDRAWN)
    _save_application(locked, by)
    _advance_stop(locked)
    _audit_application(locked, by=by, context=context)
    return locked


def grant_amount_estimate(
    *,
    tariff: Decimal,
    volume: int,
    unit: str,
    frequency: str,
    start_date: datetime.date,
    end_date: datetime.date | None,
) -> Decimal:
    """Tariff * volume * number of periods between start and end (a year when open-ended).
    Unit 83 (euro) counts the volume in eurocent."""
    per_period = Decimal(volume) / 100 if unit == Unit.EURO else Decimal(tariff) * volume
    end = end_date or (start_date + datetime.timedelta(days=364))
    days = (end - start_date).days + 1
    periods = {
        Frequency.PER_DAY: days,
        Frequency.PER_WEEK: math.ceil(days / 7),
        Frequency.PER_MONTH: math.ceil(days / 30),
        Frequency.TOTAL: 1,
    }[frequency]
    return (per_period * periods).quantize(CENT)


# The four-eyes rule --------------------------------------------------------------------------


def four_eyes_amount() -> Decimal:
    """Above this amount (settings.FOUR_EYES_AMOUNT, in euro) a grant needs a co-signature."""
    return Decimal(settings.FOUR_EYES_AMOUNT)


def decision_needs_cosign(*, outcome: str, amount: Decimal | None) -> bool:
    """The four-eyes rule: a grant above `four_eyes_amount()` is only final once a second
    consultant co-signs it. The one place the rule is decided: `decision_make` stores the
    answer (`ProvisionDecision.cosign_required`)."""
    return outcome == DecisionOutcome.GRANT and amount is not None and amount > four_eyes_amount()


def decision_cosign_refusal(*, decision: ProvisionDecision, by) -> Exception | None:
    """Why `by` may not co-sign the decision now, as the exception `decision_cosign` raises,
    or None when they may: a consultant, not the one who decided, on a decision that awaits
    its co-signature (`decision_needs_cosign`). `decision.application` must be current."""
    if not permissions.can_decide(by):
        return PermissionDenied()
    if (
        not decision.cosign_required
        or decision.cosigned_by_id
        or decision.application.status != ApplicationStatus.AWAITING_COSIGN
    ):
        return DecisionConflictError(_("This decision has already been co-signed."))
    if decision.decided_by_id == by.pk:
        return ValidationError(_("A second consultant must co-sign, not the first."))
    return None


def decision_may_cosign(*, decision: ProvisionDecision | None, by) -> bool:
    """Whether `by` may co-sign the decision now (for the co-sign button)."""
    return decision is not None and decision_cosign_refusal(decision=decision, by=by) is None


# Decisions -------------------------------------------------------------------------------------


@dataclass
class DecisionInput:
    outcome: str
    product: Product | None = None
    volume: int | None = None
    unit: str = ""
    frequency: str = ""
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    delivery: str = ""
    provider: object = None
    amount: Decimal | None = None
    reasons: str = ""
    general_provision: GeneralProvision | None = None
    signal_subsidy: bool = False
    signal_reason: str = ""
    is_deviation: bool = False
    deviation_justification: str = ""


def _check_input(data: DecisionInput) -> None:
    """Field-level messages before the database constraints (which hold regardless)."""
    errors: dict[str, str] = {}
    if data.outcome == DecisionOutcome.GRANT:
        extent = (data.volume, data.unit, data.frequency)
        if not all(extent):
            errors["volume"] = _(
                "The extent consists of volume, unit and frequency: fill in all three."
            )
        if not data.start_date:
            errors["start_date"] = _("A grant needs a start date.")
        if not data.delivery:
            errors["delivery"] = _("Choose in kind or personal budget (pgb).")
        if data.delivery == Delivery.IN_KIND and not data.provider:
            errors["provider"] = _("A grant in kind needs a provider.")
    elif data.outcome == DecisionOutcome.REJECT:
        if not data.reasons.strip():
            errors["reasons"] = _("A rejection needs its reasons.")
    elif data.outcome == DecisionOutcome.REFER_BACK:
        if not data.general_provision:
            errors["general_provision"] = _("Name the general provision to try first.")
        if not data.reasons.strip():
            errors["reasons"] = _("Give the reason for referring back.")
    else:
        errors["outcome"] = _("Choose grant, reject or refer back.")
    if data.is_deviation and not data.deviation_justification.strip():
        errors["deviation_justification"] = _("A deviation from the regulation must be justified.")
    if errors:
        raise ValidationError(errors)


def _check_contract(data: DecisionInput, product: Product) -> None:
    """A grant in kind only to a provider with a contract for the product that runs on the
    grant's start date (`networks.models.Contract`): the form offers only those, this holds for
    every caller."""
    if data.outcome != DecisionOutcome.GRANT or data.delivery != Delivery.IN_KIND:
        return
    if not provider_contracted(
        provider_id=data.provider.pk, product_id=product.pk, on=data.start_date
    ):
        raise ValidationError(
            {
                "provider": _(
                    "%(provider)s has no contract for %(product)s on %(date)s: a grant in kind "
                    "goes to a contracted provider. Choose another provider or a personal "
                    "budget (pgb)."
                )
                % {
                    "provider": data.provider.name,
                    "product": product.name,
                    "date": date_format(data.start_date, "j F Y"),
                }
            }
        )


def _decision_build(
    application: ProvisionApplication, data: DecisionInput, by
) -> ProvisionDecision:
    """The decision `data` describes, unsaved: what `decision_make` stores and what the
    letter preview shows."""
    decision = ProvisionDecision(
        application=application,
        outcome=data.outcome,
        reasons=data.reasons,
        is_deviation=data.is_deviation,
        deviation_justification=data.deviation_justification if data.is_deviation else "",
        decided_by=by,
        decided_at=timezone.now(),
    )
    if data.outcome == DecisionOutcome.GRANT:
        product = data.product or application.product
        decision.product = product
        decision.volume = data.volume
        decision.unit = data.unit
        decision.frequency = data.frequency
        decision.start_date = data.start_date
        decision.end_date = data.end_date
        decision.delivery = data.delivery
        decision.provider = data.provider if data.delivery == Delivery.IN_KIND else None
        decision.amount = data.amount
        if data.amount is None and all((data.volume, data.unit, data.frequency, data.start_date)):
            decision.amount = grant_amount_estimate(
                tariff=product.tariff,
                volume=data.volume,
                unit=data.unit,
                frequency=data.frequency,
                start_date=data.start_date,
                end_date=data.end_date,
            )
        decision.cosign_required = decision.amount is not None and decision_needs_cosign(
            outcome=decision.outcome, amount=decision.amount
        )
    elif data.outcome == DecisionOutcome.REFER_BACK:
        decision.general_provision = data.general_provision
    return decision


def decision_preview(
    *, application: ProvisionApplication, by, data: DecisionInput
) -> ProvisionDecision:
    """The decision as the form describes it so far, for the letter preview: never saved,
    nothing checked (the form may still be incomplete), nothing logged. Built on a copy of the
    application, so the caller's application keeps no decision."""
    return _decision_build(copy.copy(application), data, by)


@transaction.atomic
def decision_make(
    *,
    application: ProvisionApplication,
    by,
    data: DecisionInput,
    expected_version: int | None = None,
    context: RequestContext | None = None,
) -> ProvisionDecision:
    """Decide on an application: grant, reject or refer back to a general provision.

    The application row is locked, so of two consultants deciding at once one wins and the
    other gets DecisionConflictError; the one-to-one relation guarantees it in the database too.
    A grant above the four-eyes amount (`decision_needs_cosign`) waits for a second consultant's
    co-signature before it is final (allocation and budget commitment follow on co-signing)."""
    if not permissions.can_decide(by):
        raise PermissionDenied
    locked = _locked(application, expected_version)
    if locked.is_decided or locked.status == ApplicationStatus.AWAITING_COSIGN:
        raise DecisionConflictError(
            _("This application has already been decided; it cannot be decided again.")
        )
    if locked.assigned_to_id and locked.assigned_to_id != by.pk:
        raise ValidationError(
            _("This application is being handled by a colleague; ask them or re-assign it first.")
        )
    _check_input(data)
    _check_contract(data, data.product or locked.product)
    decision = _decision_build(locked, data, by)
    if data.outcome == DecisionOutcome.GRANT:
        status = (
            ApplicationStatus.AWAITING_COSIGN
            if decision.cosign_required
            else ApplicationStatus.GRANTED
        )
    elif data.outcome == DecisionOutcome.REJECT:
        status = ApplicationStatus.REJECTED
    else:
        status = ApplicationStatus.REFERRED_BACK
    decision.full_clean(exclude=["application"])
    try:
        with transaction.atomic():
            decision.save()
    except IntegrityError as exc:
        if "application_id" in str(exc) or "decision_application" in str(exc):
            raise DecisionConflictError() from exc
        raise
    _move(locked, status)
    locked.assigned_to_id = locked.assigned_to_id or by.pk
    _save_application(locked, by)
    decision.application = locked
    if data.outcome == DecisionOutcome.GRANT and decision.is_final:
        _grant_take_effect(decision)
    elif decision.cosign_required:
        _request_cosignature(decision, by)
    if data.outcome == DecisionOutcome.REFER_BACK:
        _referral_new(
            household=locked.household,
            provision=data.general_provision,
            by=by,
            reason=data.reasons,
            decision=decision,
            plan=locked.plan,
        )
        if data.signal_subsidy:
            SubsidySignal.objects.create(
                general_provision=data.general_provision,
                decision=decision,
                reason=data.signal_reason.strip() or data.reasons,
                raised_by=by,
            )
    if decision.is_final:
        _decision_final(decision, by=by)
        allocation_request_answer(decision=decision)
    _audit_decision(decision, application=application, by=by, context=context)
    return decision


def _audit_decision(
    decision: ProvisionDecision,
    *,
    application: ProvisionApplication,
    by,
    context: RequestContext | None,
) -> None:
    _audit(
        by=by,
        context=context,
        object_type="decision",
        object_id=decision.uuid,
        household_uuid=application.household.uuid,
        residents=[application.resident],
    )


@transaction.atomic
def decision_cosign(
    *, decision: ProvisionDecision, by, context: RequestContext | None = None
) -> ProvisionDecision:
    """A second consultant co-signs a grant above the four-eyes amount; then it takes effect."""
    application = ProvisionApplication.objects.select_for_update().get(pk=decision.application_id)
    locked = ProvisionDecision.objects.select_related("product").get(pk=decision.pk)
    locked.application = application
    refusal = decision_cosign_refusal(decision=locked, by=by)
    if refusal is not None:
        raise refusal
    decision = locked
    decision.cosigned_by = by
    decision.cosigned_at = timezone.now()
    decision.full_clean(exclude=["application"])
    decision.save(update_fields=["cosigned_by", "cosigned_at"])
    _move(application, ApplicationStatus.GRANTED)
    _save_application(application, by)
    decision.application = application
    _grant_take_effect(decision)
    _decision_final(decision, by=by)
    allocation_request_answer(decision=decision)
    _audit_decision(decision, application=application, by=by, context=context)
    return decision


def _request_cosignature(decision: ProvisionDecision, by) -> None:
    """Ask the other consultants of the area (district and law) for the second signature; all
    other consultants when the area has none."""
    application = decision.application
    household = Household.objects.select_related("neighbourhood").get(pk=application.household_id)
    district_id = household.neighbourhood.district_id if household.neighbourhood else None
    User = get_user_model()
    consultants = User.objects.filter(groups__name=Role.CONSULTANT, is_active=True).exclude(
        pk=by.pk
    )
    in_area = consultants.filter(
        consultant_areas__district_id=district_id, consultant_areas__law_domain=application.law
    )
    message = _("Co-sign the grant of %(product)s for %(address)s (€ %(amount)s).") % {
        "product": decision.product.name,
        "address": household.address_line,
        "amount": _euro(decision.amount),
    }
    for user in (in_area if in_area.exists() else consultants).distinct():
        _notify(user=user, application=application, kind=NotificationKind.COSIGN, message=message)


@transaction.atomic
def decision_cosign_request(
    *, decision: ProvisionDecision, consultant, by, context: RequestContext | None = None
) -> None:
    """Ask (again) one consultant of the household's team for the second signature: anyone in
    `cosign_candidates`, also a consultant who joined the team after the decision, so a grant
    never waits on someone who left or is away. Asking the same consultant again puts the
    request back in their unread notifications."""
    if not permissions.can_decide(by):
        raise PermissionDenied
    application = ProvisionApplication.objects.select_for_update().get(pk=decision.application_id)
    locked = ProvisionDecision.objects.select_related("product").get(pk=decision.pk)
    if (
        not locked.cosign_required
        or locked.cosigned_by_id
        or application.status != ApplicationStatus.AWAITING_COSIGN
    ):
        raise DecisionConflictError(_("This decision does not await a co-signature."))
    application.decision = locked
    if not cosign_candidates(application=application).filter(pk=consultant.pk).exists():
        raise ValidationError(
            {"consultant": _("Choose a consultant of the team other than the one who decided.")}
        )
    household = application.household
    message = _("Co-sign the grant of %(product)s for %(address)s (€ %(amount)s).") % {
        "product": locked.product.name,
        "address": household.address_line,
        "amount": _euro(locked.amount),
    }
    Notification.objects.update_or_create(
        user=consultant,
        application=application,
        kind=NotificationKind.COSIGN,
        defaults={"message": message[:300], "read_at": None},
    )
    _audit_decision(locked, application=application, by=by, context=context)


# The budget stream a grant or a mandate spending commits to ------------------------------------


class OverBudget(ValidationError):
    """The commitment would take its stream beyond 100 % of the budget, and no team lead
    approved it with a reason."""


def _budget_commit(
    *,
    stream_id: int,
    year: int,
    district_id: int | None,
    team: Team | None,
    amount: Decimal,
    override_by=None,
    override_reason: str = "",
    **source,
) -> BudgetCommitment:
    """Commit `amount` against the stream's budget (`stream_budget_use`, its row locked): beyond
    100 % only with a team lead's reason (`override_by`, recorded on the commitment and so in
    its audit row's object); at 90 % or more the commitment carries a `budget_warning` for the
    screen."""
    use = stream_budget_use(stream_id=stream_id, year=year, district_id=district_id, lock=True)
    warning = ""
    approved_by, reason = None, ""
    if use is not None:
        share = use.share_after(amount)
        figures = {
            "percent": number_format(min(share, Decimal(999)) * 100, 0),
            "budget": _euro(use.budget.amount),
            "left": _euro(use.budget.amount - use.committed),
        }
        if share > 1:
            if not (
                override_by is not None
                and permissions.can_override_budget(override_by)
                and override_reason.strip()
            ):
                raise OverBudget(
                    {
                        "amount": _(
                            "This would take the budget stream to %(percent)s %% of its budget "
                            "(€ %(left)s of € %(budget)s left). Only a team lead can approve "
                            "this, with a reason."
                        )
                        % figures
                    }
                )
            approved_by, reason = override_by, override_reason.strip()
            warning = (
                _("Committed beyond the budget (%(percent)s %%), approved by a team lead.")
                % figures
            )
        elif share >= BUDGET_WARN_SHARE:
            warning = (
                _("Note: the budget stream is now at %(percent)s %% of its budget (€ %(budget)s).")
                % figures
            )
    commitment = BudgetCommitment.objects.create(
        stream_id=stream_id,
        year=year,
        district_id=district_id,
        team=team,
        amount=amount,
        over_budget_reason=reason,
        over_budget_approved_by=approved_by,
        **source,
    )
    commitment.budget_warning = warning
    return commitment


@transaction.atomic
def application_budget_override(
    *,
    application: ProvisionApplication,
    reason: str,
    by,
    context: RequestContext | None = None,
) -> ProvisionApplication:
    """A team lead approves granting this application beyond its stream's budget, with a
    reason; the grant's commitment records it (`_budget_commit`)."""
    if not permissions.can_override_budget(by):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason to exceed the budget.")})
    locked = _locked(application, None)
    if locked.is_decided:
        raise DecisionConflictError(
            _("This application has already been decided; it cannot be decided again.")
        )
    locked.budget_override_reason = reason.strip()
    locked.budget_override_by = by
    locked.version = F("version") + 1
    locked.save(
        update_fields=["budget_override_reason", "budget_override_by", "version", "updated_at"]
    )
    locked.refresh_from_db(fields=["version"])
    _audit_application(locked, by=by, context=context)
    return locked


def _team_of_household(household: Household) -> tuple[int | None, Team | None]:
    neighbourhood = household.neighbourhood
    if neighbourhood is None:
        return None, None
    district_id = neighbourhood.district_id
    return district_id, Team.objects.filter(district_id=district_id).first()


def _grant_take_effect(decision: ProvisionDecision) -> None:
    """A final grant commits its amount against the product's budget stream; a grant in kind
    also gets an allocation (toewijzing) for the provider."""
    application = decision.application
    household = Household.objects.select_related("neighbourhood").get(pk=application.household_id)
    district_id, team = _team_of_household(household)
    commitment = _budget_commit(
        stream_id=decision.product.budget_stream_id,
        year=decision.start_date.year,
        district_id=district_id,
        team=team,
        amount=decision.amount,
        override_by=application.budget_override_by,
        override_reason=application.budget_override_reason,
        decision=decision,
    )
    decision.budget_warning = commitment.budget_warning
    if decision.delivery == Delivery.IN_KIND:
        allocation = Allocation.objects.create(
            number=uuid.uuid4().hex[:20],
            decision=decision,
            household=household,
            provider_id=decision.provider_id,
            product_id=decision.product_id,
            volume=decision.volume,
            unit=decision.unit,
            frequency=decision.frequency,
            start_date=decision.start_date,
            end_date=decision.end_date,
            client_id=application.resident_id,
        )
        # iWmo/iJw ToewijzingNummer: numeric, new on every initial grant
        allocation.number = f"{allocation.pk:08d}"
        allocation.save(update_fields=["number"])
        allocation_announce(allocation=allocation, event="allocation.created")


def _euro(amount: Decimal) -> str:
    return number_format(amount, 2, force_grouping=True)


# Decision clocks: the decision term, the letter's objection term, the advance -------------------
#
# What the Awb and the Participatiewet say about an application's clocks, recorded by the
# consultant; each service recomputes the stored date with the selectors that compute it
# (`application_decision_deadline`, `decision_objection_deadline`, `advance_next_due`) and keeps
# the history (`DecisionDeadlineChange`, `DecisionLetter`, `AdvancePayment`).


def _undecided(application: ProvisionApplication) -> None:
    if application.is_decided:
        raise ValidationError(
            _("This application has been decided: its decision term no longer runs.")
        )


def _not_after_today(value: datetime.date | None, name: str, today: datetime.date) -> dict:
    if value is not None and value > today:
        return {name: _("This day lies in the future: record it when it has happened.")}
    return {}


def _deadline_record(
    application: ProvisionApplication,
    *,
    events: list,
    by,
    reason: str,
    event: ApplicationTermEvent | None = None,
    note: str = "",
    always: bool = False,
) -> bool:
    """Recompute the application's decision deadline from its events and store it, with a
    history row (previous and new day, why, by whom, when). Without `always` nothing is written
    when the day stays the same. True when the deadline moved."""
    previous = application.decision_deadline
    new = application_decision_deadline(
        law=application.law, applied_on=application.applied_on, events=events
    )
    if new == previous and not always:
        return False
    DecisionDeadlineChange.objects.create(
        application=application,
        event=event,
        reason=reason,
        previous_deadline=previous,
        new_deadline=new,
        note=note[:300],
        changed_by=by,
    )
    if new != previous:
        application.decision_deadline = new
        application.save(update_fields=["decision_deadline", "updated_at"])
    return new != previous


@dataclass
class TermEventInput:
    """What the consultant records about the decision term; which fields count depends on the
    kind (`ApplicationTermEvent`), the others are ignored."""

    kind: str
    asked_on: datetime.date | None = None
    period_days: int | None = None
    completed_on: datetime.date | None = None
    suspended_from: datetime.date | None = None
    suspended_until: datetime.date | None = None
    given_on: datetime.date | None = None
    expected_on: datetime.date | None = None
    note: str = ""


TERM_EVENT_FIELDS = {
    TermEventKind.INCOMPLETE: ("asked_on", "period_days", "completed_on"),
    **dict.fromkeys(SUSPENSION_PERIOD_KINDS, ("suspended_from", "suspended_until")),
    TermEventKind.NOTICE: ("given_on", "expected_on"),
}


def _term_event_errors(
    application: ProvisionApplication, data: TermEventInput, today: datetime.date
) -> dict:
    """Field-level messages for a term event, against the application's current deadline: a
    suspension that would begin after the term ended cannot revive it."""
    deadline = application.decision_deadline
    applied_on = application.applied_on
    errors: dict[str, str] = {}
    date_args = {"deadline": date_format(deadline, "j F Y")}
    if data.kind == TermEventKind.INCOMPLETE:
        if data.asked_on is None:
            errors["asked_on"] = _("On which day was the applicant asked to complete it?")
        elif data.asked_on < applied_on:
            errors["asked_on"] = _("The request to complete comes after the application.")
        elif data.asked_on >= deadline:
            errors["asked_on"] = (
                _(
                    "The decision term ends on %(deadline)s: a request made on or after that "
                    "day does not suspend it."
                )
                % date_args
            )
        if not data.period_days:
            errors["period_days"] = _(
                "Without a period for completing the application the term is not suspended "
                "(Awb 4:15(1)): give the period the applicant was given."
            )
        if data.completed_on is not None and data.asked_on and data.completed_on < data.asked_on:
            errors["completed_on"] = _("The application cannot be completed before the request.")
        errors.update(_not_after_today(data.asked_on, "asked_on", today))
        errors.update(_not_after_today(data.completed_on, "completed_on", today))
    elif data.kind in SUSPENSION_PERIOD_KINDS:
        if data.suspended_from is None:
            errors["suspended_from"] = _("Give the first day of the suspension.")
        elif data.suspended_from <= applied_on:
            errors["suspended_from"] = _(
                "The term begins the day after the application: a suspension begins after it."
            )
        elif data.suspended_from > deadline:
            errors["suspended_from"] = (
                _(
                    "The decision term ended on %(deadline)s: a suspension that begins after "
                    "it does not extend it."
                )
                % date_args
            )
        if data.suspended_until is None:
            errors["suspended_until"] = _("Give the last day of the suspension.")
        elif data.suspended_from and data.suspended_until < data.suspended_from:
            errors["suspended_until"] = _("The last day cannot lie before the first.")
    elif data.kind == TermEventKind.NOTICE:
        if data.given_on is None:
            errors["given_on"] = _("On which day was the applicant told?")
        elif data.given_on < applied_on:
            errors["given_on"] = _("The notice comes after the application.")
        errors.update(_not_after_today(data.given_on, "given_on", today))
        if data.expected_on is None:
            errors["expected_on"] = _("Name the day the decision can now be expected.")
        elif data.expected_on <= deadline:
            errors["expected_on"] = (
                _("The notice names a day after the current deadline (%(deadline)s).") % date_args
            )
    else:
        errors["kind"] = _("Choose what happened.")
    return errors


@transaction.atomic
def application_term_event_record(
    *,
    application: ProvisionApplication,
    by,
    data: TermEventInput,
    context: RequestContext | None = None,
) -> ApplicationTermEvent:
    """Record a suspension or a notice of delay on an undecided application (Awb 4:14, 4:15)
    and recompute its stored deadline (`selectors.application_decision_deadline`), keeping the
    history. An incomplete application needs the period the applicant was given: without one
    there is no suspension, and it is refused. A notice (4:14(1)) on an application whose law
    sets the term (Wmo) only records the expected day: the deadline stays and the decision is
    late after it; under the Jeugdwet and Participatiewet a notice given within the eight weeks
    sets the new reasonable term it names (4:14(3))."""
    if not permissions.can_decide(by):
        raise PermissionDenied
    locked = _locked(application, None)
    _undecided(locked)
    errors = _term_event_errors(locked, data, timezone.localdate())
    if errors:
        raise ValidationError(errors)
    event = ApplicationTermEvent(
        application=locked,
        kind=data.kind,
        note=data.note.strip(),
        recorded_by=by,
        **{name: getattr(data, name) for name in TERM_EVENT_FIELDS[data.kind]},
    )
    event.full_clean(exclude=["application"])
    event.save()
    _deadline_record(
        locked,
        events=list(locked.term_events.all()),
        by=by,
        reason=(
            DeadlineChangeReason.NOTICE
            if data.kind == TermEventKind.NOTICE
            else DeadlineChangeReason.SUSPENSION
        ),
        event=event,
        always=True,
    )
    _audit(
        by=by,
        context=context,
        object_type="term_event",
        object_id=event.uuid,
        household_uuid=locked.household.uuid,
        residents=[locked.resident],
    )
    return event


@transaction.atomic
def application_term_event_complete(
    *,
    event: ApplicationTermEvent,
    by,
    completed_on: datetime.date | None = None,
    context: RequestContext | None = None,
) -> ApplicationTermEvent:
    """The applicant completed the application on `completed_on` (default today): the
    suspension of Awb 4:15(1) ends the day before, and the deadline is recomputed."""
    if not permissions.can_decide(by):
        raise PermissionDenied
    locked = _locked(event.application, None)
    _undecided(locked)
    event = ApplicationTermEvent.objects.select_for_update().get(pk=event.pk)
    if event.kind != TermEventKind.INCOMPLETE or event.completed_on is not None:
        raise ValidationError(_("This request to complete the application has been dealt with."))
    today = timezone.localdate()
    completed_on = completed_on or today
    errors = _not_after_today(completed_on, "completed_on", today)
    if completed_on < event.asked_on:
        errors["completed_on"] = _("The application cannot be completed before the request.")
    if errors:
        raise ValidationError(errors)
    event.completed_on = completed_on
    event.full_clean(exclude=["application"])
    event.save(update_fields=["completed_on"])
    _deadline_record(
        locked,
        events=list(locked.term_events.all()),
        by=by,
        reason=DeadlineChangeReason.COMPLETED,
        event=event,
        always=True,
    )
    _audit(
        by=by,
        context=context,
        object_type="term_event",
        object_id=event.uuid,
        household_uuid=locked.household.uuid,
        residents=[locked.resident],
    )
    return event


def _letter_issue(
    decision: ProvisionDecision, *, by, made_known_on: datetime.date, reason: str
) -> DecisionLetter:
    """Issue (or re-issue) the decision letter: the day it was made known, the last day to
    object counted from the day after (`selectors.decision_objection_deadline`), the next
    version, and a history row of what the letter printed."""
    decision.made_known_on = made_known_on
    decision.objection_deadline = decision_objection_deadline(made_known_on=made_known_on)
    decision.letter_version = (decision.letter_version or 0) + 1
    decision.letter_issued_at = timezone.now()
    decision.save(
        update_fields=["made_known_on", "objection_deadline", "letter_version", "letter_issued_at"]
    )
    return DecisionLetter.objects.create(
        decision=decision,
        version=decision.letter_version,
        reason=reason,
        made_known_on=made_known_on,
        objection_deadline=decision.objection_deadline,
        issued_by=by,
        issued_at=decision.letter_issued_at,
    )


def _advance_stop(application: ProvisionApplication) -> None:
    """The advance clock ends (a final decision, a withdrawal)."""
    if application.advance_due_on is not None:
        application.advance_due_on = None
        application.save(update_fields=["advance_due_on", "updated_at"])


def _decision_final(decision: ProvisionDecision, *, by) -> None:
    """A decision became final: its letter is issued, made known today until the consultant
    records another day, and the advance (algemene bijstand) is no longer due."""
    _letter_issue(
        decision, by=by, made_known_on=timezone.localdate(), reason=LetterIssueReason.ISSUED
    )
    _advance_stop(decision.application)


@transaction.atomic
def decision_made_known_record(
    *,
    decision: ProvisionDecision,
    by,
    made_known_on: datetime.date,
    context: RequestContext | None = None,
) -> ProvisionDecision:
    """Record the day the decision letter was sent or handed over (Awb 6:7/6:8). A different
    day re-issues the letter (a new version, with the last day to object counted from the day
    after the new day); the history of issues is kept."""
    if not permissions.can_decide(by):
        raise PermissionDenied
    ProvisionApplication.objects.select_for_update().get(pk=decision.application_id)
    locked = ProvisionDecision.objects.select_for_update().get(pk=decision.pk)
    if not locked.is_final:
        raise ValidationError(_("The letter is issued once the decision is final."))
    today = timezone.localdate()
    errors = _not_after_today(made_known_on, "made_known_on", today)
    if made_known_on < timezone.localdate(locked.decided_at):
        errors["made_known_on"] = _("A decision is made known on or after the day it was made.")
    elif made_known_on == locked.made_known_on:
        errors["made_known_on"] = _("The letter was already recorded as made known on that day.")
    if errors:
        raise ValidationError(errors)
    _letter_issue(locked, by=by, made_known_on=made_known_on, reason=LetterIssueReason.MADE_KNOWN)
    application = ProvisionApplication.objects.select_related("household", "resident").get(
        pk=locked.application_id
    )
    _audit_decision(locked, application=application, by=by, context=context)
    return locked


def _general_assistance_clock(application: ProvisionApplication) -> None:
    if not application.product.is_general_assistance:
        raise ValidationError(_("Advances are paid only on an application for algemene bijstand."))
    _undecided(application)
    if application.advance_due_on is None:
        raise ValidationError(_("No advance is due on this application."))


@transaction.atomic
def advance_payment_record(
    *,
    application: ProvisionApplication,
    by,
    amount: Decimal,
    paid_on: datetime.date | None = None,
    context: RequestContext | None = None,
) -> AdvancePayment:
    """Record an advance paid on an application for algemene bijstand (Participatiewet art. 52)
    and store when the next one is due (`selectors.advance_next_due`)."""
    if not permissions.can_decide(by):
        raise PermissionDenied
    locked = _locked(application, None)
    _general_assistance_clock(locked)
    today = timezone.localdate()
    paid_on = paid_on or today
    errors = _not_after_today(paid_on, "paid_on", today)
    if paid_on < locked.applied_on:
        errors["paid_on"] = _("An advance is paid after the application.")
    if amount is None or amount <= 0:
        errors["amount"] = _("The amount must be more than zero.")
    if errors:
        raise ValidationError(errors)
    payment = AdvancePayment(
        application=locked,
        due_on=locked.advance_due_on,
        paid_on=paid_on,
        amount=amount,
        recorded_by=by,
    )
    payment.full_clean(exclude=["application"])
    payment.save()
    locked.advance_due_on = advance_next_due(applied_on=locked.applied_on, last_payment=payment)
    locked.save(update_fields=["advance_due_on", "updated_at"])
    _audit(
        by=by,
        context=context,
        object_type="advance_payment",
        object_id=payment.uuid,
        household_uuid=locked.household.uuid,
        residents=[locked.resident],
    )
    return payment


@transaction.atomic
def advance_exception_record(
    *,
    application: ProvisionApplication,
    by,
    reason: str,
    explanation: str,
    context: RequestContext | None = None,
) -> AdvanceException:
    """Record the exception of Participatiewet art. 52 (the applicant did not cooperate, or
    there is clearly no right to assistance), with its grounds: no further advance is due."""
    if not permissions.can_decide(by):
        raise PermissionDenied
    locked = _locked(application, None)
    _general_assistance_clock(locked)
    errors = {}
    if reason not in AdvanceExceptionReason.values:
        errors["reason"] = _("Choose the exception.")
    if not explanation.strip():
        errors["explanation"] = _("Give the grounds: the exception is recorded with its reason.")
    if errors:
        raise ValidationError(errors)
    exception = AdvanceException(
        application=locked, reason=reason, explanation=explanation.strip(), recorded_by=by
    )
    exception.full_clean(exclude=["application"])
    exception.save()
    locked.advance_due_on = None
    locked.save(update_fields=["advance_due_on", "updated_at"])
    _audit(
        by=by,
        context=context,
        object_type="advance_exception",
        object_id=locked.uuid,
        household_uuid=locked.household.uuid,
        residents=[locked.resident],
    )
    return exception


@dataclass
class ClockRecompute:
    deadlines: int = 0
    advances: int = 0
    letters: int = 0


RECOMPUTE_BATCH = 500


def open_decision_clocks_recompute(*, by=None, note: str = "") -> ClockRecompute:
    """Recompute every open clock after the holiday table (`EquatedDay`) changed: the decision
    deadline of every undecided application from its `applied_on`, law and term events, the
    next advance's due day (algemene bijstand), and the last day to object of every letter
    whose objection term still runs (a changed day re-issues the letter). What moved gets its
    history row and its access-log change row (`by`: who changed the table).

    One transaction per batch of applications, not one for all: at municipality scale a single
    transaction would hold thousands of row locks while consultants work."""
    run = ClockRecompute()
    ids = list(
        ProvisionApplication.objects.filter(status__in=UNDECIDED_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), RECOMPUTE_BATCH):
        with transaction.atomic():
            applications = (
                ProvisionApplication.objects.select_for_update(of=("self",))
                .filter(pk__in=ids[start : start + RECOMPUTE_BATCH], status__in=UNDECIDED_STATUSES)
                .select_related("household", "resident")
                .prefetch_related("term_events", "advance_payments")
                .order_by("pk")
            )
            for application in applications:
                moved = _deadline_record(
                    application,
                    events=list(application.term_events.all()),
                    by=by,
                    reason=DeadlineChangeReason.HOLIDAYS,
                    note=note,
                )
                run.deadlines += moved
                advance_moved = False
                if application.advance_due_on is not None:
                    payments = list(application.advance_payments.all())
                    last = max(payments, key=lambda p: (p.paid_on, p.pk), default=None)
                    due = advance_next_due(applied_on=application.applied_on, last_payment=last)
                    if due != application.advance_due_on:
                        application.advance_due_on = due
                        application.save(update_fields=["advance_due_on", "updated_at"])
                        advance_moved = True
                        run.advances += 1
                if moved or advance_moved:
                    _audit_application(application, by=by, context=None)
    today = timezone.localdate()
    running = (
        ProvisionDecision.objects.filter(made_known_on__isnull=False, objection_deadline__gte=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for decision_id in running:
        with transaction.atomic():
            decision = (
                ProvisionDecision.objects.select_for_update(of=("self",))
                .select_related("application__household", "application__resident")
                .get(pk=decision_id)
            )
            deadline = decision_objection_deadline(made_known_on=decision.made_known_on)
            if deadline == decision.objection_deadline:
                continue
            _letter_issue(
                decision,
                by=by,
                made_known_on=decision.made_known_on,
                reason=LetterIssueReason.HOLIDAYS,
            )
            run.letters += 1
            _audit_decision(decision, application=decision.application, by=by, context=None)
    return run


# Team mandate ---------------------------------------------------------------------------------


@transaction.atomic
def mandate_spend(
    *,
    team: Team,
    household: Household,
    amount: Decimal,
    reason: str,
    stream: BudgetStream,
    by,
    spent_on: datetime.date | None = None,
    budget_override_reason: str = "",
    context: RequestContext | None = None,
) -> MandateSpending:
    """Grant urgent help from the team's mandate, without a consultant.

    The mandate row is locked while the totals are checked, so concurrent grants can never
    overspend the budget or the per-household limit."""
    if not can_spend_mandate(by, team):
        raise PermissionDenied
    spent_on = spent_on or timezone.localdate()
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for this urgent help.")})
    mandate = TeamMandate.objects.select_for_update().filter(team=team, year=spent_on.year).first()
    if mandate is None:
        raise ValidationError(
            _("Your team has no mandate budget for %(year)s.") % {"year": spent_on.year}
        )
    spendings = MandateSpending.objects.filter(mandate=mandate)
    spent = spendings.aggregate(total=Sum("amount"))["total"] or ZERO
    household_spent = (
        spendings.filter(household=household).aggregate(total=Sum("amount"))["total"] or ZERO
    )
    if spent + amount > mandate.budget:
        raise ValidationError(
            {
                "amount": _(
                    "This would overspend the team's mandate: € %(left)s of € %(budget)s is left."
                )
                % {"left": _euro(mandate.budget - spent), "budget": _euro(mandate.budget)}
            }
        )
    if household_spent + amount > mandate.per_case_limit:
        raise ValidationError(
            {
                "amount": _(
                    "This exceeds the limit per household: € %(left)s of € %(limit)s is left "
                    "for this household."
                )
                % {
                    "left": _euro(mandate.per_case_limit - household_spent),
                    "limit": _euro(mandate.per_case_limit),
                }
            }
        )
    spending = MandateSpending(
        mandate=mandate,
        household=household,
        stream=stream,
        amount=amount,
        reason=reason,
        spent_on=spent_on,
        spent_by=by,
    )
    spending.full_clean()
    spending.save()
    commitment = _budget_commit(
        stream_id=stream.pk,
        year=spent_on.year,
        district_id=team.district_id,
        team=team,
        amount=amount,
        override_by=by if budget_override_reason.strip() else None,
        override_reason=budget_override_reason,
        mandate_spending=spending,
    )
    spending.budget_warning = commitment.budget_warning
    _audit(
        by=by,
        context=context,
        object_type="mandate_spending",
        object_id=spending.uuid,
        household_uuid=household.uuid,
    )
    return spending


# Notifications ---------------------------------------------------------------------------------


def _notify(*, user, application, kind: str, message: str) -> bool:
    """An in-app notification, once per user, application and kind; True when new."""
    _notification, created = Notification.objects.get_or_create(
        user=user, application=application, kind=kind, defaults={"message": message[:300]}
    )
    return created


@transaction.atomic
def notification_mark_read(*, notification: Notification, by) -> None:
    if notification.user_id != by.pk:
        raise PermissionDenied
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
