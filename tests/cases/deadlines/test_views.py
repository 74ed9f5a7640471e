"""Days left and days late wherever a person decides what to do next: the team's overview of
running clocks (allowed and denied, query budget), its section on the team page (HTMX), search
results, the caseload, the consultant's queue, and the reminders on the start page."""

import pytest
from django.urls import reverse

from cases.deadlines import services
from cases.deadlines.models import ClockReminder
from cases.privacy.models import AccessLogEntry
from teams.roles import Role
from tests.factories import TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def overview(team):
    return reverse("cases:team_clocks", args=[team.district.code])


def section(team):
    return reverse("cases:team_clocks_section", args=[team.district.code])


# --- the team overview: who may see it ---------------------------------------------------------


@pytest.mark.parametrize("who", ["generalist", "team_lead"])
def test_the_teams_generalists_and_lead_see_its_running_clocks_late_first(
    client_as, area, make_clocks, who, request
):
    user = request.getfixturevalue(who)
    made = make_clocks(melding=12, application=-3)
    response = client_as(user).get(overview(area["team"]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "3 dagen te laat" in content and "nog 12 dagen" in content
    assert content.index("3 dagen te laat") < content.index("nog 12 dagen")
    assert made["household"].address_line in content
    assert reverse("provisions:application_detail", args=[made["application"].uuid]) in content
    assert "Wmo 2015: het onderzoek is binnen 6 weken" in content  # the legal hint, as title
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_generalist_of_another_team_gets_404(client_as, area, other_area, make_clocks):
    make_clocks(melding=1)
    stranger = TeamMemberFactory(team=other_area["team"]).user
    client = client_as(stranger)
    assert client.get(overview(area["team"])).status_code == 404
    assert client.get(section(area["team"])).status_code == 404
    assert client.get(overview(other_area["team"])).status_code == 200  # their own


@pytest.mark.parametrize(
    "role",
    [Role.CONSULTANT, Role.POLICY_OFFICER, Role.GP, Role.FUNCTIONAL_ADMIN, Role.PRIVACY_OFFICER],
)
def test_other_roles_get_403_even_as_a_member_of_the_team(client_as, area, role):
    user = TeamMemberFactory(team=area["team"], user=UserFactory(roles=[role])).user
    assert client_as(user).get(overview(area["team"])).status_code == 403
    assert client_as(user).get(section(area["team"])).status_code == 403


def test_an_unknown_district_is_404(client_as, generalist):
    assert client_as(generalist).get("/huishoudens/termijnen/WK999999/").status_code == 404


def test_the_overview_is_logged_as_a_view_with_its_count(client_as, area, generalist, make_clocks):
    make_clocks(melding=1, evaluation=2)
    client_as(generalist).get(overview(area["team"]))
    entry = AccessLogEntry.objects.get(object_type="team_clocks")
    assert (entry.action, entry.result_count, entry.object_id) == (
        "view",
        2,
        area["district"].code,
    )


# --- filters, pages and the query budget -------------------------------------------------------


def test_filter_by_kind(client_as, area, generalist, make_clocks):
    made = make_clocks(melding=1, check_in=5)
    content = (
        client_as(generalist).get(overview(area["team"]), {"soort": "check_in"}).content.decode()
    )
    assert "Nazorgcontact" in content and "Onderzoek na een melding</a>" not in content
    assert reverse("cases:plan_detail", args=[made["check_in"].plan.uuid]) in content
    # an unknown kind is ignored: every kind
    every = client_as(generalist).get(overview(area["team"]), {"soort": "nope"}).content.decode()
    assert "Nazorgcontact" in every and "Onderzoek na een melding" in every


def test_htmx_gets_the_results_only(client_as, area, generalist, make_clocks):
    make_clocks(melding=1)
    response = client_as(generalist).get(
        overview(area["team"]), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="clock-results"
    )
    content = response.content.decode()
    assert 'id="clock-results"' in content and "<html" not in content


def test_pages_within_a_query_budget_however_many_clocks(
    client_as, area, generalist, make_clocks, settings, django_assert_max_num_queries
):
    settings.CLOCKS_PAGE_SIZE = 5
    client = client_as(generalist)
    make_clocks(melding=1, application=2)
    with django_assert_max_num_queries(9) as few:
        client.get(overview(area["team"]))
    for n in range(8):
        make_clocks(melding=n - 4, application=n, evaluation=n + 1, check_in=n + 2, invited=15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        first = client.get(overview(area["team"])).content.decode()
    assert "42 lopende termijnen" in first and "Pagina 1 van 9" in first
    assert first.count('class="clock-') == 5
    last = client.get(overview(area["team"]), {"page": 9}).content.decode()
    assert last.count('class="clock-') == 2


# --- the team page's section (HTMX; teams imports nothing of cases) ----------------------------


def test_the_team_page_loads_the_section_from_cases(client_as, area, team_lead):
    content = (
        client_as(team_lead)
        .get(reverse("teams:team_detail", args=[area["district"].code]))
        .content.decode()
    )
    assert f'hx-get="{section(area["team"])}"' in content
    assert f'href="{overview(area["team"])}"' in content  # without JavaScript


def test_a_functional_admin_sees_the_team_page_without_deadlines(client_as, area, user_with_role):
    admin = user_with_role(Role.FUNCTIONAL_ADMIN)
    content = (
        client_as(admin)
        .get(reverse("teams:team_detail", args=[area["district"].code]))
        .content.decode()
    )
    assert section(area["team"]) not in content


def test_the_section_counts_per_kind_and_shows_the_most_urgent(
    client_as, area, team_lead, make_clocks, django_assert_max_num_queries
):
    for n in range(4):
        make_clocks(melding=-n - 1, application=n + 3)
    client = client_as(team_lead)
    with django_assert_max_num_queries(9):  # one count for every kind, the most urgent, names
        response = client.get(section(area["team"]), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<html" not in content
    assert "4 lopend" in content and "4 te laat" in content and "Lopend</th>" in content
    assert content.count('<li><span class="deadline"') == 5  # the five most urgent
    assert "4 dagen te laat" in content


# --- search results, caseload, queue ------------------------------------------------------------


def test_search_results_show_each_households_nearest_clock(client_as, generalist, make_clocks):
    make_clocks(melding=20, application=-1)
    make_clocks(evaluation=4)
    content = (
        client_as(generalist)
        .post(reverse("cases:household_search"), {"q": "5611"})
        .content.decode()
    )
    assert "1 dag te laat" in content and "Besluit op een aanvraag" in content
    assert "en nog 1 termijn" in content
    assert "nog 20 dagen" not in content  # not the nearest
    assert "nog 4 dagen" in content


def test_the_caseload_shows_every_clock_and_leads_with_the_most_urgent(
    client_as, generalist, make_clocks
):
    first = make_clocks(evaluation=30)
    second = make_clocks(melding=2, check_in=-6)
    content = client_as(generalist).get(reverse("cases:caseload")).content.decode()
    assert "Nazorgcontact: " in content and "6 dagen te laat" in content
    assert "Onderzoek na een melding: " in content and "nog 2 dagen" in content
    assert content.index(second["household"].address_line) < content.index(
        first["household"].address_line
    )


def test_the_queue_shows_the_running_investigation_of_the_household(
    client_as, consultant, make_clocks
):
    make_clocks(melding=-2, application=5)
    content = client_as(consultant).get(reverse("provisions:application_queue")).content.decode()
    assert "Onderzoek na een melding: " in content and "2 dagen te laat" in content


# --- reminders on the start page ---------------------------------------------------------------


def test_reminders_show_on_the_start_page_until_read(client_as, generalist, make_clocks):
    made = make_clocks(melding=0)
    services.clock_reminders_send()
    client = client_as(generalist)
    home = client.get(reverse("home")).content.decode()
    assert 'id="clock-reminders"' in home and "termijn verloopt vandaag" in home
    assert made["household"].address_line in home
    reminder = ClockReminder.objects.get()
    response = client.post(reverse("cases:reminder_read", args=[reminder.uuid]))
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.read_at is not None
    assert 'id="clock-reminders"' not in client.get(reverse("home")).content.decode()


def test_nobody_marks_someone_elses_reminder(client_as, generalist, team_lead, make_clocks):
    make_clocks(melding=0)
    services.clock_reminders_send()
    reminder = ClockReminder.objects.get()
    response = client_as(team_lead).post(reverse("cases:reminder_read", args=[reminder.uuid]))
    assert response.status_code == 404
    reminder.refresh_from_db()
    assert reminder.read_at is None


def test_the_start_page_links_a_generalist_to_the_teams_deadlines(client_as, area, generalist):
    home = client_as(generalist).get(reverse("home")).content.decode()
    assert f'href="{overview(area["team"])}"' in home
