"""Provision screens: applications, the consultant queue, decisions and letters, referrals,
team mandate and the broad budget. Views parse input and call a selector or service."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import clocks, permissions
from cases.access import access_household, access_object, household_file, household_for_user
from cases.audit import access_log_record, request_context
from cases.households.selectors import resident_language
from cases.households.services import ConcurrentEditError
from cases.objections import selectors as objection_selectors
from cases.partners import selectors as partner_selectors
from cases.privacy.models import AccessAction
from cases.provisions import selectors as psel
from cases.provisions import services as psvc
from cases.provisions.forms import (
    AdvanceExceptionForm,
    AdvancePaymentForm,
    ApplicationForm,
    AssignForm,
    BudgetOverrideForm,
    CosignRequestForm,
    DecisionForm,
    MadeKnownForm,
    MandateSpendForm,
    QueueFilterForm,
    ReferralFollowUpForm,
    ReferralForm,
    TermEventCompleteForm,
    TermEventForm,
    queue_filter_fields,
)
from cases.provisions.models import DecisionOutcome, Delivery, Notification, TermEventKind
from networks import permissions as network_permissions
from networks.models import Frequency
from socialdomain.db_router import read_from_replica
from socialdomain.forms import apply_validation_error
from teams import permissions as team_permissions


def _redirect(request, to, *args):
    response = redirect(to, *args)
    if request.htmx:
        response.status_code = 204
        response["HX-Redirect"] = response["Location"]
    return response


def _may_apply(user, _household) -> bool:
    return permissions.can_apply_for_provision(user)


def _may_decide(user, _application) -> bool:
    return permissions.can_decide(user)


def _application(request, application_uuid, *, object_type="application", may=None):
    """The application (with its household), fetched, checked and logged by the access helper:
    a read on GET, a refusal or a miss on any method; an allowed POST is left to the service."""
    return access_object(
        request,
        object_type=object_type,
        object_id=application_uuid,
        fetch=lambda: psel.application_for_user(
            user=request.user, application_uuid=application_uuid
        ),
        may=may,
    )


def _error_message(exc) -> str:
    return " ".join(getattr(exc, "messages", [str(exc)]))


# Applications ----------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("application")
def application_create(request, household_uuid):
    household = access_household(request, household_uuid, object_type="application", may=_may_apply)
    initial = {
        "applied_on": timezone.localdate(),
        "motivation": psel.motivation_from_conversation(household=household),
    }
    if request.method == "GET" and request.GET.get("verzoek"):
        # "make an application" from a provider's 315 request: product, resident and the
        # requested extent pre-filled (ask once); the request itself is not changed
        try:
            request_uuid = uuid.UUID(request.GET["verzoek"])
        except ValueError:
            raise Http404 from None
        initial.update(
            partner_selectors.application_initial_from_request(
                partner_selectors.allocation_request_to_apply_for(
                    household=household, request_uuid=request_uuid
                )
            )
        )
    form = ApplicationForm(request.POST or None, household=household, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            application = psvc.application_submit(
                household=household,
                by=request.user,
                context=request_context(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("Application submitted. The consultant decides by %(deadline)s.")
                % {"deadline": application.decision_deadline.strftime("%d-%m-%Y")},
            )
            return _redirect(request, "cases:household_detail", household.uuid)
    template = "cases/provisions/application_form.html"
    if request.htmx and request.method == "POST":
        template += "#application-form"
    return render(request, template, {"form": form, "household": household})


@never_cache
@login_required
@require_GET
def application_queue(request):
    if not permissions.can_use_application_queue(request.user):
        raise PermissionDenied
    filters = QueueFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    district = cleaned.get("district")
    page = psel.application_queue_page(
        user=request.user,
        law=cleaned.get("law") or "",
        district_id=district.pk if district else None,
        status=cleaned.get("status") or "",
        whole_municipality=cleaned.get("scope") == "all",
        number=request.GET.get("page"),
        per_page=settings.APPLICATION_QUEUE_PAGE_SIZE,
    )
    # the running investigation of each application's household, if any (one query); the
    # queue holds only applications whose household the consultant may see (its work area and
    # assignments are rules of households_visible_to), so need-to-know is not asked twice
    page.object_list = clocks.with_clocks(
        page.object_list,
        user=request.user,
        household_id=lambda row: row.household_id,
        kinds=[clocks.MELDING.code],
        ids_visible=True,
    )
    context = {"page": page, "query": request.GET.copy()}
    context["query"].pop("page", None)
    if request.htmx:
        return render(request, "cases/provisions/queue.html#results", context)
    context["filter_fields"] = queue_filter_fields(filters)
    return render(request, "cases/provisions/queue.html", context)


def _decision_form(application, data=None):
    product = application.product
    initial = {
        "outcome": DecisionOutcome.GRANT,
        "product": product.pk,
        "unit": product.unit,
        "start_date": timezone.localdate(),
        "frequency": Frequency.PER_WEEK,
        "delivery": Delivery.IN_KIND,
        "version": application.version,
    }
    # an application from a provider's 315/317 request: what the provider asked for
    initial |= psel.decision_initial_from_request(application=application)
    return DecisionForm(data, initial=initial, application=application)


def _decision_input(cleaned: dict) -> psvc.DecisionInput:
    """The decision form's (possibly partial) cleaned data as the service's input."""
    names = psvc.DecisionInput.__dataclass_fields__
    data = {name: cleaned.get(name) for name in names if name in cleaned}
    for name in ("unit", "frequency", "delivery", "reasons", "signal_reason"):
        data[name] = data.get(name) or ""
    data["deviation_justification"] = data.get("deviation_justification") or ""
    data["signal_subsidy"] = bool(data.get("signal_subsidy"))
    data["is_deviation"] = bool(data.get("is_deviation"))
    data["outcome"] = data.get("outcome") or ""
    return psvc.DecisionInput(**data)


def _detail_context(request, application, form=None, conflict=False, **clock_forms):
    can_decide = permissions.can_decide(request.user)
    decision = getattr(application, "decision", None)
    clocks = psel.application_clocks(application=application)
    today = timezone.localdate()
    running = can_decide and not application.is_decided
    advance_running = running and application.advance_due_on is not None
    letter = can_decide and decision is not None and decision.is_final
    form = form or (_decision_form(application) if can_decide else None)
    return {
        "application": application,
        "decision": decision,
        "can_decide": can_decide,
        "form": form,
        # the household around it, on the same screen (covered by the page's access-log row)
        "household_context": psel.decision_context(application=application)
        if can_decide and decision is None
        else None,
        "assign_form": AssignForm(initial={"version": application.version}) if can_decide else None,
        "can_cosign": psvc.decision_may_cosign(decision=decision, by=request.user),
        "cosign_request_form": CosignRequestForm(
            candidates=psel.cosign_candidates(application=application)
        )
        if can_decide and decision is not None and decision.awaits_cosign
        else None,
        "can_withdraw": psvc.application_may_withdraw(application=application, by=request.user),
        "budget_override_form": BudgetOverrideForm()
        if permissions.can_override_budget(request.user) and not application.is_decided
        else None,
        "conflict": conflict,
        "four_eyes_amount": psvc.four_eyes_amount(),
        "clocks": clocks,
        "today": today,
        "term_event_form": clock_forms.get("term_event_form")
        or (TermEventForm(initial={"kind": TermEventKind.INCOMPLETE}) if running else None),
        "complete_form": TermEventCompleteForm(initial={"completed_on": today})
        if running
        else None,
        "made_known_form": clock_forms.get("made_known_form")
        or (
            MadeKnownForm(initial={"made_known_on": decision.made_known_on or today})
            if letter
            else None
        ),
        "advance_payment_form": clock_forms.get("advance_payment_form")
        or (AdvancePaymentForm(initial={"paid_on": today}) if advance_running else None),
        "advance_exception_form": clock_forms.get("advance_exception_form")
        or (AdvanceExceptionForm() if advance_running else None),
        # objections (bezwaar) against this decision, and the one it is the new decision of
        "objections": objection_selectors.decision_objections(decision=decision)
        if permissions.can_read_objections(request.user)
        else [],
        "can_handle_objections": permissions.can_handle_objections(request.user),
    }


@never_cache
@login_required
@require_GET
@household_file("application")
def application_detail(request, application_uuid):
    application = _application(request, application_uuid)
    return render(
        request, "cases/provisions/application_detail.html", _detail_context(request, application)
    )


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
@require_POST
@household_file("application")
def application_claim(request, application_uuid):
    application = _application(request, application_uuid, may=_may_decide)
    try:
        psvc.application_claim(
            application=application,
            by=request.user,
            expected_version=_version(request),
            context=request_context(request),
        )
    except (ValidationError, ConcurrentEditError) as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, _("You are handling this application."))
    return _redirect(request, "provisions:application_detail", application.uuid)


@login_required
@require_POST
@household_file("application")
def application_assign(request, application_uuid):
    application = _application(request, application_uuid, may=_may_decide)
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            psvc.application_assign(
                application=application,
                consultant=form.cleaned_data["consultant"],
                by=request.user,
                expected_version=form.cleaned_data["version"],
                context=request_context(request),
            )
        except (ValidationError, ConcurrentEditError) as exc:
            messages.error(request, _error_message(exc))
        else:
            messages.success(request, _("Application assigned."))
    else:
        messages.error(request, _("Choose a consultant."))
    return _redirect(request, "provisions:application_detail", application.uuid)


@login_required
@require_POST
@household_file("application")
def application_withdraw(request, application_uuid):
    application = _application(request, application_uuid)
    try:
        psvc.application_withdraw(
            application=application,
            by=request.user,
            expected_version=_version(request),
            context=request_context(request),
        )
    except (ValidationError, ConcurrentEditError) as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, _("Application withdrawn."))
    return _redirect(request, "provisions:application_detail", application.uuid)


@never_cache
@login_required
@require_POST
@household_file("decision")
def application_decide(request, application_uuid):
    application = _application(request, application_uuid, object_type="decision", may=_may_decide)
    form = _decision_form(application, request.POST)
    conflict = False
    if form.is_valid():
        try:
            decision = psvc.decision_make(
                application=application,
                by=request.user,
                data=_decision_input(form.cleaned_data),
                expected_version=form.cleaned_data["version"],
                context=request_context(request),
            )
        except ConcurrentEditError as exc:
            conflict = True
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if decision.cosign_required and not decision.is_final:
                messages.success(
                    request, _("Decision recorded; a second consultant must co-sign it.")
                )
            else:
                messages.success(request, _("Decision recorded."))
            if getattr(decision, "budget_warning", ""):
                messages.warning(request, decision.budget_warning)
            return _redirect(request, "provisions:application_detail", application.uuid)
    context = _detail_context(request, application, form=form, conflict=conflict)
    template = "cases/provisions/application_detail.html"
    if request.htmx:
        template += "#decision-form"
    return render(request, template, context)


@never_cache
@login_required
@require_POST
@household_file("decision_preview")
def decision_preview(request, application_uuid):
    """The letter as the decision form describes it so far, nothing saved. For HTMX the preview
    panel (or, with `deel=aanbieder`, the provider field for the product and start date
    chosen); without JavaScript the application page with the form as filled in and the
    preview beside it."""
    application = _application(
        request, application_uuid, object_type="decision_preview", may=_may_decide
    )
    if application.is_decided or hasattr(application, "decision"):
        raise PermissionDenied
    form = _decision_form(application, request.POST)
    if request.htmx and request.GET.get("deel") == "aanbieder":
        return render(
            request,
            "cases/provisions/_decision_provider.html",
            {"field": form["provider"], "application": application},
        )
    form.is_valid()  # the preview shows what is valid so far; the errors wait for the decision
    preview = psvc.decision_preview(
        application=application,
        by=request.user,
        data=_decision_input(getattr(form, "cleaned_data", {})),
    )
    if request.htmx:  # the panel only: the letter needs the household's members and clocks
        context = {
            "application": application,
            "household": household_for_user(
                user=request.user, household_uuid=application.household.uuid
            ),
            "clocks": psel.application_clocks(application=application),
        }
        template = "cases/provisions/_letter_preview.html"
    else:
        context = _detail_context(request, application, form=form)
        context["household"] = context["household_context"].household
        template = "cases/provisions/application_detail.html"
    context["preview"] = preview
    # the letter in the resident's language, the screen around it in the consultant's
    context["letter_language"] = resident_language(
        household=context["household"], resident=application.resident
    )
    return render(request, template, context)


@login_required
@require_POST
@household_file("decision")
def decision_cosign(request, application_uuid):
    application = _application(
        request,
        application_uuid,
        object_type="decision",
        may=lambda _user, application: getattr(application, "decision", None) is not None,
    )
    try:
        decision = psvc.decision_cosign(
            decision=application.decision, by=request.user, context=request_context(request)
        )
    except (ValidationError, ConcurrentEditError) as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, _("Co-signed: the grant takes effect."))
        if getattr(decision, "budget_warning", ""):
            messages.warning(request, decision.budget_warning)
    return _redirect(request, "provisions:application_detail", application.uuid)


@login_required
@require_POST
@household_file("application")
def application_budget_override(request, application_uuid):
    application = _application(
        request, application_uuid, may=lambda user, _a: permissions.can_override_budget(user)
    )
    form = BudgetOverrideForm(request.POST)
    if form.is_valid():
        try:
            psvc.application_budget_override(
                application=application,
                reason=form.cleaned_data["reason"],
                by=request.user,
                context=request_context(request),
            )
        except (ValidationError, ConcurrentEditError) as exc:
            messages.error(request, _error_message(exc))
        else:
            messages.success(request, _("Exceeding the budget approved."))
    else:
        messages.error(request, _("Give the reason to exceed the budget."))
    return _redirect(request, "provisions:application_detail", application.uuid)


@login_required
@require_POST
@household_file("decision")
def decision_cosign_request(request, application_uuid):
    application = _application(
        request,
        application_uuid,
        object_type="decision",
        may=lambda user, application: (
            permissions.can_decide(user) and getattr(application, "decision", None) is not None
        ),
    )
    form = CosignRequestForm(
        request.POST, candidates=psel.cosign_candidates(application=application)
    )
    if form.is_valid():
        consultant = form.cleaned_data["consultant"]
        try:
            psvc.decision_cosign_request(
                decision=application.decision,
                consultant=consultant,
                by=request.user,
                context=request_context(request),
            )
        except (ValidationError, ConcurrentEditError) as exc:
            messages.error(request, _error_message(exc))
        else:
            messages.success(
                request,
                _("%(name)s has been asked to co-sign.")
                % {"name": psel.user_display_name(consultant)},
            )
    else:
        messages.error(
            request, _("Choose a consultant of the team other than the one who decided.")
        )
    return _redirect(request, "provisions:application_detail", application.uuid)


@never_cache
@login_required
@require_GET
@household_file("decision")
def decision_letter(request, application_uuid):
    """The decision letter; while a grant awaits its co-signature, a draft to check it by."""
    application = psel.application_for_user(user=request.user, application_uuid=application_uuid)
    decision = getattr(application, "decision", None)
    if decision is None or not (decision.is_final or decision.awaits_cosign):
        raise PermissionDenied
    household = household_for_user(user=request.user, household_uuid=application.household.uuid)
    access_log_record(  # a print, like an export: logged as such, not as a view
        request_or_user=request,
        action=AccessAction.PRINT,
        object_type="decision",
        object_id=decision.uuid,
        household_uuid=household.uuid,
    )
    return render(
        request,
        "cases/provisions/decision_letter.html",
        {
            "application": application,
            "decision": decision,
            "draft": not decision.is_final,
            "household": household,
            "clocks": psel.application_clocks(application=application),
            # the letter in the resident's language, the page around it in the reader's
            "letter_language": resident_language(
                household=household, resident=application.resident
            ),
        },
    )


# Decision clocks -------------------------------------------------------------------------------


def _may_keep_clocks(user, application) -> bool:
    return permissions.can_decide(user)


def _may_record_made_known(user, application) -> bool:
    decision = getattr(application, "decision", None)
    return permissions.can_decide(user) and decision is not None and decision.is_final


def _clock_form(request, application, *, form, form_name: str, write):
    """A clock form posted to its own URL: call the service (`write(cleaned_data)` returns the
    success message), then back to the application (204 + HX-Redirect for HTMX); with errors,
    the page again with the form (only the form's partial for HTMX)."""
    if form.is_valid():
        try:
            message = write(form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except ConcurrentEditError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, message)
            return _redirect(request, "provisions:application_detail", application.uuid)
    template = "cases/provisions/application_detail.html"
    if request.htmx:
        template += "#" + form_name.replace("_", "-")
    return render(request, template, _detail_context(request, application, **{form_name: form}))


def _deadline_message(application) -> str:
    return _("Recorded. The legal decision deadline is %(deadline)s.") % {
        "deadline": application.decision_deadline.strftime("%d-%m-%Y")
    }


@never_cache
@login_required
@require_POST
@household_file("term_event")
def application_term_event(request, application_uuid):
    """Record a suspension (Awb 4:15) or a notice of delay (Awb 4:14)."""
    application = _application(
        request, application_uuid, object_type="term_event", may=_may_keep_clocks
    )

    def write(data):
        event = psvc.application_term_event_record(
            application=application,
            by=request.user,
            data=psvc.TermEventInput(**{**data, "note": data.get("note") or ""}),
            context=request_context(request),
        )
        return _deadline_message(event.application)

    return _clock_form(
        request,
        application,
        form=TermEventForm(request.POST),
        form_name="term_event_form",
        write=write,
    )


@login_required
@require_POST
@household_file("term_event")
def term_event_complete(request, application_uuid, event_uuid):
    """The applicant completed an incomplete application (Awb 4:15(1)): the suspension ends."""
    application = _application(
        request, application_uuid, object_type="term_event", may=_may_keep_clocks
    )
    event = psel.term_event_for(application=application, event_uuid=event_uuid)
    form = TermEventCompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day the application was completed."))
        return _redirect(request, "provisions:application_detail", application.uuid)
    try:
        event = psvc.application_term_event_complete(
            event=event,
            by=request.user,
            completed_on=form.cleaned_data["completed_on"],
            context=request_context(request),
        )
    except (ValidationError, ConcurrentEditError) as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, _deadline_message(event.application))
    return _redirect(request, "provisions:application_detail", application.uuid)


@never_cache
@login_required
@require_POST
@household_file("decision")
def decision_made_known(request, application_uuid):
    """Record the day the letter was sent or handed over (Awb 6:7/6:8): re-issues the letter."""
    application = _application(
        request, application_uuid, object_type="decision", may=_may_record_made_known
    )

    def write(data):
        decision = psvc.decision_made_known_record(
            decision=application.decision,
            by=request.user,
            made_known_on=data["made_known_on"],
            context=request_context(request),
        )
        return _(
            "Letter re-issued (version %(version)s): made known on %(made_known)s, objection "
            "possible up to and including %(deadline)s."
        ) % {
            "version": decision.letter_version,
            "made_known": decision.made_known_on.strftime("%d-%m-%Y"),
            "deadline": decision.objection_deadline.strftime("%d-%m-%Y"),
        }

    return _clock_form(
        request,
        application,
        form=MadeKnownForm(request.POST),
        form_name="made_known_form",
        write=write,
    )


@never_cache
@login_required
@require_POST
@household_file("advance_payment")
def advance_payment(request, application_uuid):
    """Record an advance paid on algemene bijstand (Participatiewet art. 52)."""
    application = _application(
        request, application_uuid, object_type="advance_payment", may=_may_keep_clocks
    )

    def write(data):
        payment = psvc.advance_payment_record(
            application=application,
            by=request.user,
            amount=data["amount"],
            paid_on=data["paid_on"],
            context=request_context(request),
        )
        return _("Advance recorded. The next one is due by %(due)s.") % {
            "due": payment.application.advance_due_on.strftime("%d-%m-%Y")
        }

    return _clock_form(
        request,
        application,
        form=AdvancePaymentForm(request.POST),
        form_name="advance_payment_form",
        write=write,
    )


@never_cache
@login_required
@require_POST
@household_file("advance_exception")
def advance_exception(request, application_uuid):
    """Record the art. 52 exception: no further advance is due."""
    application = _application(
        request, application_uuid, object_type="advance_exception", may=_may_keep_clocks
    )

    def write(data):
        psvc.advance_exception_record(
            application=application,
            by=request.user,
            reason=data["reason"],
            explanation=data["explanation"],
            context=request_context(request),
        )
        return _("Exception recorded: no further advance is due.")

    return _clock_form(
        request,
        application,
        form=AdvanceExceptionForm(request.POST),
        form_name="advance_exception_form",
        write=write,
    )


# Referrals -------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("referral")
def referral_create(request, household_uuid):
    household = access_household(request, household_uuid, object_type="referral", may=_may_apply)
    form = ReferralForm(
        request.POST or None, provisions=psel.general_provisions_for(household=household)
    )
    if request.method == "POST" and form.is_valid():
        try:
            psvc.referral_create(
                household=household,
                by=request.user,
                context=request_context(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Referral recorded; follow it up in a few weeks."))
            return _redirect(request, "cases:household_detail", household.uuid)
    template = "cases/provisions/referral_form.html"
    if request.htmx and request.method == "POST":
        template += "#referral-form"
    return render(request, template, {"form": form, "household": household})


@login_required
@require_POST
@household_file("referral")
def referral_follow_up(request, referral_uuid):
    referral = access_object(
        request,
        object_type="referral",
        object_id=referral_uuid,
        fetch=lambda: psel.referral_for_user(user=request.user, referral_uuid=referral_uuid),
        user_may=permissions.can_follow_up_referral,
    )
    form = ReferralFollowUpForm(request.POST)
    if form.is_valid():
        try:
            psvc.referral_follow_up(
                referral=referral,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                context=request_context(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Follow-up recorded."))
    else:
        messages.error(request, _("Say whether the provision helped."))
    return _redirect(request, "cases:household_detail", referral.household.uuid)


# Team mandate ---------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("mandate_spending")
def mandate_spend(request, household_uuid):
    teams = [
        t
        for t in psel.teams_for_mandate(user=request.user)
        if team_permissions.can_spend_mandate(request.user, t)
    ]
    household = access_household(
        request, household_uuid, object_type="mandate_spending", may=lambda _user, _h: bool(teams)
    )
    team = next(
        (
            t
            for t in teams
            if household.neighbourhood and t.district_id == household.neighbourhood.district_id
        ),
        teams[0],
    )
    overview = psel.mandate_overview(team=team)
    form = MandateSpendForm(request.POST or None)
    if not permissions.can_override_budget(request.user):
        del form.fields["budget_override_reason"]  # only a team lead may exceed the stream
    if request.method == "POST" and form.is_valid():
        try:
            spending = psvc.mandate_spend(
                team=team,
                household=household,
                by=request.user,
                context=request_context(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Urgent help granted from the team mandate."))
            if spending.budget_warning:
                messages.warning(request, spending.budget_warning)
            return _redirect(request, "cases:household_detail", household.uuid)
    template = "cases/provisions/mandate_form.html"
    if request.htmx and request.method == "POST":
        template += "#mandate-form"
    return render(
        request,
        template,
        {"form": form, "household": household, "team": team, "overview": overview},
    )


@never_cache
@login_required
@require_GET
def mandate_overview(request):
    if not team_permissions.can_view_mandate_overview(request.user):
        raise PermissionDenied
    overviews = [
        psel.mandate_overview(team=team) for team in psel.teams_for_mandate(user=request.user)
    ]
    return render(request, "cases/provisions/mandate_overview.html", {"overviews": overviews})


# Budget and signals ---------------------------------------------------------------------------


@login_required
@require_GET
@read_from_replica  # aggregates only: a replica's small lag is fine
def budget_overview(request):
    if not network_permissions.can_view_budget(request.user):
        raise PermissionDenied
    try:
        year = int(request.GET.get("jaar", ""))
    except ValueError:
        year = timezone.localdate().year
    overview = psel.budget_overview(year=year)
    return render(request, "cases/provisions/budget.html", {"overview": overview})


@login_required
@require_GET
def subsidy_signals(request):
    if not network_permissions.can_view_subsidy_signals(request.user):
        raise PermissionDenied
    return render(
        request,
        "cases/provisions/subsidy_signals.html",
        {"provisions": psel.subsidy_signals_by_provision()},
    )


@login_required
@require_POST
def notification_read(request, notification_uuid):
    notification = get_object_or_404(Notification, uuid=notification_uuid, user=request.user)
    psvc.notification_mark_read(notification=notification, by=request.user)
    return _redirect(request, "home")


@never_cache
@login_required
@require_GET
@household_file("provisions")
def household_provisions(request, household_uuid):
    """The household file's provisions section (loaded into the household page by HTMX; a page
    of its own without JavaScript)."""
    household = access_household(request, household_uuid, object_type="provisions")
    teams = psel.teams_for_mandate(user=request.user)
    context = {
        "household": household,
        **psel.household_provisions(household=household),
        "can_apply": permissions.can_apply_for_provision(request.user),
        "provider_requests": partner_selectors.allocation_requests_to_apply_for(
            household=household
        ),
        "can_follow_up": permissions.can_follow_up_referral(request.user),
        "can_spend_mandate": any(
            team_permissions.can_spend_mandate(request.user, team) for team in teams
        ),
        "follow_up_form": ReferralFollowUpForm(),
    }
    template = "cases/provisions/household_provisions.html"
    if request.htmx:
        template += "#section"
    return render(request, template, context)
