"""The access log of plan writes (issue #14): the service writes the one "allowed change" row
inside the write's transaction (a coordinator change made along the way adds none); a failed or
refused write leaves none."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.households.models import Household
from cases.plans import services as plan_services
from cases.plans.models import (
    ActionOwnerKind,
    AftercareCheckIn,
    CheckInStatus,
    PlanStatus,
    SupportPlan,
)
from cases.privacy.models import AccessAction, AccessLogEntry, AccessResult
from teams.roles import Role
from tests.factories import SupportPlanFactory, TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def mark() -> int:
    return AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def changes_after(before: int):
    return AccessLogEntry.objects.filter(
        pk__gt=before, action=AccessAction.CHANGE, result=AccessResult.ALLOWED
    )


def rows_after(before: int):
    rows = AccessLogEntry.objects.filter(pk__gt=before).order_by("pk")
    return list(rows.values_list("action", "result"))


def fail_after_the_row(monkeypatch):
    """The service writes its row and then fails: the row rolls back with the change."""
    real = plan_services.audit_change

    def write_then_fail(**kwargs):
        real(**kwargs)
        raise ValidationError("failed after the row was written")

    monkeypatch.setattr(plan_services, "audit_change", write_then_fail)


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def household(make_household, generalist):
    return make_household(residents=2, coordinator=generalist)


@pytest.fixture
def consultant_of(make_application, consultant, household):
    """A consultant who may open the household's file (an application) but not work in it."""
    make_application(household=household)
    return consultant


@pytest.fixture
def stranger(other_area):
    return TeamMemberFactory(team=other_area["team"]).user


@pytest.fixture
def draft(household, generalist):
    return plan_services.plan_create(household=household, by=generalist)


def plan_form(coordinator, **overrides):
    return {
        "coordinator": coordinator.username,
        "aftercare_in_place": "Waakvlam via het buurthuis",
        "aftercare_agreed_with": "Buurthuis De Linde",
        "aftercare_check_in_dates": "01-03-2027",
        **overrides,
    }


def close(plan):
    SupportPlan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.CLOSED, aftercare_in_place="Waakvlam"
    )


def assert_one_change(before, object_type, obj, household):
    row = changes_after(before).get()
    assert (row.object_type, row.object_id, row.household_uuid) == (
        object_type,
        str(obj.uuid),
        household.uuid,
    )
    assert len(rows_after(before)) == 1


# --- plan: create, update, activate -----------------------------------------------------------


def test_creating_a_plan_writes_one_change_row(client_as, generalist, household):
    before = mark()
    response = client_as(generalist).post(reverse("cases:plan_create", args=[household.uuid]))
    assert response.status_code == 302
    assert_one_change(before, "plan", SupportPlan.objects.get(), household)


def test_a_failed_or_refused_plan_creation_leaves_no_change_row(
    client_as, generalist, household, draft, consultant_of, stranger, monkeypatch
):
    url = reverse("cases:plan_create", args=[household.uuid])
    before = mark()
    assert client_as(generalist).post(url).status_code == 302  # refused: an open plan exists
    assert client_as(consultant_of).post(url).status_code == 403
    assert client_as(stranger).post(url).status_code == 404
    assert rows_after(before) == [
        ("view", "allowed"),
        ("change", "denied"),
        ("change", "not_found"),
    ]
    close(draft)
    fail_after_the_row(monkeypatch)
    assert client_as(generalist).post(url).status_code == 302
    assert not changes_after(before).exists()
    assert SupportPlan.objects.count() == 1


def test_updating_a_plan_writes_one_change_row(client_as, generalist, household, draft):
    before = mark()
    url = reverse("cases:plan_edit", args=[draft.uuid])
    assert client_as(generalist).post(url, plan_form(generalist)).status_code == 302
    assert_one_change(before, "plan", draft, household)


def test_a_failed_or_refused_plan_update_leaves_no_change_row(
    client_as, generalist, draft, consultant_of, stranger, monkeypatch
):
    url = reverse("cases:plan_edit", args=[draft.uuid])
    before = mark()
    invalid = plan_form(generalist, aftercare_check_in_dates="morgen")
    assert client_as(generalist).post(url, invalid).status_code == 200
    assert client_as(consultant_of).post(url, plan_form(generalist)).status_code == 403
    assert client_as(stranger).post(url, plan_form(generalist)).status_code == 404
    assert rows_after(before) == [
        ("view", "allowed"),
        ("change", "denied"),
        ("change", "not_found"),
    ]
    fail_after_the_row(monkeypatch)
    assert client_as(generalist).post(url, plan_form(generalist)).status_code == 200
    assert not changes_after(before).exists()
    assert SupportPlan.objects.get(pk=draft.pk).aftercare_in_place == ""


def test_a_closed_plan_cannot_be_edited_and_that_is_logged_as_refused(client_as, generalist, draft):
    close(draft)
    before = mark()
    url = reverse("cases:plan_edit", args=[draft.uuid])
    assert client_as(generalist).post(url, plan_form(generalist)).status_code == 403
    assert rows_after(before) == [("change", "denied")]


def test_activating_a_plan_writes_one_change_row_also_when_the_coordinator_moves(
    client_as, generalist, household
):
    colleague = UserFactory(roles=[Role.GENERALIST])
    plan = SupportPlanFactory(household=household, ready=True, coordinator=colleague)
    before = mark()
    response = client_as(generalist).post(reverse("cases:plan_activate", args=[plan.uuid]))
    assert response.status_code == 302
    assert SupportPlan.objects.get(pk=plan.pk).status == PlanStatus.ACTIVE
    assert Household.objects.get(pk=household.pk).coordinator == colleague
    assert_one_change(before, "plan", plan, household)


def test_a_failed_or_refused_activation_leaves_no_change_row(
    client_as, generalist, household, draft, consultant_of, stranger, monkeypatch
):
    url = reverse("cases:plan_activate", args=[draft.uuid])
    before = mark()
    assert client_as(generalist).post(url).status_code == 302  # no aftercare yet: refused
    assert client_as(consultant_of).post(url).status_code == 403
    assert client_as(stranger).post(url).status_code == 404
    assert rows_after(before) == [
        ("view", "allowed"),
        ("change", "denied"),
        ("change", "not_found"),
    ]
    plan_services.plan_update(
        plan=draft, by=generalist, aftercare_in_place="Waakvlam", coordinator=generalist
    )
    plan_services.goal_add(plan=draft, by=generalist, domain="finances", description="Rust")
    before = mark()
    fail_after_the_row(monkeypatch)
    assert client_as(generalist).post(url).status_code == 302
    assert not changes_after(before).exists()
    assert SupportPlan.objects.get(pk=draft.pk).status == PlanStatus.DRAFT


# --- goals and actions ------------------------------------------------------------------------


def test_goal_and_action_writes_write_one_change_row_each(client_as, generalist, household, draft):
    client = client_as(generalist)
    before = mark()
    client.post(
        reverse("cases:goal_add", args=[draft.uuid]),
        {"goal-domain": "finances", "goal-description": "Rust in de financiën"},
    )
    goal = draft.goals.get()
    assert_one_change(before, "goal", goal, household)
    before = mark()
    client.post(
        reverse("cases:action_add", args=[draft.uuid]),
        {
            "action-description": "Bel de schuldhulp",
            "action-goal": str(goal.uuid),
            "action-owner_text": "Buurtwerker",
            "action-due_on": (TODAY + datetime.timedelta(days=7)).isoformat(),
        },
    )
    action = draft.actions.get()
    assert_one_change(before, "action", action, household)
    before = mark()
    client.post(reverse("cases:action_remove", args=[draft.uuid, action.uuid]))
    assert_one_change(before, "action", action, household)
    before = mark()
    client.post(reverse("cases:goal_remove", args=[draft.uuid, goal.uuid]))
    assert_one_change(before, "goal", goal, household)


def test_failed_or_refused_goal_and_action_writes_leave_no_change_row(
    client_as, generalist, draft, consultant_of, stranger
):
    goal_add = reverse("cases:goal_add", args=[draft.uuid])
    action_add = reverse("cases:action_add", args=[draft.uuid])
    goal = {"goal-domain": "finances", "goal-description": "Rust"}
    action = {"action-description": "Bellen", "action-owner_text": "Buurtwerker"}
    before = mark()
    assert client_as(generalist).post(goal_add, {**goal, "goal-description": ""}).status_code == 200
    assert client_as(generalist).post(action_add, {"action-description": "x"}).status_code == 200
    for user in (consultant_of, stranger):
        client = client_as(user)
        assert client.post(goal_add, goal).status_code in (403, 404)
        assert client.post(action_add, action).status_code in (403, 404)
    close(draft)
    # the service refuses a closed plan: the (closed) plan is shown again
    assert client_as(generalist).post(goal_add, goal).status_code == 200
    assert not changes_after(before).exists()
    assert [r for _a, r in rows_after(before)] == [
        "allowed",  # the forms shown again
        "allowed",
        "denied",
        "denied",
        "not_found",
        "not_found",
        "allowed",
    ]
    assert not draft.goals.exists()
    assert not draft.actions.exists()


def test_a_goal_the_service_refuses_leaves_no_change_row(client_as, generalist, draft, monkeypatch):
    fail_after_the_row(monkeypatch)
    before = mark()
    response = client_as(generalist).post(
        reverse("cases:goal_add", args=[draft.uuid]),
        {"goal-domain": "finances", "goal-description": "Rust"},
    )
    assert response.status_code == 200
    assert not changes_after(before).exists()
    assert not draft.goals.exists()


# --- participants, evaluation, check-in -------------------------------------------------------


def test_participants_evaluation_and_check_in_write_one_change_row_each(
    client_as, generalist, household
):
    specialist = UserFactory(roles=[Role.GENERALIST], username="ggz")
    plan = plan_services.plan_activate(
        plan=SupportPlanFactory(household=household, ready=True, coordinator=generalist),
        by=generalist,
    )
    client = client_as(generalist)
    before = mark()
    client.post(
        reverse("cases:participant_invite", args=[plan.uuid]),
        {"user": "ggz", "role": "GGZ-specialist"},
    )
    participant = plan.participants.get()
    assert_one_change(before, "participant", participant, household)
    before = mark()
    response = client_as(specialist).post(
        reverse("cases:participant_respond", args=[plan.uuid, participant.uuid]),
        {"accept": "yes"},
    )
    assert response.status_code == 302
    assert_one_change(before, "participant", participant, household)
    before = mark()
    response = client_as(generalist).post(
        reverse("cases:evaluation_create", args=[plan.uuid]),
        {"evaluated_on": TODAY.isoformat(), "score_finances": "3", "notes": "Beter"},
    )
    assert response.status_code == 302
    assert_one_change(before, "evaluation", plan.evaluations.get(), household)
    check_in = AftercareCheckIn.objects.create(plan=plan, due_on=TODAY, status=CheckInStatus.DUE)
    before = mark()
    client.post(reverse("cases:check_in_complete", args=[check_in.uuid]), {"note": "Goed"})
    assert_one_change(before, "check_in", check_in, household)


def test_someone_else_cannot_answer_an_invitation_and_that_is_refused_in_the_file(
    client_as, generalist, household
):
    plan = plan_services.plan_create(household=household, by=generalist)
    participant = plan_services.participant_invite(
        plan=plan, by=generalist, user=UserFactory(roles=[Role.GENERALIST]), role="r"
    )
    before = mark()
    response = client_as(generalist).post(
        reverse("cases:participant_respond", args=[plan.uuid, participant.uuid]),
        {"accept": "yes"},
    )
    assert response.status_code == 403
    row = AccessLogEntry.objects.get(pk__gt=before)
    assert (row.action, row.result, row.household_uuid) == ("change", "denied", household.uuid)


def test_actions_owner_kinds_are_kept_with_the_row(generalist, household, draft):
    """Services called without a request (tasks, commands) write the row too, naming the user."""
    before = mark()
    action = plan_services.action_add(
        plan=draft,
        by=generalist,
        description="Bellen",
        owner_kind=ActionOwnerKind.OTHER,
        owner_text="Buurtwerker",
    )
    row = changes_after(before).get()
    assert (row.object_id, row.user, row.ip_address) == (str(action.uuid), generalist, None)
