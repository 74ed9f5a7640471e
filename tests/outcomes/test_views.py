import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases.privacy.models import AccessLogEntry
from outcomes import services
from outcomes.models import (
    Bottleneck,
    BottleneckHousehold,
    ExportJob,
    JobStatus,
    OutcomeSummary,
    SummaryRun,
)
from outcomes.services import bottleneck_record
from teams.roles import Role
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

POLICY = reverse("outcomes:policy_dashboard")
TEAM = reverse("outcomes:team_dashboard")


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        (Role.POLICY_OFFICER, POLICY, 200),
        (Role.FUNCTIONAL_ADMIN, POLICY, 200),
        (Role.GENERALIST, POLICY, 403),
        (Role.TEAM_LEAD, POLICY, 403),
        (Role.CONSULTANT, POLICY, 403),
        (Role.GP, POLICY, 403),
        (Role.TEAM_LEAD, TEAM, 200),
        (Role.POLICY_OFFICER, TEAM, 403),
        (Role.GENERALIST, TEAM, 403),
    ],
)
def test_who_sees_which_dashboard(client, user_with_role, role, url, status):
    client.force_login(user_with_role(role))
    assert client.get(url).status_code == status


def test_team_lead_sees_only_their_own_districts(client, dataset, team_lead):
    services.summaries_recompute()
    client.force_login(team_lead)
    response = client.get(TEAM, {"domein": "finances"})
    page = response.content.decode()
    district_table = page.split('id="table-outcomes_district"')[1].split("</table>")[0]
    assert dataset["A"].name in district_table
    assert dataset["B"].name not in page
    # asking for the other district changes nothing: it is not theirs
    response = client.get(TEAM, {"wijk": dataset["B"].code})
    assert response.context["filters"].district is None
    assert response.context["filters"].area_ids == [dataset["A"].pk]
    # and the export of the team view stays within the team's districts
    url = reverse("outcomes:export", args=["outcomes_district", "csv"])
    content = client.get(url, {"view": "team", "wijk": dataset["B"].code}).content.decode()
    assert dataset["B"].name not in content and dataset["A"].name in content
    # the policy view's export is refused to a team lead
    assert client.get(url, {"view": "policy"}).status_code == 404


def test_htmx_filter_returns_only_the_dashboard_part(client, dataset, policy_officer):
    services.summaries_recompute()
    client.force_login(policy_officer)
    response = client.get(
        POLICY,
        {"jaar": "2026", "maand": "3"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="dashboard",
    )
    page = response.content.decode()
    assert "<html" not in page and 'id="table-outcomes"' in page
    assert response.context["filters"].period == "2026-03"


@pytest.mark.parametrize("table", ["outcomes", "decisions", "budget_stream", "mandate"])
def test_xlsx_export_has_the_table(client, dataset, policy_officer, table):
    services.summaries_recompute()
    client.force_login(policy_officer)
    response = client.get(reverse("outcomes:export", args=[table, "xlsx"]), {"jaar": "2026"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{table}.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) >= 2
    assert all(len(r) == len(rows[0]) for r in rows)


def test_unknown_table_or_format_is_404(client, policy_officer):
    client.force_login(policy_officer)
    assert client.get(reverse("outcomes:export", args=["nope", "csv"])).status_code == 404
    assert client.get(reverse("outcomes:export", args=["outcomes", "pdf"])).status_code == 404
    # the big table only through the background job
    url = reverse("outcomes:export", args=["outcomes_series", "csv"])
    assert client.get(url).status_code == 404


def test_background_export_with_progress_and_a_download_for_the_requester_only(
    client, dataset, policy_officer, user_with_role, django_capture_on_commit_callbacks
):
    services.summaries_recompute()
    client.force_login(policy_officer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("outcomes:export_start"),
            {"table": "outcomes_series", "file_format": "csv", "view": "policy"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    assert len(callbacks) == 1
    assert 'hx-trigger="every 1s"' in response.content.decode()  # queued when answered
    job = ExportJob.objects.get()
    # tasks run in-process in the tests: the job is done and the partial offers the link
    assert job.status == JobStatus.DONE and job.progress == 100
    status = client.get(reverse("outcomes:export_status", args=[job.uuid]), HTTP_HX_REQUEST="true")
    assert reverse("outcomes:export_download", args=[job.uuid]) in status.content.decode()
    assert "every 1s" not in status.content.decode()
    download = client.get(reverse("outcomes:export_download", args=[job.uuid]))
    content = download.content.decode("utf-8-sig")
    assert "2026-05" in content and "2026-03" in content
    assert job.rows == content.count("\n") - 1

    other = user_with_role(Role.POLICY_OFFICER)
    client.force_login(other)
    assert client.get(reverse("outcomes:export_download", args=[job.uuid])).status_code == 404
    assert client.get(reverse("outcomes:export_status", args=[job.uuid])).status_code == 404


def test_background_xlsx_export_of_the_monthly_series(dataset, policy_officer):
    services.summaries_recompute()
    job = services.export_job_start(
        by=policy_officer, table="outcomes_series", file_format="xlsx", params={}
    )
    job = services.export_job_run(job_id=job.pk)
    sheet = load_workbook(io.BytesIO(bytes(job.content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Maand en wijk", "Levensdomein")
    march = [r for r in rows if r[0].startswith("2026-03") and r[1] == "Financiën"]
    assert march == [(march[0][0], "Financiën", "<5", 0, 0, "<5", "<5")]


def test_a_running_export_polls_its_progress(client, policy_officer):
    job = ExportJob.objects.create(
        requested_by=policy_officer, table="outcomes_series", file_format="csv", progress=40
    )
    client.force_login(policy_officer)
    page = client.get(
        reverse("outcomes:export_status", args=[job.uuid]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'value="40"' in page
    assert client.get(reverse("outcomes:export_download", args=[job.uuid])).status_code == 404


def test_recompute_now_starts_a_run_and_shows_progress(
    client, dataset, policy_officer, django_capture_on_commit_callbacks
):
    client.force_login(policy_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outcomes:recompute"), HTTP_HX_REQUEST="true")
    # answered while queued: the partial polls until the run is done
    assert 'hx-trigger="every 1s"' in response.content.decode()
    run = SummaryRun.objects.get()
    assert run.requested_by == policy_officer
    assert run.status == JobStatus.DONE
    status = client.get(reverse("outcomes:recompute_status", args=[run.uuid]))
    assert "every 1s" not in status.content.decode()
    assert OutcomeSummary.objects.filter(district=dataset["A"]).exists()
    # while a run is busy the button returns that run instead of starting another
    busy = SummaryRun.objects.create(status=JobStatus.RUNNING, progress=60)
    response = client.post(reverse("outcomes:recompute"), HTTP_HX_REQUEST="true")
    assert SummaryRun.objects.count() == 2
    assert 'value="60"' in response.content.decode()
    status = client.get(reverse("outcomes:recompute_status", args=[busy.uuid]))
    assert 'hx-trigger="every 1s"' in status.content.decode()


def test_recompute_without_htmx_redirects_only_within_the_site(client, team_lead):
    client.force_login(team_lead)
    response = client.post(reverse("outcomes:recompute"), {"next": "https://evil.example/"})
    assert response["Location"] == POLICY
    response = client.post(reverse("outcomes:recompute"), {"next": TEAM + "?jaar=2026"})
    assert response["Location"] == TEAM + "?jaar=2026"


def test_recompute_is_for_policy_officers_and_team_leads(client, user_with_role):
    client.force_login(user_with_role(Role.GENERALIST))
    assert client.post(reverse("outcomes:recompute")).status_code == 403
    assert not SummaryRun.objects.exists()


# Bottlenecks -------------------------------------------------------------------------------


def bottleneck_data(**extra):
    return {
        "rule_kind": "wmo_regulation",
        "rule": "Verordening Wmo art. 4.2",
        "blocked": "Een bewoner kon geen traplift krijgen omdat de woning huur is.",
        "would_have_helped": "Ruimte voor maatwerk bij huurwoningen.",
        **extra,
    }


def test_generalist_records_a_bottleneck_for_a_household(client, generalist, make_household):
    household = make_household()
    client.force_login(generalist)
    url = reverse("outcomes:bottleneck_create") + f"?huishouden={household.uuid}"
    assert client.get(url).status_code == 200
    response = client.post(url, bottleneck_data(huishouden=str(household.uuid)))
    assert response.status_code == 302
    bottleneck = Bottleneck.objects.get()
    assert bottleneck.household_link.household == household
    assert bottleneck.district == household.neighbourhood.district
    actions = list(
        AccessLogEntry.objects.filter(household_uuid=household.uuid)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["view", "change"]


def test_free_text_with_names_bsn_or_postcode_is_refused(client, generalist, make_household):
    household = make_household(residents=0)
    resident = ResidentFactory(first_name="Annelies", last_name="Verhoeven")
    household.memberships.create(resident=resident, role="parent")
    client.force_login(generalist)
    url = reverse("outcomes:bottleneck_create")
    response = client.post(
        url,
        bottleneck_data(
            huishouden=str(household.uuid),
            blocked="Mevrouw Verhoeven kreeg geen hulp.",
            would_have_helped="Bel 5611 AB, BSN 123456782.",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "verhoeven" in str(errors["blocked"])
    assert "postcode" in str(errors["would_have_helped"])
    assert "BSN" in str(errors["would_have_helped"])
    assert not Bottleneck.objects.exists()


def test_other_households_and_roles_cannot_record(client, generalist, other_area, make_household):
    foreign = make_household(neighbourhood=other_area["neighbourhood"])
    client.force_login(generalist)
    url = reverse("outcomes:bottleneck_create") + f"?huishouden={foreign.uuid}"
    assert client.get(url).status_code == 404


def test_policy_sees_bottlenecks_grouped_without_household(
    client, generalist, make_household, policy_officer
):
    household = make_household()
    for kind in ("budget_line", "budget_line", "wmo_regulation"):
        bottleneck_record(by=generalist, household=household, **bottleneck_data(rule_kind=kind))
    client.force_login(policy_officer)
    response = client.get(reverse("outcomes:bottlenecks"))
    page = response.content.decode()
    groups = response.context["groups"]
    assert [(g["kind"], g["count"]) for g in groups] == [("budget_line", 2), ("wmo_regulation", 1)]
    assert household.street not in page and str(household.uuid) not in page
    assert generalist.last_name not in page
    assert sum(p["count"] for p in response.context["trend"]) == 3
    assert BottleneckHousehold.objects.count() == 3
    csv_export = client.get(reverse("outcomes:bottleneck_export", args=["csv"]))
    assert "Budgetregel;2" in csv_export.content.decode("utf-8-sig")


def test_destroying_the_household_keeps_the_bottleneck_without_the_link(generalist, make_household):
    household = make_household(residents=0)
    bottleneck = bottleneck_record(by=generalist, household=household, **bottleneck_data())
    household.delete()  # retention (cases.retention_services) deletes the household last
    assert Bottleneck.objects.filter(pk=bottleneck.pk).exists()
    assert not BottleneckHousehold.objects.exists()


def test_bottleneck_overview_is_policy_only(client, generalist):
    client.force_login(generalist)
    assert client.get(reverse("outcomes:bottlenecks")).status_code == 403


@pytest.mark.parametrize(
    ("role", "link", "absent"),
    [
        (Role.POLICY_OFFICER, POLICY, TEAM),
        (Role.TEAM_LEAD, TEAM, POLICY),
        (Role.GENERALIST, reverse("outcomes:bottleneck_create"), POLICY),
    ],
)
def test_home_page_links_to_the_dashboards(client, user_with_role, role, link, absent):
    client.force_login(user_with_role(role))
    page = client.get(reverse("home")).content.decode()
    assert f'href="{link}"' in page
    assert f'href="{absent}"' not in page
