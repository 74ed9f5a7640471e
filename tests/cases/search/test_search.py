"""The one search box in the header (docs/search.md): the kind follows from what was typed,
every key finds its household in one request, never a household the user may not know of,
each search is access-logged (its kind and count, never what was typed), bad input gets a
plain-Dutch message, and only the municipality's professionals have the box."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.intake.models import Signal
from cases.privacy.models import AccessAction, AccessLogEntry
from cases.provisions import services as svc
from cases.provisions.models import Allocation, DecisionOutcome, Delivery
from cases.search.selectors import everything_search, search_kind
from networks.models import Frequency, Unit
from teams.roles import Role
from tests.cases.intake_factories import SignalFactory
from tests.factories import (
    HouseholdMembershipFactory,
    OrganisationFactory,
    ResidentFactory,
    TeamMemberFactory,
)
from tests.provision_factories import contract_for

URL = reverse("cases:search")
TODAY = timezone.localdate()


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("", ""),
        ("   ", ""),
        ("111222333", "bsn"),
        (" 111 222 333 ", "name"),  # spaces inside: not a BSN, not a number: asks for one
        ("111222334", "allocation"),  # nine digits failing the elfproef
        ("5611AB", "postcode"),
        ("5611 ab", "postcode"),
        ("5611", "postcode"),
        ("5611 AB 12", "address"),
        ("5611AB12", "address"),
        ("5611 AB 12a", "address"),
        ("5611 AB 12-2", "address"),
        ("A-123", "application"),
        ("a123", "application"),
        ("A 123", "application"),
        ("S-45", "signal"),
        ("s45", "signal"),
        ("00012345", "allocation"),
        ("3f2a9c0b1d4e5f6a7b8c", "allocation"),
        ("Jansen", "name"),
        ("van der Berg", "name"),
        ("Anne-Marie", "name"),
        ("Jansen 12", "name"),
    ],
)
def test_the_kind_follows_from_what_was_typed(query, kind):
    assert search_kind(query) == kind


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def world(area, other_area, make_household, generalist, provider, product, consultant):
    """In the generalist's district: the Bosmans household at 5611 AB 7 with an application,
    an allocation and a signal. In another district: a household with a Bosman as well, and its
    own application, allocation and signal, none of which the generalist may know of."""
    mine = make_household(house_number=7)
    resident = mine.memberships.get().resident
    resident.last_name = "Bosman"
    resident.save()
    theirs = make_household(neighbourhood=other_area["neighbourhood"], house_number=7)
    stranger = theirs.memberships.get().resident
    stranger.last_name = "Bosman"
    stranger.save()
    other_consultant = TeamMemberFactory(team=other_area["team"]).user
    return {
        "mine": mine,
        "resident": resident,
        "application": _application(mine, product, generalist),
        "allocation": _allocation(mine, product, generalist, consultant, provider),
        "signal": SignalFactory(household=mine, team=area["team"]),
        "theirs": theirs,
        "stranger": stranger,
        "their_application": _application(theirs, product, other_consultant),
        "their_signal": SignalFactory(household=theirs, team=other_area["team"]),
    }


def _application(household, product, by):
    from tests.provision_factories import ApplicationFactory

    return ApplicationFactory(household=household, product=product, applied_by=by)


def _allocation(household, product, generalist, consultant, provider):
    application = _application(household, product, generalist)
    application.resident = household.memberships.get().resident
    application.save(update_fields=["resident"])
    svc.application_claim(application=application, by=consultant)
    application.refresh_from_db()
    svc.decision_make(
        application=application,
        by=consultant,
        data=svc.DecisionInput(
            outcome=DecisionOutcome.GRANT,
            volume=3,
            unit=Unit.HOUR,
            frequency=Frequency.PER_WEEK,
            start_date=TODAY - datetime.timedelta(days=3),
            end_date=TODAY + datetime.timedelta(days=100),
            delivery=Delivery.IN_KIND,
            provider=provider,
        ),
    )
    allocation = Allocation.objects.get(decision__application=application)
    contract_for(allocation)
    return allocation


def _search(client, query, **headers):
    return client.post(URL, {"q": query}, headers=headers)


def test_every_key_finds_the_household_in_one_request(client_as, generalist, world):
    client = client_as(generalist)
    mine = world["mine"]
    household_link = reverse("cases:household_detail", args=[mine.uuid])
    application_link = reverse("provisions:application_detail", args=[world["application"].uuid])
    allocation_link = reverse(
        "provisions:application_detail", args=[world["allocation"].decision.application.uuid]
    )
    signal_link = reverse("cases:signal_detail", args=[world["signal"].uuid])
    cases = [
        (world["resident"].bsn, "BSN", household_link),
        ("5611AB", "postcode", household_link),
        ("5611 ab 7", "postcode en huisnummer", household_link),
        ("bosman", "naam", household_link),
        (world["application"].number, "aanvraagnummer", application_link),
        (world["allocation"].number.upper(), "toewijzingsnummer", allocation_link),
        (world["signal"].number, "signaalnummer", signal_link),
    ]
    for query, kind_label, link in cases:
        response = _search(client, query)
        html = response.content.decode()
        assert response.status_code == 200, query
        assert f"Gezocht op: {kind_label}" in html, query
        assert f'href="{link}"' in html, query
        assert mine.address_line in html, query


def test_the_search_never_lists_a_household_outside_the_circle(client_as, generalist, world):
    client = client_as(generalist)
    theirs = world["theirs"]
    their_link = reverse("cases:household_detail", args=[theirs.uuid])
    for query in [
        "Bosman",
        "5641AA",
        "5641",
        world["their_application"].number,
        world["their_signal"].number,
    ]:
        html = _search(client, query).content.decode()
        assert f'href="{their_link}"' not in html, query
        assert theirs.address_line not in html, query
        assert world["stranger"].full_name not in html, query
    # the application and signal numbers of another district are not found at all
    for number in (world["their_application"].number, world["their_signal"].number):
        assert "Niets gevonden dat u mag zien." in _search(client, number).content.decode()


@pytest.mark.parametrize("query", ["bsn", "address"])
def test_known_not_opened_shows_team_and_coordinator_only(client_as, generalist, world, query):
    theirs = world["theirs"]
    text = world["stranger"].bsn if query == "bsn" else "5641 AA 7"
    html = _search(client_as(generalist), text).content.decode()
    assert "Bekend, buiten uw kring" in html
    assert theirs.neighbourhood.district.team.name in html
    assert reverse("cases:break_glass", args=[theirs.uuid]) in html
    assert f'href="{reverse("cases:household_detail", args=[theirs.uuid])}"' not in html
    assert theirs.address_line not in html
    if query == "bsn":  # as the household search: the person typed for, where they live not
        assert "woont nu in een huishouden buiten uw kring" in html
    else:
        assert world["stranger"].full_name not in html


def test_a_signal_of_the_own_household_found_through_it_when_not_triaged_by_the_user(
    client_as, consultant, world
):
    """A consultant triages no signals; the signal of a household they may open is found and
    leads to the household, not to the triage page."""
    html = _search(client_as(consultant), world["signal"].number).content.decode()
    assert reverse("cases:household_detail", args=[world["mine"].uuid]) in html
    assert reverse("cases:signal_detail", args=[world["signal"].uuid]) not in html


def test_a_signal_about_someone_not_yet_known_is_found_by_its_team_only(
    client_as, generalist, area, other_area
):
    signal = SignalFactory(team=area["team"])
    foreign = SignalFactory(team=other_area["team"])
    client = client_as(generalist)
    assert reverse("cases:signal_detail", args=[signal.uuid]) in (
        _search(client, signal.number).content.decode()
    )
    assert reverse("cases:signal_detail", args=[foreign.uuid]) not in (
        _search(client, foreign.number).content.decode()
    )
    assert Signal.objects.count() == 2


def test_each_search_is_access_logged_with_kind_and_count_never_the_query(
    client_as, generalist, world
):
    client = client_as(generalist)
    bsn = world["resident"].bsn
    _search(client, bsn)
    _search(client, "Bosman")
    _search(client, world["application"].number)
    _search(client, "1234 SA")  # no postcode has SA: a message, nothing searched, not logged
    entries = AccessLogEntry.objects.filter(action=AccessAction.SEARCH, object_type="search")
    assert [(e.search_kind, e.result_count) for e in entries.order_by("pk")][:3] == [
        ("bsn", 1),
        ("name", 1),
        ("application", 1),
    ]
    assert all(e.username == generalist.username for e in entries)
    for entry in AccessLogEntry.objects.all():
        assert bsn not in str(entry.__dict__)
        assert "Bosman" not in str(entry.__dict__)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("111222334", "Geen toewijzing met dit nummer gevonden."),  # a mistyped BSN
        ("1234 SA", "postcode"),  # SA, SD and SS never occur
        ("Jansen 12", "Typ een BSN"),
        ("A-9999999999999", "Typ een BSN"),  # too long for a number
        ("<script>alert(1)</script>", ""),
        ("%' OR 1=1 --", ""),
        ("x" * 5000, ""),
        ("ß∂ƒ©", ""),
    ],
)
def test_bad_input_gets_a_friendly_message_never_a_500(
    client_as, generalist, world, query, message
):
    client = client_as(generalist)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post(URL, {"q": query, "live": "1"}, headers=headers)
        assert response.status_code == 200
        assert message in response.content.decode()
    assert "<script>alert" not in client.post(URL, {"q": query}).content.decode()


def test_a_bad_page_number_gives_the_first_page(client_as, generalist, world):
    response = client_as(generalist).post(URL, {"q": "Bosman", "page": "x'--"})
    assert response.status_code == 200
    assert world["mine"].address_line in response.content.decode()


def test_htmx_answers_with_the_results_only(client_as, generalist, world):
    response = client_as(generalist).post(
        URL, {"q": "Bosman", "live": "1"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert world["mine"].address_line in html
    assert "<header" not in html


@pytest.mark.parametrize(
    ("role", "has_box"),
    [
        (Role.GENERALIST, True),
        (Role.TEAM_LEAD, True),
        (Role.CONSULTANT, True),
        (Role.GP, False),
        (Role.POLICY_OFFICER, False),
        (Role.FUNCTIONAL_ADMIN, False),
        (Role.PRIVACY_OFFICER, False),
    ],
)
def test_only_professionals_get_the_box(client, user_with_role, role, has_box):
    client.force_login(user_with_role(role))
    html = client.get(reverse("home")).content.decode()
    assert ('id="header-q"' in html) is has_box
    assert client.get(URL).status_code == (200 if has_box else 403)
    assert client.post(URL, {"q": "Jansen"}).status_code == (200 if has_box else 403)


def test_a_partners_professional_gets_no_box(client, db):
    from networks.models import OrganisationProfessional
    from tests.factories import UserFactory

    user = UserFactory(roles=[])
    OrganisationProfessional.objects.create(
        organisation=OrganisationFactory(), user=user, active=True
    )
    client.force_login(user)
    assert 'id="header-q"' not in client.get(reverse("home")).content.decode()
    assert client.post(URL, {"q": "Jansen"}).status_code == 403


@pytest.mark.parametrize(
    "kind", ["name", "bsn", "postcode", "address", "application", "signal", "allocation", "known"]
)
def test_query_budget(client_as, generalist, area, world, django_assert_max_num_queries, kind):
    """The number of queries does not grow with the number of households found."""
    for number in range(30):
        household = world["mine"].__class__.objects.create(
            street="Bosstraat",
            house_number=7,
            house_number_addition=str(number),
            postcode="5611AB",
            city="Dommelstede",
            neighbourhood=area["neighbourhood"],
        )
        for _ in range(2):
            HouseholdMembershipFactory(
                household=household, resident=ResidentFactory(last_name="Bosman")
            )
    query = {
        "name": "Bosman",
        "bsn": world["resident"].bsn,
        "postcode": "5611AB",
        "address": "5611 AB 7",
        "application": world["application"].number,
        "signal": world["signal"].number,
        "allocation": world["allocation"].number,
        "known": world["stranger"].bsn,
    }[kind]
    client = client_as(generalist)
    _search(client, query)  # warm the session and the user's roles
    with django_assert_max_num_queries(14):
        response = _search(client, query)
    assert response.status_code == 200


def test_the_selector_keeps_former_members_and_marks_them(generalist, world):
    """A BSN search is `household_search`'s: a former member's household is found as well."""
    found = everything_search(user=generalist, query=world["resident"].bsn)
    assert [household.pk for household in found.households] == [world["mine"].pk]
    assert found.person.resident == world["resident"]
    assert found.known == []


def test_a_nul_byte_is_refused_with_a_400_not_a_500(generalist, world):
    from django.test import Client

    lenient = Client(raise_request_exception=False)
    lenient.force_login(generalist)
    response = lenient.post(URL, {"q": "Bos\x00man"})
    assert response.status_code == 400
    assert not AccessLogEntry.objects.filter(action=AccessAction.SEARCH).exists()
