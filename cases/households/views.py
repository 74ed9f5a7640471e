"""Household register screens. Views parse input, call a selector or service and render; the
rules live in selectors.py, services.py and permissions.py."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cases import clocks, permissions
from cases.access import access_household, access_object, household_file, household_for_user
from cases.audit import access_log_record, break_glass_household_uuids, request_context
from cases.households import selectors as household_selectors
from cases.households import services as household_services
from cases.households.forms import (
    CaseloadReassignForm,
    HouseholdForm,
    MembershipEndForm,
    ResidentForm,
    ResidentFormSet,
)
from cases.intake import views as intake_views
from cases.partners.selectors import progress_reports_recent
from cases.privacy.models import AccessAction
from cases.validators import normalise_bsn
from socialdomain.forms import apply_validation_error
from teams.models import Team
from teams.selectors import postcode_lookup

SEARCH_QUERY_MAX_LENGTH = 100


def _require_register(user) -> None:
    if not permissions.can_use_register(user):
        raise PermissionDenied


def _new_resident(cleaned: dict) -> household_services.NewResident:
    return household_services.NewResident(
        **{name: cleaned.get(name) for name in household_services.RESIDENT_FIELDS},
        role=cleaned.get("role") or "other",
    )


def _may_edit(user, household) -> bool:
    return permissions.can_edit_household(user, household)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def household_search(request):
    """Search page. Results come from a POST so that no BSN or name ends up in a URL or log."""
    _require_register(request.user)
    # no BSN, postcode or name is longer; a longer query is cut, not sent to the database
    query = request.POST.get("q", "")[:SEARCH_QUERY_MAX_LENGTH] if request.method == "POST" else ""
    search = household_selectors.household_search(user=request.user, query=query)
    page = Paginator(search.results, settings.HOUSEHOLD_SEARCH_PAGE_SIZE).get_page(
        request.POST.get("page")
    )
    if search.kind and not search.error:  # the kind and count are logged, never the query
        page.object_list = clocks.with_clocks(page.object_list, user=request.user)
        access_log_record(
            request_or_user=request,
            action=AccessAction.SEARCH,
            object_type="household",
            search_kind=search.kind,
            result_count=page.paginator.count,
        )
    context = {"search": search, "page": page, "query": query}
    if request.htmx:
        return render(request, "cases/households/household_search.html#results", context)
    return render(request, "cases/households/household_search.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def household_create(request):
    if not permissions.can_create_household(request.user):
        raise PermissionDenied
    address, people = {}, []
    if request.method == "GET" and request.GET.get("signaal"):
        # a signal about someone not known yet: its address (and person) pre-fill the form
        try:
            signal_uuid = uuid.UUID(request.GET["signaal"])
        except ValueError:
            raise Http404 from None
        address, person = intake_views.signal_prefill(request, signal_uuid)
        people = [person]
    form = HouseholdForm(request.POST or None, initial=address)
    formset = ResidentFormSet(request.POST or None, prefix="residents", initial=people or None)
    duplicates = []
    if (
        request.method == "POST"
        and form.is_valid()
        and formset.is_valid()
        and not (
            duplicates := intake_views.unconfirmed_duplicates(
                request,
                [f for f in formset if f.has_changed()],
                postcode=form.cleaned_data["postcode"],
            )
        )
    ):
        try:
            household = household_services.household_create(
                by=request.user,
                context=request_context(request),
                **{name: form.cleaned_data[name] for name in household_services.HOUSEHOLD_FIELDS},
                residents=[_new_resident(f.cleaned_data) for f in formset if f.has_changed()],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Household registered."))
            return _redirect_to_household(request, household)
    context = {"form": form, "formset": formset, "duplicates": duplicates}
    template = "cases/households/household_form.html"
    if request.htmx and request.method == "POST":
        template += "#household-form"
    return render(request, template, context)


def _redirect_to_household(request, household):
    response = redirect("cases:household_detail", household_uuid=household.uuid)
    if request.htmx:
        response.status_code = 204
        response["HX-Redirect"] = response["Location"]
    return response


@never_cache
@login_required
def resident_form_row(request):
    """One more empty resident row for the create form (the 'add person' button)."""
    if not permissions.can_create_household(request.user):
        raise PermissionDenied
    try:
        index = max(0, min(int(request.GET.get("residents-TOTAL_FORMS", "1")), 11))
    except ValueError:
        index = 1
    formset = ResidentFormSet(prefix="residents")
    form = formset._construct_form(index)
    return render(
        request,
        "cases/households/_resident_row.html",
        {"form": form, "index": index, "total": index + 1, "oob_total": True},
    )


@never_cache
@login_required
@household_file("household")
def household_detail(request, household_uuid):
    history = []

    def shown(household):  # everyone who ever lived here: the page shows them all
        history.extend(household_selectors.household_history(household=household))
        return [membership.resident.uuid for membership in history]

    household = access_household(
        request, household_uuid, user_may=permissions.can_use_register, residents_of=shown
    )
    context = {
        "household": household,
        "history": history,
        "can_edit": permissions.can_edit_household(request.user, household),
        "can_work": permissions.can_work_on_plans(request.user),
        # read while logging the view above: no extra query
        "break_glass": str(household.uuid) in break_glass_household_uuids(request.user),
    }
    context["progress_reports"] = progress_reports_recent(household=household)
    context.update(intake_views.melding_section_context(user=request.user, household=household))
    context["meldingen"] = list(context["meldingen"])  # shown in the section and the timeline
    context["story"] = household_selectors.household_story(
        household=household, meldingen=context["meldingen"]
    )
    return render(request, "cases/households/household_detail.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("household")
def household_edit(request, household_uuid):
    household = access_household(
        request, household_uuid, may=_may_edit, attempted_action=AccessAction.CHANGE
    )
    form = HouseholdForm(request.POST or None, instance=household)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            household_services.household_update(
                household=household,
                by=request.user,
                expected_version=form.cleaned_data.get("version") or household.version,
                context=request_context(request),
                **{name: form.cleaned_data[name] for name in household_services.HOUSEHOLD_FIELDS},
            )
        except household_services.ConcurrentEditError as exc:
            conflict = True
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Address saved."))
            return _redirect_to_household(request, household)
    template = "cases/households/household_edit.html"
    if request.htmx and request.method == "POST":
        template += "#household-form"
    return render(request, template, {"form": form, "household": household, "conflict": conflict})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("resident")
def resident_add(request, household_uuid):
    household = access_household(
        request,
        household_uuid,
        object_type="resident",
        may=_may_edit,
        attempted_action=AccessAction.CHANGE,
    )
    form = ResidentForm(request.POST or None)
    duplicates = []
    if (
        request.method == "POST"
        and form.is_valid()
        and not (
            duplicates := intake_views.unconfirmed_duplicates(
                request, [form], postcode=household.postcode
            )
        )
    ):
        try:
            household_services.resident_add_to_household(
                household=household,
                by=request.user,
                data=_new_resident(form.cleaned_data),
                context=request_context(request),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Resident added."))
            return _redirect_to_household(request, household)
    template = "cases/households/resident_form.html"
    if request.htmx and request.method == "POST":
        template += "#resident-form"
    return render(
        request, template, {"form": form, "household": household, "duplicates": duplicates}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("resident")
def resident_edit(request, household_uuid, resident_uuid):
    def fetch():
        household = household_for_user(user=request.user, household_uuid=household_uuid)
        return get_object_or_404(
            household.memberships.select_related("resident"), resident__uuid=resident_uuid
        )

    membership = access_object(
        request,
        object_type="resident",
        object_id=resident_uuid,
        fetch=fetch,
        may=lambda user, membership: _may_edit(user, membership.household),
        residents_of=lambda membership: [membership.resident.uuid],
        attempted_action=AccessAction.CHANGE,
        household_uuid=household_uuid,
    )
    household, resident = membership.household, membership.resident
    form = ResidentForm(request.POST or None, instance=resident, with_role=False)
    if request.method == "POST" and form.is_valid():
        try:
            household_services.resident_update(
                resident=resident,
                by=request.user,
                household=household,
                context=request_context(request),
                **{name: form.cleaned_data[name] for name in household_services.RESIDENT_FIELDS},
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Resident saved."))
            return _redirect_to_household(request, household)
    template = "cases/households/resident_form.html"
    if request.htmx and request.method == "POST":
        template += "#resident-form"
    return render(request, template, {"form": form, "household": household, "resident": resident})


@login_required
@require_POST
@household_file("resident")
def membership_end(request, household_uuid, resident_uuid):
    household = access_household(request, household_uuid, object_type="resident", may=_may_edit)
    membership = get_object_or_404(household.memberships.current(), resident__uuid=resident_uuid)
    form = MembershipEndForm(request.POST)
    if form.is_valid():
        try:
            household_services.membership_end(
                membership=membership,
                by=request.user,
                end_date=form.cleaned_data["end_date"],
                context=request_context(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The resident has left the household."))
    else:
        messages.error(request, _("Give the date the resident left."))
    return _redirect_to_household(request, household)


@login_required
@require_POST
def validate_field(request, kind):
    """Inline check of one field after it changed (BSN, postcode): a short message, or a hint."""
    _require_register(request.user)
    values = [v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"]
    value = (values[0] if values else "").strip()
    message, hint = "", ""
    if value:
        try:
            if kind == "bsn":
                normalise_bsn(value)
            elif kind == "postcode":
                area = postcode_lookup(postcode=value)
                hint = (
                    f"{area.neighbourhood.name}, {area.neighbourhood.district.name}"
                    if area
                    else _("Outside this municipality's areas.")
                )
            else:
                raise Http404
        except ValidationError as exc:
            message = exc.messages[0]
    return render(request, "cases/_field_feedback.html", {"message": message, "hint": hint})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def caseload_reassign(request, district_code):
    """The team lead moves a departing member's households to a colleague, at most
    100 per action; every move is recorded."""
    team = get_object_or_404(Team.objects.select_related("district"), district__code=district_code)
    if not permissions.can_reassign_caseload(request.user, team):
        raise Http404
    form = CaseloadReassignForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            result = household_services.caseload_reassign(
                team=team,
                from_user=form.cleaned_data["from_member"].user,
                to_user=form.cleaned_data["to_member"].user,
                by=request.user,
                context=request_context(request),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                ngettext("%(count)s household moved.", "%(count)s households moved.", result.moved)
                % {"count": result.moved},
            )
            if result.remaining:
                messages.warning(
                    request,
                    _("%(count)s remain; repeat to move the next ones (at most 100 at a time).")
                    % {"count": result.remaining},
                )
                return redirect("cases:caseload_reassign", district_code=team.district.code)
            return redirect("teams:team_detail", district_code=team.district.code)
    return render(request, "cases/households/caseload_reassign.html", {"form": form, "team": team})
