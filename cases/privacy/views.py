"""Screens for need-to-know beyond one's own circle and for the privacy officer: 'known, not
opened', break the glass, the access log (filter, export) and the break-the-glass review list.
Views parse input and call a selector or service."""

import csv
import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import permissions
from cases.access import access_object, household_file
from cases.audit import access_log_record, request_context
from cases.privacy import selectors as bgsel
from cases.privacy import services as bgsvc
from cases.privacy.forms import (
    BreakGlassForm,
    KnownSearchForm,
    LogFilterForm,
    ReviewForm,
    RoleChangeFilterForm,
)
from cases.privacy.models import AccessAction, BreakGlassVerdict
from socialdomain.forms import apply_validation_error
from teams import selectors as team_selectors

ROLE_CHANGES_PAGE_SIZE = 50

CURSOR_SEPARATOR = "_"


def _redirect(request, url):
    response = redirect(url)
    if request.htmx:
        response.status_code = 204
        response["HX-Redirect"] = response["Location"]
    return response


# --- Known, not opened ------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def household_known(request):
    """Is this household known anywhere in the municipality? For a household outside the
    user's circle only that it is known, its team and coordinator: no content."""
    if not permissions.can_search_known_households(request.user):
        raise PermissionDenied
    form = KnownSearchForm(request.POST or None)
    search = None
    if request.method == "POST" and form.is_valid():
        search = bgsel.household_known_search(
            user=request.user,
            bsn=form.cleaned_data["bsn"],
            postcode=form.cleaned_data["postcode"],
            house_number=form.cleaned_data["house_number"],
        )
        if search.kind and not search.error:  # the kind and count, never what was typed
            access_log_record(
                request_or_user=request,
                action=AccessAction.SEARCH,
                object_type="household_known",
                search_kind=search.kind,
                result_count=len(search.households),
            )
    context = {"form": form, "search": search, "hours": settings.BREAK_GLASS_HOURS}
    template = "cases/privacy/household_known.html"
    if request.htmx and request.method == "POST":
        template += "#results"
    return render(request, template, context)


# --- Break the glass ----------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("break_glass")
def break_glass(request, household_uuid):
    """Open a file outside one's circle in an emergency, after giving a reason. Seeing the form
    shows that the household is known and who its team is: logged as a read."""
    household = access_object(
        request,
        object_type="break_glass",
        object_id=household_uuid,
        fetch=lambda: bgsel.household_for_break_glass(household_uuid=household_uuid),
        user_may=permissions.can_break_the_glass,
    )
    detail_url = reverse("cases:household_detail", args=[household.uuid])
    if request.method == "GET" and bgsel.household_is_visible(
        user=request.user, household=household
    ):
        # already in the circle (or an active grant): nothing to break
        return redirect(detail_url)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = bgsvc.break_glass_open(
                household=household,
                by=request.user,
                reason=form.cleaned_data["reason"],
                context=request_context(request),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.warning(
                request,
                _(
                    "Emergency access until %(until)s. Every page you open is logged and the "
                    "privacy officer reviews this access."
                )
                % {"until": timezone.localtime(grant.expires_at).strftime("%d-%m-%Y %H:%M")},
            )
            return _redirect(request, detail_url)
    # a form shown again with its errors: the household-file mark logs the read
    template = "cases/privacy/break_glass.html"
    if request.htmx and request.method == "POST":
        template += "#break-glass-form"
    context = {"household": household, "form": form, "hours": settings.BREAK_GLASS_HOURS}
    return render(request, template, context)


# --- The privacy officer ------------------------------------------------------------------------


def _require_privacy_officer(user) -> None:
    if not permissions.can_review_access(user):
        raise PermissionDenied


@never_cache
@login_required
@require_GET
def privacy_overview(request):
    _require_privacy_officer(request.user)
    return render(
        request,
        "cases/privacy/overview.html",
        {"pending_count": bgsel.break_glass_pending_count()},
    )


def _cursor(value: str):
    at, _sep, pk = (value or "").partition(CURSOR_SEPARATOR)
    try:
        return datetime.datetime.fromisoformat(at), int(pk)
    except ValueError:
        return None


@never_cache
@login_required
@require_GET
def access_log(request):
    """The access log, filtered, newest first, one keyset page at a time."""
    _require_privacy_officer(request.user)
    form = LogFilterForm(request.GET or None)
    rows, after = bgsel.access_log_page(
        filters=form.log_filter(),
        size=settings.ACCESS_LOG_PAGE_SIZE,
        after=_cursor(request.GET.get("na", "")),
    )
    query = request.GET.copy()
    query.pop("na", None)
    next_query = None
    if after:
        next_query = query.copy()
        next_query["na"] = f"{after[0].isoformat()}{CURSOR_SEPARATOR}{after[1]}"
    context = {
        "form": form,
        "rows": rows,
        "query": query,
        "next_query": next_query,
        "first_page": "na" in request.GET,
    }
    template = "cases/privacy/access_log.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


class _Echo:
    def write(self, value):
        return value


EXPORT_COLUMNS = [
    "at",
    "username",
    "role_names",
    "action",
    "object_type",
    "object_id",
    "household_uuid",
    "resident_uuids",
    "search_kind",
    "result_count",
    "result",
    "context",
    "reason",
    "ip_address",
    "user_agent",
]


@login_required
@require_GET
def access_log_export(request):
    """The filtered log as CSV (at most ACCESS_LOG_EXPORT_MAX_ROWS rows); the export is logged."""
    _require_privacy_officer(request.user)
    form = LogFilterForm(request.GET or None)
    # a snapshot: the rows up to now, not the export's own row written below
    entries = bgsel.access_log_entries(filters=form.log_filter(), up_to=bgsel.access_log_last_id())[
        : settings.ACCESS_LOG_EXPORT_MAX_ROWS
    ]
    count = entries.count()
    access_log_record(
        request_or_user=request,
        action=AccessAction.EXPORT,
        object_type="access_log",
        household_uuid=form.log_filter().household_uuid,
        result_count=count,
    )
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(EXPORT_COLUMNS)
        for entry in entries.values_list(*EXPORT_COLUMNS).iterator(chunk_size=2000):
            values = list(entry)
            values[0] = values[0].isoformat()
            values[7] = " ".join(values[7] or [])
            yield writer.writerow(_safe_cell(value) for value in values)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="toegangslogboek-{stamp}.csv"'
    return response


def _safe_cell(value):
    """No spreadsheet formulas from logged text (CSV injection): prefix them with a quote."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@never_cache
@login_required
@require_GET
def break_glass_reviews(request):
    """Emergency accesses to review (oldest first), and the ones reviewed."""
    _require_privacy_officer(request.user)
    reviewed = request.GET.get("beoordeeld") == "1"
    page = Paginator(bgsel.break_glass_reviews(pending=not reviewed), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cases/privacy/break_glass_reviews.html",
        {"page": page, "reviewed": reviewed, "verdicts": BreakGlassVerdict.choices},
    )


@login_required
@require_POST
def break_glass_review(request, grant_uuid):
    _require_privacy_officer(request.user)
    grant = bgsel.break_glass_for_review(grant_uuid=grant_uuid)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            bgsvc.break_glass_review(
                grant=grant,
                by=request.user,
                verdict=form.cleaned_data["verdict"],
                note=form.cleaned_data["review_note"],
                context=request_context(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except bgsvc.ReviewConflictError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Review recorded."))
    else:
        messages.error(request, _("Choose a verdict."))
    return _redirect(request, reverse("privacy:break_glass_reviews"))


@never_cache
@login_required
@require_GET
def role_changes(request):
    """Who gave or took which role or right from whom, and when (`teams.models.RoleChange`),
    newest first; the read is logged."""
    _require_privacy_officer(request.user)
    form = RoleChangeFilterForm(request.GET or None)
    username = form.username_filter()
    page = Paginator(
        team_selectors.role_changes(username=username), ROLE_CHANGES_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    access_log_record(
        request_or_user=request,
        action=AccessAction.VIEW,
        object_type="role_changes",
        result_count=len(page.object_list),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/privacy/role_changes.html",
        {"form": form, "page": page, "query": query},
    )
