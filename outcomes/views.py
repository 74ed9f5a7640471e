"""Dashboards, exports, recomputation and bottlenecks. Views parse input and call selectors
and services; the dashboards read only the summary tables."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.access import access_household
from cases.audit import access_log_record, request_context
from cases.intake.models import LifeDomain
from cases.privacy.models import AccessAction
from outcomes import permissions, services
from outcomes import selectors as sel
from outcomes.charts import bar_chart, column_chart
from outcomes.forms import BottleneckForm, ExportStartForm
from outcomes.models import ExportFormat, JobStatus
from outcomes.tables import LEGEND
from socialdomain.forms import apply_validation_error
from teams.selectors import teams_of_user

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _sections(filters) -> list[dict]:
    """Every table of the dashboard, each with the chart drawn from it (or none)."""
    outcomes = sel.outcome_domain_table(filters)
    decisions = sel.decision_table(filters)
    first_plan = sel.first_plan_table(filters)
    budget = sel.budget_data(filters)
    budget_stream = sel.budget_stream_table(filters, budget)
    outcome_series = [("improved", "bar-good"), ("same", "bar-same"), ("declined", "bar-bad")]
    return [
        {
            "group": _("Outcomes"),
            "table": outcomes,
            "chart": bar_chart(
                outcomes,
                series=outcome_series,
                description=_(
                    "Per life domain, bars for households that improved, stayed the same and "
                    "declined."
                ),
            ),
        },
        {"table": sel.outcome_district_table(filters), "domain_filter": True},
        {"table": sel.outcome_provider_table(filters), "domain_filter": True},
        {"table": sel.outcome_product_table(filters), "domain_filter": True},
        {
            "table": first_plan,
            "chart": bar_chart(
                first_plan,
                series=[("mean_days", "bar-a")],
                include_total=True,
                description=_("Mean days to the first support plan per district."),
            ),
        },
        {
            "table": decisions,
            "chart": bar_chart(
                decisions,
                series=[("share", "bar-good")],
                include_total=True,
                description=_("Share of decisions within the legal term, per law."),
            ),
        },
        {"table": sel.decision_district_table(filters)},
        {
            "table": (investigations := sel.investigation_table(filters)),
            "chart": bar_chart(
                investigations,
                series=[("share", "bar-good")],
                include_total=True,
                description=_("Share of Wmo investigations within the legal term, per district."),
            ),
        },
        {"table": sel.objection_table(filters)},
        {"table": sel.reentry_table(filters)},
        {
            "group": _("Budgets"),
            "table": budget_stream,
            "chart": bar_chart(
                budget_stream,
                series=[("budget", "bar-same"), ("committed", "bar-a")],
                description=_("Per budget stream: the budget and what is committed."),
            ),
        },
        {"table": sel.budget_district_table(filters, budget)},
        {"table": sel.mandate_table(filters)},
        {
            "group": _("Informal and paid support"),
            "table": (support := sel.informal_support_table(filters)),
            "chart": bar_chart(
                support,
                series=[("network", "bar-good"), ("paid", "bar-a")],
                description=_(
                    "Per district: plan actions carried by the informal network and running "
                    "allocations of paid provisions."
                ),
            ),
        },
    ]


DASHBOARD_CACHE_SECONDS = 300


def _sections_key(filters, *, run, team_view: bool) -> str:
    """The dashboard's tables and charts are rendered once per summary run (docs/performance.md,
    the template's `{% cache %}` fragment): keyed by the run and its state, the view, the
    districts in scope and the filters (the template adds the language), kept for at most
    DASHBOARD_CACHE_SECONDS: the summaries change only with a run; the few live figures beside
    them (team mandates, budgets) show within that time. No user-specific content (no CSRF
    token) is in the fragment."""
    scope = ",".join(str(district.pk) for district in filters.districts)
    state = f"{run.uuid}:{run.status}:{run.finished_at}" if run is not None else "none"
    params = sorted(filters.as_params().items())
    return f"{state}|{team_view}|{scope}|{filters.scope_ids}|{params}"


def _dashboard(request, *, team_view: bool):
    if not permissions.can_view_dashboard(request.user, team_view=team_view):
        raise PermissionDenied
    filters = sel.filters_parse(user=request.user, params=request.GET, team_view=team_view)
    params = {**filters.as_params(), "view": "team" if team_view else "policy"}
    context = {
        "team_view": team_view,
        "filters": filters,
        # evaluated by the template only when its cached fragment is missing (below)
        "sections": functools.partial(_sections, filters),
        "query": urlencode(params),
        "params": params,
        "legend": LEGEND,
        "years": sel.period_years(),
        "months": range(1, 13),
        "domains": LifeDomain.choices,
        "run": (run := sel.latest_summary_run()),
        "can_recompute": permissions.can_recompute(request.user),
        "exports": sel.export_jobs_of(user=request.user),
        "background_tables": sorted(sel.BACKGROUND_TABLES),
        "self_url": reverse(
            "outcomes:team_dashboard" if team_view else "outcomes:policy_dashboard"
        ),
    }
    context["sections_key"] = _sections_key(filters, run=run, team_view=team_view)
    context["sections_seconds"] = DASHBOARD_CACHE_SECONDS
    template = "outcomes/dashboard.html"
    if request.htmx and request.htmx.target == "dashboard":
        template += "#dashboard"
    return render(request, template, context)


@never_cache
@login_required
@require_GET
def policy_dashboard(request):
    """The municipality: outcomes, decisions and budgets, filter by period and district."""
    return _dashboard(request, team_view=False)


@never_cache
@login_required
@require_GET
def team_dashboard(request):
    """A team lead's own districts."""
    return _dashboard(request, team_view=True)


# Exports -----------------------------------------------------------------------------------


def _file_response(content: bytes, *, file_format: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_GET
def export(request, table: str, file_format: str):
    """A dashboard table as CSV or XLSX, straight away (the small tables)."""
    if file_format not in ExportFormat.values or table in sel.BACKGROUND_TABLES:
        raise Http404("No such export")
    data = sel.export_table(name=table, user=request.user, params=request.GET.dict())
    content = services.table_file(
        data.export_rows(), file_format=file_format, title=str(data.title)
    )
    return _file_response(content, file_format=file_format, filename=f"{table}.{file_format}")


@login_required
@require_POST
def export_start(request):
    """A large export as a background job; the page polls its progress."""
    form = ExportStartForm(request.POST)
    if not form.is_valid() or form.cleaned_data["table"] not in sel.TABLES:
        raise Http404("No such export")
    params = {
        k: v for k, v in request.POST.items() if k in ("jaar", "maand", "wijk", "domein", "view")
    }
    # the scope is checked now and again when the job runs
    sel.export_table_check(name=form.cleaned_data["table"], user=request.user, params=params)
    job = services.export_job_start(
        by=request.user,
        table=form.cleaned_data["table"],
        file_format=form.cleaned_data["file_format"],
        params=params,
    )
    if request.htmx:
        return render(request, "outcomes/_export_job.html", {"job": job})
    return redirect("outcomes:export_status", job.uuid)


@never_cache
@login_required
@require_GET
def export_status(request, job_uuid):
    job = sel.export_job_for(user=request.user, job_uuid=job_uuid)
    if request.htmx:
        return render(request, "outcomes/_export_job.html", {"job": job})
    return render(request, "outcomes/export_status.html", {"job": job})


@never_cache
@login_required
@require_GET
def export_download(request, job_uuid):
    """Only the requester gets the file (404 for anyone else)."""
    job = sel.export_job_for(user=request.user, job_uuid=job_uuid)
    if job.status != JobStatus.DONE:
        raise Http404("Not ready")
    content = sel.export_job_content(job=job)
    return _file_response(content, file_format=job.file_format, filename=job.filename)


# Recompute ---------------------------------------------------------------------------------


@login_required
@require_POST
def recompute(request):
    if not permissions.can_recompute(request.user):
        raise PermissionDenied
    run = services.summary_run_request(by=request.user)
    if request.htmx:
        return render(request, "outcomes/_run.html", {"run": run})
    messages.success(request, _("The figures are being recomputed."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("outcomes:policy_dashboard")
    return redirect(target)


@never_cache
@login_required
@require_GET
def recompute_status(request, run_uuid):
    if not permissions.can_recompute(request.user):
        raise PermissionDenied
    run = sel.summary_run_for(run_uuid=run_uuid)
    # polled until done: then offer to show the new figures
    return render(request, "outcomes/_run.html", {"run": run, "just_done": True})


# Bottlenecks -------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def bottleneck_create(request):
    """A professional records a rule that blocked a sensible solution, optionally for a
    household they may open (`?huishouden=<uuid>`)."""
    if not permissions.can_record_bottleneck(request.user):
        raise PermissionDenied
    household = None
    household_uuid = request.POST.get("huishouden") or request.GET.get("huishouden")
    if household_uuid:
        try:
            household = access_household(request, household_uuid, object_type="bottleneck")
        except ValidationError as exc:  # not a UUID
            raise Http404("No household") from exc
    form = BottleneckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        teams = teams_of_user(user=request.user)
        try:
            services.bottleneck_record(
                by=request.user,
                household=household,
                district=teams[0].district if teams else None,
                context=request_context(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Bottleneck recorded. Thank you: policy reads these."))
            if household is not None:
                return redirect("cases:household_detail", household.uuid)
            return redirect("outcomes:bottleneck_create")
    if household is not None and request.method == "POST":
        # shown again with its errors: the page names the household's address (a read)
        access_log_record(
            request_or_user=request,
            action=AccessAction.VIEW,
            object_type="bottleneck",
            object_id=household.uuid,
            household_uuid=household.uuid,
        )
    return render(
        request,
        "outcomes/bottleneck_form.html",
        {
            "form": form,
            "household": household,
            "mine": sel.bottlenecks_of_reporter(user=request.user),
        },
    )


@never_cache
@login_required
@require_GET
def bottlenecks(request):
    """The policy side: grouped by kind of rule, with counts, a monthly trend and the signals
    about general provisions. Never a household or a reporter."""
    if not permissions.can_view_bottlenecks(request.user):
        raise PermissionDenied
    filters = sel.filters_parse(user=request.user, params=request.GET, team_view=False)
    district_id = filters.district.pk if filters.district else None
    groups = sel.bottlenecks_by_rule(district_id=district_id)
    trend = sel.bottleneck_trend(district_id=district_id)
    table = sel.bottleneck_table(groups)
    context = {
        "filters": filters,
        "groups": groups,
        "table": table,
        "chart": column_chart(
            [(point["month"].strftime("%m-%y"), point["count"]) for point in trend],
            id="chart-bottleneck-trend",
            title=_("Bottlenecks per month"),
            description=_("Number of bottlenecks recorded per month, last 12 months."),
        ),
        "trend": trend,
        "provisions": sel.provision_signals(),
        "query": urlencode(filters.as_params()),
    }
    template = "outcomes/bottlenecks.html"
    if request.htmx and request.htmx.target == "bottlenecks":
        template += "#bottlenecks"
    return render(request, template, context)


@never_cache
@login_required
@require_GET
def bottleneck_export(request, file_format: str):
    if file_format not in ExportFormat.values or not permissions.can_view_bottlenecks(request.user):
        raise Http404("No such export")
    filters = sel.filters_parse(user=request.user, params=request.GET, team_view=False)
    table = sel.bottleneck_table(
        sel.bottlenecks_by_rule(district_id=filters.district.pk if filters.district else None)
    )
    content = services.table_file(
        table.export_rows(), file_format=file_format, title=str(table.title)
    )
    return _file_response(content, file_format=file_format, filename=f"bottlenecks.{file_format}")
