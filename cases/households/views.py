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
from cases.audit import (
    access_log_record,
    access_was_logged,
    break_glass_household_uuids,
    request_context,
)
from cases.households import selectors as household_selectors
from cases.households import services as household_services
from cases.households.forms import (
    CaseloadReassignForm,
    HandoverAcceptForm,
    HouseholdForm,
    HouseholdMoveForm,
    MembershipEndForm,
    ResidentForm,
    ResidentFormSet,
    ResidentJoinForm,
)
from cases.households.models import Handover
from cases.intake import views as intake_views
from cases.pagination import FirstPagePaginator
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
    search = household_selectors.household_search(user=request.user, query=query, members=False)
    # the page read as plain values; counted (when needed) on the households alone
    page = FirstPagePaginator(
        household_selectors.search_values(search),
        settings.HOUSEHOLD_SEARCH_PAGE_SIZE,
        count=search.count,
        count_of=search.results,
    ).get_page(request.POST.get("page"))
    if search.kind and not search.error:  # the kind and count are logged, never the query
        # the page as plain rows; the results are households_visible_to(user) already:
        # need-to-know is not asked twice for their clocks
        page.object_list = clocks.with_clocks(
            household_selectors.search_rows(page.object_list), user=request.user, ids_visible=True
        )
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


def _handover_accept_form(user, handovers):
    """On the household page, for the receiving team while a handover waits: the form to take
    the household on (queries only then)."""
    pending = next((handover for handover in handovers if handover.is_pending), None)
    team = getattr(pending.to_district, "team", None) if pending else None
    if team is None or not permissions.can_accept_handover(user, team):
        return None
    form = HandoverAcceptForm(
        generalists=household_selectors.team_generalists(team=team),
        prefix=str(pending.uuid),
        initial={"coordinator": user.username},
    )
    form.handover = pending
    return form


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
        request,
        household_uuid,
        user_may=permissions.can_use_register,
        residents_of=shown,
        members=False,  # the history holds them: one query fewer
        annotations=household_selectors.household_page_sections(),  # empty ones: no query
    )
    household.current_memberships = household_selectors.current_members_of(memberships=history)
    page = household_selectors.household_page(household=household)
    context = {
        "household": household,
        "history": history,
        "former_addresses": page.former_addresses,
        "handovers": page.handovers,
        "can_edit": permissions.can_edit_household(request.user, household),
        "can_work": permissions.can_work_on_plans(request.user),
        # read while logging the view above: no extra query
        "break_glass": str(household.uuid) in break_glass_household_uuids(request.user),
        "progress_reports": page.progress_reports,
        "story": page.story,
    }
    context["accept_form"] = _handover_accept_form(request.user, context["handovers"])
    context.update(
        intake_views.melding_section_context(
            user=request.user, household=household, meldingen=page.story.meldingen
        )
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
    form = HouseholdMoveForm(request.POST or None, instance=household)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            household_services.household_update(
                household=household,
                by=request.user,
                expected_version=form.cleaned_data.get("version") or household.version,
                context=request_context(request),
                correction=form.cleaned_data["correction"],
                moved_on=form.cleaned_data["moved_on"],
                reason=form.cleaned_data["reason"],
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
    context = {
        "form": form,
        "household": household,
        "duplicates": duplicates,
        # a person registered already (e.g. who left another household): add them by BSN
        "known_bsn": household_selectors.registered_bsn(form.data.get("bsn", ""))
        if form.is_bound and form.errors
        else "",
    }
    return render(request, template, context)


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


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("resident")
def resident_join(request, household_uuid):
    """Add someone already registered to the household: one BSN search finds them (also a
    former member of any household) and says where they live now; then add them, or move them
    here from the household they live in (both histories kept)."""
    household = access_household(
        request,
        household_uuid,
        object_type="resident",
        may=_may_edit,
        attempted_action=AccessAction.CHANGE,
    )
    form = ResidentJoinForm(request.POST or None)
    action = request.POST.get("action", "find")
    person, conflict = None, None
    if request.method == "POST" and form.is_valid():
        person = household_selectors.person_by_bsn(user=request.user, bsn=form.cleaned_data["bsn"])
        if person is None:
            form.add_error(
                "bsn", _("Nobody with this BSN is registered. Add them as a new person.")
            )
        elif action in ("join", "move"):
            try:
                household_services.resident_join_household(
                    household=household,
                    resident=person.resident,
                    by=request.user,
                    role=form.cleaned_data["role"],
                    start_date=form.cleaned_data["start_date"],
                    move=action == "move",
                    context=request_context(request),
                )
            except household_services.OpenMembershipElsewhere as exc:
                conflict = exc
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s now lives in this household.")
                    % {"name": person.resident.full_name},
                )
                return _redirect_to_household(request, household)
        if person is not None and not access_was_logged(request):
            access_log_record(
                request_or_user=request,
                action=AccessAction.SEARCH,
                object_type="resident",
                search_kind="bsn",
                result_count=1,
            )
    context = {
        "form": form,
        "household": household,
        "person": person,
        "conflict": conflict,
        "lives_here": bool(
            person and person.current and person.current.household_id == household.pk
        ),
    }
    template = "cases/households/resident_join.html"
    if request.htmx and request.method == "POST":
        template += "#join-form"
    return render(request, template, context)


@never_cache
@login_required
def team_handovers_section(request, district_code):
    """The team page's section of incoming handovers (households that moved into the
    district), loaded by HTMX from `teams/team_detail.html`: who, why, the open plan and the
    running clocks, and for each the form to accept it and name the coordinator."""
    team = _handover_team(request, district_code)
    incoming = household_selectors.handovers_incoming(team=team)
    page = Paginator(incoming, household_selectors.HANDOVER_SECTION_LIMIT).get_page(
        request.GET.get("page")
    )
    handovers = clocks.with_clocks(
        list(page.object_list), user=request.user, household_id=lambda h: h.household_id
    )
    access_log_record(
        request_or_user=request,
        action=AccessAction.VIEW,
        object_type="handovers",
        object_id=team.district.code,
        result_count=page.paginator.count,
    )
    # one query for the choices of every accept form in the section
    generalists = list(household_selectors.team_generalists(team=team))
    return render(
        request,
        "cases/households/_handover_section.html",
        {"team": team, "page": page, "handovers": handovers, "generalists": generalists},
    )


@login_required
@require_POST
def handover_accept(request, handover_uuid):
    """The receiving team accepts a handover and names the coordinator."""
    handover = get_object_or_404(
        Handover.objects.select_related("to_district__team", "household"), uuid=handover_uuid
    )
    team = getattr(handover.to_district, "team", None)
    if team is None or not permissions.can_accept_handover(request.user, team):
        raise Http404
    form = HandoverAcceptForm(
        request.POST,
        generalists=household_selectors.team_generalists(team=team),
        prefix=str(handover.uuid),
    )
    if form.is_valid():
        try:
            household_services.handover_accept(
                handover=handover,
                by=request.user,
                coordinator=form.cleaned_data["coordinator"],
                context=request_context(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request,
                _("%(address)s is now in your team's care.")
                % {"address": handover.household.address_line},
            )
    else:
        messages.error(request, _("Choose the coordinator."))
    if permissions.can_reassign_caseload(request.user, team):
        return redirect("teams:team_detail", district_code=team.district.code)
    return redirect("cases:household_detail", household_uuid=handover.household.uuid)


def _handover_team(request, district_code) -> Team:
    team = get_object_or_404(Team.objects.select_related("district"), district__code=district_code)
    if not permissions.can_accept_handover(request.user, team):
        raise Http404
    return team
