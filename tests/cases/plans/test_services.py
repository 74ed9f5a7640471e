"""Services of the generalist's journey: conversation, plan, evaluation, closure, aftercare."""

import datetime
import threading
import time

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from cases import access
from cases.households import selectors as household_selectors
from cases.households.models import Household
from cases.intake import services as intake_services
from cases.intake.models import LifeDomain, LifeDomainScore, MeldingStatus
from cases.intake.selectors import melding_investigation_deadline
from cases.plans import selectors as plan_selectors
from cases.plans import services as plan_services
from cases.plans.models import (
    ActionOwnerKind,
    AftercareCheckIn,
    CheckInStatus,
    ParticipantStatus,
    PlanAction,
    PlanStatus,
    SupportPlan,
)
from cases.tasks import aftercare_mark_due
from teams.roles import Role
from tests.factories import (
    ConversationFactory,
    MeldingFactory,
    NetworkMemberFactory,
    SupportPlanFactory,
    UserFactory,
)

TODAY = timezone.localdate()


@pytest.fixture
def household(make_household):
    return make_household(residents=2)


def record(household, by, **overrides):
    fields = {
        "resident_story": "Ik kan de huur niet meer betalen en slaap slecht.",
        "scores": {
            LifeDomain.FINANCES: 1,
            LifeDomain.HOUSING: 2,
            LifeDomain.MENTAL_HEALTH: 2,
            LifeDomain.SOCIAL_NETWORK: 4,
        },
    }
    fields.update(overrides)
    return intake_services.conversation_record(household=household, by=by, **fields)


def active_plan(household, generalist, **fields):
    plan = SupportPlanFactory(household=household, ready=True, coordinator=generalist, **fields)
    return plan_services.plan_activate(plan=plan, by=generalist)


# --- conversation -----------------------------------------------------------------------------


def test_conversation_records_scores_participants_and_completes_the_melding(household, generalist):
    melding = MeldingFactory(household=household)
    resident = household.memberships.first().resident
    conversation = record(household, generalist, melding=melding, participants=[resident])
    assert conversation.scores.count() == 4
    assert list(conversation.participants.all()) == [resident]
    melding.refresh_from_db()
    assert melding.status == MeldingStatus.COMPLETED


@pytest.mark.parametrize("score", [0, 6])
def test_a_score_outside_1_to_5_is_refused(household, generalist, score):
    with pytest.raises(ValidationError):
        record(household, generalist, scores={LifeDomain.FINANCES: score})
    assert not LifeDomainScore.objects.exists()


def test_the_database_keeps_scores_in_range_and_once_per_domain(household):
    conversation = ConversationFactory(household=household)
    with pytest.raises(IntegrityError), transaction.atomic():
        LifeDomainScore.objects.create(conversation=conversation, domain="finances", score=9)
    with pytest.raises(IntegrityError), transaction.atomic():
        LifeDomainScore.objects.create(domain="finances", score=3)  # no assessment
    LifeDomainScore.objects.create(conversation=conversation, domain="finances", score=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        LifeDomainScore.objects.create(conversation=conversation, domain="finances", score=4)


def test_conversation_refuses_a_melding_or_resident_of_another_household(
    household, generalist, make_household
):
    other = make_household()
    with pytest.raises(ValidationError):
        record(household, generalist, melding=MeldingFactory(household=other))
    with pytest.raises(ValidationError):
        record(household, generalist, participants=[other.memberships.first().resident])


# --- plan: create, prefill, activate ----------------------------------------------------------


def test_new_plan_prefills_goals_crises_first_then_low_scores(household, generalist):
    conversation = record(
        household,
        generalist,
        debts_crisis=True,
        debts_note="Beslag op loon",
        food_crisis=True,
        scores={
            LifeDomain.MENTAL_HEALTH: 2,
            LifeDomain.FINANCES: 1,  # covered by the debts crisis
            LifeDomain.PHYSICAL_HEALTH: 1,
            LifeDomain.SOCIAL_NETWORK: 3,  # not a problem area
        },
    )
    plan = plan_services.plan_create(household=household, by=generalist, conversation=conversation)
    goals = list(plan.goals.values_list("basic_need", "domain", "description"))
    assert goals[0] == ("debts", "finances", "Beslag op loon")
    assert goals[1][:2] == ("food", LifeDomain.INSTRUMENTAL_ADL)
    assert [domain for _need, domain, _text in goals[2:]] == ["physical_health", "mental_health"]
    assert plan.status == PlanStatus.DRAFT
    assert plan.coordinator == generalist


def test_only_one_open_plan_but_a_new_plan_after_closure(household, generalist):
    plan = active_plan(household, generalist)
    with pytest.raises(ValidationError, match="heeft al een open plan"):
        plan_services.plan_create(household=household, by=generalist)
    SupportPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.CLOSED)
    relapse = plan_services.plan_create(household=household, by=generalist)
    assert relapse.status == PlanStatus.DRAFT


def test_activation_needs_coordinator_aftercare_and_a_goal(household, user_with_role):
    team_lead = user_with_role(Role.TEAM_LEAD)
    plan = plan_services.plan_create(household=household, by=team_lead)
    with pytest.raises(ValidationError) as caught:
        plan_services.plan_activate(plan=plan, by=team_lead)
    text = " ".join(caught.value.messages)
    assert "Kies een regisseur" in text
    assert "Vul de nazorgparagraaf in" in text
    assert "ten minste één doel" in text
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_the_database_refuses_an_active_plan_without_aftercare(household, generalist):
    with pytest.raises(IntegrityError):
        SupportPlan.objects.create(household=household, status=PlanStatus.ACTIVE)


def test_activation_makes_the_coordinator_the_households_and_keeps_version_1(household, generalist):
    colleague = UserFactory(roles=[Role.GENERALIST])
    plan = SupportPlanFactory(household=household, ready=True)
    plan_services.plan_update(plan=plan, by=generalist, coordinator=colleague)
    plan_services.plan_activate(plan=plan, by=generalist)
    household.refresh_from_db()
    assert household.coordinator == colleague
    change = household.coordinator_changes.first()  # recorded, as with a caseload transfer
    assert (change.to_user, change.changed_by) == (colleague, generalist)
    assert plan.versions.get().number == 1


def test_a_second_active_plan_is_refused_with_a_clear_message(household, generalist):
    active_plan(household, generalist)
    second = SupportPlanFactory(household=household, ready=True, goals=["Eigen doel"])
    with pytest.raises(ValidationError, match="heeft al een actief ondersteuningsplan"):
        plan_services.plan_activate(plan=second, by=generalist)
    second.refresh_from_db()
    assert second.status == PlanStatus.DRAFT
    assert second.goals.get().description == "Eigen doel"  # nothing lost


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_activations_one_wins_the_other_gets_a_dutch_message(
    generalist, make_household
):
    """A household has one draft (a database constraint); two people activate it at the same
    moment: one activates it (one version), the other waits for the household's lock and then
    finds it active already."""
    household = make_household()
    plan = SupportPlanFactory(household=household, ready=True, goals=["Doel 1"])
    colleague = UserFactory(roles=[Role.GENERALIST])
    barrier = threading.Barrier(2)
    results = {}

    def activate(user):
        try:
            with transaction.atomic():
                barrier.wait(timeout=5)
                plan_services.plan_activate(plan=plan, by=user)
                # keep the winner's transaction open: the other one waits for the household's
                # lock and then finds the plan active
                time.sleep(0.5)
            results[user.pk] = "ok"
        except ValidationError as exc:
            results[user.pk] = exc.messages[0]
        finally:
            connection.close()

    def run(user):
        with translation.override("nl"):  # threads do not inherit the test's language
            activate(user)

    threads = [threading.Thread(target=run, args=(user,)) for user in (generalist, colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    outcomes = sorted(results.values())
    assert outcomes[1] == "ok"
    assert "Alleen een conceptplan" in outcomes[0]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
    assert plan.versions.count() == 1


def test_a_second_draft_is_refused_by_the_database(household, generalist):
    SupportPlanFactory(household=household)
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportPlan.objects.create(household=household, created_by=generalist)
    # a draft beside an active plan is only refused by plan_create; closed plans are free
    SupportPlanFactory(household=household, ready=True, status=PlanStatus.CLOSED)


def test_plan_create_names_the_open_plan_it_finds(household, generalist):
    draft = plan_services.plan_create(household=household, by=generalist)
    with pytest.raises(plan_services.OpenPlanExistsError) as caught:
        plan_services.plan_create(household=household, by=generalist)
    assert caught.value.plan == draft
    assert SupportPlan.objects.filter(household=household).count() == 1


@pytest.mark.django_db(transaction=True)
def test_thirty_simultaneous_plan_create_calls_leave_one_draft(generalist, make_household):
    """30 threads, each with its own database connection, start a plan for one household at
    the same moment: one draft; the other 29 are told which plan to continue in."""
    household = make_household(coordinator=generalist)
    barrier = threading.Barrier(30)
    made, found, errors = [], [], []

    def start():
        try:
            barrier.wait(timeout=30)
            made.append(plan_services.plan_create(household=household, by=generalist).pk)
        except plan_services.OpenPlanExistsError as exc:
            found.append(exc.plan.pk)
        except Exception as exc:  # a thread's error must fail the test, not vanish
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    plan = SupportPlan.objects.get(household=household)
    assert plan.status == PlanStatus.DRAFT
    assert made == [plan.pk]
    assert found == [plan.pk] * 29


def test_the_migration_removes_empty_twin_drafts_and_keeps_any_with_content(
    make_household, generalist
):
    """Migration cases/0018 (before its constraint): of twin drafts left by the old race, the
    empty ones go; one with content stops the migration. Run here with the constraint dropped
    inside the test's transaction (rolled back with it)."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("cases.migrations.0018_supportplan_one_draft_per_household")
    constraint = next(
        c for c in SupportPlan._meta.constraints if c.name == "supportplan_one_draft_per_household"
    )
    with connection.schema_editor() as editor:
        editor.remove_constraint(SupportPlan, constraint)
    twins, with_content = make_household(), make_household()
    kept = SupportPlanFactory(household=twins)
    empty = [SupportPlanFactory(household=twins) for _ in range(2)]
    SupportPlanFactory(household=with_content)
    SupportPlanFactory(household=with_content, goals=["Schulden op orde"])
    with pytest.raises(RuntimeError, match=str(with_content.pk)):
        migration.remove_empty_twin_drafts(apps, None)
    assert list(SupportPlan.objects.filter(household=twins)) == [kept]
    assert not SupportPlan.objects.filter(pk__in=[plan.pk for plan in empty]).exists()
    assert SupportPlan.objects.filter(household=with_content).count() == 2


# --- goals, actions, versions -----------------------------------------------------------------


def test_actions_have_one_owner_of_the_right_kind(household, generalist, make_household):
    plan = plan_services.plan_create(household=household, by=generalist)
    neighbour = NetworkMemberFactory(household=household, name="Buurvrouw Els")
    action = plan_services.action_add(
        plan=plan,
        by=generalist,
        description="Boodschappen doen",
        owner_kind=ActionOwnerKind.NETWORK,
        owner_network_member=neighbour,
        owner_user=generalist,  # ignored: does not fit the owner kind
        due_on=TODAY,
    )
    assert action.owner_name == "Buurvrouw Els"
    assert action.owner_user is None
    stranger = NetworkMemberFactory(household=make_household())
    with pytest.raises(ValidationError):
        plan_services.action_add(
            plan=plan,
            by=generalist,
            description="x",
            owner_kind=ActionOwnerKind.NETWORK,
            owner_network_member=stranger,
        )
    with pytest.raises(ValidationError, match="Kies wie deze actie uitvoert"):
        plan_services.action_add(
            plan=plan, by=generalist, description="x", owner_kind=ActionOwnerKind.OTHER
        )
    with pytest.raises(IntegrityError):
        PlanAction.objects.create(plan=plan, description="x", owner_kind="professional")


def test_changes_to_an_active_plan_keep_versions_that_can_be_compared(household, generalist):
    plan = active_plan(household, generalist)
    goal = plan.goals.get()
    plan_services.goal_update(
        goal=goal, by=generalist, domain=goal.domain, description="Schulden weg"
    )
    plan_services.action_add(
        plan=plan,
        by=generalist,
        description="Bellen met schuldhulp",
        owner_kind=ActionOwnerKind.OTHER,
        owner_text="Schuldhulp Dommelstede",
    )
    assert list(plan.versions.values_list("number", flat=True)) == [3, 2, 1]
    diff = plan_selectors.plan_version_diff(version=plan.versions.get(number=2))
    changed = {kind: text for kind, text in diff["lines"] if kind != "same"}
    assert "Rust in de financiën" in changed["removed"]
    assert "Schulden weg" in changed["added"]
    assert plan.versions.get(number=1).snapshot["goals"][0]["description"] == (
        "Rust in de financiën"
    )


def test_a_draft_keeps_no_versions_and_a_closed_plan_cannot_change(household, generalist):
    plan = plan_services.plan_create(household=household, by=generalist)
    plan_services.goal_add(plan=plan, by=generalist, domain="housing", description="Huis houden")
    assert not plan.versions.exists()
    plan_services.plan_update(plan=plan, by=generalist, aftercare_in_place="Waakvlam")
    SupportPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.CLOSED)
    with pytest.raises(ValidationError, match="afgesloten"):
        plan_services.goal_add(plan=plan, by=generalist, domain="housing", description="Nog een")


def test_plan_update_on_an_active_plan_changes_the_households_coordinator(household, generalist):
    plan = active_plan(household, generalist)
    colleague = UserFactory(roles=[Role.GENERALIST])
    plan_services.plan_update(plan=plan, by=generalist, coordinator=colleague)
    assert Household.objects.get(pk=household.pk).coordinator == colleague
    with pytest.raises(ValidationError):
        plan_services.plan_update(plan=plan, by=generalist, coordinator=None)


# --- participants ----------------------------------------------------------------------------


def test_a_brought_in_specialist_accepts_or_declines_with_a_reason(household, generalist):
    plan = active_plan(household, generalist)
    specialist = UserFactory(roles=[Role.GENERALIST])
    participant = plan_services.participant_invite(
        plan=plan, by=generalist, user=specialist, role="schuldhulpverlener"
    )
    assert household in access.households_visible_to(specialist)  # brought in, not away
    with pytest.raises(ValidationError):
        plan_services.participant_invite(plan=plan, by=generalist, user=specialist, role="nog eens")
    with pytest.raises(PermissionDenied):
        plan_services.participant_respond(participant=participant, by=generalist, accept=True)
    with pytest.raises(ValidationError):
        plan_services.participant_respond(participant=participant, by=specialist, accept=False)
    declined = plan_services.participant_respond(
        participant=participant, by=specialist, accept=False, reason="Geen ruimte tot maart"
    )
    assert declined.status == ParticipantStatus.DECLINED
    assert household not in access.households_visible_to(specialist)
    with pytest.raises(ValidationError):
        plan_services.participant_respond(participant=declined, by=specialist, accept=True)


# --- evaluation, closure, aftercare -----------------------------------------------------------


def test_evaluation_outcome_is_the_difference_with_intake(household, generalist):
    conversation = record(household, generalist)
    plan = SupportPlanFactory(
        household=household, ready=True, coordinator=generalist, conversation=conversation
    )
    with pytest.raises(ValidationError, match="actief plan"):
        plan_services.evaluation_record(plan=plan, by=generalist, scores={"finances": 3})
    plan_services.plan_activate(plan=plan, by=generalist)
    with pytest.raises(ValidationError):
        plan_services.evaluation_record(plan=plan, by=generalist, scores={"finances": None})
    evaluation = plan_services.evaluation_record(
        plan=plan, by=generalist, scores={"finances": 3, "housing": 2, "justice": 5}
    )
    outcome = {row.domain: row for row in plan_selectors.evaluation_outcome(evaluation=evaluation)}
    assert outcome["finances"].difference == 2
    assert outcome["housing"].difference == 0
    assert outcome["justice"].intake is None
    assert outcome["justice"].difference is None
    assert outcome["mental_health"].evaluation is None


def test_closing_needs_evaluation_and_check_ins_and_plans_them(household, generalist):
    plan = active_plan(household, generalist)
    with pytest.raises(ValidationError) as caught:
        plan_services.plan_close(plan=plan, by=generalist)
    assert len(caught.value.messages) == 2  # no evaluation, no check-in date
    days = [TODAY + datetime.timedelta(weeks=6), TODAY - datetime.timedelta(days=1)]
    plan_services.plan_update(plan=plan, by=generalist, aftercare_check_in_dates=days)
    plan_services.evaluation_record(plan=plan, by=generalist, scores={"finances": 4})
    plan_services.plan_close(plan=plan, by=generalist)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    assert sorted(plan.check_ins.values_list("due_on", flat=True)) == sorted(days)

    assert aftercare_mark_due.delay().get() == 1  # the Celery task calls the service
    due = plan_selectors.check_ins_due_for(user=generalist)
    assert [c.due_on for c in due] == [TODAY - datetime.timedelta(days=1)]
    plan_services.check_in_complete(check_in=due[0], by=generalist, note="Gaat goed")
    assert not plan_selectors.check_ins_due_for(user=generalist).exists()
    assert AftercareCheckIn.objects.filter(status=CheckInStatus.PLANNED).count() == 1


def test_the_aftercare_task_is_scheduled():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "cases.aftercare_mark_due" in tasks


def test_caseload_shows_deadline_and_next_open_action(generalist, make_household):
    mine = make_household(coordinator=generalist)
    make_household()  # not coordinated by me
    received_on = TODAY - datetime.timedelta(weeks=7)
    MeldingFactory(household=mine, received_on=received_on)
    plan = active_plan(mine, generalist)
    for days, done in ((3, None), (1, TODAY), (10, None)):
        plan_services.action_add(
            plan=plan,
            by=generalist,
            description="x",
            owner_kind=ActionOwnerKind.PROFESSIONAL,
            owner_user=generalist,
            due_on=TODAY + datetime.timedelta(days=days),
            done_on=done,
        )
    [row] = household_selectors.caseload(user=generalist)
    assert row == mine
    assert row.melding_deadline == melding_investigation_deadline(received_on=received_on)
    assert row.next_action_due == TODAY + datetime.timedelta(days=3)


def test_prefilled_goals_are_real_text_with_domain_score_and_the_residents_words(
    household, generalist
):
    conversation = record(
        household,
        generalist,
        resident_story="Sinds de scheiding   slaap ik slecht en zie ik niemand meer.",
        scores={LifeDomain.MENTAL_HEALTH: 2, LifeDomain.SOCIAL_NETWORK: 1, LifeDomain.HOUSING: 3},
    )
    # a note per domain (the resident's words about that domain) wins over the story
    conversation.scores.filter(domain=LifeDomain.SOCIAL_NETWORK).update(
        note="Mijn vrienden zijn weg"
    )
    plan = plan_services.plan_create(household=household, by=generalist, conversation=conversation)
    goals = dict(plan.goals.values_list("domain", "description"))
    assert set(goals) == {"social_network", "mental_health"}  # 3 is not a low score
    assert goals["social_network"] == (
        "Sociaal netwerk, score 1 (acute problematiek). "
        "In de woorden van de inwoner: “Mijn vrienden zijn weg”"
    )
    assert goals["mental_health"] == (
        "Geestelijke gezondheid, score 2 (niet zelfredzaam). In de woorden van de inwoner: "
        "“Sinds de scheiding slaap ik slecht en zie ik niemand meer.”"
    )
    for text in goals.values():
        assert "Beschrijf" not in text and "eigen woorden" not in text


def test_a_long_story_is_quoted_up_to_a_word(household, generalist):
    story = "woord " * 200
    conversation = record(
        household, generalist, resident_story=story, scores={LifeDomain.TIME_USE: 2}
    )
    plan = plan_services.plan_create(household=household, by=generalist, conversation=conversation)
    text = plan.goals.get().description
    assert text.endswith("woord …”")
    assert len(text) < plan_services.PREFILL_STORY_LIMIT + 120


@pytest.mark.parametrize(
    "instruction",
    [
        "Beschrijf het doel in de eigen woorden van het gezin.",
        "  beschrijf het doel in de eigen woorden van het gezin ",
        "Describe the goal in the family's own words.",
        "In de eigen woorden van het gezin.",
    ],
)
def test_an_instruction_is_never_stored_as_a_goal(household, generalist, instruction):
    plan = plan_services.plan_create(household=household, by=generalist)
    with pytest.raises(ValidationError) as caught:
        plan_services.goal_add(
            plan=plan, by=generalist, domain=LifeDomain.FINANCES, description=instruction
        )
    assert "description" in caught.value.message_dict
    goal = plan_services.goal_add(
        plan=plan, by=generalist, domain=LifeDomain.FINANCES, description="Rekeningen op tijd"
    )
    with pytest.raises(ValidationError):
        plan_services.goal_update(
            goal=goal, by=generalist, domain=LifeDomain.FINANCES, description=instruction
        )
    goal.refresh_from_db()
    assert goal.description == "Rekeningen op tijd"
