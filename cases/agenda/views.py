"""Appointments: the household page's section (plan, cancel), the professional's own agenda
with its subscription link, the team page's section and the iCalendar feed itself."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import permissions
from cases.access import access_household, household_file
from cases.agenda import selectors, services
from cases.agenda.forms import AppointmentForm
from cases.agenda.ics import appointments_calendar
from cases.audit import access_log_record, request_context
from cases.deadlines.selectors import team_for_clocks
from cases.privacy.models import AccessAction
from socialdomain.forms import apply_validation_error


def _form(household, user, data=None):
    return AppointmentForm(
        data,
        professionals=selectors.professionals_for_household(household=household),
        initial={"professionals": [user.pk]},
    )


def _render_section(request, household, *, form=None):
    can_plan = permissions.can_plan_appointments(request.user)
    if form is None and can_plan:
        form = _form(household, request.user)
    context = {
        "household": household,
        "appointments": selectors.household_appointments(household=household),
        "form": form if can_plan else None,
        "can_plan": can_plan,
    }
    template = "cases/agenda/appointments.html"
    if request.htmx:
        template += "#section"
    return render(request, template, context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("appointments")
def household_appointments(request, household_uuid):
    """GET: the household's coming appointments. POST: plan one."""
    if request.method == "GET":
        household = access_household(
            request, household_uuid, object_type="appointments",
            user_may=permissions.can_plan_appointments,
        )  # fmt: skip
        return _render_section(request, household)
    household = access_household(
        request, household_uuid, object_type="appointments",
        user_may=permissions.can_plan_appointments,
    )  # fmt: skip
    form = _form(household, request.user, request.POST)
    if form.is_valid():
        try:
            services.appointment_plan(
                household=household,
                by=request.user,
                context=request_context(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if not request.htmx:
                messages.success(request, _("Appointment planned."))
                return redirect("cases:household_appointments", household.uuid)
            return _render_section(request, household)
    # form errors come back with 200: htmx swaps only successful responses
    return _render_section(request, household, form=form)


@never_cache
@login_required
@require_POST
@household_file("appointments")
def appointment_cancel(request, household_uuid, appointment_uuid):
    household = access_household(
        request, household_uuid, object_type="appointments",
        user_may=permissions.can_plan_appointments,
    )  # fmt: skip
    appointment = household.appointments.filter(uuid=appointment_uuid).first()
    if appointment is None:
        raise Http404
    services.appointment_cancel(
        appointment=appointment, by=request.user, context=request_context(request)
    )
    if request.htmx:
        return _render_section(request, household)
    messages.success(request, _("Appointment cancelled."))
    return redirect("cases:household_appointments", household.uuid)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def my_agenda(request):
    """The professional's own coming appointments, and their subscription link: made (shown
    once), renewed or stopped."""
    if not permissions.can_plan_appointments(request.user):
        raise PermissionDenied
    new_link = ""
    if request.method == "POST":
        if request.POST.get("feed") == "renew":
            _feed, token = services.calendar_feed_renew(user=request.user)
            new_link = request.build_absolute_uri(reverse("agenda:feed", args=[token]))
        elif request.POST.get("feed") == "revoke":
            services.calendar_feed_revoke(user=request.user)
            messages.success(request, _("The subscription link no longer works."))
            return redirect("agenda:mine")
    page = selectors.my_appointments_page(user=request.user, page_number=request.GET.get("page"))
    return render(
        request,
        "cases/agenda/my_agenda.html",
        {"page": page, "feed": selectors.active_feed(user=request.user), "new_link": new_link},
    )


@never_cache
@login_required
@require_GET
def team_agenda_section(request, district_code):
    """The team page's section: the appointments of the team's households in the coming two
    weeks (`hx-get` from `teams/team_detail.html`); logged like the clocks section."""
    if not permissions.can_use_team_clocks(request.user):
        raise PermissionDenied
    team = team_for_clocks(user=request.user, district_code=district_code.upper())
    appointments = selectors.team_appointments(team=team)
    access_log_record(
        request_or_user=request,
        action=AccessAction.VIEW,
        object_type="team_agenda",
        object_id=team.district.code,
        result_count=len(appointments),
    )
    return render(
        request,
        "cases/agenda/_team_section.html",
        {"team": team, "appointments": appointments, "days": selectors.TEAM_SECTION_DAYS},
    )


@never_cache
@require_GET
def calendar_feed(request, token):
    """The iCalendar feed behind a subscription link: no login (a mail client fetches it), the
    secret in the URL is the key; an unknown or revoked link is a 404."""
    feed = selectors.feed_for_token(token)
    if feed is None or not feed.user.is_active:
        raise Http404
    services.calendar_feed_used(feed=feed)
    body = appointments_calendar(
        selectors.feed_appointments(feed=feed), name=_("wijkwerk appointments")
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="wijkwerk.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
