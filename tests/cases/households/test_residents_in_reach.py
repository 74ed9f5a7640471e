"""The name search narrows by need-to-know before it follows anyone to a household
(`cases.access.residents_in_reach`): a resident's neighbourhoods, kept by the database
(migration 0043), for the team's districts; the households of every other access rule
collected. Every household the user may open is still found, and no other."""

import datetime
import functools
import operator

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.access import households_visible_to, residents_in_reach
from cases.households import selectors as household_selectors
from cases.households import services as household_services
from cases.households.models import Household, HouseholdMembership, Resident
from cases.plans.models import PlanParticipant
from cases.privacy.models import BreakGlassAccess
from teams.roles import Role
from tests.factories import (
    HouseholdFactory,
    HouseholdMembershipFactory,
    NeighbourhoodFactory,
    PostcodeFactory,
    ResidentFactory,
    SupportPlanFactory,
    UserFactory,
)
from tests.provision_factories import ApplicationFactory


def _neighbourhoods(resident) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT "neighbourhoods" FROM "cases_resident" WHERE "id" = %s', [resident.pk]
        )
        (value,) = cursor.fetchone()
    return sorted(value)


@pytest.fixture
def named(make_household):
    def make(last_name, **fields):
        household = make_household(residents=0, **fields)
        HouseholdMembershipFactory(
            household=household, resident__first_name="Piet", resident__last_name=last_name
        )
        return household

    return make


def _grant(user, household):
    """A break-the-glass grant of an hour from now."""
    now = timezone.now()
    BreakGlassAccess.objects.create(
        user=user,
        household=household,
        household_uuid=household.uuid,
        reason="Acute crisis: de kinderen staan op straat en niemand is bereikbaar.",
        opened_at=now,
        expires_at=now + datetime.timedelta(hours=1),
    )


def _reach(user):
    return functools.reduce(operator.or_, residents_in_reach(user))


def _found(user, query):
    return set(household_selectors.household_search(user=user, query=query).results)


def test_the_database_keeps_every_neighbourhood_a_resident_lived_in(
    make_household, area, other_area
):
    household = make_household(residents=0)
    membership = HouseholdMembershipFactory(household=household)
    resident = membership.resident
    assert _neighbourhoods(resident) == [area["neighbourhood"].pk]

    # the household moves: its members follow it
    household.neighbourhood = other_area["neighbourhood"]
    household.save(update_fields=["neighbourhood"])
    assert _neighbourhoods(resident) == [other_area["neighbourhood"].pk]

    # the resident moves on to a household elsewhere: both, the history is kept
    elsewhere = NeighbourhoodFactory(district=other_area["district"])
    PostcodeFactory(postcode="5642AA", neighbourhood=elsewhere)
    third = make_household(neighbourhood=elsewhere, residents=0)
    today = timezone.localdate()
    HouseholdMembership.objects.filter(pk=membership.pk).update(end_date=today)
    HouseholdMembership.objects.create(
        household=third, resident=resident, role=membership.role, start_date=today
    )
    assert _neighbourhoods(resident) == sorted([other_area["neighbourhood"].pk, elsewhere.pk])

    # a membership given to another resident, and memberships deleted: recomputed
    other = ResidentFactory()
    HouseholdMembership.objects.filter(household=third).update(resident=other)
    assert _neighbourhoods(resident) == [other_area["neighbourhood"].pk]
    assert _neighbourhoods(other) == [elsewhere.pk]
    HouseholdMembership.objects.filter(resident=resident).delete()
    assert _neighbourhoods(resident) == []

    # Django never writes the column: a stale instance saved keeps what the database knows
    stale = Resident.objects.get(pk=resident.pk)
    HouseholdMembershipFactory(household=household, resident=resident)
    stale.save()
    assert _neighbourhoods(resident) == [other_area["neighbourhood"].pk]


def test_a_household_that_moves_into_the_district_is_found_by_its_new_team(
    generalist, area, other_area
):
    household = household_services.household_create(
        by=UserFactory(roles=[Role.TEAM_LEAD]),
        street="Kerkstraat",
        house_number=12,
        postcode="5641AA",
        city="Dommelstede",
        residents=[household_services.NewResident(first_name="Anna", last_name="Zwaneveld")],
    )
    assert _found(generalist, "zwaneveld") == set()
    household.refresh_from_db()
    household_services.household_update(
        household=household,
        by=UserFactory(roles=[Role.TEAM_LEAD]),
        expected_version=household.version,
        street="Molenweg",
        house_number=3,
        postcode="5611AB",
    )
    assert _found(generalist, "zwaneveld") == {household}
    resident = Resident.objects.get(last_name="Zwaneveld")
    assert area["neighbourhood"].pk in _neighbourhoods(resident)


def test_someone_who_moved_out_of_the_district_is_no_longer_found_there(
    named, generalist, other_area
):
    old = named("Zwaneveld")
    resident = Resident.objects.get(last_name="Zwaneveld")
    today = timezone.localdate()
    HouseholdMembership.objects.filter(resident=resident).update(end_date=today)
    new = named("Anders", neighbourhood=other_area["neighbourhood"], postcode="5641AA")
    HouseholdMembership.objects.create(
        household=new, resident=resident, role="other", start_date=today
    )
    # still "in reach" by the old neighbourhood, but need-to-know decides on the households
    assert Resident.objects.filter(_reach(generalist), pk=resident.pk).exists()
    assert _found(generalist, "zwaneveld") == set()
    assert old in households_visible_to(generalist)


def test_a_household_handed_over_is_found_by_its_old_team(generalist, area, other_area):
    household = household_services.household_create(
        by=generalist,
        street="Kerkstraat",
        house_number=12,
        postcode="5611AB",
        city="Dommelstede",
        residents=[household_services.NewResident(first_name="Anna", last_name="Zwaneveld")],
    )
    household.refresh_from_db()
    household_services.household_update(
        household=household,
        by=generalist,
        expected_version=household.version,
        street="Molenweg",
        house_number=3,
        postcode="5641AA",
    )
    # the old team reads the file of a household it handed over (read only)
    assert _found(generalist, "zwaneveld") == {household}


def test_every_other_access_rule_is_within_reach(named, generalist, other_area, consultant):
    """The households a generalist may open outside their team's districts are found by
    name, one per rule; a household elsewhere that no rule opens is not."""
    foreign = {"neighbourhood": other_area["neighbourhood"], "postcode": "5641AA"}
    coordinated = named("Aalbers", coordinator=generalist, **foreign)
    granted = named("Aalbers", **foreign)
    _grant(generalist, granted)
    taking_part = named("Aalbers", **foreign)
    plan = SupportPlanFactory(household=taking_part)
    PlanParticipant.objects.create(
        plan=plan, user=generalist, role="Wmo", invited_by=UserFactory(roles=[Role.GENERALIST])
    )
    named("Aalbers", **foreign)  # nobody's rule opens it
    at_home = named("Aalbers")

    assert _found(generalist, "aalbers") == {coordinated, granted, taking_part, at_home}
    assert _found(generalist, "aalbers") == set(
        households_visible_to(generalist).filter(memberships__resident__last_name="Aalbers")
    )


def test_a_consultant_reaches_the_households_of_their_work_area(named, consultant, area):
    """A consultant has no team: the households of the applications in their work area are
    collected, and found by name."""
    applied = named("Bouwhuis")
    named("Bouwhuis")  # in the area, but no application: not theirs to open
    ApplicationFactory(household=applied)
    assert _found(consultant, "bouwhuis") == {applied}


def test_the_reach_is_one_filter_in_the_search_statement(generalist, named):
    """Narrowing adds no query: the reach is part of the one name statement."""
    named("Jansen")
    household_selectors.household_search(user=generalist, query="jansen")
    assert Resident.objects.filter(_reach(generalist)).filter(last_name="Jansen").count() == 1


def test_the_prefilter_reads_the_residents_own_row_on_postgresql(generalist, area):
    """On PostgreSQL the team's districts are tested on the resident's row (no join to the
    memberships per resident), as the name and neighbourhoods index can serve."""
    sql, _params = (
        Resident.objects.filter(residents_in_reach(generalist)[0])
        .values("pk")
        .query.sql_with_params()
    )
    assert '"neighbourhoods" && ARRAY(' in sql


def test_the_name_statement_is_compiled_once_per_access_and_shape(
    client, generalist, named, other_area
):
    """Through the page (access facts primed): another name of the same shape reuses the
    statement; a break-the-glass grant is a new access key, and its household is found at
    once."""
    named("Zwaneveld")
    named("Pietersen")
    foreign = named("Zwaneveld", neighbourhood=other_area["neighbourhood"], postcode="5641AA")
    search = _searcher(client, generalist)

    assert "Pietersen" not in search("zwaneveld")
    assert "Zwaneveld" not in search("pietersen")
    assert len(_compiled("households named")) == 1  # one word: one shape, whatever the word
    search("zw")
    assert len(_compiled("households named")) == 1
    search("de")  # a name prefix is also matched whole: another shape
    assert len(_compiled("households named")) == 2

    assert str(foreign.uuid) not in search("zwaneveld")
    _grant(generalist, foreign)
    assert str(foreign.uuid) in search("zwaneveld")


def test_no_resident_is_in_two_of_the_filters(named, generalist, other_area):
    """The filters are read as a UNION ALL (which a LIMIT can stop early), so a resident who
    lived in the user's district and now lives in a household they coordinate elsewhere is in
    one filter only, and found once."""
    old = named("Zwaneveld")
    resident = Resident.objects.get(last_name="Zwaneveld")
    today = timezone.localdate()
    HouseholdMembership.objects.filter(resident=resident).update(end_date=today)
    coordinated = named(
        "Anders",
        coordinator=generalist,
        neighbourhood=other_area["neighbourhood"],
        postcode="5641AA",
    )
    HouseholdMembership.objects.create(
        household=coordinated, resident=resident, role="other", start_date=today
    )
    arms = residents_in_reach(generalist)
    assert [Resident.objects.filter(arm, pk=resident.pk).exists() for arm in arms] == [
        True,
        False,
    ]
    assert _found(generalist, "zwaneveld") == {coordinated}
    assert old in households_visible_to(generalist)


def test_a_name_search_pages_through_its_households_in_address_order(
    client, generalist, make_household, settings
):
    """The page of a name search is read by the ids found (one array, a statement compiled
    once): address order, every household once, across pages."""
    settings.HOUSEHOLD_SEARCH_PAGE_SIZE = 3
    households = []
    for number in (7, 3, 5, 1, 9):
        household = make_household(residents=0, house_number=number)
        HouseholdMembershipFactory(
            household=household, resident__first_name="Piet", resident__last_name="Zandstra"
        )
        households.append(household)
    url = reverse("cases:household_search")
    client.force_login(generalist)

    def numbers(page):
        response = client.post(url, {"q": "zandstra", "page": page})
        assert response.status_code == 200
        return [row.address_line.split()[-1] for row in response.context["page"].object_list]

    first, second = numbers(1), numbers(2)
    assert first + second == ["1", "3", "5", "7", "9"]
    assert numbers(1) == first  # the same statement again


@pytest.mark.django_db(transaction=True)
def test_a_member_added_while_the_household_moves_gets_the_new_neighbourhood(
    make_household, other_area
):
    """Two transactions with real threads: one moves the household to another neighbourhood
    and commits a moment later; the other adds a member meanwhile. The member's neighbourhoods
    hold the new one (the membership trigger waits for the move), so the receiving team finds
    the member by name."""
    import threading
    import time

    from django.db import connection, transaction

    household = make_household(residents=0)
    newcomer = ResidentFactory()
    moved, done = threading.Event(), []

    def move():
        try:
            with transaction.atomic():
                Household.objects.filter(pk=household.pk).update(
                    neighbourhood=other_area["neighbourhood"]
                )
                moved.set()
                time.sleep(0.5)  # the move commits while the member is being added
        finally:
            connection.close()

    def join():
        try:
            moved.wait(5)
            with transaction.atomic():
                HouseholdMembership.objects.create(
                    household_id=household.pk,
                    resident=newcomer,
                    role="other",
                    start_date=timezone.localdate(),
                )
            done.append(True)
        finally:
            connection.close()

    threads = [threading.Thread(target=move), threading.Thread(target=join)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert done == [True]
    assert _neighbourhoods(newcomer) == [other_area["neighbourhood"].pk]


def test_a_name_search_finds_exactly_the_households_need_to_know_opens(
    client, area, other_area, generalist, consultant
):
    """A random world of three districts: households with one to three residents named from a
    small pool, some coordinated by the generalist, taken part in, opened by a grant, with an
    application in the consultant's work area, handed over, or members who moved. For every
    user and name, through the page (facts primed, the compiled statement) and through the
    selector (no request), the households found are exactly those need-to-know opens where
    someone of that name lives today."""
    import random

    from cases.households.search_names import name_words, residents_named
    from tests.factories import TeamFactory

    rng = random.Random(26)
    third = TeamFactory()
    third_neighbourhood = NeighbourhoodFactory(district=third.district)
    PostcodeFactory(postcode="5700AA", neighbourhood=third_neighbourhood)
    places = [
        (area["neighbourhood"], "5611AB"),
        (other_area["neighbourhood"], "5641AA"),
        (third_neighbourhood, "5700AA"),
    ]
    surnames = ["Aalbers", "Aalders", "Brink", "Brinkman", "Vos", "de Vos"]
    households = []
    for number in range(36):
        neighbourhood, postcode = places[number % 3]
        household = HouseholdFactory(
            neighbourhood=neighbourhood,
            postcode=postcode,
            coordinator=generalist if rng.random() < 0.15 else None,
        )
        for _ in range(rng.randint(1, 3)):
            prefix, _space, last = rng.choice(surnames).rpartition(" ")
            HouseholdMembershipFactory(
                household=household,
                resident__first_name=rng.choice(["Piet", "Anna", "Kees"]),
                resident__name_prefix=prefix,
                resident__last_name=last,
            )
        households.append(household)
    foreign = [h for h in households if h.neighbourhood_id != area["neighbourhood"].pk]
    _grant(generalist, foreign[0])
    plan = SupportPlanFactory(household=foreign[1])
    PlanParticipant.objects.create(
        plan=plan, user=generalist, role="Wmo", invited_by=UserFactory(roles=[Role.GENERALIST])
    )
    for household in rng.sample(households, 6):
        ApplicationFactory(household=household)
    today = timezone.localdate()
    for membership in rng.sample(list(HouseholdMembership.objects.all()), 8):
        # some move on to a household elsewhere
        HouseholdMembership.objects.filter(pk=membership.pk).update(end_date=today)
        HouseholdMembership.objects.create(
            household=rng.choice(households),
            resident_id=membership.resident_id,
            role="other",
            start_date=today,
        )
    moved = next(h for h in households if h.neighbourhood_id == area["neighbourhood"].pk)
    household_services.household_update(
        household=moved,
        by=UserFactory(roles=[Role.TEAM_LEAD]),
        expected_version=Household.objects.get(pk=moved.pk).version,
        street="Molenweg",
        house_number=3,
        postcode="5700AA",
    )

    def expected(user, query):
        named = residents_named(name_words(query))
        living = HouseholdMembership.objects.current().filter(resident__in=named)
        return set(
            households_visible_to(user)
            .filter(pk__in=living.values("household_id"))
            .values_list("pk", flat=True)
        )

    url = reverse("cases:household_search")
    for user in (generalist, consultant):
        client.force_login(user)
        for query in ["aal", "aalbers", "brink", "vos", "de vos", "piet brink", "an", "de"]:
            want = expected(user, query)
            assert {h.pk for h in _found(user, query)} == want, (user, query)
            response = client.post(url, {"q": query})
            page = response.context["page"]
            assert page.paginator.count == len(want), (user, query)
            assert {row.pk for row in page.object_list} <= want, (user, query)


def _searcher(client, user):
    """`search(query)`: the search page's answer to `query`, as `user` (signed in, so the
    access facts are primed), from a process whose compiled statements are cleared."""
    from socialdomain import precompiled

    url = reverse("cases:household_search")
    client.force_login(user)
    precompiled._STATEMENTS.clear()

    def search(query):
        response = client.post(url, {"q": query})
        assert response.status_code == 200
        return response.content.decode()

    return search


def _compiled(label: str) -> list:
    """The keys of the process's compiled statements named `label`."""
    from socialdomain import precompiled

    return [key for key in precompiled._STATEMENTS if label in key]


def test_the_bsn_statement_is_compiled_once_per_access_and_keeps_need_to_know(
    client, generalist, named, other_area
):
    """Through the page (access facts primed): a search by BSN reads the person's memberships
    with a statement compiled once per user's access (`visibility_key`), another BSN binding
    its value only; a household outside the circle stays closed until a break-the-glass
    grant, a new access key, opens it at once."""
    mine = named("Zwaneveld")
    theirs = named("Pietersen", neighbourhood=other_area["neighbourhood"], postcode="5641AA")
    mine_bsn = mine.memberships.get().resident.bsn
    theirs_bsn = theirs.memberships.get().resident.bsn
    search = _searcher(client, generalist)

    assert str(mine.uuid) in search(mine_bsn)
    assert len(_compiled("memberships by BSN")) == 1
    assert str(theirs.uuid) not in search(theirs_bsn)  # another BSN, the same statement
    assert len(_compiled("memberships by BSN")) == 1
    _grant(generalist, theirs)
    assert str(theirs.uuid) in search(theirs_bsn)
    assert len(_compiled("memberships by BSN")) == 2


def test_the_postcode_page_is_compiled_once_per_access_and_shape(
    client, generalist, named, other_area
):
    """A postcode search's page is one statement per user's access and shape (a whole
    postcode, or the range of its four digits): another postcode binds its value only; a
    household of the same postcode outside the circle stays out until a grant opens it."""
    mine = named("Zwaneveld", postcode="1234AB")
    other = named("Pietersen", postcode="1234AC")
    foreign = named("Anders", neighbourhood=other_area["neighbourhood"], postcode="1234AB")
    search = _searcher(client, generalist)

    found = search("1234 AB")
    assert str(mine.uuid) in found and str(foreign.uuid) not in found
    assert str(other.uuid) not in found
    assert str(other.uuid) in search("1234AC")
    assert len(_compiled("households by postcode page")) == 1
    found = search("1234")  # the four digits: a range, another shape
    assert str(mine.uuid) in found and str(other.uuid) in found
    assert len(_compiled("households by postcode page")) == 2
    _grant(generalist, foreign)
    assert str(foreign.uuid) in search("1234AB")
