"""One realistic household pair for the tests generated from the URL configuration
(`tests/test_permission_matrix.py`, `tests/cases/test_access_log_per_view.py`).

`build_world()` makes two districts with their teams; in each a household with residents, a
melding, a signal, a conversation, an informal network member, an active plan (goal, action,
brought-in professional, versions), an evaluation, a due aftercare check-in, an undecided and a
decided application, a referral, a notification, a consent, a correction request and an expired
break-the-glass grant. One user
per role works in the first ("own") district: the generalist and team lead are members of its
team, the consultant is its area consultant for every law domain.

`kwargs_for(world, side, route_kwargs, url_name)` fills a route's parameters with the objects of
the `own` or `other` side.
"""

import datetime
import io
import uuid
from dataclasses import dataclass, field

from django.utils import timezone

from cases.agenda.services import appointment_plan
from cases.avg.services import correction_request_record
from cases.consent.services import consent_record
from cases.documents.models import HouseholdDocument, ScanStatus
from cases.documents.services import document_upload
from cases.households import services as household_services
from cases.journal.services import journal_entry_create
from cases.network import services as network_services
from cases.objections.services import objection_register
from cases.plans import services as plan_services
from cases.plans.models import (
    ActionOwnerKind,
    AftercareCheckIn,
    CheckInStatus,
    Evaluation,
    PlanParticipant,
)
from cases.privacy.models import BreakGlassAccess
from cases.provisions import services as psvc
from cases.provisions.models import DecisionOutcome, Notification, NotificationKind
from cases.volunteers import services as volunteer_services
from teams.models import LawDomain
from teams.roles import Role
from tests.cases.intake_factories import SignalFactory
from tests.factories import (
    AreaConsultantFactory,
    ConversationFactory,
    HouseholdFactory,
    HouseholdMembershipFactory,
    MeldingFactory,
    NeighbourhoodFactory,
    NetworkMemberFactory,
    PostcodeFactory,
    SupportPlanFactory,
    TeamFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.provision_factories import ApplicationFactory, GeneralProvisionFactory, ProductFactory


@dataclass
class Side:
    district: object
    team: object
    household: object
    objects: dict = field(default_factory=dict)


@dataclass
class World:
    users: dict  # role -> user (working in the own district)
    own: Side
    other: Side

    def side(self, name: str) -> Side:
        return self.own if name == "own" else self.other


def _side(*, postcode: str, generalist, consultant, product, provision, colleague, officer) -> Side:
    team = TeamFactory()
    neighbourhood = NeighbourhoodFactory(district=team.district)
    PostcodeFactory(postcode=postcode, neighbourhood=neighbourhood)
    TeamMemberFactory(team=team, user=generalist)
    for domain in LawDomain:
        AreaConsultantFactory(district=team.district, law_domain=domain, user=consultant)
    household = HouseholdFactory(neighbourhood=neighbourhood, postcode=postcode)
    memberships = [HouseholdMembershipFactory(household=household) for _ in range(2)]
    household_services.household_coordinator_set(
        household_id=household.pk, user_id=generalist.pk, by=None
    )
    melding = MeldingFactory(household=household)
    signal = SignalFactory(team=team, household=household)
    conversation = ConversationFactory(
        household=household, melding=melding, conducted_by=generalist
    )
    member = NetworkMemberFactory(household=household)
    plan = SupportPlanFactory(
        household=household, ready=True, coordinator=generalist, conversation=conversation
    )
    goal = plan.goals.get()
    action = plan_services.action_add(
        plan=plan,
        by=generalist,
        goal=goal,
        description="Bel de schuldhulp",
        owner_kind=ActionOwnerKind.OTHER,
        owner_text="Buurtwerker",
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    # an action of the network member, and their link to it (cases/network)
    plan_services.action_add(
        plan=plan,
        by=generalist,
        goal=goal,
        description="Boodschappen doen",
        owner_kind=ActionOwnerKind.NETWORK,
        owner_network_member=member,
    )
    plan = plan_services.plan_activate(
        plan=plan, by=generalist, no_agreement_reason="Akkoord volgt na het gesprek."
    )
    network_link, _url = network_services.network_link_create(
        plan=plan, member=member, by=generalist, url_for=lambda token: f"/netwerk/{token}/"
    )
    participant = PlanParticipant.objects.create(
        plan=plan, user=colleague, role="schuldhulpverlener", invited_by=generalist
    )
    evaluation = Evaluation.objects.create(plan=plan, conducted_by=generalist)
    check_in = AftercareCheckIn.objects.create(
        plan=plan, due_on=timezone.localdate(), status=CheckInStatus.DUE
    )
    application = ApplicationFactory(household=household, product=product, applied_by=generalist)
    decided = ApplicationFactory(household=household, product=product, applied_by=generalist)
    decision = psvc.decision_make(
        application=decided,
        by=consultant,
        data=psvc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="Voorliggend aanbod."),
    )
    objection = objection_register(
        decision=decision,
        by=consultant,
        received_on=timezone.localdate(),
        objector_kind="resident",
        grounds="Ik heb die hulp echt nodig.",
    )
    referral = psvc.referral_create(household=household, provision=provision, by=generalist)
    notification = Notification.objects.create(
        user=consultant,
        kind=NotificationKind.DEADLINE_SOON,
        application=application,
        message="Termijn nadert",
    )
    consent = consent_record(
        resident=memberships[0].resident,
        organisation=provision.organisation,
        categories=["progress"],
        purpose="progress_reports",
        given_by="de inwoner",
        given_on=timezone.localdate(),
        by=generalist,
    )
    correction = correction_request_record(
        resident=memberships[0].resident, what_is_wrong="Geboortedatum klopt niet", by=officer
    )
    entry = journal_entry_create(
        household=household, by=generalist, kind="visit", text="Huisbezoek", visibility="team"
    )
    document = document_upload(
        household=household,
        by=generalist,
        file=io.BytesIO(b"%PDF-1.4\n%%EOF\n"),
        filename="brief.pdf",
        category="letter",
        document_date=timezone.localdate(),
    )
    # no scanner runs here: the matrix downloads it as if clamd had found it clean
    HouseholdDocument.objects.filter(pk=document.pk).update(
        scan_status=ScanStatus.CLEAN, scanned_at=timezone.now()
    )
    appointment = appointment_plan(
        household=household,
        by=generalist,
        kind="home_visit",
        starts_at=timezone.now() + datetime.timedelta(days=3),
    )
    # a volunteer of the side's district (someone outside the register) who helps its household
    volunteer = volunteer_services.volunteer_person_register(
        first_name="Vera",
        last_name="Vrijwilliger",
        phone="0612345678",
        district=team.district,
        offers=["buddy"],
        consent_organisation=provision.organisation,
        consent_given_by="Vera Vrijwilliger",
        by=generalist,
    )
    volunteering = volunteer_services.volunteering_start(
        volunteer=volunteer, household=household, category="buddy", what="Wandelen", by=generalist
    )
    now = timezone.now()
    grant = BreakGlassAccess.objects.create(
        user=colleague,
        household=household,
        household_uuid=household.uuid,
        reason="Crisis in het gezin, het team was niet bereikbaar.",
        opened_at=now - datetime.timedelta(hours=48),
        expires_at=now - datetime.timedelta(hours=24),
    )
    return Side(
        district=team.district,
        team=team,
        household=household,
        objects={
            "household_uuid": household.uuid,
            "resident_uuid": memberships[0].resident.uuid,
            "conversation_uuid": conversation.uuid,
            "melding_uuid": melding.uuid,
            "member_uuid": member.uuid,
            "plan_uuid": plan.uuid,
            "goal_uuid": goal.uuid,
            "action_uuid": action.uuid,
            "participant_uuid": participant.uuid,
            "number": plan.versions.order_by("number").first().number,
            "evaluation_uuid": evaluation.uuid,
            "check_in_uuid": check_in.uuid,
            "signal_uuid": signal.uuid,
            "application_uuid": application.uuid,
            "decided_application_uuid": decided.uuid,
            "referral_uuid": referral.uuid,
            "notification_uuid": notification.uuid,
            "grant_uuid": grant.uuid,
            "consent_uuid": consent.uuid,
            "correction_uuid": correction.uuid,
            "entry_uuid": entry.uuid,
            "document_uuid": document.uuid,
            "appointment_uuid": appointment.uuid,
            "objection_uuid": objection.uuid,
            "volunteer_uuid": volunteer.uuid,
            "volunteering_uuid": volunteering.uuid,
            "link_uuid": network_link.uuid,
            "district_code": team.district.code,
            "kind": "bsn",
        },
    )


def build_world() -> World:
    product = ProductFactory()
    provision = GeneralProvisionFactory()
    users = {
        role: UserFactory(roles=[role], username=f"matrix-{role.value}")
        for role in Role
        if role not in (Role.GENERALIST, Role.CONSULTANT)
    }
    users[Role.GENERALIST] = UserFactory(roles=[Role.GENERALIST], username="matrix-generalist")
    users[Role.CONSULTANT] = UserFactory(roles=[Role.CONSULTANT], username="matrix-consultant")
    colleague = UserFactory(roles=[Role.GENERALIST], username="matrix-colleague")
    other_generalist = UserFactory(roles=[Role.GENERALIST], username="matrix-other-generalist")
    other_consultant = UserFactory(roles=[Role.CONSULTANT], username="matrix-other-consultant")
    own = _side(
        postcode="5611AB",
        generalist=users[Role.GENERALIST],
        consultant=users[Role.CONSULTANT],
        product=product,
        provision=provision,
        colleague=colleague,
        officer=users[Role.PRIVACY_OFFICER],
    )
    TeamMemberFactory(team=own.team, user=users[Role.TEAM_LEAD])
    other = _side(
        postcode="5641AA",
        generalist=other_generalist,
        consultant=other_consultant,
        product=product,
        provision=provision,
        colleague=colleague,
        officer=users[Role.PRIVACY_OFFICER],
    )
    return World(users=users, own=own, other=other)


# Which object fills a route parameter, when it is not the parameter's own name.
PARAMETER_OVERRIDES = {
    "provisions:decision_letter": {"application_uuid": "decided_application_uuid"},
    "provisions:decision_made_known": {"application_uuid": "decided_application_uuid"},
}


def kwargs_for(world: World, side: str, route_kwargs: list[str], url_name: str) -> dict:
    objects = world.side(side).objects
    overrides = PARAMETER_OVERRIDES.get(url_name, {})
    values = {}
    for name in route_kwargs:
        key = overrides.get(name, name)
        # API routes (`uuid`, `pk`) get an unknown id: session users never reach them anyway
        values[name] = objects.get(key, uuid.uuid4())
    return values
