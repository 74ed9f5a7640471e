"""Objections (bezwaar): the household's section (list, register), an objection's page with
its term, hearing and outcome. Reads go through the access helpers and are logged; writes call
`cases.objections.services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cases import permissions
from cases.access import access_household, access_object, household_file
from cases.audit import request_context
from cases.households.services import ConcurrentEditError
from cases.objections import selectors, services
from cases.objections.forms import (
    ObjectionDecideForm,
    ObjectionHandleForm,
    ObjectionRegisterForm,
)
from socialdomain.forms import apply_validation_error


def _redirect(request, to, *args):
    response = redirect(to, *args)
    if request.htmx:
        response.status_code = 204
        response["HX-Redirect"] = response["Location"]
    return response


def _register_form(household, data=None, initial=None):
    return ObjectionRegisterForm(
        data,
        decisions=selectors.objectable_decisions(household=household),
        initial=initial or {"received_on": timezone.localdate(), "objector_kind": "resident"},
    )


def _render_section(request, household, *, form=None, status=200):
    can_handle = permissions.can_handle_objections(request.user)
    if form is None and can_handle:
        initial = {"received_on": timezone.localdate(), "objector_kind": "resident"}
        chosen = request.GET.get("besluit", "")
        decisions = selectors.objectable_decisions(household=household)
        if chosen:
            match = next((d for d in decisions if str(d.uuid) == chosen), None)
            if match is not None:
                initial["decision"] = match.pk
        form = _register_form(household, initial=initial)
    context = {
        "household": household,
        "page": selectors.household_objections_page(
            household=household, page_number=request.GET.get("page")
        ),
        "form": form if can_handle else None,
        "can_handle": can_handle,
        "today": timezone.localdate(),
    }
    template = "cases/objections/objections.html"
    if request.htmx:
        template += "#section"
    return render(request, template, context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("objections")
def household_objections(request, household_uuid):
    """GET: the household's objections (everyone who may open the file). POST: register one
    (the deciding roles)."""
    if request.method == "GET":
        household = access_household(
            request,
            household_uuid,
            object_type="objections",
            user_may=permissions.can_read_objections,
        )
        return _render_section(request, household)
    household = access_household(
        request,
        household_uuid,
        object_type="objections",
        user_may=permissions.can_handle_objections,
    )
    form = _register_form(household, request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            objection = services.objection_register(
                by=request.user, context=request_context(request), **data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Objection registered."))
            return _redirect(request, "cases:objection_detail", objection.uuid)
    # form errors come back with 200: htmx swaps only successful responses
    return _render_section(request, household, form=form)


def _objection(request, objection_uuid, *, user_may=None):
    return access_object(
        request,
        object_type="objection",
        object_id=objection_uuid,
        fetch=lambda: selectors.objection_for_user(
            user=request.user, objection_uuid=objection_uuid
        ),
        user_may=user_may,
        residents_of=lambda objection: [
            resident.uuid
            for resident in [objection.decision.application.resident]
            if resident is not None
        ],
    )


def _handle_form(objection, data=None):
    return ObjectionHandleForm(
        data,
        late=objection.late,
        initial={
            "version": objection.version,
            "advisory_committee": objection.advisory_committee,
            "deferred_on": objection.deferred_on,
            "consent_deferral_weeks": objection.consent_deferral_weeks,
            "hearing_on": objection.hearing_on,
            "late_excusable": {True: "yes", False: "no"}.get(objection.late_excusable, ""),
        },
    )


def _render_detail(request, objection, *, handle_form=None, decide_form=None):
    can_handle = permissions.can_handle_objections(request.user) and objection.is_open
    context = {
        "objection": objection,
        "household": objection.household,
        "decision": objection.decision,
        "can_handle": can_handle,
        "handle_form": handle_form or (_handle_form(objection) if can_handle else None),
        "decide_form": decide_form
        or (ObjectionDecideForm(initial={"version": objection.version}) if can_handle else None),
        "today": timezone.localdate(),
    }
    return render(request, "cases/objections/objection_detail.html", context)


@never_cache
@login_required
@require_http_methods(["GET"])
@household_file("objection")
def objection_detail(request, objection_uuid):
    objection = _objection(request, objection_uuid, user_may=permissions.can_read_objections)
    return _render_detail(request, objection)


@never_cache
@login_required
@require_POST
@household_file("objection")
def objection_handle(request, objection_uuid):
    """The term (advisory committee, deferral, further deferral), hearing and lateness."""
    objection = _objection(request, objection_uuid, user_may=permissions.can_handle_objections)
    form = _handle_form(objection, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.objection_handle(
                objection=objection,
                by=request.user,
                data=services.HandlingInput(
                    advisory_committee=data["advisory_committee"],
                    deferred_on=data["deferred_on"],
                    consent_deferral_weeks=data["consent_deferral_weeks"],
                    hearing_on=data["hearing_on"],
                    late_excusable=data.get("late_excusable"),
                ),
                expected_version=data["version"],
                context=request_context(request),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except ConcurrentEditError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The handling of the objection was saved."))
            return _redirect(request, "cases:objection_detail", objection.uuid)
    return _render_detail(request, objection, handle_form=form)


@never_cache
@login_required
@require_POST
@household_file("objection")
def objection_decide(request, objection_uuid):
    """The outcome; founded with a new decision opens a new application to decide."""
    objection = _objection(request, objection_uuid, user_may=permissions.can_handle_objections)
    form = ObjectionDecideForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            decided = services.objection_decide(
                objection=objection,
                by=request.user,
                outcome=data["outcome"],
                reasons=data["reasons"],
                new_decision=data["new_decision"],
                expected_version=data["version"],
                context=request_context(request),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except ConcurrentEditError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The decision on the objection was saved."))
            if decided.new_application_id:
                return _redirect(
                    request, "provisions:application_detail", decided.new_application.uuid
                )
            return _redirect(request, "cases:objection_detail", objection.uuid)
    return _render_detail(request, objection, decide_form=form)
