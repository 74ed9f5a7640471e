"""The reciprocity register's screens: find a volunteer (by district and offer), a volunteer's
page (of the households they help only those the viewer may open), registering a volunteer
(a household's resident, or someone outside the register), and a household's volunteers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import permissions
from cases.access import access_household, access_object, household_file
from cases.audit import access_log_record, request_context
from cases.consent.selectors import current_residents
from cases.privacy.models import AccessAction
from cases.volunteers import selectors
from cases.volunteers import services as volunteer_services
from cases.volunteers.forms import (
    VolunteerFilter,
    VolunteerForm,
    VolunteeringForm,
    VolunteerPersonForm,
)
from socialdomain.forms import apply_validation_error

PAGE_SIZE = 25


def _redirect(request, url: str):
    """302 for a normal form post; 204 + HX-Redirect for HTMX."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@never_cache
@login_required
@require_GET
def volunteer_list(request):
    """Find a volunteer: by district and what they offer, a page at a time. The search is
    logged (its kind and count, like the household search)."""
    if not permissions.can_find_volunteers(request.user):
        raise PermissionDenied
    filters = VolunteerFilter(request.GET, queryset=selectors.volunteers_findable())
    if not filters.is_valid():
        context = {"filters": filters, "page": None}
        return render(request, "cases/volunteers/volunteer_list.html", context, status=400)
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    access_log_record(
        request_or_user=request,
        action=AccessAction.SEARCH,
        object_type="volunteer",
        search_kind="volunteers",
        result_count=page.paginator.count,
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "query": query.urlencode()}
    template = "cases/volunteers/volunteer_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


def _volunteer_read(request, volunteer_uuid, *, change: bool = False):
    """The volunteer, through the access helper: a refusal or a miss logged as such, a read as
    a `view` of the volunteer (their person); an allowed change is logged by its service."""
    return access_object(
        request,
        object_type="volunteer",
        object_id=volunteer_uuid,
        fetch=lambda: selectors.volunteer_get(volunteer_uuid=volunteer_uuid),
        user_may=permissions.can_manage_volunteers if change else permissions.can_find_volunteers,
        may=permissions.can_stop_volunteer if change else None,
        residents_of=lambda volunteer: [volunteer.resident.uuid],
    )


@never_cache
@login_required
@require_GET
def volunteer_detail(request, volunteer_uuid):
    volunteer = _volunteer_read(request, volunteer_uuid)
    context = {
        "volunteer": volunteer,
        "findable": selectors.volunteer_is_findable(volunteer=volunteer),
        "help": selectors.volunteer_help_for(volunteer=volunteer, user=request.user),
        "can_stop": permissions.can_stop_volunteer(request.user, volunteer),
    }
    return render(request, "cases/volunteers/volunteer_detail.html", context)


@login_required
@require_POST
def volunteer_stop(request, volunteer_uuid):
    volunteer = _volunteer_read(request, volunteer_uuid, change=True)
    try:
        volunteer_services.volunteer_stop(
            volunteer=volunteer, by=request.user, context=request_context(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The volunteer has stopped and is no longer findable."))
    return _redirect(request, reverse("volunteers:detail", args=[volunteer.uuid]))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def volunteer_create(request):
    """Someone outside the municipality's register becomes a volunteer."""
    if not permissions.can_manage_volunteers(request.user):
        raise PermissionDenied
    form = VolunteerPersonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                volunteer = volunteer_services.volunteer_person_register(
                    by=request.user, context=request_context(request), **form.service_kwargs()
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("The volunteer is in the register."))
                return _redirect(request, reverse("volunteers:detail", args=[volunteer.uuid]))
        status = 400
    context = {"form": form, "resident": None, "household": None}
    return render(request, "cases/volunteers/volunteer_form.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("volunteer")
def resident_volunteer_register(request, household_uuid, resident_uuid):
    """A resident of this household (one who was helped, often) becomes a volunteer."""
    household = access_household(
        request,
        household_uuid,
        object_type="volunteer",
        user_may=permissions.can_manage_volunteers,
        attempted_action=AccessAction.CHANGE,
    )
    resident = current_residents(household=household).filter(uuid=resident_uuid).first()
    if resident is None:
        raise Http404("No such resident here")
    initial = {
        "district": household.neighbourhood.district if household.neighbourhood_id else None,
        "consent_given_by": resident.full_name,
    }
    form = VolunteerForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                volunteer = volunteer_services.volunteer_register(
                    resident=resident,
                    by=request.user,
                    context=request_context(request),
                    **form.service_kwargs(),
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("The volunteer is in the register."))
                return _redirect(request, reverse("volunteers:detail", args=[volunteer.uuid]))
        status = 400
    context = {"form": form, "resident": resident, "household": household}
    return render(request, "cases/volunteers/volunteer_form.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("volunteering")
def household_volunteering_add(request, household_uuid):
    """A volunteer from the register starts helping this household: they join its informal
    network."""
    household = access_household(
        request,
        household_uuid,
        object_type="volunteering",
        user_may=permissions.can_manage_volunteers,
        attempted_action=AccessAction.CHANGE,
    )
    form = VolunteeringForm(
        request.POST or None,
        initial={"started_on": timezone.localdate()},
        volunteers=selectors.volunteers_to_link(household=household),
        residents=current_residents(household=household),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                volunteer_services.volunteering_start(
                    household=household,
                    by=request.user,
                    context=request_context(request),
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                url = reverse("cases:household_detail", args=[household.uuid])
                return _redirect(request, url + ("" if request.htmx else "#network"))
        status = 400
    context = {"form": form, "household": household}
    return render(request, "cases/volunteers/volunteering_form.html", context, status=status)


@login_required
@require_POST
@household_file("volunteering")
def household_volunteering_end(request, household_uuid, volunteering_uuid):
    household = access_household(
        request,
        household_uuid,
        object_type="volunteering",
        user_may=permissions.can_manage_volunteers,
    )
    volunteering = selectors.household_volunteering(
        household=household, volunteering_uuid=volunteering_uuid
    )
    try:
        volunteer_services.volunteering_end(
            volunteering=volunteering, by=request.user, context=request_context(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    url = reverse("cases:household_detail", args=[household.uuid])
    return _redirect(request, url + ("" if request.htmx else "#network"))
