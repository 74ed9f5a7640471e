import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from cases.households.models import Household, Resident
from cases.privacy.models import AccessAction, AccessLogEntry
from teams.roles import Role
from tests.factories import HouseholdMembershipFactory, MeldingFactory, ResidentFactory

VALID_BSN = "111222333"


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def create_payload(**overrides):
    data = {
        "postcode": "5611 ab",
        "house_number": "12",
        "house_number_addition": "",
        "street": "Kerkstraat",
        "city": "Dommelstede",
        "residents-TOTAL_FORMS": "1",
        "residents-INITIAL_FORMS": "0",
        "residents-MIN_NUM_FORMS": "0",
        "residents-MAX_NUM_FORMS": "12",
        "residents-0-bsn": VALID_BSN,
        "residents-0-first_name": "Anna",
        "residents-0-name_prefix": "",
        "residents-0-last_name": "Jansen",
        "residents-0-birth_date": "1980-05-01",
        "residents-0-role": "parent",
    }
    data.update(overrides)
    return data


def test_create_household_redirects_to_it(client_as, generalist, area):
    response = client_as(generalist).post(reverse("cases:household_create"), create_payload())
    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:household_detail", args=[household.uuid])
    assert household.memberships.get().resident.last_name == "Jansen"


def test_create_via_htmx_answers_with_hx_redirect(client_as, generalist, area):
    response = client_as(generalist).post(
        reverse("cases:household_create"), create_payload(), headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/huishoudens/")


@pytest.mark.parametrize(
    ("overrides", "dutch_message"),
    [
        ({"residents-0-bsn": "111222334"}, "Dit BSN is ongeldig (elfproef)."),
        ({"residents-0-bsn": "1234"}, "Een BSN heeft 9 cijfers."),
        ({"postcode": "1234 SA"}, "Dit is geen geldige Nederlandse postcode."),
        ({"postcode": "12AB"}, "Dit is geen geldige Nederlandse postcode."),
    ],
)
def test_bad_input_gives_a_dutch_message_keeps_input_and_saves_nothing(
    client_as, generalist, area, overrides, dutch_message
):
    response = client_as(generalist).post(
        reverse("cases:household_create"),
        create_payload(**overrides),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert dutch_message in content
    assert 'value="Kerkstraat"' in content  # typed input is kept
    assert not Household.objects.exists()


def test_a_bsn_living_elsewhere_gives_a_dutch_message(client_as, generalist, area):
    HouseholdMembershipFactory(resident=ResidentFactory(bsn=VALID_BSN))
    households = Household.objects.count()
    response = client_as(generalist).post(reverse("cases:household_create"), create_payload())
    assert "woont nog in een ander huishouden" in response.content.decode()
    assert Household.objects.count() == households


def test_inline_bsn_check(client_as, generalist):
    url = reverse("cases:validate_field", kwargs={"kind": "bsn"})
    client = client_as(generalist)
    assert "elfproef" in client.post(url, {"residents-0-bsn": "111222334"}).content.decode()
    assert client.post(url, {"residents-0-bsn": VALID_BSN}).content.decode().strip() == ""


def test_inline_postcode_check_names_the_neighbourhood(client_as, generalist, area):
    url = reverse("cases:validate_field", kwargs={"kind": "postcode"})
    content = client_as(generalist).post(url, {"postcode": "5611ab"}).content.decode()
    assert area["neighbourhood"].name in content


def test_search_results_are_a_partial_for_htmx(client_as, generalist, make_household):
    household = make_household()
    bsn = household.memberships.get().resident.bsn
    response = client_as(generalist).post(
        reverse("cases:household_search"), {"q": bsn}, headers={"HX-Request": "true"}
    )
    content = response.content.decode()
    assert household.address_line in content
    assert "<html" not in content
    assert response["Cache-Control"].startswith("max-age=0")


def test_search_page_query_budget(
    client_as, generalist, make_household, django_assert_max_num_queries
):
    for _ in range(15):
        make_household(residents=3)
    client = client_as(generalist)
    with django_assert_max_num_queries(9):  # +1: the page's running clocks (one query)
        response = client.post(reverse("cases:household_search"), {"q": "5611"})
    assert response.content.decode().count('class="muted small"') >= 30


def test_search_by_bsn_in_few_queries_shows_the_person_and_their_households(
    client_as, generalist, make_household, other_area, django_assert_num_queries
):
    """A BSN search reads the person's memberships once (with whether the user may see each
    household), the households' members once and their clocks once, then logs the search."""
    person = ResidentFactory()
    former = make_household(residents=2, postcode="5611AA")
    now = make_household(residents=1, postcode="5611AB")
    outside = make_household(neighbourhood=other_area["neighbourhood"], postcode="5641AA")
    HouseholdMembershipFactory(
        household=former,
        resident=person,
        start_date=datetime.date(2015, 1, 1),
        end_date=datetime.date(2020, 1, 1),
    )
    HouseholdMembershipFactory(
        household=outside,
        resident=person,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 1, 1),
    )
    HouseholdMembershipFactory(household=now, resident=person, start_date=datetime.date(2021, 1, 1))
    MeldingFactory(household=now)
    client = client_as(generalist)
    url = reverse("cases:household_search")
    client.post(url, {"q": person.bsn})  # the user's access facts, read once and cached
    # session, user (its access version read along); the memberships, the members, the
    # clocks; the log row
    with django_assert_num_queries(6):
        response = client.post(url, {"q": person.bsn}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "2 huishoudens gevonden" in content
    # in address order, the former one marked; the household outside the circle not shown
    results = content[content.index('class="results"') :]
    assert results.index(escape(former.address_line)) < results.index("eerder lid")
    assert results.index("eerder lid") < results.index(escape(now.address_line))
    assert results.count("eerder lid") == 1
    assert escape(outside.address_line) not in content
    assert f"woont nu op {escape(now.address_line)}" in content
    for household in (former, now):
        for membership in household.memberships.exclude(resident=person):
            assert escape(membership.resident.full_name) in content
    # the person lives in `now` today, no longer in `former`: named in one list of members
    assert content.count(escape(person.full_name)) == 2  # whereabouts and `now`'s members
    assert content.count("Onderzoek na een melding") == 1
    log = AccessLogEntry.objects.filter(action=AccessAction.SEARCH).latest("pk")
    assert (log.search_kind, log.result_count) == ("bsn", 2)


def test_search_by_bsn_of_someone_living_nowhere(client_as, generalist, make_household):
    person = ResidentFactory()
    response = client_as(generalist).post(reverse("cases:household_search"), {"q": person.bsn})
    content = response.content.decode()
    assert escape(person.full_name) in content
    assert "Geen huishouden gevonden." in content


def test_search_by_postcode_query_budget(
    client_as, generalist, make_household, django_assert_num_queries
):
    households = [make_household(residents=2, postcode="5611AB") for _ in range(4)]
    MeldingFactory(household=households[0])
    client = client_as(generalist)
    url = reverse("cases:household_search")
    client.post(url, {"q": "5611 ab"})
    # session, user (its access version read along); the page with its members (one
    # statement on PostgreSQL), its clocks; the log row
    with django_assert_num_queries(5):
        response = client.post(url, {"q": "5611 ab"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "4 huishoudens gevonden" in content
    for household in households:
        for membership in household.memberships.all():
            resident = membership.resident
            year = f" ({resident.birth_date.year})" if resident.birth_date else ""
            assert escape(resident.full_name) + year in content
    assert content.count("Onderzoek na een melding") == 1


def test_household_page_query_budget(
    client_as, generalist, make_household, django_assert_num_queries
):
    household = make_household(residents=6)
    client = client_as(generalist)
    url = reverse("cases:household_detail", args=[household.uuid])
    with django_assert_num_queries(6):  # +1: the user's access facts, read once and cached
        client.get(url)
    # session, user (its access version read along); the household with a flag per section of
    # its story (the sections are empty here: not read), its history (current residents from
    # it) and the access-log row: however many residents
    with django_assert_num_queries(5):
        response = client.get(url)
    assert response.status_code == 200
    for membership in household.memberships.all():
        # escaped: Dutch names such as 't Hart contain an apostrophe
        assert escape(membership.resident.last_name) in response.content.decode()
    assert "Geen meldingen geregistreerd." in response.content.decode()


def test_household_page_lists_each_resident_with_its_facts_and_actions(
    client_as, generalist, user_with_role, area, make_household
):
    """Each current resident's item (rendered in Python, `resident_item`): the name escaped,
    role, date of birth, BSN or that none is known, phone and the language of letters; for
    whoever may change the household the actions, each form with the page's CSRF token and a
    date field of its own; none for a consultant, who reads the file."""
    import re

    household = make_household(residents=1)
    known = household.memberships.get().resident
    unknown = ResidentFactory(
        first_name="<b>Kim</b>",
        last_name="'t Hart",
        bsn=None,
        birth_date=datetime.date(1980, 5, 1),
        phone="06-12345678",
        preferred_language="en",
    )
    membership = HouseholdMembershipFactory(household=household, resident=unknown)
    url = reverse("cases:household_detail", args=[household.uuid])
    content = client_as(generalist).get(url).content.decode()
    residents = content[content.index('id="residents"') : content.index('id="meldingen"')]
    assert escape("<b>Kim</b> 't Hart") in residents and "<b>Kim" not in residents
    assert "geboren 1 mei 1980 · geen BSN bekend · 06-12345678 · brieven in " in residents
    assert f"BSN {known.bsn}" in residents
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
    assert residents.count(f'name="csrfmiddlewaretoken" value="{token}"') == 2
    assert f'<label for="end-{membership.pk}">' in residents
    assert f'id="end-{membership.pk}" name="end_date"' in residents
    end_url = reverse("cases:membership_end", args=[household.uuid, unknown.uuid])
    assert f'action="{end_url}"' in residents
    assert reverse("cases:resident_edit", args=[household.uuid, unknown.uuid]) in residents

    timeline = content[content.index('class="timeline"') :]
    assert f"<li>{escape(unknown.full_name)}: " in timeline
    assert timeline.count(" – nu</li>") == 2

    consultant = user_with_role(Role.CONSULTANT)
    area["team"].members.create(user=consultant)
    content = client_as(consultant).get(url).content.decode()
    residents = content[content.index('id="residents"') : content.index('id="meldingen"')]
    assert escape("<b>Kim</b> 't Hart") in residents
    assert "inline-actions" not in residents and "csrfmiddlewaretoken" not in residents


def test_other_districts_household_is_404(client_as, generalist, make_household, other_area):
    foreign = make_household(neighbourhood=other_area["neighbourhood"], postcode="5641AA")
    client = client_as(generalist)
    assert client.get(reverse("cases:household_detail", args=[foreign.uuid])).status_code == 404
    assert client.get(reverse("cases:household_edit", args=[foreign.uuid])).status_code == 404


def test_edit_with_a_stale_version_shows_the_conflict_and_keeps_input(
    client_as, generalist, make_household
):
    household = make_household()
    url = reverse("cases:household_edit", args=[household.uuid])
    data = {
        "postcode": "5611AB",
        "house_number": household.house_number,
        "street": "Nieuwe straat",
        "city": "Dommelstede",
        "version": household.version,
    }
    client = client_as(generalist)
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "street": "Tweede poging"})
    content = response.content.decode()
    assert "Iemand anders heeft dit huishouden gewijzigd" in content
    assert 'value="Tweede poging"' in content
    household.refresh_from_db()
    assert household.street == "Nieuwe straat"


@pytest.mark.parametrize(
    ("role", "search", "create", "detail"),
    [
        (Role.GENERALIST, 200, 200, 200),
        (Role.TEAM_LEAD, 200, 200, 200),
        (Role.CONSULTANT, 200, 403, 200),
        (Role.FUNCTIONAL_ADMIN, 403, 403, 403),
        (Role.PRIVACY_OFFICER, 403, 403, 403),
        (Role.POLICY_OFFICER, 403, 403, 403),
        (Role.GP, 403, 403, 403),
        (Role.PARTNER_API, 403, 403, 403),
    ],
)
def test_register_pages_by_role(
    client_as, user_with_role, area, make_household, role, search, create, detail
):
    household = make_household()
    user = user_with_role(role)
    area["team"].members.create(user=user)
    client = client_as(user)
    assert client.get(reverse("cases:household_search")).status_code == search
    assert client.get(reverse("cases:household_create")).status_code == create
    assert (
        client.get(reverse("cases:household_detail", args=[household.uuid])).status_code == detail
    )


def test_anonymous_is_sent_to_login(client, make_household):
    response = client.get(reverse("cases:household_search"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_admin_refuses_duplicate_and_invalid_bsn(client, admin_user):
    client.force_login(admin_user)  # adding residents in the admin is a superuser's
    ResidentFactory(bsn=VALID_BSN)
    url = reverse("admin:cases_resident_add")
    for bsn, message in (
        (VALID_BSN, "Er is al een inwoner met dit BSN geregistreerd."),
        ("111222334", "Dit BSN is ongeldig (elfproef)."),
    ):
        response = client.post(url, {"bsn": bsn, "first_name": "A", "last_name": "B"})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert Resident.objects.count() == 1


def test_admin_refuses_malformed_postcode(client, admin_user):
    client.force_login(admin_user)  # households in the admin are a superuser's
    response = client.post(
        reverse("admin:cases_household_add"),
        {
            "street": "Kerkstraat",
            "house_number": "1",
            "postcode": "1234 SA",
            "city": "X",
            "version": "1",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert "Dit is geen geldige Nederlandse postcode." in response.content.decode()
    assert not Household.objects.exists()
