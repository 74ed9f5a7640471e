"""The privacy officer's AVG screens: find a resident, export their file (inzage, JSON and
PDF), record and answer correction requests, and see what retention destroyed. Every screen
that shows or changes a resident's data writes one access-log row: the access helper the read
or the refusal, the service the change, `_log_shown_again` a form shown again."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import permissions
from cases.access import access_object
from cases.audit import access_log_record, access_was_logged, request_context
from cases.avg import selectors as avg_selectors
from cases.avg import services as avg_services
from cases.avg.forms import (
    AvgRequestExtendForm,
    CorrectionHandleForm,
    CorrectionRequestForm,
    ResidentLookupForm,
)
from cases.avg.inzage import inzage_build, inzage_filename, inzage_pdf, inzage_zip
from cases.avg.models import CorrectionStatus
from cases.consent.selectors import resident_household
from cases.deadlines.selectors import privacy_clock_counts
from cases.privacy.models import AccessAction
from socialdomain.forms import apply_validation_error


def _require_officer(user) -> None:
    if not permissions.can_handle_avg_requests(user):
        raise PermissionDenied


def _resident_file(resident):
    """The household file a resident's row in the log names: the one they live in now."""
    return resident_household(resident=resident)


def _access_resident(request, resident_uuid):
    """The resident, for the privacy officer only; the read or the refusal logged."""
    return access_object(
        request,
        object_type="resident",
        object_id=resident_uuid,
        fetch=lambda: avg_selectors.resident_with_households(resident_uuid=resident_uuid),
        user_may=permissions.can_handle_avg_requests,
        household_of=_resident_file,
        residents_of=lambda resident: [resident.uuid],
    )


def _access_correction(request, correction_uuid):
    return access_object(
        request,
        object_type="correction_request",
        object_id=correction_uuid,
        fetch=lambda: avg_selectors.correction_request_get(correction_uuid=correction_uuid),
        user_may=permissions.can_handle_avg_requests,
        household_of=lambda correction: _resident_file(correction.resident),
        residents_of=lambda correction: [correction.resident.uuid],
    )


def _log_shown_again(request, resident, *, object_type: str, object_id) -> None:
    """A post that changed nothing shows the page again: a read of the resident's data. (On a
    household-file view the `household_file` mark writes this row; these pages are about a
    resident, not one household's file.)"""
    if access_was_logged(request):
        return
    household = _resident_file(resident)
    access_log_record(
        request_or_user=request,
        action=AccessAction.VIEW,
        object_type=object_type,
        object_id=object_id,
        household_uuid=household.uuid if household is not None else None,
        resident_uuids=[resident.uuid],
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def avg_index(request):
    """Start page: look up a resident (POST, so no BSN in a URL) and the officer's lists."""
    _require_officer(request.user)
    form = ResidentLookupForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        results = list(
            avg_selectors.residents_lookup(
                bsn=data["bsn"], last_name=data["last_name"], birth_date=data["birth_date"]
            )[:20]
        )
        access_log_record(
            request_or_user=request,
            action=AccessAction.SEARCH,
            object_type="resident",
            search_kind="bsn" if data["bsn"] else "name",
            result_count=len(results),
            resident_uuids=[r.uuid for r in results],
        )
    open_corrections = avg_selectors.correction_requests(status=CorrectionStatus.OPEN).count()
    context = {
        "form": form,
        "results": results,
        "open_corrections": open_corrections,
        "clock_counts": privacy_clock_counts(),
    }
    return render(request, "cases/avg/index.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def resident_avg(request, resident_uuid):
    """One resident: export buttons, their correction requests, a form to record one."""
    resident = _access_resident(request, resident_uuid)
    form = CorrectionRequestForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                avg_services.correction_request_record(
                    resident=resident,
                    by=request.user,
                    context=request_context(request),
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Correction request recorded."))
                return redirect("avg:resident", resident_uuid=resident.uuid)
        _log_shown_again(request, resident, object_type="resident", object_id=resident.uuid)
    context = {
        "resident": resident,
        "form": form,
        "corrections": resident.correction_requests.select_related("handled_by"),
    }
    return render(request, "cases/avg/resident.html", context)


@never_cache
@login_required
@require_GET
def inzage_export(request, resident_uuid, fmt):
    """The resident's complete file, as JSON (machines), PDF (the resident), or a ZIP of both
    with the household documents. Logged first,
    so the export lists itself among the accesses."""
    _require_officer(request.user)
    resident = avg_selectors.resident_with_households(resident_uuid=resident_uuid)
    household = _resident_file(resident)
    access_log_record(
        request_or_user=request,
        action=AccessAction.EXPORT,
        object_type="inzage",
        object_id=resident.uuid,
        household_uuid=household.uuid if household is not None else None,
        resident_uuids=[resident.uuid],
    )
    data = inzage_build(resident=resident)
    if fmt == "pdf":
        response = HttpResponse(inzage_pdf(data), content_type="application/pdf")
    elif fmt == "zip":  # with the household documents themselves
        response = HttpResponse(inzage_zip(data, inzage_pdf(data)), content_type="application/zip")
    else:
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="{inzage_filename(resident, fmt)}"'
    return response


@never_cache
@login_required
@require_GET
def correction_list(request):
    _require_officer(request.user)
    status = request.GET.get("status", "")
    if status not in CorrectionStatus.values:
        status = ""
    page = Paginator(avg_selectors.correction_requests(status=status), settings.AVG_PAGE_SIZE)
    page = page.get_page(request.GET.get("page"))
    if page.object_list:
        access_log_record(
            request_or_user=request,
            action=AccessAction.VIEW,
            object_type="correction_requests",
            resident_uuids=[c.resident.uuid for c in page.object_list],
        )
    context = {"page": page, "status": status, "statuses": CorrectionStatus.choices}
    return render(request, "cases/avg/corrections.html", context)


def _render_correction(request, correction, *, form=None, extend_form=None):
    if form is None and correction.is_open:
        form = CorrectionHandleForm()
    if extend_form is None and correction.is_open and not correction.is_extended:
        extend_form = AvgRequestExtendForm(prefix="extend")
    return render(
        request,
        "cases/avg/correction_detail.html",
        {"correction": correction, "form": form, "extend_form": extend_form},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def correction_detail(request, correction_uuid):
    correction = _access_correction(request, correction_uuid)
    form = CorrectionHandleForm(request.POST or None) if correction.is_open else None
    if request.method == "POST":
        if form is not None and form.is_valid():
            try:
                avg_services.correction_request_handle(
                    correction=correction,
                    by=request.user,
                    context=request_context(request),
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Correction request answered."))
                return redirect("avg:correction_list")
        _log_shown_again(
            request,
            correction.resident,
            object_type="correction_request",
            object_id=correction.uuid,
        )
    return _render_correction(request, correction, form=form)


@never_cache
@login_required
@require_POST
def correction_extend(request, correction_uuid):
    """Extend the answer term of a complex request by two months (art. 12(3) AVG)."""
    correction = _access_correction(request, correction_uuid)
    form = AvgRequestExtendForm(request.POST, prefix="extend")
    if form.is_valid():
        try:
            avg_services.avg_request_extend(
                request=correction,
                by=request.user,
                reason=form.cleaned_data["reason"],
                told_on=form.cleaned_data["told_on"],
                context=request_context(request),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The term is extended by two months."))
            return redirect("avg:correction_detail", correction_uuid=correction.uuid)
    _log_shown_again(
        request, correction.resident, object_type="correction_request", object_id=correction.uuid
    )
    return _render_correction(request, correction, extend_form=form)


@never_cache
@login_required
@require_GET
def destruction_list(request):
    """What retention destroyed: no content, so nothing to log."""
    if not permissions.can_view_destruction_records(request.user):
        raise PermissionDenied
    page = Paginator(avg_selectors.destruction_records(), settings.AVG_PAGE_SIZE)
    page = page.get_page(request.GET.get("page"))
    rows = [(record, avg_selectors.retention_rule_display(record.rule)) for record in page]
    return render(request, "cases/avg/destructions.html", {"page": page, "rows": rows})
