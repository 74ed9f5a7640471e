"""A complete household file for the AVG tests: every kind of row the file can hold, dated in
the past (`file_build(..., on=date)`), so retention and inzage are tested on real data."""

import datetime
import uuid
from decimal import Decimal

from django.utils import timezone

from cases.avg.models import CorrectionRequest
from cases.consent.models import Consent
from cases.households.models import CoordinatorChange, HouseholdMembership, ResidentMergeRecord
from cases.intake.models import (
    InformalNetworkMember,
    KitchenTableConversation,
    LifeDomain,
    LifeDomainScore,
    MeldingStatus,
    Signal,
    SignalStatus,
)
from cases.legal_terms import agreed_term_end
from cases.objections.models import Objection, ObjectionOutcome, ObjectorKind
from cases.partners.models import AllocationRequest, ProgressReport
from cases.plans.models import (
    ActionOwnerKind,
    AftercareCheckIn,
    CheckInStatus,
    Evaluation,
    PlanAction,
    PlanGoal,
    PlanParticipant,
    PlanStatus,
    SupportPlan,
    SupportPlanVersion,
)
from cases.provisions.models import (
    AdvanceException,
    AdvanceExceptionReason,
    AdvancePayment,
    Allocation,
    AllocationStatus,
    ApplicationStatus,
    ApplicationTermEvent,
    BudgetCommitment,
    DeadlineChangeReason,
    DecisionDeadlineChange,
    DecisionLetter,
    DecisionOutcome,
    Delivery,
    GeneralProvisionReferral,
    LetterIssueReason,
    MandateSpending,
    Notification,
    NotificationKind,
    ProvisionApplication,
    ProvisionDecision,
    TermEventKind,
)
from networks.models import Frequency, Unit
from teams.models import TeamMandate
from tests.factories import MeldingFactory, OrganisationFactory, ResidentFactory, UserFactory
from tests.provision_factories import GeneralProvisionFactory, ProductFactory, TeamMandateFactory

PRODUCT_TRAITS = {"wmo": {}, "jeugd": {"youth": True}, "participatie": {"participation": True}}


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def file_build(
    household,
    *,
    on: datetime.date,
    law: str = "wmo",
    team,
    worker=None,
    consultant=None,
    provider=None,
    allocation_running: bool = False,
) -> dict:
    """Fill `household` (with at least one member) with a closed file whose last event is on
    `on`; returns the main rows. With `allocation_running` the allocation has started and
    has no end date (care still runs)."""
    worker = worker or UserFactory()
    consultant = consultant or UserFactory()
    provider = provider or OrganisationFactory()
    resident = household.memberships.first().resident
    start = on - datetime.timedelta(days=400)
    HouseholdMembership.objects.filter(household=household).update(start_date=start)

    # files from before 2014 lie before the legal terms engine's first year: their deadlines
    # are only data here, counted on the calendar
    melding = MeldingFactory(
        household=household,
        received_on=start,
        investigation_deadline=agreed_term_end(start, weeks=6),
        personal_plan_deadline=agreed_term_end(start, days=7),
        channel="phone",
        question="Hulp bij de administratie",
        status=MeldingStatus.COMPLETED,
        registered_by=worker,
    )
    Signal.objects.create(
        source_type="neighbour",
        reporter_name="Buurvrouw",
        observation="Post stapelt zich op",
        received_on=start,
        household=household,
        resident=resident,
        team=team,
        status=SignalStatus.CONVERTED,
        melding=melding,
    )
    conversation = KitchenTableConversation.objects.create(
        household=household,
        melding=melding,
        held_on=start,
        resident_story="Ik kom er niet meer uit met de rekeningen.",
        agreements="Samen de post doorlopen.",
        own_strength="Houdt van overzicht als het eenmaal op papier staat.",
        network_strength="De buurman helpt met de computer.",
        resident_remarks="Het gesprek klopt, maar de schulden zijn hoger.",
        debts_crisis=True,
        debts_note="Deurwaarder geweest",
        income_crisis=False,
        domains_not_discussed=[LifeDomain.JUSTICE],
        conducted_by=worker,
    )
    conversation.participants.add(resident)
    LifeDomainScore.objects.create(conversation=conversation, domain=LifeDomain.FINANCES, score=2)
    network = InformalNetworkMember.objects.create(
        household=household, kind="neighbour", name="Buurman Piet"
    )
    # the plan's coordinator is the household's (one field)
    type(household).objects.filter(pk=household.pk).update(coordinator=worker)
    household.coordinator = worker
    plan = SupportPlan.objects.create(
        household=household,
        conversation=conversation,
        status=PlanStatus.CLOSED,
        aftercare_in_place="Waakvlam",
        activated_at=_aware(start),
        closed_at=_aware(on - datetime.timedelta(days=30)),
    )
    goal = PlanGoal.objects.create(
        plan=plan, domain=LifeDomain.FINANCES, description="Rust in de financiën"
    )
    PlanAction.objects.create(
        plan=plan,
        goal=goal,
        description="Post sorteren",
        owner_kind=ActionOwnerKind.RESIDENT,
        owner_resident=resident,
    )
    PlanAction.objects.create(
        plan=plan,
        description="Meegaan naar de bank",
        owner_kind=ActionOwnerKind.NETWORK,
        owner_network_member=network,
    )
    PlanParticipant.objects.create(plan=plan, user=UserFactory(), role="schuldhulp")
    SupportPlanVersion.objects.create(plan=plan, number=1, snapshot={"goals": []}, reason="start")
    evaluation = Evaluation.objects.create(
        plan=plan, evaluated_on=on - datetime.timedelta(days=40), notes="Gaat beter"
    )
    LifeDomainScore.objects.create(evaluation=evaluation, domain=LifeDomain.FINANCES, score=4)
    AftercareCheckIn.objects.create(
        plan=plan, due_on=on - datetime.timedelta(days=5), status=CheckInStatus.DONE, done_on=on
    )
    general = GeneralProvisionFactory()
    GeneralProvisionReferral.objects.create(
        household=household,
        provision=general,
        plan=plan,
        referred_on=start,
        follow_up_on=start + datetime.timedelta(weeks=4),
    )
    CoordinatorChange.objects.create(household=household, to_user=worker, changed_by=worker)

    product = ProductFactory(**PRODUCT_TRAITS[law])
    application = ProvisionApplication.objects.create(
        household=household,
        product=product,
        resident=resident,
        plan=plan,
        motivation="Financiën scoort 2",
        applied_on=start,
        # stored as an old file has it: files here start before 2014, where the Atw holiday
        # table (and so `application_decision_deadline`) does not reach
        decision_deadline=start + datetime.timedelta(weeks=8),
        status=ApplicationStatus.GRANTED,
        assigned_to=consultant,
        applied_by=worker,
    )
    decision = ProvisionDecision.objects.create(
        application=application,
        outcome=DecisionOutcome.GRANT,
        product=product,
        volume=2,
        unit=Unit.HOUR,
        frequency=Frequency.PER_WEEK,
        start_date=start,
        end_date=None if allocation_running else on - datetime.timedelta(days=60),
        delivery=Delivery.IN_KIND,
        provider=provider,
        amount=Decimal("1200.00"),
        decided_by=consultant,
        decided_at=_aware(start),
    )
    BudgetCommitment.objects.create(
        stream=product.budget_stream, year=start.year, amount=Decimal("1200.00"), decision=decision
    )
    # the decision's clocks as an old file holds them (stored dates, not computed here)
    event = ApplicationTermEvent.objects.create(
        application=application,
        kind=TermEventKind.INCOMPLETE,
        asked_on=start,
        period_days=14,
        completed_on=start + datetime.timedelta(days=5),
        recorded_by=consultant,
    )
    DecisionDeadlineChange.objects.create(
        application=application,
        event=event,
        reason=DeadlineChangeReason.COMPLETED,
        previous_deadline=application.decision_deadline,
        new_deadline=application.decision_deadline + datetime.timedelta(days=5),
        changed_by=consultant,
    )
    DecisionLetter.objects.create(
        decision=decision,
        version=1,
        reason=LetterIssueReason.ISSUED,
        made_known_on=start,
        objection_deadline=start + datetime.timedelta(weeks=6),
        issued_by=consultant,
    )
    Objection.objects.create(  # an objection against it, decided long ago
        household=household,
        decision=decision,
        received_on=start + datetime.timedelta(days=10),
        objector_kind=ObjectorKind.RESIDENT,
        grounds="Twee uur is te weinig.",
        objection_term_end=start + datetime.timedelta(weeks=6),
        decision_due=start + datetime.timedelta(weeks=12),
        outcome=ObjectionOutcome.UNFOUNDED,
        outcome_reasons="Twee uur past bij de vraag.",
        decided_on=start + datetime.timedelta(weeks=10),
        decided_by=consultant,
        handled_by=consultant,
        registered_by=consultant,
    )
    AdvancePayment.objects.create(
        application=application,
        due_on=start,
        paid_on=start,
        amount=Decimal("300.00"),
        recorded_by=consultant,
    )
    AdvanceException.objects.create(
        application=application,
        reason=AdvanceExceptionReason.CLEARLY_NO_RIGHT,
        explanation="Vermogen boven de grens.",
        recorded_by=consultant,
    )
    allocation = Allocation.objects.create(
        number=uuid.uuid4().hex[:20],
        decision=decision,
        household=household,
        provider=provider,
        product=product,
        volume=2,
        unit=Unit.HOUR,
        frequency=Frequency.PER_WEEK,
        start_date=start,
        end_date=decision.end_date,
        client=resident,
        status=AllocationStatus.STARTED if allocation_running else AllocationStatus.STOPPED,
        care_started_on=start,
        care_stopped_on=None if allocation_running else on - datetime.timedelta(days=60),
        end_reason="" if allocation_running else ("34" if law == "jeugd" else "19"),
    )
    ProgressReport.objects.create(
        allocation=allocation,
        organisation=provider,
        period_start=start,
        period_end=start + datetime.timedelta(days=90),
        text="Cliënt komt afspraken na.",
    )
    AllocationRequest.objects.create(
        organisation=provider,
        kind="change",
        allocation=allocation,
        bsn=resident.bsn or "",
        client=resident,
        product=product,
        volume=3,
        unit=Unit.HOUR,
        frequency=Frequency.PER_WEEK,
        start_date=start,
        change_reason="04",
        motivation="Meer uren nodig",
    )
    Notification.objects.create(
        user=consultant,
        kind=NotificationKind.COSIGN,
        application=application,
        message="Medeondertekenen",
    )
    mandate = TeamMandate.objects.filter(team=team, year=start.year).first() or TeamMandateFactory(
        team=team, year=start.year
    )
    spending = MandateSpending.objects.create(
        mandate=mandate,
        household=household,
        stream=product.budget_stream,
        amount=Decimal("150.00"),
        reason="Voedselpakket",
        spent_on=start,
        spent_by=worker,
    )
    BudgetCommitment.objects.create(
        stream=product.budget_stream,
        year=start.year,
        amount=Decimal("150.00"),
        mandate_spending=spending,
    )
    consent = Consent.objects.create(
        resident=resident,
        organisation=provider,
        categories=["progress"],
        purpose="progress_reports",
        given_by="de inwoner",
        given_on=start,
        expires_on=start + datetime.timedelta(days=365),
    )
    correction = CorrectionRequest.objects.create(
        resident=resident,
        received_on=start,
        deadline=agreed_term_end(start, months=1),
        what_is_wrong="Telefoonnummer klopt niet",
        status="granted",
        outcome="Nummer aangepast",
        handled_on=start + datetime.timedelta(days=10),
    )
    twin = ResidentFactory(bsn=None)
    ResidentMergeRecord.objects.create(
        kept=resident, removed_uuid=twin.uuid, removed_name=twin.full_name
    )
    twin.delete()
    backdate(household, on)
    return {
        "resident": resident,
        "melding": melding,
        "conversation": conversation,
        "plan": plan,
        "application": application,
        "decision": decision,
        "allocation": allocation,
        "consent": consent,
        "correction": correction,
        "product": product,
    }


def backdate(household, on: datetime.date) -> None:
    """Set every automatic timestamp of the file to `on` (auto_now fields cannot be set
    through save())."""
    when = _aware(on)
    household.__class__.objects.filter(pk=household.pk).update(created_at=when, updated_at=when)
    KitchenTableConversation.objects.filter(household=household).update(
        created_at=when, updated_at=when
    )
    SupportPlan.objects.filter(household=household).update(created_at=when, updated_at=when)
    ProvisionApplication.objects.filter(household=household).update(
        created_at=when, updated_at=when
    )
    Allocation.objects.filter(household=household).update(created_at=when, updated_at=when)
