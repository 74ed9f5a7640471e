"""The consent register in the household file: per current resident their consents (current
and past), recording a consent or legal basis, withdrawing one. Loaded into the household page
by HTMX (a page of its own without JavaScript); every request writes one access-log row: the
access helper logs the read or the refusal, the service the change, and the household-file mark
the section shown again after an error."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cases import permissions
from cases.access import access_household, household_file
from cases.audit import request_context
from cases.consent import selectors as consent_selectors
from cases.consent import services as consent_services
from cases.consent.forms import ConsentForm, ConsentWithdrawForm
from cases.consent.models import DataCategory
from socialdomain.forms import apply_validation_error


def _may_manage(user, _household) -> bool:
    return permissions.can_manage_consents(user)


def _current_resident_uuids(household) -> list:
    return [membership.resident.uuid for membership in household.current_memberships]


def _render_section(request, household, *, form=None, error=""):
    residents = consent_selectors.household_consents(household=household)
    can_manage = permissions.can_manage_consents(request.user)
    if form is None and can_manage:
        form = ConsentForm(
            residents=consent_selectors.current_residents(household=household),
            initial={"given_by": _("the resident")},
        )
    context = {
        "household": household,
        "residents": residents,
        "can_manage": can_manage,
        "form": form if can_manage else None,
        "withdraw_form": ConsentWithdrawForm(),
        "categories": DataCategory.choices,
        "error": error,
        "today": timezone.localdate(),
    }
    template = "cases/consent/consents.html"
    if request.htmx:
        template += "#section"
    # form errors come back with 200: htmx swaps only successful responses
    return render(request, template, context)


@never_cache
@login_required
@require_GET
@household_file("consents")
def household_consents(request, household_uuid):
    household = access_household(
        request,
        household_uuid,
        object_type="consents",
        user_may=permissions.can_view_consents,
        residents_of=_current_resident_uuids,
    )
    return _render_section(request, household)


@never_cache
@login_required
@require_POST
@household_file("consents")
def consent_create(request, household_uuid):
    household = access_household(
        request,
        household_uuid,
        object_type="consents",
        user_may=permissions.can_view_consents,
        may=_may_manage,
    )
    form = ConsentForm(
        request.POST, residents=consent_selectors.current_residents(household=household)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            consent_services.consent_record(
                resident=data["resident"],
                organisation=data["organisation"],
                categories=data["categories"],
                purpose=data["purpose"],
                purpose_note=data["purpose_note"],
                given_by=data["given_by"],
                given_on=data["given_on"],
                expires_on=data["expires_on"],
                legal_basis=data["legal_basis"],
                legal_basis_text=data["legal_basis_text"] if data["legal_basis"] else "",
                by=request.user,
                context=request_context(request),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if not request.htmx:
                messages.success(request, _("Consent recorded."))
                return redirect("cases:household_consents", household_uuid=household.uuid)
            return _render_section(request, household)
    # shown again with the errors: the household-file mark logs the read
    return _render_section(request, household, form=form)


@never_cache
@login_required
@require_POST
@household_file("consents")
def consent_withdraw(request, household_uuid, consent_uuid):
    household = access_household(
        request,
        household_uuid,
        object_type="consents",
        user_may=permissions.can_view_consents,
        may=_may_manage,
    )
    consent = consent_selectors.household_consent(household=household, consent_uuid=consent_uuid)
    form = ConsentWithdrawForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            consent_services.consent_withdraw(
                consent=consent,
                on=form.cleaned_data["withdrawn_on"],
                by=request.user,
                context=request_context(request),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    # nothing changed on an error: the household-file mark logs the section shown again
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Consent withdrawn."))
        return redirect("cases:household_consents", household_uuid=household.uuid)
    return _render_section(request, household, error=error)
