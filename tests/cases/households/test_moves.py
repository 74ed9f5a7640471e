"""Households change (#16 items 1-3): moves with history and handover, people moving between
households, one coordinator for household and plan."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.urls import reverse

from cases.access import household_read_only_for, households_visible_to
from cases.households import services as household_services
from cases.households.models import Handover, HandoverStatus, HouseholdMembership
from cases.households.selectors import household_search
from cases.plans import services as plan_services
from cases.plans.models import SupportPlan
from cases.privacy.models import AccessLogEntry
from teams.roles import Role
from tests.factories import (
    HouseholdMembershipFactory,
    ResidentFactory,
    SupportPlanFactory,
    TeamMemberFactory,
    UserFactory,
)


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def receiving(other_area):
    lead = TeamMemberFactory(team=other_area["team"], user__roles=[Role.TEAM_LEAD]).user
    worker = TeamMemberFactory(team=other_area["team"], user__roles=[Role.GENERALIST]).user
    return {**other_area, "lead": lead, "worker": worker}


def _household(generalist, **fields):
    household = household_services.household_create(
        by=generalist,
        street="Kerkstraat",
        house_number=12,
        postcode="5611AB",
        city="Dommelstede",
        residents=[household_services.NewResident(first_name="Anna", last_name="Jansen")],
        **fields,
    )
    household.refresh_from_db()
    return household


def _move(household, by, postcode="5641AA", **kwargs):
    return household_services.household_update(
        household=household,
        by=by,
        expected_version=household.version,
        street="Molenweg",
        house_number=3,
        postcode=postcode,
        **kwargs,
    )


# 1. Moves with history and handover ---------------------------------------------------------


def test_a_move_keeps_the_old_address_with_its_period(generalist, area):
    household = _household(generalist)
    _move(household, generalist, postcode="5611AB", moved_on=datetime.date(2030, 3, 1))
    old = household.former_addresses.get()
    assert (old.street, old.house_number, old.postcode) == ("Kerkstraat", 12, "5611AB")
    assert old.valid_from == household.created_at.date()  # its residents came today
    assert old.valid_until == datetime.date(2030, 3, 1)
    assert not Handover.objects.exists()  # the same district: no handover


def test_a_correction_keeps_no_history(generalist, area):
    household = _household(generalist)
    _move(household, generalist, postcode="5611AB", correction=True)
    assert not household.former_addresses.exists()


def test_a_move_to_another_district_hands_the_file_over(generalist, area, receiving):
    household = _household(generalist)
    plan = SupportPlanFactory(household=household, ready=True)
    plan_services.plan_activate(plan=plan, by=generalist)
    _move(household, generalist, reason="Verhuisd naar zus")
    handover = Handover.objects.get()
    assert handover.status == HandoverStatus.PENDING
    assert (handover.from_district, handover.to_district) == (
        area["district"],
        receiving["district"],
    )
    assert handover.from_coordinator == generalist
    assert handover.reason == "Verhuisd naar zus"
    household.refresh_from_db()
    assert household.coordinator == generalist  # stays until the receiving team accepts
    row = AccessLogEntry.objects.filter(object_type="handover").get()
    assert row.household_uuid == household.uuid and row.user == generalist
    # the receiving team sees the file; the old team reads it, but may not write
    assert households_visible_to(receiving["worker"]).filter(pk=household.pk).exists()
    colleague = TeamMemberFactory(team=area["team"], user__roles=[Role.GENERALIST]).user
    assert households_visible_to(colleague).filter(pk=household.pk).exists()
    assert household_read_only_for(colleague, household)
    assert not household_read_only_for(generalist, household)  # the coordinator, until accepted


def test_the_receiving_team_accepts_and_names_the_coordinator(generalist, area, receiving):
    household = _household(generalist)
    plan = SupportPlanFactory(household=household, ready=True)
    plan_services.plan_activate(plan=plan, by=generalist)
    _move(household, generalist)
    handover = Handover.objects.get()
    with pytest.raises(PermissionDenied):  # the old team cannot accept for the new one
        household_services.handover_accept(
            handover=handover, by=generalist, coordinator=receiving["worker"]
        )
    with pytest.raises(ValidationError):  # the coordinator must belong to the receiving team
        household_services.handover_accept(
            handover=handover, by=receiving["lead"], coordinator=generalist
        )
    household_services.handover_accept(
        handover=handover, by=receiving["lead"], coordinator=receiving["worker"]
    )
    handover.refresh_from_db()
    household.refresh_from_db()
    assert handover.status == HandoverStatus.ACCEPTED
    assert handover.accepted_by == receiving["lead"]
    assert household.coordinator == receiving["worker"]
    assert SupportPlan.objects.get(pk=plan.pk).coordinator == receiving["worker"]
    change = household.coordinator_changes.first()
    assert (change.from_user, change.to_user) == (generalist, receiving["worker"])
    assert not households_visible_to(generalist, handed_over=False).filter(pk=household.pk)
    with pytest.raises(ValidationError):
        household_services.handover_accept(
            handover=handover, by=receiving["lead"], coordinator=receiving["worker"]
        )


def test_moving_back_before_acceptance_withdraws_the_handover(generalist, area, receiving):
    household = _household(generalist)
    _move(household, generalist)
    household.refresh_from_db()
    _move(household, generalist, postcode="5611AB")
    assert Handover.objects.get().status == HandoverStatus.WITHDRAWN
    assert household.former_addresses.count() == 2


def test_the_team_page_shows_the_handover_and_accepting_works(
    client_as, generalist, area, receiving
):
    household = _household(generalist)
    plan = SupportPlanFactory(household=household, ready=True)
    plan_services.plan_activate(plan=plan, by=generalist)
    client = client_as(generalist)
    response = client.post(
        reverse("cases:household_edit", args=[household.uuid]),
        {
            "postcode": "5641 AA",
            "house_number": "3",
            "house_number_addition": "",
            "street": "Molenweg",
            "city": "Dommelstede",
            "version": household.version,
            "reason": "Verhuisd naar zus",
        },
    )
    assert response.status_code == 302
    detail = client.get(reverse("cases:household_detail", args=[household.uuid]))
    assert "Kerkstraat 12" in detail.content.decode()  # the old address in the history
    client = client_as(receiving["lead"])
    section = client.get(reverse("cases:team_handovers_section", args=[receiving["district"].code]))
    html = section.content.decode()
    assert "Molenweg 3" in html and "Verhuisd naar zus" in html
    handover = Handover.objects.get()
    response = client.post(
        reverse("cases:handover_accept", args=[handover.uuid]),
        {f"{handover.uuid}-coordinator": receiving["worker"].username},
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.coordinator == receiving["worker"]
    # the old team's generalists may no longer change the file
    colleague = TeamMemberFactory(team=area["team"], user__roles=[Role.GENERALIST]).user
    response = client_as(colleague).post(
        reverse("cases:resident_join", args=[household.uuid]), {"bsn": "111222333"}
    )
    assert response.status_code == 403


# 2. People move between households ----------------------------------------------------------


def test_a_person_who_left_joins_another_household_keeping_history(generalist, area):
    first = _household(generalist)
    membership = first.memberships.get()
    household_services.membership_end(membership=membership, by=generalist)
    resident = membership.resident
    second = _household(generalist, house_number_addition="A")
    household_services.resident_join_household(
        household=second, resident=resident, by=generalist, role="parent"
    )
    assert set(resident.memberships.values_list("household_id", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_joining_while_living_elsewhere_is_refused_with_the_way_out(generalist, area):
    first = _household(generalist)
    child = ResidentFactory(first_name="Sem")
    HouseholdMembershipFactory(household=first, resident=child, role="child")
    second = _household(generalist, house_number_addition="B")
    plan_a = SupportPlanFactory(household=first, ready=True)
    with pytest.raises(
        household_services.OpenMembershipElsewhere, match="Hierheen verhuizen"
    ) as exc:
        household_services.resident_join_household(
            household=second, resident=child, by=generalist, role="child"
        )
    assert exc.value.may_move
    household_services.resident_join_household(
        household=second,
        resident=child,
        by=generalist,
        role="child",
        move=True,
        start_date=datetime.date.today(),
    )
    memberships = HouseholdMembership.objects.filter(resident=child).order_by("start_date", "pk")
    assert [m.household_id for m in memberships] == [first.pk, second.pk]
    assert memberships[0].end_date == datetime.date.today()
    assert SupportPlan.objects.filter(pk=plan_a.pk).exists()  # the first plan keeps its history


def test_a_household_outside_the_users_circle_cannot_be_left_for_them(generalist, area, other_area):
    stranger = TeamMemberFactory(team=other_area["team"], user__roles=[Role.GENERALIST]).user
    elsewhere = household_services.household_create(
        by=stranger, street="Molenweg", house_number=3, postcode="5641AA", city="Dommelstede"
    )
    person = ResidentFactory()
    HouseholdMembershipFactory(household=elsewhere, resident=person)
    here = _household(generalist)
    with pytest.raises(household_services.OpenMembershipElsewhere) as exc:
        household_services.resident_join_household(
            household=here, resident=person, by=generalist, move=True
        )
    assert not exc.value.may_move
    assert "niet kunt openen" in str(exc.value)


def test_a_bsn_search_finds_former_members_and_says_where_they_live(generalist, area):
    first = _household(generalist)
    person = ResidentFactory(bsn="111222333")
    HouseholdMembershipFactory(
        household=first, resident=person, start_date=datetime.date(2020, 1, 1)
    )
    second = _household(generalist, house_number_addition="C")
    household_services.resident_join_household(
        household=second, resident=person, by=generalist, move=True
    )
    search = household_search(user=generalist, query="111222333")
    found = {h.pk: h.bsn_lives_here for h in search.results}
    assert found == {first.pk: False, second.pk: True}
    assert search.person.current.household == second and search.person.current_visible


def test_leave_a_and_join_b_with_one_search_on_the_screen(client_as, generalist, area):
    first = _household(generalist)
    person = ResidentFactory(bsn="111222333", first_name="Sem")
    HouseholdMembershipFactory(
        household=first, resident=person, start_date=datetime.date(2020, 1, 1)
    )
    second = _household(generalist, house_number_addition="D")
    client = client_as(generalist)
    url = reverse("cases:resident_join", args=[second.uuid])
    found = client.post(url, {"bsn": "111222333", "action": "find"})
    assert "Kerkstraat 12" in found.content.decode()  # where they live now
    response = client.post(url, {"bsn": "111222333", "role": "child", "action": "move"})
    assert response.status_code == 302
    assert person.memberships.current().get().household == second


# 3. One coordinator --------------------------------------------------------------------------


def test_after_a_bulk_reassign_no_active_plan_differs_from_its_household(area, make_household):
    lead = TeamMemberFactory(team=area["team"], user__roles=[Role.TEAM_LEAD]).user
    leaving = TeamMemberFactory(team=area["team"], active=False).user
    staying = TeamMemberFactory(team=area["team"]).user
    for _ in range(3):
        household = make_household(coordinator=leaving)
        plan = SupportPlanFactory(household=household, ready=True)
        plan_services.plan_activate(plan=plan, by=leaving)
    household_services.caseload_reassign(
        team=area["team"], from_user=leaving, to_user=staying, by=lead
    )
    plans = SupportPlan.objects.active()
    assert plans.count() == 3
    assert all(plan.coordinator == staying for plan in plans.select_related("household"))
    # the database query of the Done-when: 0 rows differ (one field: it cannot differ)
    assert not plans.exclude(household__coordinator=F("household__coordinator")).exists()
    assert not plans.filter(household__coordinator__isnull=True).exists()


def test_an_active_plan_cannot_lose_its_coordinator(generalist, area):
    household = _household(generalist)
    plan = SupportPlanFactory(household=household, ready=True)
    plan_services.plan_activate(plan=plan, by=generalist)
    with pytest.raises(ValidationError):
        household_services.household_coordinator_set(
            household_id=household.pk, user_id=None, by=generalist
        )


def test_activation_refuses_a_plan_without_coordinator(area):
    lead = UserFactory(roles=[Role.TEAM_LEAD])
    plan = SupportPlanFactory(ready=True)
    type(plan.household).objects.filter(pk=plan.household_id).update(coordinator=None)
    plan.household.coordinator = None
    with pytest.raises(ValidationError, match=r"regisseur|coordinator"):
        plan_services.plan_activate(plan=plan, by=lead)


def test_adding_a_known_bsn_as_new_points_to_the_person(client_as, generalist, area):
    first = _household(generalist)
    person = ResidentFactory(bsn="111222333")
    HouseholdMembershipFactory(household=first, resident=person)
    household_services.membership_end(
        membership=person.memberships.get(), by=generalist, end_date=datetime.date.today()
    )
    second = _household(generalist, house_number_addition="E")
    client = client_as(generalist)
    response = client.post(
        reverse("cases:resident_add", args=[second.uuid]),
        {"bsn": "111222333", "first_name": "Sem", "last_name": "Jansen", "role": "child"},
    )
    html = response.content.decode()
    assert 'id="known-person"' in html
    assert reverse("cases:resident_join", args=[second.uuid]) in html
    response = client.post(
        reverse("cases:resident_join", args=[second.uuid]),
        {"bsn": "111222333", "role": "child", "action": "join"},
    )
    assert response.status_code == 302
    assert person.memberships.current().get().household == second


def test_a_generalist_of_the_receiving_team_takes_the_household_on_from_its_page(
    client_as, generalist, area, receiving
):
    household = _household(generalist)
    _move(household, generalist)
    client = client_as(receiving["worker"])
    page = client.get(reverse("cases:household_detail", args=[household.uuid]))
    assert 'id="accept-handover"' in page.content.decode()
    handover = Handover.objects.get()
    response = client.post(
        reverse("cases:handover_accept", args=[handover.uuid]),
        {f"{handover.uuid}-coordinator": receiving["worker"].username},
    )
    assert response["Location"] == reverse("cases:household_detail", args=[household.uuid])
    household.refresh_from_db()
    assert household.coordinator == receiving["worker"]
    assert AccessLogEntry.objects.filter(
        object_type="handover", object_id=str(handover.uuid), user=receiving["worker"]
    ).exists()
    # the old coordinator no longer sees an accept form nor may take it back
    page = client_as(generalist).get(reverse("cases:household_detail", args=[household.uuid]))
    assert 'id="accept-handover"' not in page.content.decode()


def test_the_handover_section_names_who_and_keeps_its_query_count(
    client_as, generalist, area, receiving
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(receiving["lead"])
    url = reverse("cases:team_handovers_section", args=[receiving["district"].code])

    def moved_in():
        household = _household(generalist)
        SupportPlanFactory(household=household)
        _move(household, generalist)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    moved_in()
    count()  # the first request reads the lead's access facts into the cache
    one, html = count()
    assert "Anna Jansen" in html  # who moved
    for _ in range(4):
        moved_in()
    assert count()[0] == one


def test_the_old_address_runs_from_the_day_the_first_resident_moved_in(generalist, area):
    household = _household(generalist, moved_in_on=datetime.date(2009, 6, 1))
    _move(household, generalist, postcode="5611AB")
    assert household.former_addresses.get().valid_from == datetime.date(2009, 6, 1)


def test_a_person_who_left_starts_a_new_household_with_their_record(client_as, generalist, area):
    first = _household(generalist)
    person = ResidentFactory(bsn="111222333", first_name="Daan", last_name="Kuipers")
    HouseholdMembershipFactory(
        household=first, resident=person, start_date=datetime.date(2020, 1, 1)
    )
    client = client_as(generalist)
    payload = {
        "postcode": "5611 ab",
        "house_number": "40",
        "house_number_addition": "",
        "street": "Molenweg",
        "city": "Dommelstede",
        "residents-TOTAL_FORMS": "1",
        "residents-INITIAL_FORMS": "0",
        "residents-MIN_NUM_FORMS": "0",
        "residents-MAX_NUM_FORMS": "12",
        "residents-0-bsn": "111222333",
        "residents-0-first_name": "Daan",
        "residents-0-name_prefix": "",
        "residents-0-last_name": "Kuipers",
        "residents-0-birth_date": "",
        "residents-0-role": "parent",
    }
    # still living in the first household: refused, saying how to resolve it
    response = client.post(reverse("cases:household_create"), payload)
    assert response.status_code == 200
    assert "nog in een ander huishouden" in response.content.decode()
    household_services.membership_end(
        membership=person.memberships.get(), by=generalist, end_date=datetime.date.today()
    )
    response = client.post(reverse("cases:household_create"), payload)
    assert response.status_code == 302
    assert person.memberships.count() == 2  # the same record, its history kept
    assert person.memberships.current().get().household.street == "Molenweg"


def test_the_inzage_export_holds_former_addresses_and_handovers(generalist, area, receiving):
    from io import BytesIO

    from pypdf import PdfReader

    from cases.avg.inzage import inzage_build, inzage_pdf

    household = _household(generalist)
    old_street = household.street
    _move(household, generalist)
    resident = household.memberships.first().resident

    data = inzage_build(resident=resident)

    [exported] = data["households"]
    [former] = exported["former_addresses"]
    assert old_street in former["address"] and former["valid_until"]
    [handover] = exported["handovers"]
    assert handover["to_district"] == receiving["team"].district.name
    assert handover["status"] == HandoverStatus.PENDING
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(inzage_pdf(data))).pages)
    assert old_street in text and receiving["team"].district.name in text
