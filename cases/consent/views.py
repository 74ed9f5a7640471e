"""The consent register in the household file: per current resident their consents (current
and past), recording a consent or legal basis, withdrawing one. Loaded into the household page
by HTMX (a page of its own without JavaScript); every request writes one access-log row."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cases import permissions
from cases.access import household_file, household_for_user
from cases.audit import access_log_record
from cases.consent import selectors as consent_selectors
from cases.consent import services as consent_services
from cases.consent.forms import ConsentForm, ConsentWithdrawForm
from cases.consent.models import DataCategory
from cases.privacy.models import AccessAction, AccessResult
from socialdomain.forms import apply_validation_error


def _household(request, household_uuid, action: str):
    """The visible household, logging a refused attempt (denied or not found)."""
    try:
        if not permissions.can_view_consents(request.user):
            raise PermissionDenied
        return household_for_user(user=request.user, household_uuid=household_uuid)
    except (PermissionDenied, Http404) as exc:
        access_log_record(
            request_or_user=request,
            action=action,
            object_type="consents",
            object_id=household_uuid,
            household_uuid=household_uuid,
            result=AccessResult.DENIED
            if isinstance(exc, PermissionDenied)
            else AccessResult.NOT_FOUND,
        )
        raise


def _log(request, household, action: str, *, residents, object_id=None, result=None):
    access_log_record(
        request_or_user=request,
        action=action,
        object_type="consents",
        object_id=object_id or household.uuid,
        household_uuid=household.uuid,
        resident_uuids=[r.uuid for r in residents],
        result=result or AccessResult.ALLOWED,
    )


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
    return render(request, template, context), residents


@never_cache
@login_required
@require_GET
@household_file("consents")
def household_consents(request, household_uuid):
    household = _household(request, household_uuid, AccessAction.VIEW)
    response, residents = _render_section(request, household)
    _log(request, household, AccessAction.VIEW, residents=[row.resident for row in residents])
    return response


@never_cache
@login_required
@require_POST
@household_file("consents")
def consent_create(request, household_uuid):
    household = _household(request, household_uuid, AccessAction.CHANGE)
    current = consent_selectors.current_residents(household=household)
    if not permissions.can_manage_consents(request.user):
        _log(request, household, AccessAction.CHANGE, residents=[], result=AccessResult.DENIED)
        raise PermissionDenied
    form = ConsentForm(request.POST, residents=current)
    if form.is_valid():
        data = form.cleaned_data
        try:
            consent = consent_services.consent_record(
                resident=data["resident"],
                organisation=data["organisation"],
                categories=data["categories"],
                purpose=data["purpose"],
                given_by=data["given_by"],
                given_on=data["given_on"],
                expires_on=data["expires_on"],
                legal_basis=data["legal_basis"],
                legal_basis_text=data["legal_basis_text"] if data["legal_basis"] else "",
                by=request.user,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            _log(
                request,
                household,
                AccessAction.CHANGE,
                residents=[consent.resident],
                object_id=consent.uuid,
            )
            if not request.htmx:
                messages.success(request, _("Consent recorded."))
                return redirect("cases:household_consents", household_uuid=household.uuid)
            response, _rows = _render_section(request, household)
            return response
    response, rows = _render_section(request, household, form=form)
    _log(request, household, AccessAction.VIEW, residents=[row.resident for row in rows])
    return response


@never_cache
@login_required
@require_POST
@household_file("consents")
def consent_withdraw(request, household_uuid, consent_uuid):
    household = _household(request, household_uuid, AccessAction.CHANGE)
    if not permissions.can_manage_consents(request.user):
        _log(request, household, AccessAction.CHANGE, residents=[], result=AccessResult.DENIED)
        raise PermissionDenied
    consent = consent_selectors.household_consent(household=household, consent_uuid=consent_uuid)
    form = ConsentWithdrawForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            consent_services.consent_withdraw(
                consent=consent, on=form.cleaned_data["withdrawn_on"], by=request.user
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    # nothing changed on an error: the section was shown again (a view)
    _log(
        request,
        household,
        AccessAction.VIEW if error else AccessAction.CHANGE,
        residents=[consent.resident],
        object_id=consent.uuid,
    )
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Consent withdrawn."))
        return redirect("cases:household_consents", household_uuid=household.uuid)
    response, _rows = _render_section(request, household, error=error)
    return response
