"""A team's household with one open clock of every kind, each due where the test puts it (the
stored dates are set directly: the registry reads them, it never computes them)."""

import datetime

import pytest
from django.utils import timezone

from cases.objections.models import Objection, ObjectorKind
from cases.plans import services as plan_services
from cases.plans.models import AftercareCheckIn, CheckInStatus, PlanParticipant
from cases.provisions.models import (
    Allocation,
    AllocationStatus,
    DecisionOutcome,
    Delivery,
    ProvisionDecision,
)
from networks.models import Frequency, Unit
from teams.roles import Role
from tests.factories import (
    MeldingFactory,
    OrganisationFactory,
    SupportPlanFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.provision_factories import ApplicationFactory

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    """A date n calendar days from today (a test's choice of due date, not a term)."""
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def generalist(area):
    return TeamMemberFactory(
        team=area["team"], user__username="generalist", user__email="generalist@example.org"
    ).user


@pytest.fixture
def team_lead(area):
    return TeamMemberFactory(
        team=area["team"],
        user__username="teamlead",
        user__email="lead@example.org",
        user__roles=[Role.TEAM_LEAD],
    ).user


@pytest.fixture
def colleague(db):
    return UserFactory(username="colleague", email="colleague@example.org", roles=[Role.GENERALIST])


@pytest.fixture
def make_clocks(make_household, generalist, colleague):
    """make_clocks(household=None, melding=, application=, advance=, evaluation=, check_in=,
    invited=, progress_report=, objection=)
    -> dict of the objects: each keyword is the number of days from today its clock is due
    (None: no clock of that kind). `invited` is how many days ago the invitation was sent."""

    def make(
        household=None,
        *,
        melding=None,
        application=None,
        advance=None,
        evaluation=None,
        check_in=None,
        invited=None,
        progress_report=None,
        objection=None,
        consultant=None,
    ):
        household = household or make_household(residents=2, coordinator=generalist)
        made = {"household": household}
        if melding is not None:
            made["melding"] = MeldingFactory(household=household)
            # received well before the due date: the table holds deadline > received_on
            type(made["melding"]).objects.filter(pk=made["melding"].pk).update(
                received_on=days(melding - 60), investigation_deadline=days(melding)
            )
        if application is not None:
            made["application"] = ApplicationFactory(
                household=household, applied_by=generalist, assigned_to=consultant
            )
            type(made["application"]).objects.filter(pk=made["application"].pk).update(
                applied_on=min(TODAY, days(application)), decision_deadline=days(application)
            )
        if advance is not None:  # an application for algemene bijstand with its advance due
            made["advance"] = ApplicationFactory(
                household=household, applied_by=generalist, assigned_to=consultant
            )
            type(made["advance"]).objects.filter(pk=made["advance"].pk).update(
                applied_on=days(advance - 20),
                decision_deadline=days(40),
                advance_due_on=days(advance),
            )
        if evaluation is not None or invited is not None:
            plan = SupportPlanFactory(household=household, ready=True, coordinator=generalist)
            plan = plan_services.plan_activate(plan=plan, by=generalist)
            made["plan"] = plan
            if evaluation is not None:
                type(plan).objects.filter(pk=plan.pk).update(evaluation_date=days(evaluation))
            if invited is not None:
                participant = PlanParticipant.objects.create(
                    plan=plan, user=colleague, role="schuldhulpverlener", invited_by=generalist
                )
                PlanParticipant.objects.filter(pk=participant.pk).update(
                    invited_at=timezone.now() - datetime.timedelta(days=invited)
                )
                made["participant"] = participant
        if check_in is not None:
            closed = SupportPlanFactory(
                household=household, ready=True, coordinator=generalist, status="closed"
            )
            made["check_in"] = AftercareCheckIn.objects.create(
                plan=closed, due_on=days(check_in), status=CheckInStatus.PLANNED
            )
        if progress_report is not None:  # care under way, the next report due then
            application = ApplicationFactory(household=household, applied_by=generalist)
            provider = OrganisationFactory()
            made["allocation"] = Allocation.objects.create(
                decision=ProvisionDecision.objects.create(
                    application=application,
                    outcome=DecisionOutcome.GRANT,
                    product=application.product,
                    volume=1,
                    unit=Unit.HOUR,
                    frequency=Frequency.PER_WEEK,
                    start_date=days(-90),
                    amount=100,
                    delivery=Delivery.IN_KIND,
                    provider=provider,
                    decided_by=consultant or generalist,
                ),
                household=household,
                provider=provider,
                product=application.product,
                volume=1,
                unit=Unit.HOUR,
                frequency=Frequency.PER_WEEK,
                start_date=days(-90),
                status=AllocationStatus.STARTED,
                care_started_on=days(-90),
                progress_report_due_on=days(progress_report),
            )
        if objection is not None:  # an open objection against a rejection, decide by then
            application = ApplicationFactory(household=household, applied_by=generalist)
            decision = ProvisionDecision.objects.create(
                application=application,
                outcome=DecisionOutcome.REJECT,
                reasons="Geen beperking.",
                decided_by=consultant or generalist,
                made_known_on=days(objection - 60),
                objection_deadline=days(objection - 20),
            )
            made["objection"] = Objection.objects.create(
                household=household,
                decision=decision,
                received_on=days(objection - 30),
                objector_kind=ObjectorKind.RESIDENT,
                grounds="Oneens.",
                objection_term_end=days(objection - 20),
                decision_due=days(objection),
                handled_by=consultant,
                registered_by=consultant or generalist,
            )
        return made

    return make
