"""Area screens: the GP lookup of area contacts, postcode coverage and the team overview.
Views parse input, call a selector and render; the rules live in selectors.py and
permissions.py."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from teams import permissions, selectors
from teams.roles import Role, has_role
from teams.validators import format_postcode


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def area_contacts(request):
    """One input: a postcode. The result (district, wijkteam, consultants or today's
    substitutes) replaces itself while typing. A POST, so a patient's postcode stays out of
    URLs and logs."""
    if not permissions.can_look_up_area_contacts(request.user):
        raise PermissionDenied
    query = request.POST.get("postcode", "").strip() if request.method == "POST" else ""
    context = {"query": query, "result": None, "error": "", "outside": False}
    if query:
        try:
            context["result"] = selectors.area_contacts_cached(postcode=query)
        except ValidationError as exc:
            context["error"] = exc.messages[0]
        else:
            context["outside"] = context["result"] is None
            context["postcode_display"] = format_postcode(query.replace(" ", ""))
    if request.htmx:
        return render(request, "teams/area_contacts.html#result", context)
    return render(request, "teams/area_contacts.html", context)


@never_cache
@login_required
def coverage(request):
    """Districts without a team (their postcodes are not covered), missing consultants and
    neighbourhoods without postcodes."""
    if not permissions.can_view_coverage(request.user):
        raise PermissionDenied
    report = selectors.coverage_report()
    own = (
        None
        if has_role(request.user, Role.FUNCTIONAL_ADMIN)
        else selectors.district_ids_of_user(user=request.user)
    )
    context = {
        "report": report,
        "own_district_ids": own,
        "districts_without_team": [row for row in report if not hasattr(row.district, "team")],
        "uncovered_total": sum(row.uncovered_postcodes for row in report),
        "gaps": [
            row
            for row in report
            if row.missing_domains or row.uncovered_postcodes or row.empty_neighbourhoods
        ],
    }
    return render(request, "teams/coverage.html", context)


@never_cache
@login_required
def team_detail(request, district_code):
    """The team lead's overview: members with caseload against contract hours, and the
    team's composition beside the district's statistics."""
    team = selectors.team_for_lead(user=request.user, district_code=district_code.upper())
    loads = selectors.team_member_loads(team=team)
    statistics = getattr(team.district, "statistics", None)
    specialisms = {s.specialism for load in loads for s in load.member.specialisms.all()}
    context = {
        "team": team,
        "loads": loads,
        "statistics": statistics,
        "hints": selectors.composition_hints(statistics=statistics, specialisms=specialisms),
        "total_caseload": sum(load.caseload for load in loads),
        "total_hours": sum(load.member.contract_hours for load in loads),
        "specialism_counts": selectors.specialism_counts(loads),
    }
    return render(request, "teams/team_detail.html", context)
