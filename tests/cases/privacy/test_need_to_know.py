"""Need-to-know in SQL: who may open which household's file (`households_visible_to`)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.access import households_visible_to
from cases.access_facts import access_facts_prime
from cases.plans.models import ParticipantStatus, PlanParticipant, PlanStatus
from cases.privacy.models import BreakGlassAccess
from cases.provisions import services as psvc
from cases.provisions.models import (
    ApplicationStatus,
    DecisionOutcome,
    Notification,
    NotificationKind,
)
from teams.models import AreaConsultant, ConsultantAbsence, LawDomain
from teams.roles import Role
from tests.factories import SupportPlanFactory, TeamMemberFactory
from tests.provision_factories import ProductFactory

TODAY = timezone.localdate()


@pytest.fixture
def foreign(make_household, other_area):
    """A household in another district."""
    return make_household(neighbourhood=other_area["neighbourhood"], postcode="5641AA")


def sees(user, household) -> bool:
    return households_visible_to(user).filter(pk=household.pk).exists()


def test_the_team_of_the_district_sees_its_households_while_active(generalist, make_household):
    household = make_household()
    assert sees(generalist, household)
    generalist.team_memberships.update(active=False)
    del generalist._wijkwerk_district_ids
    assert not sees(generalist, household)


def test_plan_participants_see_the_household_while_they_take_part(foreign, generalist):
    plan = SupportPlanFactory(household=foreign, ready=True)
    participant = PlanParticipant.objects.create(plan=plan, user=generalist, role="schuldhulp")
    assert sees(generalist, foreign)  # invited
    participant.status = ParticipantStatus.DECLINED
    participant.decline_reason = "Geen capaciteit"
    participant.save()
    assert not sees(generalist, foreign)
    participant.status, participant.decline_reason = ParticipantStatus.ACCEPTED, ""
    participant.save()
    assert sees(generalist, foreign)
    plan.status, plan.activated_at, plan.closed_at = (
        PlanStatus.CLOSED,
        timezone.now(),
        timezone.now(),
    )
    plan.save()
    assert not sees(generalist, foreign)  # the plan ended: so did taking part


def test_a_consultant_sees_only_households_of_applications_they_decide(
    consultant, second_consultant, make_household, make_application, foreign, other_area
):
    """The `consultant` fixture is the area consultant of `area` for every law domain."""
    quiet = make_household()  # no application: not the consultant's business
    in_area = make_application().household
    assert sees(consultant, in_area)
    assert not sees(consultant, quiet)
    assert not sees(consultant, foreign)

    # assigned to them, outside their work area
    application = make_application(household=foreign)
    assert not sees(consultant, foreign)
    application.assigned_to = consultant
    application.save()
    assert sees(consultant, foreign)


def test_a_consultant_sees_what_they_decided_or_were_asked_to_cosign(
    user_with_role, make_application, foreign, provider
):
    decider, cosigner = user_with_role(Role.CONSULTANT), user_with_role(Role.CONSULTANT)
    application = make_application(household=foreign)
    assert not sees(decider, foreign) and not sees(cosigner, foreign)
    psvc.decision_make(
        application=application,
        by=decider,
        data=psvc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="Voorliggend."),
    )
    assert sees(decider, foreign)

    awaiting = make_application(household=foreign, status=ApplicationStatus.AWAITING_COSIGN)
    Notification.objects.create(
        user=cosigner, application=awaiting, kind=NotificationKind.COSIGN, message="Teken mee"
    )
    assert sees(cosigner, foreign)
    awaiting.status = ApplicationStatus.GRANTED
    awaiting.save()
    assert not sees(cosigner, foreign)  # co-signed by someone else: done


def test_a_substitute_sees_the_absent_colleagues_area_today_only(
    user_with_role, make_application, foreign, other_area
):
    absent, substitute = user_with_role(Role.CONSULTANT), user_with_role(Role.CONSULTANT)
    area = AreaConsultant.objects.create(
        district=other_area["district"],
        law_domain=LawDomain.YOUTH,
        user=absent,
        phone="040-1",
        email="a@example.org",
    )
    make_application(household=foreign, product=ProductFactory(youth=True))
    assert sees(absent, foreign) and not sees(substitute, foreign)
    absence = ConsultantAbsence.objects.create(
        consultant=area,
        start_date=TODAY,
        end_date=TODAY,
        substitute=substitute,
        substitute_phone="040-2",
        substitute_email="s@example.org",
    )
    assert sees(substitute, foreign)
    absence.start_date = absence.end_date = TODAY - datetime.timedelta(days=1)
    absence.save()
    assert not sees(substitute, foreign)


def test_an_active_break_glass_grant_opens_the_file_until_it_expires(generalist, foreign):
    now = timezone.now()
    grant = BreakGlassAccess.objects.create(
        user=generalist,
        household=foreign,
        household_uuid=foreign.uuid,
        reason="Acute crisis, het team is niet bereikbaar.",
        opened_at=now,
        expires_at=now + datetime.timedelta(hours=1),
    )
    assert sees(generalist, foreign)
    grant.expires_at = now - datetime.timedelta(seconds=1)
    grant.opened_at = now - datetime.timedelta(hours=1)
    grant.save()
    assert not sees(generalist, foreign)


@pytest.mark.parametrize(
    "role", [Role.FUNCTIONAL_ADMIN, Role.PRIVACY_OFFICER, Role.POLICY_OFFICER, Role.GP]
)
def test_roles_without_files_see_none_even_as_team_member_or_coordinator(
    user_with_role, area, make_household, role
):
    user = user_with_role(role)
    TeamMemberFactory(team=area["team"], user=user)
    household = make_household(coordinator=user)
    assert not sees(user, household)


def test_visibility_is_one_query(generalist, make_household, django_assert_num_queries):
    make_household()
    access_facts_prime(generalist)  # as a request does: the user's facts read once
    list(households_visible_to(generalist))
    with django_assert_num_queries(1):
        list(households_visible_to(generalist))


def test_the_functional_admin_sees_residents_for_the_merge_but_no_file_content(
    client, user_with_role, admin_user
):
    """docs/privacy.md, "The admin": residents read-only (the person merge), nothing else of a
    household's file; a superuser still looks (every read logged: test_admin_reads.py)."""
    beheer = user_with_role(Role.FUNCTIONAL_ADMIN)
    client.force_login(beheer)
    assert client.get(reverse("admin:cases_resident_changelist")).status_code == 200
    assert client.get(reverse("admin:cases_resident_add")).status_code == 403
    for model in (
        "household",
        "coordinatorchange",
        "residentmergerecord",
        "kitchentableconversation",
        "signal",
        "supportplan",
        "aftercarecheckin",
        "consent",
        "correctionrequest",
        "destructionrecord",
        "accesslogentry",
    ):
        assert client.get(reverse(f"admin:cases_{model}_changelist")).status_code == 403, model
    client.force_login(admin_user)
    assert client.get(reverse("admin:cases_supportplan_changelist")).status_code == 200


def test_the_work_area_queue_stays_within_need_to_know(
    user_with_role, consultant, make_application, make_household, foreign, other_area
):
    """The default queue filters applications by work area without the household visibility
    subquery (for speed): it must never show an application `households_visible_to` hides.
    The queue's page reads its households' clocks without asking need-to-know again
    (`with_clocks(ids_visible=True)`): this is the proof that it may, for both scopes."""
    from cases.provisions.selectors import application_queue, applications_visible_to

    absent, substitute = user_with_role(Role.CONSULTANT), user_with_role(Role.CONSULTANT)
    area = AreaConsultant.objects.create(
        district=other_area["district"],
        law_domain=LawDomain.YOUTH,
        user=absent,
        phone="040-1",
        email="a@example.org",
    )
    ConsultantAbsence.objects.create(
        consultant=area,
        start_date=TODAY,
        end_date=TODAY,
        substitute=substitute,
        substitute_phone="040-2",
        substitute_email="s@example.org",
    )
    youth = make_application(household=foreign, product=ProductFactory(youth=True))
    other_law = make_application(
        household=make_household(neighbourhood=other_area["neighbourhood"])
    )
    in_area = make_application()
    assigned = make_application(household=make_household(neighbourhood=other_area["neighbourhood"]))
    assigned.assigned_to = substitute
    assigned.save()
    for user, expected in (
        (consultant, {in_area}),
        (substitute, {youth, assigned}),
        (absent, {youth}),
    ):
        queue = set(application_queue(user=user))
        assert queue == expected
        assert queue <= set(applications_visible_to(user))
        visible_households = set(households_visible_to(user).values_list("pk", flat=True))
        assert {application.household_id for application in queue} <= visible_households
        everywhere = set(application_queue(user=user, whole_municipality=True))
        assert queue <= everywhere <= set(applications_visible_to(user))
        assert {application.household_id for application in everywhere} <= visible_households
    assert other_law not in set(application_queue(user=substitute))
