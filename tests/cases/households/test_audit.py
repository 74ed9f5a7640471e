"""The access log of household and resident writes (issue #14): the service writes the one
"allowed change" row, inside the write's transaction; a failed or refused write leaves none.

Also the coordinator's one home, `household_coordinator_set`: every path that changes a
household's or its open plan's coordinator goes through it (caseload move, plan, admin)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.households import services as household_services
from cases.households.models import CoordinatorChange, Household
from cases.plans import services as plan_services
from cases.plans.models import SupportPlan
from cases.privacy.models import AccessAction, AccessLogEntry, AccessResult
from teams.roles import Role
from tests.factories import SupportPlanFactory, TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def mark() -> int:
    """The last access-log row so far: setup writes rows of its own."""
    return AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def changes_after(before: int):
    return AccessLogEntry.objects.filter(
        pk__gt=before, action=AccessAction.CHANGE, result=AccessResult.ALLOWED
    )


def rows_after(before: int):
    return list(
        AccessLogEntry.objects.filter(pk__gt=before)
        .order_by("pk")
        .values_list("action", "result", "household_uuid")
    )


def fail_after_the_row(monkeypatch, module):
    """Make `module`'s `audit_change` write its row and then fail, as if the transaction broke
    at its very end: the row must roll back with the change."""
    real = module.audit_change

    def write_then_fail(**kwargs):
        real(**kwargs)
        raise ValidationError("failed after the row was written")

    monkeypatch.setattr(module, "audit_change", write_then_fail)


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def household(make_household, generalist):
    return make_household(residents=2, coordinator=generalist)


def address(household, **overrides):
    return {
        "postcode": "5611AB",
        "house_number": household.house_number,
        "street": "Nieuwe straat",
        "city": "Dommelstede",
        "version": household.version,
        **overrides,
    }


# --- household: address change ----------------------------------------------------------------


def test_an_address_change_writes_one_change_row_with_the_household(
    client_as, generalist, household
):
    before = mark()
    url = reverse("cases:household_edit", args=[household.uuid])
    assert client_as(generalist).post(url, address(household)).status_code == 302
    row = changes_after(before).get()
    assert (row.object_type, row.household_uuid, row.user) == (
        "household",
        household.uuid,
        generalist,
    )
    assert row.ip_address == "127.0.0.1"  # the view's context reached the service
    assert len(rows_after(before)) == 1


def test_a_failed_address_change_leaves_no_change_row(client_as, generalist, household):
    client = client_as(generalist)
    url = reverse("cases:household_edit", args=[household.uuid])
    before = mark()
    assert client.post(url, address(household, street="")).status_code == 200  # invalid form
    stale = address(household, version=household.version - 1 or 99)
    response = client.post(url, stale)  # someone else saved first: the service refuses
    assert response.status_code == 200
    assert response.context["conflict"]
    assert not changes_after(before).exists()
    # each request still has its one row: the page shown again
    assert rows_after(before) == [("view", "allowed", household.uuid)] * 2
    assert Household.objects.get(pk=household.pk).street == household.street


def test_a_refused_address_change_leaves_no_change_row(
    client_as, household, consultant, make_application, other_area
):
    make_application(household=household)  # the consultant may open the file, not edit it
    url = reverse("cases:household_edit", args=[household.uuid])
    before = mark()
    assert client_as(consultant).post(url, address(household)).status_code == 403
    stranger = TeamMemberFactory(team=other_area["team"]).user
    assert client_as(stranger).post(url, address(household)).status_code == 404
    assert not changes_after(before).exists()
    assert rows_after(before) == [
        ("change", "denied", household.uuid),
        ("change", "not_found", household.uuid),
    ]


def test_the_change_row_rolls_back_with_a_write_that_fails_at_the_end(
    client_as, generalist, household, monkeypatch
):
    fail_after_the_row(monkeypatch, household_services)
    before = mark()
    url = reverse("cases:household_edit", args=[household.uuid])
    assert client_as(generalist).post(url, address(household)).status_code == 200
    assert not changes_after(before).exists()
    assert Household.objects.get(pk=household.pk).street == household.street


# --- residents: add and edit ------------------------------------------------------------------


def test_adding_and_editing_a_resident_write_one_change_row_each(client_as, generalist, household):
    client = client_as(generalist)
    before = mark()
    response = client.post(
        reverse("cases:resident_add", args=[household.uuid]),
        {"first_name": "Kees", "last_name": "Jansen", "role": "child"},
    )
    assert response.status_code == 302
    newcomer = household.memberships.get(resident__first_name="Kees").resident
    response = client.post(
        reverse("cases:resident_edit", args=[household.uuid, newcomer.uuid]),
        {"first_name": "Cees", "last_name": "Jansen"},
    )
    assert response.status_code == 302
    rows = list(changes_after(before).order_by("pk"))
    assert [(r.object_type, r.object_id, r.household_uuid) for r in rows] == [
        ("resident", str(newcomer.uuid), household.uuid),
        ("resident", str(newcomer.uuid), household.uuid),
    ]
    assert all(r.resident_uuids == [str(newcomer.uuid)] for r in rows)
    assert len(rows_after(before)) == 2


def test_failed_resident_writes_leave_no_change_row(client_as, generalist, household, monkeypatch):
    client = client_as(generalist)
    resident = household.memberships.first().resident
    before = mark()
    add = reverse("cases:resident_add", args=[household.uuid])
    edit = reverse("cases:resident_edit", args=[household.uuid, resident.uuid])
    assert client.post(add, {"first_name": "Kees", "role": "child"}).status_code == 200
    assert client.post(edit, {"first_name": "", "last_name": "X"}).status_code == 200
    # each invalid form is shown again: its request's one row is a view
    assert rows_after(before) == [("view", "allowed", household.uuid)] * 2
    fail_after_the_row(monkeypatch, household_services)
    assert client.post(add, {"first_name": "Kees", "last_name": "J"}).status_code == 200
    assert client.post(edit, {"first_name": "Bep", "last_name": "X"}).status_code == 200
    assert not changes_after(before).exists()
    assert household.memberships.count() == 2
    resident.refresh_from_db()
    assert resident.first_name != "Bep"


def test_refused_resident_writes_leave_no_change_row(
    client_as, household, consultant, make_application, other_area
):
    make_application(household=household)
    resident = household.memberships.first().resident
    add = reverse("cases:resident_add", args=[household.uuid])
    edit = reverse("cases:resident_edit", args=[household.uuid, resident.uuid])
    data = {"first_name": "Kees", "last_name": "Jansen"}
    before = mark()
    assert client_as(consultant).post(add, data).status_code == 403
    assert client_as(consultant).post(edit, data).status_code == 403
    stranger = TeamMemberFactory(team=other_area["team"]).user
    assert client_as(stranger).post(add, data).status_code == 404
    assert client_as(stranger).post(edit, data).status_code == 404
    assert not changes_after(before).exists()
    assert [(a, r) for a, r, _h in rows_after(before)] == [
        ("change", "denied"),
        ("change", "denied"),
        ("change", "not_found"),
        ("change", "not_found"),
    ]
    assert {h for _a, _r, h in rows_after(before)} == {household.uuid}


# --- the coordinator's one home ---------------------------------------------------------------


def test_coordinator_set_moves_the_open_plan_records_and_logs_once(household, generalist):
    plan = plan_services.plan_activate(
        plan=SupportPlanFactory(household=household, ready=True, coordinator=generalist),
        by=generalist,
    )
    colleague = UserFactory(roles=[Role.GENERALIST])
    before = mark()
    assert household_services.household_coordinator_set(
        household_id=household.pk, user_id=colleague.pk, by=generalist
    )
    assert Household.objects.get(pk=household.pk).coordinator == colleague
    assert SupportPlan.objects.get(pk=plan.pk).coordinator == colleague
    change = household.coordinator_changes.latest("pk")
    assert (change.from_user, change.to_user, change.changed_by) == (
        generalist,
        colleague,
        generalist,
    )
    assert changes_after(before).get().household_uuid == household.uuid
    # the same coordinator again changes nothing and logs nothing
    assert not household_services.household_coordinator_set(
        household_id=household.pk, user_id=colleague.pk, by=generalist
    )
    assert changes_after(before).count() == 1


def test_an_active_plan_keeps_a_coordinator(household, generalist):
    plan_services.plan_activate(
        plan=SupportPlanFactory(household=household, ready=True, coordinator=generalist),
        by=generalist,
    )
    before = mark()
    with pytest.raises(ValidationError):
        household_services.household_coordinator_set(
            household_id=household.pk, user_id=None, by=generalist
        )
    assert Household.objects.get(pk=household.pk).coordinator == generalist
    assert not changes_after(before).exists()


def test_the_plan_reads_the_households_coordinator_one_field(household, generalist):
    plan = SupportPlanFactory(household=household, ready=True, coordinator=generalist)
    colleague = UserFactory(roles=[Role.GENERALIST])
    household_services.household_coordinator_set(
        household_id=household.pk, user_id=colleague.pk, by=generalist
    )
    # who coordinated before stays in the change history (and in a closed plan's versions)
    assert SupportPlan.objects.get(pk=plan.pk).coordinator == colleague
    assert household.coordinator_changes.first().from_user == generalist


def test_a_caseload_move_takes_the_open_plans_along_one_row_per_household(area, make_household):
    lead = TeamMemberFactory(team=area["team"], user__roles=[Role.TEAM_LEAD]).user
    leaving = TeamMemberFactory(team=area["team"], active=False).user
    staying = TeamMemberFactory(team=area["team"]).user
    households = [make_household(coordinator=leaving) for _ in range(2)]
    plan = SupportPlanFactory(household=households[0], ready=True, coordinator=leaving)
    plan = plan_services.plan_activate(plan=plan, by=leaving)
    before = mark()
    household_services.caseload_reassign(
        team=area["team"], from_user=leaving, to_user=staying, by=lead
    )
    assert SupportPlan.objects.get(pk=plan.pk).coordinator == staying
    rows = changes_after(before)
    assert sorted(row.household_uuid for row in rows) == sorted(h.uuid for h in households)
    assert {row.user for row in rows} == {lead}
    # saving the plan form afterwards no longer puts the departed member back
    plan = SupportPlan.objects.get(pk=plan.pk)
    plan_services.plan_update(plan=plan, by=staying, coordinator=plan.coordinator)
    assert Household.objects.get(pk=households[0].pk).coordinator == staying


def test_the_admin_changes_the_coordinator_through_the_service(
    client, user_with_role, household, generalist
):
    plan = plan_services.plan_create(household=household, by=generalist)
    colleague = UserFactory(roles=[Role.GENERALIST])
    # households in the admin are a superuser's (docs/privacy.md, "The admin")
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    before = mark()
    response = client.post(
        reverse("admin:cases_household_change", args=[household.pk]),
        {
            "street": household.street,
            "house_number": household.house_number,
            "house_number_addition": "",
            "postcode": household.postcode,
            "city": household.city,
            "coordinator": colleague.pk,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    household.refresh_from_db()
    assert household.coordinator == colleague
    assert SupportPlan.objects.get(pk=plan.pk).coordinator == colleague  # the draft follows
    change = CoordinatorChange.objects.latest("pk")
    assert (change.to_user, change.changed_by) == (colleague, admin_user)
    row = changes_after(before).get()
    assert (row.household_uuid, row.user) == (household.uuid, admin_user)


def test_registering_a_household_writes_one_change_row(client, generalist, area):
    client.force_login(generalist)
    data = {
        "postcode": "5611 ab",
        "house_number": "12",
        "street": "Kerkstraat",
        "city": "Dommelstede",
        "residents-TOTAL_FORMS": "1",
        "residents-INITIAL_FORMS": "0",
        "residents-0-first_name": "Anna",
        "residents-0-last_name": "Jansen",
        "residents-0-bsn": "111222333",
        "residents-0-role": "parent",
    }
    before = mark()
    assert client.post(reverse("cases:household_create"), {**data, "city": ""}).status_code == 200
    assert not AccessLogEntry.objects.filter(pk__gt=before).exists()  # no file yet, no row
    assert client.post(reverse("cases:household_create"), data).status_code == 302
    household = Household.objects.get()
    row = changes_after(before).get()
    assert (row.object_type, row.household_uuid) == ("household", household.uuid)
    assert row.resident_uuids == [str(household.memberships.get().resident.uuid)]
    # the generalist who registers it coordinates it, through the one function
    assert household.coordinator == generalist
    assert household.coordinator_changes.get().to_user == generalist
