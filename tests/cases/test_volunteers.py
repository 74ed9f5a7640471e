"""The reciprocity register (cases/volunteers, docs/volunteers.md): registering with consent,
people not free text, links across households, the find-a-volunteer page, need-to-know on a
volunteer's page, the informal network entry, and the informal-versus-paid measure."""

import datetime
import threading
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections
from django.urls import reverse
from django.utils import timezone

from cases.consent.models import Consent, ConsentPurpose
from cases.consent.services import consent_withdraw
from cases.households.models import HouseholdMembership
from cases.intake.models import InformalNetworkKind
from cases.plans.models import ActionOwnerKind, PlanAction, PlanStatus, SupportPlan
from cases.privacy.models import AccessAction, AccessLogEntry
from cases.provisions.models import (
    Allocation,
    AllocationStatus,
    DecisionOutcome,
    Delivery,
    ProvisionDecision,
)
from cases.volunteers import selectors, services
from cases.volunteers.models import OfferCategory, Volunteer, Volunteering
from networks.models import Frequency, OrganisationType, Unit
from outcomes.selectors import Filters, informal_support_table
from teams.roles import Role
from tests.factories import (
    HouseholdMembershipFactory,
    NetworkMemberFactory,
    OrganisationFactory,
    ResidentFactory,
    SupportPlanFactory,
    TeamMemberFactory,
)
from tests.provision_factories import ApplicationFactory, ProductFactory

TODAY = timezone.localdate()


@pytest.fixture
def organisation(db):
    return OrganisationFactory(
        type=OrganisationType.VOLUNTEER_ORGANISATION, name="Vrijwilligerspunt"
    )


@pytest.fixture
def register(area, generalist, organisation):
    """register(resident=None, district=None, offers=("buddy",)) -> a volunteer."""

    def make(resident=None, district=None, offers=(OfferCategory.BUDDY,), **fields):
        return services.volunteer_register(
            resident=resident or ResidentFactory(),
            district=district or area["district"],
            offers=offers,
            consent_organisation=organisation,
            consent_given_by="de inwoner zelf",
            by=generalist,
            **fields,
        )

    return make


# Registering ------------------------------------------------------------------------------


def test_a_helped_resident_becomes_a_volunteer_with_consent_in_the_register(
    make_household, register, generalist
):
    household = make_household(residents=1)
    resident = household.memberships.get().resident
    volunteer = register(resident=resident, offers=["errands", "buddy"], availability="ochtenden")
    consent = Consent.objects.get(resident=resident)
    assert consent.purpose == ConsentPurpose.VOLUNTEER_REGISTER
    assert volunteer.consent == consent
    assert sorted(volunteer.offers.values_list("category", flat=True)) == ["buddy", "errands"]
    rows = AccessLogEntry.objects.filter(object_type="volunteer", action=AccessAction.CHANGE)
    assert rows.count() == 1
    row = rows.get()
    assert row.household_uuid == household.uuid
    assert row.resident_uuids == [str(resident.uuid)]
    assert selectors.volunteer_is_findable(volunteer=volunteer)


def test_an_existing_register_consent_is_used_not_recorded_twice(
    register, organisation, generalist
):
    resident = ResidentFactory()
    volunteer = register(resident=resident)
    services.volunteer_stop(volunteer=volunteer, by=generalist)
    again = register(resident=resident)
    assert again.pk == volunteer.pk and again.is_active
    assert Consent.objects.filter(resident=resident).count() == 1


def test_registering_twice_or_without_offer_or_role_is_refused(register, user_with_role, area):
    resident = ResidentFactory()
    register(resident=resident)
    with pytest.raises(ValidationError):
        register(resident=resident)
    with pytest.raises(ValidationError):
        register(offers=[])
    with pytest.raises(ValidationError):
        register(offers=["juggling"])
    consultant = user_with_role(Role.CONSULTANT)
    with pytest.raises(PermissionDenied):
        services.volunteer_register(
            resident=ResidentFactory(),
            district=area["district"],
            offers=["buddy"],
            consent_organisation=OrganisationFactory(),
            consent_given_by="x",
            by=consultant,
        )


def test_someone_outside_the_register_gets_a_person_record_without_bsn_or_household(
    area, organisation, generalist
):
    volunteer = services.volunteer_person_register(
        first_name="Fatima",
        last_name="El Idrissi",
        phone="0612345678",
        district=area["district"],
        offers=["language"],
        consent_organisation=organisation,
        consent_given_by="Fatima El Idrissi",
        by=generalist,
    )
    person = volunteer.resident
    assert person.bsn is None
    assert not HouseholdMembership.objects.filter(resident=person).exists()
    with pytest.raises(ValidationError):
        services.volunteer_person_register(
            first_name="Geen",
            last_name="Contact",
            district=area["district"],
            offers=["language"],
            consent_organisation=organisation,
            consent_given_by="x",
            by=generalist,
        )


def test_withdrawn_consent_takes_the_volunteer_out_of_the_list_and_blocks_new_help(
    register, generalist, make_household
):
    volunteer = register()
    assert list(selectors.volunteers_findable()) == [volunteer]
    consent_withdraw(consent=volunteer.consent, by=generalist)
    assert list(selectors.volunteers_findable()) == []
    with pytest.raises(ValidationError, match="toestemming"):
        services.volunteering_start(
            volunteer=volunteer,
            household=make_household(),
            category="buddy",
            what="Wandelen",
            by=generalist,
        )


# Helping households -----------------------------------------------------------------------


def test_help_for_a_household_puts_the_volunteer_in_its_network(
    register, make_household, generalist
):
    volunteer = register()
    household = make_household(residents=2)
    helped = household.memberships.first().resident
    volunteering = services.volunteering_start(
        volunteer=volunteer,
        household=household,
        helped_resident=helped,
        category="transport",
        what="Rijdt mee naar het ziekenhuis",
        by=generalist,
    )
    member = volunteering.network_member
    assert member.household == household
    assert member.kind == InformalNetworkKind.VOLUNTEER
    assert member.name == volunteer.resident.full_name
    assert member.volunteering == volunteering
    # the plan can name the volunteer as owner of an action, through that network entry
    plan = SupportPlanFactory(household=household)
    action = PlanAction.objects.create(
        plan=plan,
        description="Rijdt mee",
        owner_kind=ActionOwnerKind.NETWORK,
        owner_network_member=member,
    )
    assert action.owner_name == volunteer.resident.full_name
    row = AccessLogEntry.objects.get(object_type="volunteering")
    assert row.household_uuid == household.uuid
    assert set(row.resident_uuids) == {str(volunteer.resident.uuid), str(helped.uuid)}


def test_help_rules_living_here_helped_resident_and_one_active_link(
    register, make_household, generalist
):
    household = make_household(residents=1)
    own = register(resident=household.memberships.get().resident)
    with pytest.raises(ValidationError, match="woont in dit huishouden"):
        services.volunteering_start(
            volunteer=own, household=household, category="buddy", what="x", by=generalist
        )
    volunteer = register()
    with pytest.raises(ValidationError):
        services.volunteering_start(
            volunteer=volunteer,
            household=household,
            helped_resident=ResidentFactory(),
            category="buddy",
            what="x",
            by=generalist,
        )
    services.volunteering_start(
        volunteer=volunteer, household=household, category="buddy", what="x", by=generalist
    )
    with pytest.raises(ValidationError, match="helpt dit huishouden al"):
        services.volunteering_start(
            volunteer=volunteer, household=household, category="buddy", what="y", by=generalist
        )
    assert Volunteering.objects.filter(household=household).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_colleagues_linking_the_same_volunteer_at_once_make_one_link(area, organisation):
    generalist = TeamMemberFactory(team=area["team"]).user
    other = TeamMemberFactory(team=area["team"]).user
    volunteer = services.volunteer_register(
        resident=ResidentFactory(),
        district=area["district"],
        offers=["buddy"],
        consent_organisation=organisation,
        consent_given_by="zelf",
        by=generalist,
    )
    household = HouseholdMembershipFactory(household__neighbourhood=area["neighbourhood"]).household
    barrier = threading.Barrier(2)
    outcomes = []

    def link(user):
        try:
            barrier.wait()
            services.volunteering_start(
                volunteer=volunteer, household=household, category="buddy", what="x", by=user
            )
            outcomes.append("linked")
        except ValidationError:
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=link, args=(u,)) for u in (generalist, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["linked", "refused"]
    assert Volunteering.objects.filter(household=household).count() == 1


def test_stopping_ends_every_link(register, make_household, generalist):
    volunteer = register()
    links = [
        services.volunteering_start(
            volunteer=volunteer,
            household=make_household(),
            category="buddy",
            what="x",
            by=generalist,
        )
        for _ in range(2)
    ]
    services.volunteer_stop(volunteer=volunteer, by=generalist)
    assert all(
        v.ended_on == TODAY for v in Volunteering.objects.filter(pk__in=[link.pk for link in links])
    )
    assert list(selectors.volunteers_findable()) == []
    with pytest.raises(ValidationError):
        services.volunteer_stop(volunteer=volunteer, by=generalist)


# The find-a-volunteer page ----------------------------------------------------------------


def test_the_list_filters_by_district_and_offer_and_logs_the_search(
    client, register, generalist, area, other_area
):
    here = register(offers=["buddy", "errands"])
    there = register(district=other_area["district"], offers=["errands"])
    client.force_login(generalist)
    url = reverse("volunteers:list")
    page = client.get(url, {"wijk": area["district"].code}).content.decode()
    assert here.resident.full_name in page and there.resident.full_name not in page
    page = client.get(url, {"aanbod": "errands"}).content.decode()
    assert here.resident.full_name in page and there.resident.full_name in page
    page = client.get(url, {"aanbod": "buddy"}).content.decode()
    assert here.resident.full_name in page and there.resident.full_name not in page
    row = AccessLogEntry.objects.filter(action=AccessAction.SEARCH, object_type="volunteer").last()
    assert row.search_kind == "volunteers" and row.result_count == 1


def test_the_list_refuses_bad_filters_and_other_roles(client, generalist, user_with_role, db):
    client.force_login(generalist)
    assert client.get(reverse("volunteers:list"), {"wijk": "WK999999"}).status_code == 400
    assert client.get(reverse("volunteers:list"), {"aanbod": "x" * 300}).status_code == 400
    client.force_login(user_with_role(Role.POLICY_OFFICER))
    assert client.get(reverse("volunteers:list")).status_code == 403


def test_the_list_is_paginated_within_a_query_budget(
    client, register, generalist, make_household, django_assert_max_num_queries
):
    volunteers = [register(offers=["buddy", "odd_jobs"]) for _ in range(30)]
    for volunteer in volunteers[:5]:
        services.volunteering_start(
            volunteer=volunteer,
            household=make_household(),
            category="buddy",
            what="x",
            by=generalist,
        )
    client.force_login(generalist)
    # session, user, roles, the count, the page, the offers, the log row and the menu's abilities
    with django_assert_max_num_queries(14):
        response = client.get(reverse("volunteers:list"))
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == 30 and len(page.object_list) == 25
    assert client.get(reverse("volunteers:list"), {"page": 2}).context["page"].number == 2


# A volunteer's page: need-to-know ---------------------------------------------------------


def test_a_volunteers_page_shows_only_households_the_viewer_may_open(
    client, register, generalist, make_household, other_area
):
    volunteer = register()
    own = make_household()
    other = make_household(neighbourhood=other_area["neighbourhood"], street="Geheimstraat")
    services.volunteering_start(
        volunteer=volunteer, household=own, category="buddy", what="Koffie drinken", by=generalist
    )
    colleague = TeamMemberFactory(team=other_area["team"]).user
    services.volunteering_start(
        volunteer=volunteer,
        household=other,
        category="paperwork",
        what="Post doornemen met mevrouw",
        by=colleague,
    )
    client.force_login(generalist)
    page = client.get(reverse("volunteers:detail", args=[volunteer.uuid])).content.decode()
    assert own.address_line in page and "Koffie drinken" in page
    assert "Geheimstraat" not in page and "Post doornemen" not in page
    assert "1 huishouden waar u geen toegang toe hebt" in page
    row = AccessLogEntry.objects.filter(object_type="volunteer", action=AccessAction.VIEW).last()
    assert row.resident_uuids == [str(volunteer.resident.uuid)]
    assert row.object_id == str(volunteer.uuid)
    missing = client.get(reverse("volunteers:detail", args=[uuid.uuid4()]))
    assert missing.status_code == 404
    assert AccessLogEntry.objects.filter(object_type="volunteer", result="not_found").exists()


def test_household_screens_register_a_resident_and_link_a_volunteer(
    client, register, generalist, make_household, organisation
):
    household = make_household(residents=1)
    resident = household.memberships.get().resident
    client.force_login(generalist)
    url = reverse("cases:resident_volunteer_register", args=[household.uuid, resident.uuid])
    assert client.get(url).status_code == 200
    data = {
        "district": household.neighbourhood.district.pk,
        "offers": ["buddy"],
        "consent_organisation": organisation.pk,
        "consent_given": "on",
        "consent_given_by": resident.full_name,
    }
    assert client.post(url, {**data, "consent_given": ""}).status_code == 400
    response = client.post(url, data)
    volunteer = Volunteer.objects.get(resident=resident)
    assert response.status_code == 302
    assert response["Location"] == reverse("volunteers:detail", args=[volunteer.uuid])

    helper = register()
    helped_household = make_household(residents=1)
    url = reverse("cases:household_volunteering_add", args=[helped_household.uuid])
    form = client.get(url).context["form"]
    assert helper in form.fields["volunteer"].queryset
    before = AccessLogEntry.objects.count()
    response = client.post(
        url,
        {
            "volunteer": helper.pk,
            "category": "buddy",
            "what": "Wandelt op zondag",
            "started_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    assert AccessLogEntry.objects.count() == before + 1  # one row per request
    volunteering = Volunteering.objects.get(household=helped_household)
    detail = client.get(reverse("cases:household_detail", args=[helped_household.uuid]))
    assert "in het vrijwilligersregister" in detail.content.decode()
    end = reverse(
        "cases:household_volunteering_end", args=[helped_household.uuid, volunteering.uuid]
    )
    assert client.post(end).status_code == 302
    volunteering.refresh_from_db()
    assert volunteering.ended_on == TODAY


def test_household_screens_are_need_to_know(client, register, make_household, other_area):
    outsider = TeamMemberFactory(team=other_area["team"]).user
    household = make_household(residents=1)
    client.force_login(outsider)
    url = reverse("cases:household_volunteering_add", args=[household.uuid])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


# Informal versus paid support per district (hand-computed) --------------------------------


def _active_plan(household):
    plan = SupportPlanFactory(household=household, ready=True)
    SupportPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.ACTIVE)
    return plan


def _network_action(plan, member, done=False):
    return PlanAction.objects.create(
        plan=plan,
        description="Helpt",
        owner_kind=ActionOwnerKind.NETWORK,
        owner_network_member=member,
        done_on=TODAY if done else None,
    )


def _allocation(decision, household, *, start, end=None, status=AllocationStatus.STARTED):
    return Allocation.objects.create(
        number=uuid.uuid4().hex[:20],
        decision=decision,
        household=household,
        provider=decision.provider,
        product=decision.product,
        volume=2,
        unit=Unit.HOUR,
        frequency=Frequency.PER_WEEK,
        start_date=start,
        end_date=end,
        status=status,
        care_started_on=None if status == AllocationStatus.NOT_STARTED else start,
        care_stopped_on=start if status == AllocationStatus.STOPPED else None,
        end_reason="19" if status == AllocationStatus.STOPPED else "",
    )


@pytest.fixture
def support_world(area, other_area, make_household, register, generalist, provider):
    day = datetime.timedelta(days=1)
    h1, h2, h3 = (make_household(residents=1) for _ in range(3))
    h4 = make_household(neighbourhood=other_area["neighbourhood"], residents=1)
    volunteer = register()
    colleague = TeamMemberFactory(team=other_area["team"]).user
    link1 = services.volunteering_start(
        volunteer=volunteer, household=h1, category="buddy", what="x", by=generalist
    )
    link4 = services.volunteering_start(
        volunteer=volunteer, household=h4, category="buddy", what="x", by=colleague
    )
    services.volunteering_end(volunteering=link4, by=colleague)  # ended: no longer a volunteer's
    p1, p2, p4 = _active_plan(h1), _active_plan(h2), _active_plan(h4)
    p3 = SupportPlanFactory(household=h3, ready=True)  # a draft: not counted
    neighbour1 = NetworkMemberFactory(household=h1)
    neighbour2 = NetworkMemberFactory(household=h2)
    _network_action(p1, link1.network_member)  # counted, by a volunteer
    _network_action(p1, neighbour1)  # counted
    _network_action(p1, neighbour1, done=True)  # done: not counted
    PlanAction.objects.create(  # the resident's own action: not the network
        plan=p1,
        description="Zelf",
        owner_kind=ActionOwnerKind.RESIDENT,
        owner_resident=h1.memberships.get().resident,
    )
    _network_action(p2, neighbour2)  # counted
    _network_action(p3, NetworkMemberFactory(household=h3))  # draft plan: not counted
    _network_action(p4, link4.network_member)  # counted as network, not as volunteer
    product = ProductFactory()
    application = ApplicationFactory(household=h1, product=product, applied_by=generalist)
    decision = ProvisionDecision.objects.create(
        application=application,
        outcome=DecisionOutcome.GRANT,
        product=product,
        volume=2,
        unit=Unit.HOUR,
        frequency=Frequency.PER_WEEK,
        start_date=TODAY - 30 * day,
        delivery=Delivery.IN_KIND,
        provider=provider,
        amount=Decimal("100.00"),
        decided_by=generalist,
        decided_at=timezone.now(),
    )
    _allocation(decision, h1, start=TODAY - 30 * day)  # running
    _allocation(decision, h2, start=TODAY, status=AllocationStatus.NOT_STARTED)  # running
    _allocation(decision, h2, start=TODAY - 30 * day, status=AllocationStatus.STOPPED)  # no
    _allocation(decision, h1, start=TODAY - 30 * day, end=TODAY - day)  # ended: no
    _allocation(decision, h3, start=TODAY + day)  # not yet: no
    _allocation(decision, h4, start=TODAY - 30 * day, end=TODAY)  # runs today
    return {"own": area["district"], "other": other_area["district"]}


def test_support_by_district_matches_the_hand_computed_figures(support_world):
    figures = selectors.support_by_district()
    own = figures[support_world["own"].pk]
    # network actions: h1 (volunteer, neighbour), h2 (neighbour) = 3 in 2 households
    assert (own.network_actions, own.network_households) == (3, 2)
    assert (own.volunteer_actions, own.volunteer_households) == (1, 1)
    # allocations running today: h1's running one and h2's not yet started one
    assert (own.allocations, own.allocation_households) == (2, 2)
    assert own.share_network == pytest.approx(3 / 5)
    other = figures[support_world["other"].pk]
    assert (other.network_actions, other.volunteer_actions, other.allocations) == (1, 0, 1)
    assert other.share_network == pytest.approx(1 / 2)
    only_other = selectors.support_by_district(district_ids=[support_world["other"].pk])
    assert set(only_other) == {support_world["other"].pk}


def test_the_dashboard_table_suppresses_small_numbers(support_world):
    filters = Filters(districts=[support_world["own"], support_world["other"]])
    table = informal_support_table(filters)
    rows = {row.label: row for row in table.rows}
    own = rows[support_world["own"].name + f" ({support_world['own'].team.name})"]
    # about 1-4 households each: shown as "<5", the share derived from them hidden
    assert own.cells["network"].value == 3 and own.cells["network"].suppressed
    assert own.cells["share_network"].value == 60 and own.cells["share_network"].suppressed
    assert table.total.cells["paid"].value == 3


def test_the_policy_dashboard_shows_the_table(client, support_world, user_with_role):
    client.force_login(user_with_role(Role.POLICY_OFFICER))
    response = client.get(reverse("outcomes:policy_dashboard"))
    assert response.status_code == 200
    assert "Informeel netwerk en betaalde voorzieningen" in response.content.decode()


def test_the_volunteers_inzage_holds_the_register_without_the_helped_households(
    register, make_household, generalist
):
    from cases.avg.inzage import inzage_build, inzage_pdf

    volunteer = register(offers=["errands"], availability="zaterdag")
    helped = make_household(street="Helpstraat")
    services.volunteering_start(
        volunteer=volunteer,
        household=helped,
        category="errands",
        what="Boodschappen",
        by=generalist,
    )
    data = inzage_build(resident=volunteer.resident)
    assert data["volunteer"]["availability"] == "zaterdag"
    assert [h["what"] for h in data["volunteer"]["help"]] == ["Boodschappen"]
    assert "Helpstraat" not in str(data["volunteer"])
    assert inzage_pdf(data).startswith(b"%PDF")
    assert inzage_build(resident=ResidentFactory())["volunteer"] is None


def test_the_network_entry_of_a_volunteer_keeps_the_registers_name(
    register, make_household, generalist
):
    from cases.intake.services import network_member_update

    volunteering = services.volunteering_start(
        volunteer=register(), household=make_household(), category="buddy", what="x", by=generalist
    )
    member = volunteering.network_member
    with pytest.raises(ValidationError, match="vrijwilliger uit het register"):
        network_member_update(member=member, by=generalist, name="Iemand anders")
    updated = network_member_update(member=member, by=generalist, contribution="Wandelt mee")
    assert updated.contribution == "Wandelt mee"
    neighbour = NetworkMemberFactory(household=member.household)
    assert network_member_update(member=neighbour, by=generalist, name="Buurvrouw").name == (
        "Buurvrouw"
    )


def test_the_network_form_refuses_renaming_a_volunteer(
    client, register, make_household, generalist
):
    volunteering = services.volunteering_start(
        volunteer=register(), household=make_household(), category="buddy", what="x", by=generalist
    )
    member = volunteering.network_member
    client.force_login(generalist)
    url = reverse("cases:network_member_edit", args=[member.household.uuid, member.uuid])
    response = client.post(
        url, {"kind": member.kind, "name": "Iemand anders", "contact": "", "contribution": "x"}
    )
    assert "vrijwilliger uit het register" in response.content.decode()
    member.refresh_from_db()
    assert member.name == volunteering.volunteer.resident.full_name
