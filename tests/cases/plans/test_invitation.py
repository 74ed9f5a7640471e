"""Bringing someone in (issue #16, point 5): the invitee is notified in the app and by e-mail,
sees the household on their own list as invited, and may not change or close the plan until
they accept; a partner organisation's professional is invited by organisation."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import permissions
from cases.access import households_visible_to
from cases.consent.models import ConsentPurpose
from cases.consent.services import consent_record
from cases.households import selectors as household_selectors
from cases.households.selectors import current_residents
from cases.plans import services as plan_services
from cases.plans.models import ParticipantStatus
from cases.provisions.models import Notification, NotificationKind
from networks.models import OrganisationProfessional
from teams.roles import Role
from tests.factories import OrganisationFactory, SupportPlanFactory, TeamMemberFactory, UserFactory

TODAY = timezone.localdate()


@pytest.fixture
def household(make_household, generalist):
    return make_household(residents=2, coordinator=generalist)


@pytest.fixture
def plan(household, generalist):
    plan = SupportPlanFactory(household=household, ready=True, coordinator=generalist)
    return plan_services.plan_activate(plan=plan, by=generalist)


@pytest.fixture
def specialist(other_area):
    """A generalist of another team: the household is not theirs but for the invitation."""
    return TeamMemberFactory(
        team=other_area["team"], user__username="ggz", user__email="ggz@example.org"
    ).user


@pytest.fixture
def provider_professional(db):
    """A care provider's begeleider: a user without a role of their own."""
    organisation = OrganisationFactory(name="Zorggroep De Linde", code="de-linde")
    user = UserFactory(username="begeleider", email="b@delinde.example", roles=[])
    OrganisationProfessional.objects.create(
        organisation=organisation, user=user, function="ambulant begeleider"
    )
    return user, organisation


def invite(plan, by, user, **fields):
    return plan_services.participant_invite(plan=plan, by=by, user=user, role="GGZ", **fields)


# --- services ---------------------------------------------------------------------------------


def test_the_invitee_is_notified_in_the_app_and_by_mail_after_the_commit(
    plan, generalist, specialist, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invite(plan, generalist, specialist)
        assert not mail.outbox  # the e-mail waits for the commit
    assert len(callbacks) == 1
    notification = Notification.objects.get(user=specialist)
    assert notification.kind == NotificationKind.PLAN_INVITATION
    assert notification.url == reverse("cases:plan_detail", args=[plan.uuid])
    assert plan.household.address_line in notification.message
    (message,) = mail.outbox
    assert message.to == ["ggz@example.org"]
    assert plan.household.address_line not in message.body  # no household data in a mail
    assert notification.url in message.body


def test_an_invitee_may_read_but_not_change_until_they_accept(plan, generalist, specialist):
    participant = invite(plan, generalist, specialist)
    assert households_visible_to(specialist).filter(pk=plan.household_id).exists()
    assert not permissions.can_work_on_plan(specialist, plan)
    with pytest.raises(PermissionDenied):
        plan_services.goal_add(plan=plan, by=specialist, domain="housing", description="x")
    with pytest.raises(PermissionDenied):
        plan_services.plan_close(plan=plan, by=specialist)
    plan_services.participant_respond(participant=participant, by=specialist, accept=True)
    assert permissions.can_work_on_plan(specialist, plan)
    plan_services.goal_add(plan=plan, by=specialist, domain="housing", description="Huur")
    assert not Notification.objects.unread().filter(user=specialist).exists()  # answered


def test_a_colleague_of_the_team_keeps_their_rights_while_invited(
    plan, generalist, area, make_household
):
    colleague = TeamMemberFactory(team=area["team"], user__username="collega").user
    invite(plan, generalist, colleague)
    assert permissions.can_work_on_plan(colleague, plan)


def test_declined_invitee_has_no_rights_and_no_longer_sees_the_household(
    plan, generalist, specialist
):
    participant = invite(plan, generalist, specialist)
    plan_services.participant_respond(
        participant=participant, by=specialist, accept=False, reason="Geen capaciteit"
    )
    assert not permissions.can_work_on_plan(specialist, plan)
    assert not households_visible_to(specialist).filter(pk=plan.household_id).exists()


def test_the_invitee_sees_the_household_on_their_list_as_invited(plan, generalist, specialist):
    participant = invite(plan, generalist, specialist)
    (row,) = household_selectors.caseload(user=specialist)
    assert row.pk == plan.household_id
    assert row.my_participation == ParticipantStatus.INVITED
    plan_services.participant_respond(participant=participant, by=specialist, accept=True)
    assert household_selectors.caseload(user=specialist).get().my_participation == "accepted"
    # the coordinator's list is unchanged
    assert [h.pk for h in household_selectors.caseload(user=generalist)] == [plan.household_id]


def test_a_provider_professional_is_invited_by_organisation_with_consent(
    plan, generalist, provider_professional
):
    user, organisation = provider_professional
    with pytest.raises(ValidationError, match="toestemming"):
        invite(plan, generalist, user, organisation=organisation)  # no consent to share yet
    with pytest.raises(ValidationError):
        invite(plan, generalist, user, organisation=OrganisationFactory())  # not theirs
    with pytest.raises(ValidationError):
        invite(plan, generalist, user)  # without the organisation: not a professional here
    consent_record(
        resident=current_residents(household=plan.household).first(),
        organisation=organisation,
        categories=["plan"],
        purpose=ConsentPurpose.PLAN_PARTICIPANT,
        given_by="de inwoner",
        given_on=TODAY,
        by=generalist,
    )
    participant = invite(plan, generalist, user, organisation=organisation)
    assert participant.organisation == organisation
    # no role of their own: they see only the households they were brought into
    assert permissions.can_use_register(user)
    assert list(households_visible_to(user)) == [plan.household]
    assert not permissions.can_work_on_plan(user, plan)
    plan_services.participant_respond(participant=participant, by=user, accept=True)
    assert permissions.can_work_on_plan(user, plan)


def test_a_user_without_a_role_or_organisation_uses_no_register(db):
    assert not permissions.can_use_register(UserFactory(roles=[]))
    assert not permissions.can_use_register(UserFactory(roles=[Role.POLICY_OFFICER]))


# --- screens ----------------------------------------------------------------------------------


def test_an_invited_professional_gets_403_on_edit_until_they_accept(
    client, plan, generalist, specialist
):
    participant = invite(plan, generalist, specialist)
    client.force_login(specialist)
    page = client.get(reverse("cases:plan_detail", args=[plan.uuid]))
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("cases:plan_edit", args=[plan.uuid]) not in body
    assert reverse("cases:plan_close", args=[plan.uuid]) not in body
    assert client.get(reverse("cases:plan_edit", args=[plan.uuid])).status_code == 403
    goal_add = reverse("cases:goal_add", args=[plan.uuid])
    payload = {"goal-domain": "housing", "goal-description": "Huur"}
    assert client.post(goal_add, payload).status_code == 403
    assert client.post(reverse("cases:plan_close", args=[plan.uuid])).status_code == 403
    assert client.post(reverse("cases:plan_agree", args=[plan.uuid]), {}).status_code == 403
    # accept on the plan page; then the same edits are allowed
    response = client.post(
        reverse("cases:participant_respond", args=[plan.uuid, participant.uuid]),
        {"accept": "yes"},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.ACCEPTED
    assert client.get(reverse("cases:plan_edit", args=[plan.uuid])).status_code == 200
    assert client.post(goal_add, payload).status_code == 302
    assert plan.goals.filter(description="Huur").exists()


def test_the_invitees_list_and_start_page_show_the_invitation(client, plan, generalist, specialist):
    invite(plan, generalist, specialist)
    client.force_login(specialist)
    caseload = client.get(reverse("cases:caseload")).content.decode()
    assert plan.household.address_line in caseload
    assert "uitgenodigd" in caseload
    home = client.get("/").content.decode()
    assert reverse("cases:plan_detail", args=[plan.uuid]) in home


def test_inviting_a_provider_professional_from_the_plan_page(
    client, plan, generalist, provider_professional
):
    user, organisation = provider_professional
    consent_record(
        resident=current_residents(household=plan.household).first(),
        organisation=organisation,
        categories=["plan"],
        purpose=ConsentPurpose.PLAN_PARTICIPANT,
        given_by="de inwoner",
        given_on=TODAY,
        by=generalist,
    )
    client.force_login(generalist)
    page = client.get(reverse("cases:plan_detail", args=[plan.uuid])).content.decode()
    assert '<optgroup label="Zorggroep De Linde">' in page
    response = client.post(
        reverse("cases:participant_invite", args=[plan.uuid]),
        {"user": "org:de-linde:begeleider", "role": "Ambulant begeleider"},
    )
    assert response.status_code == 302
    participant = plan.participants.get()
    assert (participant.user, participant.organisation) == (user, organisation)
    client.force_login(user)
    assert client.get(reverse("cases:plan_detail", args=[plan.uuid])).status_code == 200
