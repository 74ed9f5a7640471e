import pytest
from django.urls import reverse
from django.utils.html import escape

from teams.roles import Role
from tests.factories import (
    AreaConsultantFactory,
    AreaStatisticsFactory,
    ConsultantAbsenceFactory,
    HouseholdFactory,
    HouseholdMembershipFactory,
    MemberSpecialismFactory,
    TeamFactory,
    TeamMemberFactory,
)

pytestmark = pytest.mark.django_db

MALFORMED = "Dit is geen geldige Nederlandse postcode."


@pytest.fixture
def gp(user_with_role):
    return user_with_role(Role.GP, username="huisarts")


def lookup(client, postcode, htmx=True):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("teams:area_contacts"), {"postcode": postcode}, headers=headers)


def test_gp_sees_team_and_consultants_without_household_data(
    client, gp, area, consultants, make_household
):
    household = make_household(residents=1)
    resident = household.memberships.get().resident
    client.force_login(gp)
    page = client.get(reverse("teams:area_contacts"))
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")

    response = lookup(client, "5611 ab")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # only the result partial
    assert area["district"].name in html and area["team"].name in html
    for consultant in consultants:
        assert consultant.user.get_full_name() in html and consultant.phone in html
    assert household.street not in html and resident.last_name not in html


def test_lookup_without_javascript_renders_the_whole_page(client, gp, area, consultants):
    client.force_login(gp)
    response = lookup(client, "5611AB", htmx=False)
    assert "<html" in response.content.decode()
    assert consultants[0].email in response.content.decode()


def test_malformed_and_outside_postcodes_get_a_dutch_message(client, gp, area):
    client.force_login(gp)
    assert MALFORMED in lookup(client, "5611A").content.decode()
    outside = lookup(client, "9999zz").content.decode()
    assert "Postcode 9999 ZZ ligt niet in deze gemeente" in outside


def test_lookup_shows_the_substitute_while_the_absence_lasts(client, gp, area, consultants):
    ConsultantAbsenceFactory(
        consultant=consultants[1], substitute__first_name="Vera", substitute__last_name="Vos"
    )
    client.force_login(gp)
    html = lookup(client, "5611AB").content.decode()
    assert "Vera Vos" in html
    assert "vervanger van" in html
    assert consultants[1].phone not in html


def test_lookup_query_budget(client, gp, area, consultants, django_assert_max_num_queries):
    for consultant in consultants:
        ConsultantAbsenceFactory.create_batch(2, consultant=consultant)
    client.force_login(gp)
    lookup(client, "5611AB")
    # session + user + roles, then postcode, consultants, absences
    with django_assert_max_num_queries(6):
        lookup(client, "5611AB")


def test_lookup_denied_without_a_role_and_for_anonymous(client, user_with_role, db):
    anonymous = client.post(reverse("teams:area_contacts"), {"postcode": "5611AB"})
    assert anonymous.status_code == 302
    client.force_login(user_with_role(Role.PARTNER_API))
    assert lookup(client, "5611AB").status_code == 403


def test_coverage_page_for_team_lead_and_admin_only(
    client, user_with_role, area, other_area, django_assert_max_num_queries
):
    other_area["team"].delete()
    for team in TeamFactory.create_batch(3):
        AreaConsultantFactory(district=team.district)
    lead = TeamMemberFactory(team=area["team"], user__roles=[Role.TEAM_LEAD]).user
    client.force_login(lead)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("teams:coverage"))
    html = response.content.decode()
    assert response.status_code == 200
    assert escape(other_area["district"].name) in html  # e.g. 't Loo is HTML-escaped
    assert reverse("teams:team_detail", args=[area["district"].code]) in html

    client.force_login(user_with_role(Role.GENERALIST))
    assert client.get(reverse("teams:coverage")).status_code == 403
    client.force_login(user_with_role(Role.GP))
    assert client.get(reverse("teams:coverage")).status_code == 403


def test_team_page_shows_caseload_and_hints_to_its_own_lead_only(
    client, user_with_role, area, other_area, django_assert_max_num_queries
):
    AreaStatisticsFactory(district=area["district"], share_single_parent=14)
    lead = TeamMemberFactory(
        team=area["team"], user__roles=[Role.TEAM_LEAD], user__first_name="Karin"
    ).user
    members = TeamMemberFactory.create_batch(4, team=area["team"], contract_hours=24)
    for index, member in enumerate(members):
        MemberSpecialismFactory(member=member, specialism="schulden")
        for _ in range(index + 1):
            household = HouseholdFactory(
                neighbourhood=area["neighbourhood"], coordinator=member.user
            )
            HouseholdMembershipFactory(household=household)
    url = reverse("teams:team_detail", args=[area["district"].code])
    client.force_login(lead)
    # 8: the first request also reads the user's access facts (version + one statement)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert members[3].user.get_full_name() in html
    assert "geen jeugdspecialist" in html  # 14% single-parent households, no youth specialist
    assert "Karin" in html

    other_lead = TeamMemberFactory(team=other_area["team"], user__roles=[Role.TEAM_LEAD]).user
    client.force_login(other_lead)
    assert client.get(url).status_code == 404
    client.force_login(members[0].user)  # a generalist in the team
    assert client.get(url).status_code == 404
    client.force_login(user_with_role(Role.FUNCTIONAL_ADMIN))
    assert client.get(url).status_code == 200
