"""The clocks' screens: a team's overview of all running clocks, its section on the team page
(loaded by HTMX, so `teams` needs no import of `cases`), and marking a reminder read."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cases import permissions
from cases.audit import access_log_record
from cases.deadlines import selectors, services
from cases.privacy.models import AccessAction


class ClockFilterForm(forms.Form):
    soort = forms.ChoiceField(label=_("kind"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["soort"].choices = [("", _("All kinds"))] + [
            (kind.code, kind.label) for kind in selectors.team_kinds()
        ]


def _team(request, district_code):
    if not permissions.can_use_team_clocks(request.user):
        raise PermissionDenied
    return selectors.team_for_clocks(user=request.user, district_code=district_code.upper())


@never_cache
@login_required
@require_GET
def team_clocks(request, district_code):
    """All running clocks of a team's households, soonest due first (late ones lead), by kind,
    a page at a time: for the team lead and the team's generalists."""
    team = _team(request, district_code)
    filters = ClockFilterForm(request.GET or None)
    kind = filters.cleaned_data["soort"] if filters.is_valid() else ""
    page = selectors.team_clock_page(team=team, kind=kind, page_number=request.GET.get("page"))
    access_log_record(
        request_or_user=request,
        action=AccessAction.VIEW,
        object_type="team_clocks",
        object_id=team.district.code,
        result_count=page.paginator.count,
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"team": team, "filters": filters, "page": page, "query": query, "kind": kind}
    template = "cases/deadlines/team_clocks.html"
    if request.htmx and request.htmx.target == "clock-results":
        template += "#results"
    return render(request, template, context)


@never_cache
@login_required
@require_GET
def team_clocks_section(request, district_code):
    """The team page's section: how many clocks run and are late per kind, the most urgent
    ones, and the link to the overview (`hx-get` from `teams/team_detail.html`)."""
    team = _team(request, district_code)
    summary = selectors.team_clock_summary(team=team)
    access_log_record(
        request_or_user=request,
        action=AccessAction.VIEW,
        object_type="team_clocks",
        object_id=team.district.code,
        result_count=len(summary["urgent"]),
    )
    return render(request, "cases/deadlines/_team_section.html", {"team": team, **summary})


@login_required
@require_POST
def reminder_read(request, reminder_uuid):
    reminder = selectors.reminder_of(user=request.user, reminder_uuid=reminder_uuid)
    services.clock_reminder_mark_read(reminder=reminder, by=request.user)
    response = redirect("home")
    if request.htmx:
        response.status_code = 204
        response["HX-Redirect"] = response["Location"]
    return response
