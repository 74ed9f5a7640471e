"""Screens of the generalist's journey: allowed and denied, HTMX partials, query budgets."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.households.models import Household, MembershipRole
from cases.intake import services as intake_services
from cases.intake.models import KitchenTableConversation, LifeDomain, MeldingStatus
from cases.intake.selectors import melding_investigation_deadline
from cases.plans import services as plan_services
from cases.plans.models import ActionOwnerKind, PlanStatus, SupportPlan
from cases.privacy.models import AccessLogEntry
from socialdomain import precompiled
from teams.roles import Role
from tests.cases.intake_factories import assessment_post
from tests.factories import (
    HouseholdMembershipFactory,
    MeldingFactory,
    NetworkMemberFactory,
    ResidentFactory,
    SupportPlanFactory,
    TeamMemberFactory,
    UserFactory,
)

TODAY = timezone.localdate()


def investigation_days_left(received_on: datetime.date) -> int:
    return (melding_investigation_deadline(received_on=received_on) - TODAY).days


HTMX = {"HX-Request": "true"}


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def household(make_household, generalist):
    return make_household(residents=2, coordinator=generalist)


def conversation_payload(**overrides):
    data = {
        "held_on": TODAY.isoformat(),
        "place": "thuis",
        "resident_story": "We redden het niet meer met de rekeningen.",
        "debts_answer": "yes",
        "debts_note": "Afsluiting energie dreigt",
        **assessment_post(
            {LifeDomain.FINANCES: 1, LifeDomain.MENTAL_HEALTH: 2, LifeDomain.SOCIAL_NETWORK: 4}
        ),
    }
    data.update(overrides)
    return data


def active_plan(household, generalist):
    plan = SupportPlanFactory(household=household, ready=True, coordinator=generalist)
    return plan_services.plan_activate(plan=plan, by=generalist)


# --- conversation -----------------------------------------------------------------------------


def test_record_a_conversation_for_a_melding_and_read_the_report(client_as, generalist, household):
    melding = MeldingFactory(household=household)
    resident = household.memberships.first().resident
    client = client_as(generalist)
    url = reverse("cases:conversation_create", args=[household.uuid])
    page = client.get(url, {"melding": melding.uuid})
    assert page.status_code == 200
    assert f'value="{melding.uuid}" selected' in page.content.decode()
    response = client.post(
        url, conversation_payload(melding=melding.uuid, participants=[resident.uuid])
    )
    conversation = KitchenTableConversation.objects.get()
    assert response["Location"] == reverse("cases:conversation_detail", args=[conversation.uuid])
    melding.refresh_from_db()
    assert melding.status == MeldingStatus.COMPLETED
    report = client.get(response["Location"]).content.decode()
    assert "Verslag van het keukentafelgesprek" in report
    assert "Afsluiting energie dreigt" in report
    assert "1 – acute problematiek" in report
    assert resident.full_name in report


def test_a_conversation_without_a_story_keeps_the_input(client_as, generalist, household):
    response = client_as(generalist).post(
        reverse("cases:conversation_create", args=[household.uuid]),
        conversation_payload(resident_story="", place="in de bibliotheek"),
        headers=HTMX,
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Dit veld is vereist." in content
    assert 'value="in de bibliotheek"' in content
    assert not KitchenTableConversation.objects.exists()


def test_a_consultant_reads_but_does_not_record_and_other_teams_see_nothing(
    client_as, household, user_with_role, other_area, consultant, make_application
):
    make_application(household=household)  # the consultant decides it: may open the file
    url = reverse("cases:conversation_create", args=[household.uuid])
    assert client_as(consultant).get(url).status_code == 403
    stranger = TeamMemberFactory(team=other_area["team"]).user
    assert client_as(stranger).get(url).status_code == 404
    policy = user_with_role(Role.POLICY_OFFICER)
    assert client_as(policy).get(reverse("cases:caseload")).status_code == 403


def test_resident_remarks_are_added_to_the_report(client_as, generalist, household):
    conversation = intake_services.conversation_record(
        household=household, by=generalist, resident_story="Verhaal"
    )
    client = client_as(generalist)
    client.post(
        reverse("cases:conversation_remarks", args=[conversation.uuid]),
        {"resident_remarks": "Mijn zoon hielp ook mee."},
    )
    conversation.refresh_from_db()
    assert conversation.resident_remarks == "Mijn zoon hielp ook mee."


# --- plan ------------------------------------------------------------------------------------


def test_plan_from_conversation_prefills_goals(client_as, generalist, household):
    conversation = intake_services.conversation_record(
        household=household,
        by=generalist,
        resident_story="Verhaal",
        housing_crisis=True,
        scores={LifeDomain.MENTAL_HEALTH: 2},
    )
    client = client_as(generalist)
    response = client.post(reverse("cases:plan_create_from_conversation", args=[conversation.uuid]))
    plan = SupportPlan.objects.get()
    assert response["Location"] == reverse("cases:plan_detail", args=[plan.uuid])
    page = client.get(response["Location"]).content.decode()
    assert page.index("Huisvesting") < page.index("Geestelijke gezondheid")  # crisis first
    again = client.post(
        reverse("cases:plan_create_from_conversation", args=[conversation.uuid]), follow=True
    )
    assert "heeft al een open plan" in again.content.decode()
    assert SupportPlan.objects.count() == 1


def test_goals_and_actions_are_added_and_edited_inline(client_as, generalist, household):
    plan = plan_services.plan_create(household=household, by=generalist)
    neighbour = NetworkMemberFactory(household=household, name="Buurman Kees")
    client = client_as(generalist)
    response = client.post(
        reverse("cases:goal_add", args=[plan.uuid]),
        {"goal-domain": LifeDomain.SOCIAL_NETWORK, "goal-description": "Weer eens naar buiten"},
        headers=HTMX,
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<section class="card" id="plan-body">')  # partial only
    assert "Weer eens naar buiten" in content
    goal = plan.goals.get()

    response = client.post(
        reverse("cases:action_add", args=[plan.uuid]),
        {
            "action-description": "Samen wandelen op dinsdag",
            "action-goal": str(goal.uuid),
            "action-owner": f"network:{neighbour.uuid}",
            "action-due_on": (TODAY + datetime.timedelta(days=7)).isoformat(),
        },
        headers=HTMX,
    )
    assert "Buurman Kees" in response.content.decode()
    action = plan.actions.get()
    assert action.owner_kind == ActionOwnerKind.NETWORK
    assert action.goal == goal

    edit = client.get(reverse("cases:goal_edit", args=[plan.uuid, goal.uuid]), headers=HTMX)
    assert f'name="goal-{goal.uuid}-description"' in edit.content.decode()
    client.post(
        reverse("cases:goal_edit", args=[plan.uuid, goal.uuid]),
        {f"goal-{goal.uuid}-domain": goal.domain, f"goal-{goal.uuid}-description": "Vrienden"},
        headers=HTMX,
    )
    goal.refresh_from_db()
    assert goal.description == "Vrienden"


def test_an_action_without_an_owner_shows_an_error_and_keeps_the_input(
    client_as, generalist, household
):
    plan = plan_services.plan_create(household=household, by=generalist)
    response = client_as(generalist).post(
        reverse("cases:action_add", args=[plan.uuid]),
        {"action-description": "Formulier invullen"},
        headers=HTMX,
    )
    content = response.content.decode()
    assert "Kies wie deze actie uitvoert, of typ een naam." in content
    assert "Formulier invullen" in content
    assert not plan.actions.exists()


def test_activation_refused_without_aftercare_then_allowed(client_as, generalist, household):
    plan = plan_services.plan_create(household=household, by=generalist)
    plan_services.goal_add(plan=plan, by=generalist, domain="finances", description="Rust")
    client = client_as(generalist)
    response = client.post(reverse("cases:plan_activate", args=[plan.uuid]), follow=True)
    assert "Vul de nazorgparagraaf in" in response.content.decode()
    assert SupportPlan.objects.get().status == PlanStatus.DRAFT
    client.post(
        reverse("cases:plan_edit", args=[plan.uuid]),
        {
            "coordinator": generalist.username,
            "aftercare_in_place": "Waakvlam via het buurthuis",
            "aftercare_agreed_with": "Buurthuis De Linde",
            "aftercare_check_in_dates": "01-03-2027, 2027-06-01",
        },
    )
    plan.refresh_from_db()
    assert plan.aftercare_check_in_dates == [datetime.date(2027, 3, 1), datetime.date(2027, 6, 1)]
    response = client.post(reverse("cases:plan_activate", args=[plan.uuid]), follow=True)
    assert "Leg het akkoord van de inwoner vast" in response.content.decode()
    client.post(
        reverse("cases:plan_agree", args=[plan.uuid]),
        {
            "version": "0",
            "method": "paper",
            "resident": str(household.memberships.first().resident.uuid),
            "agreed_on": TODAY.isoformat(),
        },
    )
    client.post(reverse("cases:plan_activate", args=[plan.uuid]))
    assert SupportPlan.objects.get().status == PlanStatus.ACTIVE


def test_a_consultant_cannot_change_a_plan(
    client_as, household, generalist, consultant, make_application
):
    plan = plan_services.plan_create(household=household, by=generalist)
    make_application(household=household)  # the consultant decides it: may open the file
    client = client_as(consultant)
    assert client.get(reverse("cases:plan_detail", args=[plan.uuid])).status_code == 200
    response = client.post(
        reverse("cases:goal_add", args=[plan.uuid]),
        {"goal-domain": "finances", "goal-description": "x"},
    )
    assert response.status_code == 403
    assert client.post(reverse("cases:plan_activate", args=[plan.uuid])).status_code == 403


def test_version_page_shows_what_changed(client_as, generalist, household):
    plan = active_plan(household, generalist)
    plan_services.goal_add(plan=plan, by=generalist, domain="housing", description="Huur betalen")
    response = client_as(generalist).get(reverse("cases:plan_version", args=[plan.uuid, 2]))
    content = response.content.decode()
    assert '<li class="diff-added">' in content
    assert "Huur betalen" in content
    assert "vergeleken met versie 1" in content


def test_specialist_is_invited_and_accepts(client_as, generalist, household, other_area):
    plan = active_plan(household, generalist)
    specialist = TeamMemberFactory(team=other_area["team"], user__username="ggz").user
    client = client_as(generalist)
    client.post(
        reverse("cases:participant_invite", args=[plan.uuid]),
        {"user": "ggz", "role": "GGZ-specialist"},
    )
    participant = plan.participants.get()
    client = client_as(specialist)
    page = client.get(reverse("cases:plan_detail", args=[plan.uuid]))
    assert "U bent gevraagd mee te doen in dit plan" in page.content.decode()
    client.post(
        reverse("cases:participant_respond", args=[plan.uuid, participant.uuid]),
        {"accept": "yes"},
    )
    participant.refresh_from_db()
    assert participant.status == "accepted"


def test_evaluate_and_close(client_as, generalist, household):
    conversation = intake_services.conversation_record(
        household=household, by=generalist, resident_story="x", scores={"finances": 1}
    )
    plan = SupportPlanFactory(
        household=household,
        ready=True,
        coordinator=generalist,
        conversation=conversation,
        aftercare_check_in_dates=[TODAY + datetime.timedelta(weeks=6)],
    )
    plan_services.plan_activate(plan=plan, by=generalist)
    client = client_as(generalist)
    closed = client.post(reverse("cases:plan_close", args=[plan.uuid]), follow=True)
    assert "Evalueer het plan voordat u het afsluit." in closed.content.decode()
    response = client.post(
        reverse("cases:evaluation_create", args=[plan.uuid]),
        {"evaluated_on": TODAY.isoformat(), "score_finances": "3", "notes": "Beter"},
    )
    outcome = client.get(response["Location"]).content.decode()
    assert "+2" in outcome
    client.post(reverse("cases:plan_close", args=[plan.uuid]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    assert plan.check_ins.count() == 1


# --- caseload and household page: query budgets -----------------------------------------------


def test_caseload_lists_my_households_within_a_query_budget(
    client_as, generalist, make_household, django_assert_max_num_queries
):
    for n in range(6):
        household = make_household(residents=3, coordinator=generalist)
        MeldingFactory(household=household, received_on=TODAY - datetime.timedelta(weeks=n + 3))
        plan = active_plan(household, generalist)
        plan_services.action_add(
            plan=plan,
            by=generalist,
            description="x",
            owner_kind=ActionOwnerKind.PROFESSIONAL,
            owner_user=generalist,
            due_on=TODAY + datetime.timedelta(days=n),
        )
    make_household()  # somebody else's
    client = client_as(generalist)
    # incl. the user's access facts (the first request reads them into the cache), the access
    # log row and the running clocks (one query each; the members' names and the check-ins
    # due are read with the households)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("cases:caseload"))
    content = response.content.decode()
    # received 3..8 weeks ago: deadlines from about 21 days ahead to about 14 days overdue
    # (the engine's: a last day in a weekend or on a holiday runs on)
    days = [investigation_days_left(TODAY - datetime.timedelta(weeks=n + 3)) for n in (0, 4, 5)]
    assert "Onderzoek na een melding: " in content  # every running clock, by kind
    assert f"nog {days[0]} dagen" in content
    assert f"{-days[1]} dagen te laat" in content
    # urgent first
    assert content.index(f"{-days[2]} dagen te laat") < content.index(f"nog {days[0]} dagen")
    assert content.count("volgende actie uiterlijk") == 6


def _caseload_rows(content: str) -> list[str]:
    """The caseload list's items, in the page's order."""
    listing = content.split('id="caseload">', 1)[1].split("</ul>", 1)[0]
    return listing.split("<li>")[1:]


def test_caseload_rows_show_names_clocks_badges_and_plans_most_urgent_first(
    client_as, generalist, make_household, other_area, django_assert_num_queries
):
    """The page reads plain rows: the same names (current members only, in the order of
    `current_members_prefetch`), clocks, badges and "no active plan" as the model instances
    showed, in fewer queries."""
    late = make_household(residents=0, coordinator=generalist)
    child = ResidentFactory(first_name="Sem", name_prefix="de", last_name="Vries")
    parent = ResidentFactory(first_name="Anna", name_prefix="de", last_name="Vries")
    gone = ResidentFactory(first_name="Otto", last_name="Vertrokken")
    HouseholdMembershipFactory(household=late, resident=parent, role=MembershipRole.PARENT)
    HouseholdMembershipFactory(household=late, resident=child, role=MembershipRole.CHILD)
    HouseholdMembershipFactory(
        household=late,
        resident=gone,
        start_date=TODAY - datetime.timedelta(days=400),
        end_date=TODAY - datetime.timedelta(days=30),
    )
    received_on = TODAY - datetime.timedelta(weeks=10)
    MeldingFactory(household=late, received_on=received_on)
    plan_services.action_add(
        plan=active_plan(late, generalist),
        by=generalist,
        description="x",
        owner_kind=ActionOwnerKind.PROFESSIONAL,
        owner_user=generalist,
        due_on=TODAY - datetime.timedelta(days=2),
    )
    quiet = make_household(residents=1, coordinator=generalist)  # no plan, no clock
    colleague = TeamMemberFactory(team=other_area["team"]).user
    invited, accepted = (
        make_household(
            neighbourhood=other_area["neighbourhood"], residents=1, coordinator=colleague
        )
        for _ in range(2)
    )
    for household, days in ((invited, 5), (accepted, 10)):
        plan = active_plan(household, colleague)
        plan_services.action_add(
            plan=plan,
            by=colleague,
            description="x",
            owner_kind=ActionOwnerKind.PROFESSIONAL,
            owner_user=colleague,
            due_on=TODAY + datetime.timedelta(days=days),
        )
        participant = plan_services.participant_invite(
            plan=plan, by=colleague, user=generalist, role="GGZ"
        )
    plan_services.participant_respond(participant=participant, by=generalist, accept=True)
    make_household(residents=1)  # somebody else's

    client = client_as(generalist)
    client.get(reverse("cases:caseload"))  # reads the user's access facts into the cache
    # session, user (its access version read along); households with their members' names
    # and due check-ins (one statement on PostgreSQL), their clocks; the access-log row
    with django_assert_num_queries(5):
        response = client.get(reverse("cases:caseload"))
    rows = _caseload_rows(response.content.decode())
    assert len(rows) == 4
    by_household = {
        household: next(row for row in rows if household_link(household) in row)
        for household in (late, quiet, invited, accepted)
    }
    # most urgent first: the melding 10 weeks old, then by the next action; no plan last
    assert rows == [by_household[h] for h in (late, invited, accepted, quiet)], rows
    row = by_household[late]
    assert "Sem de Vries, Anna de Vries</div>" in row  # a child's role sorts before a parent's
    assert "Vertrokken" not in row
    days_late = -investigation_days_left(received_on)
    assert "Onderzoek na een melding: " in row and f"{days_late} dagen te laat" in row
    assert "volgende actie uiterlijk" in row and "te laat" in row.split("volgende actie")[1]
    assert late.address_line in row and late.postcode_display in row
    assert "geen actief plan" not in row
    assert "geen actief plan" in by_household[quiet]
    assert "uitgenodigd" in by_household[invited]
    assert "erbij gehaald" in by_household[accepted]
    for household in (late, quiet):
        assert "uitgenodigd" not in by_household[household]
        assert "erbij gehaald" not in by_household[household]
    assert AccessLogEntry.objects.filter(object_type="caseload", result_count=4).count() == 2


def household_link(household) -> str:
    return f'href="{reverse("cases:household_detail", args=[household.uuid])}"'


def test_household_page_tells_the_story_within_its_query_budget(
    client_as, generalist, make_household, django_assert_max_num_queries
):
    household = make_household(residents=4, coordinator=generalist)
    for _ in range(3):
        MeldingFactory(household=household)
        intake_services.conversation_record(household=household, by=generalist, resident_story="x")
        NetworkMemberFactory(household=household)
    plan = active_plan(household, generalist)
    plan_services.evaluation_record(plan=plan, by=generalist, scores={"finances": 3})
    client = client_as(generalist)
    # 5 for any household page (session, user with its access version, the household with a
    # flag per section, its history, the access-log row), +1 the user's access facts (first
    # request), +4 for the sections with rows: meldingen, conversations, plans (no
    # evaluations: they are on the plan's page), network; the empty ones (addresses,
    # handovers, progress reports) are not read
    with django_assert_max_num_queries(10):
        response = client.get(reverse("cases:household_detail", args=[household.uuid]))
    content = response.content.decode()
    assert content.count(f"nog {investigation_days_left(TODAY)} dagen") == 3
    assert "Plan openen" in content
    assert "Keukentafelgesprek" in content


def test_plan_page_within_a_query_budget(
    client_as, generalist, household, django_assert_max_num_queries
):
    plan = active_plan(household, generalist)
    neighbour = NetworkMemberFactory(household=household)
    for n in range(5):
        goal = plan_services.goal_add(
            plan=plan, by=generalist, domain="housing", description=f"D{n}"
        )
        for owner in (
            {"owner_kind": "network", "owner_network_member": neighbour},
            {"owner_kind": "professional", "owner_user": generalist},
        ):
            plan_services.action_add(plan=plan, by=generalist, description="x", goal=goal, **owner)
        plan_services.participant_invite(
            plan=plan, by=generalist, user=UserFactory(roles=[Role.GENERALIST]), role="r"
        )
    client = client_as(generalist)
    # incl. break-the-glass grants, progress reports, consent to share with organisations, the
    # agreement (latest, current version, changed since), the invitee's rights, the residents
    # who can sign, the partner organisations' professionals who can be brought in, the
    # network members' links and the resident's "not agreed" answers
    with django_assert_max_num_queries(30):
        response = client.get(reverse("cases:plan_detail", args=[plan.uuid]))
    assert response.content.decode().count('class="owner"') == 10


def test_plan_form_shows_the_current_coordinator(client_as, generalist, household):
    plan = plan_services.plan_create(household=household, by=generalist)
    content = client_as(generalist).get(reverse("cases:plan_edit", args=[plan.uuid])).content
    assert f'<option value="{generalist.username}" selected>' in content.decode()


def test_plan_screens_write_one_access_log_row_per_request(
    client_as, generalist, household, other_area, consultant, make_application
):
    plan = plan_services.plan_create(household=household, by=generalist)
    make_application(household=household)  # the consultant decides it: may open the file
    before = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    client_as(generalist).get(reverse("cases:plan_detail", args=[plan.uuid]))
    client_as(consultant).post(
        reverse("cases:goal_add", args=[plan.uuid]),
        {"goal-domain": "finances", "goal-description": "x"},
    )
    stranger = TeamMemberFactory(team=other_area["team"]).user
    client_as(stranger).get(reverse("cases:plan_detail", args=[plan.uuid]))
    rows = list(
        AccessLogEntry.objects.filter(object_type="plan", pk__gt=before)
        .order_by("pk")
        .values_list("action", "result", "household_uuid")
    )
    assert rows == [
        ("view", "allowed", household.uuid),
        ("change", "denied", household.uuid),
        ("view", "not_found", None),
    ]


# --- no double drafts -------------------------------------------------------------------------

SIMULTANEOUS_POSTS = 30


@pytest.mark.django_db(transaction=True)
def test_thirty_simultaneous_new_plan_posts_leave_one_draft(generalist, make_household):
    """Each thread is its own browser and its own database connection; they post "new plan" at
    the same moment. One draft is made; every other post lands on that draft (no error)."""
    import threading

    from django.db import connection
    from django.test import Client
    from django.utils import translation

    household = make_household(residents=2, coordinator=generalist)
    url = reverse("cases:plan_create", args=[household.uuid])
    barrier = threading.Barrier(SIMULTANEOUS_POSTS)
    locations, failures = [], []

    def post():
        try:
            with translation.override("nl"):
                client = Client()
                client.force_login(generalist)
                barrier.wait(timeout=30)
                response = client.post(url)
            if response.status_code == 302:
                locations.append(response["Location"])
            else:
                failures.append(response.status_code)
        except Exception as exc:  # a thread's error must fail the test, not vanish
            failures.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(SIMULTANEOUS_POSTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    plan = SupportPlan.objects.get(household=household)  # exactly one
    assert plan.status == PlanStatus.DRAFT
    assert locations == [reverse("cases:plan_detail", args=[plan.uuid])] * SIMULTANEOUS_POSTS
    # one change row for the plan made, a view row for every post that found it
    rows = AccessLogEntry.objects.filter(household_uuid=household.uuid, object_type="plan")
    assert rows.filter(action="change").count() == 1
    assert rows.filter(action="view").count() == SIMULTANEOUS_POSTS - 1


def test_goals_from_the_conversation_are_editable_text_and_instructions_only_placeholders(
    client_as, generalist, household
):
    conversation = intake_services.conversation_record(
        household=household,
        by=generalist,
        resident_story="Ik kom de deur niet meer uit.",
        scores={LifeDomain.SOCIAL_NETWORK: 2},
    )
    client = client_as(generalist)
    client.post(reverse("cases:plan_create_from_conversation", args=[conversation.uuid]))
    plan = SupportPlan.objects.get()
    goal = plan.goals.get()
    expected = (
        "Sociaal netwerk, score 2 (niet zelfredzaam). "
        "In de woorden van de inwoner: “Ik kom de deur niet meer uit.”"
    )
    assert goal.description == expected
    edit_url = reverse("cases:goal_edit", args=[plan.uuid, goal.uuid])
    page = client.get(edit_url, headers=HTMX).content.decode()
    # the text to edit is in the field; the instruction only as its placeholder
    assert f">\n{expected}</textarea>" in page.replace("&ldquo;", "“").replace("&rdquo;", "”")
    assert 'placeholder="Beschrijf het doel in de eigen woorden van het gezin."' in page
    prefix = f"goal-{goal.uuid}"
    response = client.post(
        edit_url,
        {
            f"{prefix}-domain": LifeDomain.SOCIAL_NETWORK,
            f"{prefix}-description": "Beschrijf het doel in de eigen woorden van het gezin.",
        },
        headers=HTMX,
    )
    assert "de voorbeeldtekst is geen doel" in response.content.decode()
    goal.refresh_from_db()
    assert goal.description == expected
    client.post(
        edit_url,
        {
            f"{prefix}-domain": LifeDomain.SOCIAL_NETWORK,
            f"{prefix}-description": "Elke week naar de soos",
        },
    )
    goal.refresh_from_db()
    assert goal.description == "Elke week naar de soos"


def test_caseload_statement_is_compiled_once_per_access_and_reads_its_rows_live(
    client_as, generalist, make_household, other_area
):
    """The caseload's statement, need-to-know filter and all, is compiled once per user's
    access (`cases.access.visibility_key`): a household the user comes to coordinate shows on
    the next request from the same statement; an invitation to a colleague's plan (a new
    access version) shows at once, from a new statement."""

    def caseload_statements():
        return [key for key in precompiled._STATEMENTS if "caseload" in key]

    precompiled._STATEMENTS.clear()
    make_household(residents=1, coordinator=generalist)
    client = client_as(generalist)
    url = reverse("cases:caseload")
    assert len(_caseload_rows(client.get(url).content.decode())) == 1
    [statement] = caseload_statements()

    taken_over = make_household(residents=1)
    Household.objects.filter(pk=taken_over.pk).update(coordinator=generalist)
    assert len(_caseload_rows(client.get(url).content.decode())) == 2
    assert caseload_statements() == [statement]

    colleague = TeamMemberFactory(team=other_area["team"]).user
    elsewhere = make_household(
        neighbourhood=other_area["neighbourhood"], residents=1, coordinator=colleague
    )
    plan = active_plan(elsewhere, colleague)
    plan_services.participant_invite(plan=plan, by=colleague, user=generalist, role="GGZ")
    rows = _caseload_rows(client.get(url).content.decode())
    assert len(rows) == 3
    assert sum("uitgenodigd" in row for row in rows) == 1
    assert len(caseload_statements()) == 2


def test_caseload_lists_the_due_check_ins_of_the_households_the_user_coordinates(
    client_as, generalist, make_household, area, other_area
):
    """The caseload reads the check-ins of the households it holds that the user coordinates
    (`check_ins_due_in(household_ids=...)`): the same as the rule read on its own, not
    those of a household the user only takes part in, nor of anybody else's."""
    from cases.plans.models import AftercareCheckIn, CheckInStatus
    from cases.plans.selectors import check_ins_due_for, check_ins_due_in

    colleague = TeamMemberFactory(team=other_area["team"]).user
    mine = make_household(residents=1, coordinator=generalist)
    taking_part = make_household(
        neighbourhood=other_area["neighbourhood"], residents=1, coordinator=colleague
    )
    shared_plan = active_plan(taking_part, colleague)
    participant = plan_services.participant_invite(
        plan=shared_plan, by=colleague, user=generalist, role="GGZ"
    )
    plan_services.participant_respond(participant=participant, by=generalist, accept=True)
    elsewhere = make_household(neighbourhood=other_area["neighbourhood"], coordinator=colleague)
    plans = {
        mine: SupportPlanFactory(household=mine),
        taking_part: shared_plan,
        elsewhere: SupportPlanFactory(household=elsewhere),
    }
    due = {
        household: AftercareCheckIn.objects.create(
            plan=plan, due_on=TODAY - datetime.timedelta(days=1), status=CheckInStatus.DUE
        )
        for household, plan in plans.items()
    }
    content = client_as(generalist).get(reverse("cases:caseload")).content.decode()
    assert 'id="check-ins"' in content
    assert reverse("cases:check_in_complete", args=[due[mine].uuid]) in content
    for household in (taking_part, elsewhere):
        assert str(due[household].uuid) not in content
    assert list(check_ins_due_for(user=generalist)) == [due[mine]]
    assert check_ins_due_in(household_ids=[mine.pk, taking_part.pk]) == [
        due[mine],
        due[taking_part],
    ]
    assert check_ins_due_in(household_ids=[]) == []


def test_caseload_reads_names_and_due_check_ins_with_its_rows_as_the_separate_queries_do(
    generalist, make_household, other_area
):
    """With the user's access facts primed (a request) on PostgreSQL the caseload's one
    statement carries each household's current members' names and due check-ins: the same
    page as the separate queries an unprimed user (and the SQLite demo) takes, soonest
    check-in first, only those of households the user coordinates."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.access_facts import access_facts_forget, access_facts_prime
    from cases.households.selectors import caseload_page
    from cases.plans.models import AftercareCheckIn, CheckInStatus

    first, second = (make_household(residents=2, coordinator=generalist) for _ in range(2))
    colleague = TeamMemberFactory(team=other_area["team"]).user
    shared = make_household(
        neighbourhood=other_area["neighbourhood"], residents=1, coordinator=colleague
    )
    shared_plan = active_plan(shared, colleague)
    participant = plan_services.participant_invite(
        plan=shared_plan, by=colleague, user=generalist, role="GGZ"
    )
    plan_services.participant_respond(participant=participant, by=generalist, accept=True)

    def check_in(household, days_ago, status=CheckInStatus.DUE, plan=None):
        return AftercareCheckIn.objects.create(
            plan=plan or SupportPlanFactory(household=household),
            due_on=TODAY - datetime.timedelta(days=days_ago),
            status=status,
        )

    first_plan = SupportPlanFactory(household=first)
    late, recent = check_in(first, 5, plan=first_plan), check_in(first, 1, plan=first_plan)
    check_in(first, 9, status=CheckInStatus.PLANNED, plan=first_plan)  # not due
    middle = check_in(second, 3)
    check_in(shared, 7, plan=shared_plan)  # the colleague's to do

    def page():
        found = caseload_page(user=generalist)
        return (
            {row.pk: row.member_names for row in found.households},
            [(str(item.uuid), item.due_on, item.household.pk) for item in found.check_ins],
        )

    access_facts_forget(generalist)
    separately = page()
    access_facts_prime(generalist)
    with CaptureQueriesContext(connection) as queries:
        together = page()
    assert together == separately
    names, check_ins = together
    assert set(names) == {first.pk, second.pk, shared.pk}
    assert all(len(names[household.pk]) == 2 for household in (first, second))
    assert check_ins == [
        (str(item.uuid), item.due_on, household.pk)
        for item, household in ((late, first), (middle, second), (recent, first))
    ]
    # the caseload with its names and check-ins, then its clocks
    caseload, clock_rows = (query["sql"] for query in queries.captured_queries)
    assert "cases_householdmembership" in caseload and "cases_aftercarecheckin" in caseload
    assert "clocks_page" in clock_rows


def test_each_due_check_in_has_a_note_field_of_its_own(client_as, generalist, make_household):
    """Two check-ins due on the caseload: each form's note has its own id and label (one
    shared `id_note` made the second label point at the first field)."""
    import re

    from cases.plans.models import AftercareCheckIn, CheckInStatus

    check_ins = [
        AftercareCheckIn.objects.create(
            plan=SupportPlanFactory(household=make_household(residents=1, coordinator=generalist)),
            due_on=TODAY,
            status=CheckInStatus.DUE,
        )
        for _ in range(2)
    ]
    content = client_as(generalist).get(reverse("cases:caseload")).content.decode()
    ids = re.findall(r'<textarea[^>]*\bid="([^"]+)"', content)
    assert len(ids) == 2 and len(set(ids)) == 2
    for check_in, field_id in zip(check_ins, ids, strict=True):
        assert str(check_in.uuid) in field_id
        assert f'<label for="{field_id}">' in content
