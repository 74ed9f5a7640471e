import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.households.services import ConcurrentEditError
from cases.legal_terms import term_end
from cases.plans.models import PlanStatus
from cases.provisions import services as svc
from cases.provisions.models import (
    Allocation,
    ApplicationStatus,
    BudgetCommitment,
    DecisionOutcome,
    Delivery,
    GeneralProvisionReferral,
    Notification,
    NotificationKind,
    ProvisionDecision,
    ReferralOutcome,
    SubsidySignal,
)
from cases.provisions.selectors import application_decision_deadline, decision_objection_deadline
from networks.models import Frequency, Unit
from teams.models import AreaConsultant, LawDomain
from teams.roles import Role
from tests.factories import SupportPlanFactory, TeamMemberFactory
from tests.provision_factories import GeneralProvisionFactory, ProductFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def grant(provider=None, **overrides):
    data = {
        "outcome": DecisionOutcome.GRANT,
        "volume": 3,
        "unit": Unit.HOUR,
        "frequency": Frequency.PER_WEEK,
        "start_date": TODAY,
        "end_date": TODAY + datetime.timedelta(days=7 * 26 - 1),
        "delivery": Delivery.IN_KIND,
        "provider": provider,
    }
    data.update(overrides)
    return svc.DecisionInput(**data)


# Applications -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("traits", "applied_on", "deadline"),
    [
        # Wmo: 2 weeks, Monday 2 March 2026 -> Monday 16 March 2026
        ({}, datetime.date(2026, 3, 2), datetime.date(2026, 3, 16)),
        # 8 weeks end on Monday 27 April 2026, King's Day: the Algemene termijnenwet (art. 1)
        # runs the term on to Tuesday 28 April (it was 27 April before the Atw was applied)
        ({"youth": True}, datetime.date(2026, 3, 2), datetime.date(2026, 4, 28)),
        ({"participation": True}, datetime.date(2026, 3, 2), datetime.date(2026, 4, 28)),
        # Wmo: 2 weeks from Monday 13 April 2026 also end on King's Day
        ({}, datetime.date(2026, 4, 13), datetime.date(2026, 4, 28)),
        # Wmo: 2 weeks from Saturday 5 December 2026 end on a Saturday: Monday 21 December
        ({}, datetime.date(2026, 12, 5), datetime.date(2026, 12, 21)),
    ],
)
def test_submit_starts_the_legal_clock_per_law(
    make_household, generalist, traits, applied_on, deadline
):
    product = ProductFactory(**traits)
    application = svc.application_submit(
        household=make_household(),
        product=product,
        motivation="Financiën scoort 2.",
        by=generalist,
        applied_on=applied_on,
    )
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.law == product.law
    assert application.decision_deadline == deadline
    assert deadline == application_decision_deadline(law=product.law, applied_on=applied_on)


def test_submit_needs_an_applying_role(make_household, product, consultant):
    with pytest.raises(PermissionDenied):
        svc.application_submit(
            household=make_household(), product=product, motivation="x", by=consultant
        )


def test_submit_refuses_an_inactive_product(make_household, generalist):
    product = ProductFactory(active=False)
    with pytest.raises(ValidationError):
        svc.application_submit(
            household=make_household(), product=product, motivation="x", by=generalist
        )


def test_claim_puts_the_application_in_review(make_application, consultant):
    application = make_application()
    claimed = svc.application_claim(
        application=application, by=consultant, expected_version=application.version
    )
    assert claimed.status == ApplicationStatus.IN_REVIEW
    assert claimed.assigned_to == consultant
    assert claimed.version == application.version + 1


def test_claim_with_a_stale_version_is_refused(make_application, consultant):
    application = make_application()
    with pytest.raises(ConcurrentEditError):
        svc.application_claim(
            application=application, by=consultant, expected_version=application.version + 5
        )


def test_claim_needs_a_consultant(make_application, generalist):
    with pytest.raises(PermissionDenied):
        svc.application_claim(application=make_application(), by=generalist)


def test_assign_to_a_colleague_and_only_to_a_consultant(
    make_application, consultant, second_consultant, generalist
):
    application = make_application()
    assigned = svc.application_assign(
        application=application, consultant=second_consultant, by=consultant
    )
    assert assigned.assigned_to == second_consultant
    with pytest.raises(ValidationError):
        svc.application_assign(application=assigned, consultant=generalist, by=consultant)


def test_withdraw_before_a_decision_but_not_after(make_application, generalist, consultant):
    application = make_application()
    assert svc.application_withdraw(application=application, by=generalist).status == (
        ApplicationStatus.WITHDRAWN
    )
    with pytest.raises(ValidationError, match="kan niet"):
        svc.application_claim(application=application, by=consultant)

    decided = make_application()
    svc.decision_make(
        application=decided,
        by=consultant,
        data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="Geen beperking."),
    )
    with pytest.raises(ValidationError):
        svc.application_withdraw(application=decided, by=generalist)


# Decisions -------------------------------------------------------------------------------------


def test_grant_in_kind_creates_an_allocation_and_a_commitment(
    make_application, consultant, provider, area
):
    application = make_application()
    decision = svc.decision_make(application=application, by=consultant, data=grant(provider))

    application.refresh_from_db()
    assert application.status == ApplicationStatus.GRANTED
    assert application.assigned_to == consultant
    assert decision.amount == Decimal("60.00") * 3 * 26
    allocation = Allocation.objects.get(decision=decision)
    assert allocation.number == f"{allocation.pk:08d}"
    assert allocation.provider == provider
    assert (allocation.volume, allocation.unit, allocation.frequency) == (3, "04", "2")
    assert allocation.status == "not_started"
    commitment = BudgetCommitment.objects.get(decision=decision)
    assert commitment.amount == decision.amount
    assert commitment.stream == application.product.budget_stream
    assert commitment.district == area["district"]
    assert commitment.team == area["team"]


def test_grant_as_pgb_commits_but_allocates_nothing(make_application, consultant):
    decision = svc.decision_make(
        application=make_application(),
        by=consultant,
        data=grant(delivery=Delivery.PGB, amount=Decimal("1200.00")),
    )
    assert decision.amount == Decimal("1200.00")
    assert not Allocation.objects.exists()
    assert BudgetCommitment.objects.get().amount == Decimal("1200.00")


@pytest.mark.parametrize(
    "overrides",
    [
        {"volume": None},
        {"unit": ""},
        {"frequency": ""},
        {"start_date": None},
        {"delivery": Delivery.IN_KIND, "provider": None},
    ],
)
def test_a_grant_with_an_incomplete_extent_is_refused(
    make_application, consultant, provider, overrides
):
    application = make_application()
    data = grant(provider)
    for name, value in overrides.items():
        setattr(data, name, value)
    with pytest.raises(ValidationError):
        svc.decision_make(application=application, by=consultant, data=data)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not ProvisionDecision.objects.exists()


def test_the_database_refuses_a_partial_extent(make_application, consultant):
    application = make_application()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProvisionDecision.objects.create(
            application=application,
            outcome=DecisionOutcome.REJECT,
            reasons="x",
            volume=3,
            unit=Unit.HOUR,
            frequency="",
            decided_by=consultant,
        )


def test_the_database_allows_one_decision_per_application(make_application, consultant):
    application = make_application()
    ProvisionDecision.objects.create(
        application=application, outcome=DecisionOutcome.REJECT, reasons="x", decided_by=consultant
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProvisionDecision.objects.create(
            application=application,
            outcome=DecisionOutcome.REJECT,
            reasons="y",
            decided_by=consultant,
        )


def test_deciding_twice_is_refused(make_application, consultant, second_consultant):
    application = make_application()
    svc.decision_make(
        application=application,
        by=consultant,
        data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="Geen beperking."),
    )
    with pytest.raises(svc.DecisionConflictError, match="niet opnieuw"):
        svc.decision_make(
            application=application,
            by=consultant,
            data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="Nogmaals."),
        )
    assert ProvisionDecision.objects.count() == 1


def test_deciding_on_a_stale_form_after_a_colleague_decided_is_a_conflict(
    make_application, consultant, second_consultant
):
    application = make_application()
    version = application.version
    svc.decision_make(
        application=application,
        by=second_consultant,
        data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="Geen beperking."),
    )
    with pytest.raises(svc.DecisionConflictError):
        svc.decision_make(
            application=application,
            by=consultant,
            data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="x"),
            expected_version=version,
        )


@pytest.mark.parametrize("role", [Role.GENERALIST, Role.TEAM_LEAD, Role.POLICY_OFFICER])
def test_deciding_without_rights_is_refused(make_application, user_with_role, role):
    application = make_application()
    with pytest.raises(PermissionDenied):
        svc.decision_make(
            application=application,
            by=user_with_role(role),
            data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="x"),
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_deciding_an_application_a_colleague_handles_is_refused(
    make_application, consultant, second_consultant
):
    application = svc.application_claim(application=make_application(), by=second_consultant)
    with pytest.raises(ValidationError, match="collega"):
        svc.decision_make(
            application=application,
            by=consultant,
            data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="x"),
        )


def test_reject_needs_reasons(make_application, consultant):
    application = make_application()
    with pytest.raises(ValidationError):
        svc.decision_make(
            application=application,
            by=consultant,
            data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="  "),
        )
    decision = svc.decision_make(
        application=application,
        by=consultant,
        data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="Geen beperking."),
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    # the letter is issued at once, made known today; 6 weeks from the day after, under the
    # Atw: on a Saturday (as on 5 December 2026) it runs on to the Monday after
    assert decision.made_known_on == timezone.localdate()
    assert decision.objection_deadline == term_end(timezone.localdate(), weeks=6)
    assert not BudgetCommitment.objects.exists()


def test_refer_back_creates_a_referral_and_optionally_a_subsidy_signal(
    make_application, consultant
):
    provision = GeneralProvisionFactory()
    application = make_application()
    decision = svc.decision_make(
        application=application,
        by=consultant,
        data=svc.DecisionInput(
            outcome=DecisionOutcome.REFER_BACK,
            general_provision=provision,
            reasons="Probeer eerst het inloopspreekuur.",
            signal_subsidy=True,
            signal_reason="Wachtlijst van 12 weken.",
        ),
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFERRED_BACK
    referral = GeneralProvisionReferral.objects.get(decision=decision)
    assert referral.household == application.household
    assert referral.provision == provision
    signal = SubsidySignal.objects.get()
    assert (signal.general_provision, signal.reason) == (provision, "Wachtlijst van 12 weken.")

    other = svc.decision_make(
        application=make_application(),
        by=consultant,
        data=svc.DecisionInput(
            outcome=DecisionOutcome.REFER_BACK, general_provision=provision, reasons="Eerst dit."
        ),
    )
    assert not SubsidySignal.objects.filter(decision=other).exists()


def test_refer_back_needs_a_provision(make_application, consultant):
    with pytest.raises(ValidationError):
        svc.decision_make(
            application=make_application(),
            by=consultant,
            data=svc.DecisionInput(outcome=DecisionOutcome.REFER_BACK, reasons="x"),
        )


def test_a_deviation_must_be_justified(make_application, consultant, provider):
    application = make_application()
    with pytest.raises(ValidationError):
        svc.decision_make(
            application=application, by=consultant, data=grant(provider, is_deviation=True)
        )
    decision = svc.decision_make(
        application=application,
        by=consultant,
        data=grant(provider, is_deviation=True, deviation_justification="Mantelzorger valt weg."),
    )
    assert decision.is_deviation


def test_four_eyes_above_the_configured_amount(
    make_application, consultant, second_consultant, provider, settings
):
    settings.FOUR_EYES_AMOUNT = 1000
    application = make_application()
    decision = svc.decision_make(application=application, by=consultant, data=grant(provider))
    application.refresh_from_db()
    assert decision.cosign_required and not decision.is_final
    assert application.status == ApplicationStatus.AWAITING_COSIGN
    assert not Allocation.objects.exists()
    assert not BudgetCommitment.objects.exists()

    with pytest.raises(ValidationError, match="tweede consulent"):
        svc.decision_cosign(decision=decision, by=consultant)
    with pytest.raises(svc.DecisionConflictError):
        svc.decision_make(application=application, by=second_consultant, data=grant(provider))

    svc.decision_cosign(decision=decision, by=second_consultant)
    application.refresh_from_db()
    decision.refresh_from_db()
    assert application.status == ApplicationStatus.GRANTED
    assert decision.cosigned_by == second_consultant and decision.is_final
    assert Allocation.objects.filter(decision=decision).count() == 1
    assert BudgetCommitment.objects.get().amount == decision.amount
    with pytest.raises(svc.DecisionConflictError):
        svc.decision_cosign(decision=decision, by=second_consultant)


def test_below_the_four_eyes_amount_no_cosign_is_needed(
    make_application, consultant, provider, settings
):
    settings.FOUR_EYES_AMOUNT = 100_000
    decision = svc.decision_make(
        application=make_application(), by=consultant, data=grant(provider)
    )
    assert not decision.cosign_required and decision.is_final


@pytest.mark.parametrize(
    ("unit", "frequency", "volume", "tariff", "days", "expected"),
    [
        (Unit.HOUR, Frequency.PER_WEEK, 3, "60.00", 14, "360.00"),
        (Unit.DAYPART, Frequency.PER_DAY, 1, "48.90", 3, "146.70"),
        (Unit.HOUR, Frequency.TOTAL, 10, "34.10", 100, "341.00"),
        (Unit.EURO, Frequency.TOTAL, 45000, "0.01", 1, "450.00"),
    ],
)
def test_grant_amount_estimate(unit, frequency, volume, tariff, days, expected):
    start = datetime.date(2026, 1, 5)
    assert svc.grant_amount_estimate(
        tariff=Decimal(tariff),
        volume=volume,
        unit=unit,
        frequency=frequency,
        start_date=start,
        end_date=start + datetime.timedelta(days=days - 1),
    ) == Decimal(expected)


# Referrals -------------------------------------------------------------------------------------


def test_referral_and_follow_up(make_household, generalist):
    provision = GeneralProvisionFactory()
    referral = svc.referral_create(
        household=make_household(), provision=provision, by=generalist, reason="Post op orde."
    )
    assert referral.follow_up_on == referral.referred_on + datetime.timedelta(weeks=4)
    assert referral.outcome == ReferralOutcome.PENDING
    with pytest.raises(ValidationError):
        svc.referral_follow_up(referral=referral, by=generalist, outcome=ReferralOutcome.PENDING)
    followed = svc.referral_follow_up(
        referral=referral, by=generalist, outcome=ReferralOutcome.HELPED, note="Loopt goed."
    )
    assert followed.outcome == ReferralOutcome.HELPED
    assert followed.followed_up_on == timezone.localdate()


def test_referral_needs_an_applying_role(make_household, consultant):
    with pytest.raises(PermissionDenied):
        svc.referral_create(
            household=make_household(), provision=GeneralProvisionFactory(), by=consultant
        )


# Team mandate ----------------------------------------------------------------------------------


def test_mandate_spending_commits_against_the_stream(
    make_household, generalist, mandate, area, product
):
    household = make_household()
    spending = svc.mandate_spend(
        team=area["team"],
        household=household,
        amount=Decimal("800.00"),
        reason="Huurachterstand: ontruiming voorkomen.",
        stream=product.budget_stream,
        by=generalist,
    )
    commitment = BudgetCommitment.objects.get(mandate_spending=spending)
    assert commitment.amount == Decimal("800.00")
    assert (commitment.team, commitment.district) == (area["team"], area["district"])


def test_mandate_never_exceeds_the_per_case_limit(
    make_household, generalist, mandate, area, product
):
    household = make_household()
    kwargs = {"team": area["team"], "household": household, "stream": product.budget_stream}
    svc.mandate_spend(amount=Decimal("1000.00"), reason="Huur", by=generalist, **kwargs)
    with pytest.raises(ValidationError, match=re.escape("nog € 500,00 van € 1.500,00")):
        svc.mandate_spend(amount=Decimal("600.00"), reason="Energie", by=generalist, **kwargs)
    svc.mandate_spend(amount=Decimal("500.00"), reason="Energie", by=generalist, **kwargs)


def test_mandate_never_exceeds_the_budget(make_household, generalist, mandate, area, product):
    for _ in range(3):
        svc.mandate_spend(
            team=area["team"],
            household=make_household(),
            amount=Decimal("1500.00"),
            reason="Huur",
            stream=product.budget_stream,
            by=generalist,
        )
    with pytest.raises(ValidationError, match="over het mandaatbudget heen"):
        svc.mandate_spend(
            team=area["team"],
            household=make_household(),
            amount=Decimal("600.00"),
            reason="Huur",
            stream=product.budget_stream,
            by=generalist,
        )


def test_mandate_needs_a_member_of_the_team_and_a_mandate(
    make_household, area, other_area, product, user_with_role
):
    outsider = TeamMemberFactory(team=other_area["team"]).user
    household = make_household()
    kwargs = {
        "household": household,
        "amount": Decimal("10.00"),
        "reason": "x",
        "stream": product.budget_stream,
    }
    with pytest.raises(PermissionDenied):
        svc.mandate_spend(team=area["team"], by=outsider, **kwargs)
    with pytest.raises(PermissionDenied):
        svc.mandate_spend(team=area["team"], by=user_with_role(Role.CONSULTANT), **kwargs)
    with pytest.raises(ValidationError, match="geen mandaatbudget"):
        svc.mandate_spend(team=other_area["team"], by=outsider, **kwargs)


# Reminders of the decision clock: tests/cases/deadlines/test_reminders.py


def test_objection_deadline_is_six_weeks_under_the_algemene_termijnenwet(
    make_application, consultant
):
    application = make_application()
    decision = svc.decision_make(
        application=application,
        by=consultant,
        data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="Geen beperking."),
    )
    assert decision.objection_deadline == decision_objection_deadline(
        made_known_on=decision.made_known_on
    )
    # made known on Friday 3 April 2026: 6 weeks end on Friday 15 May 2026, a day the Crown
    # equated with a holiday, so the term runs on to Monday 18 May
    assert decision_objection_deadline(made_known_on=datetime.date(2026, 4, 3)) == (
        datetime.date(2026, 5, 18)
    )
    # made known on Monday 2 March 2026: Monday 13 April 2026, a working day
    assert decision_objection_deadline(made_known_on=datetime.date(2026, 3, 2)) == (
        datetime.date(2026, 4, 13)
    )


def test_a_grant_awaiting_cosignature_notifies_the_area_consultants(
    make_application, consultant, second_consultant, user_with_role, provider, area, settings
):
    settings.FOUR_EYES_AMOUNT = 100
    elsewhere = user_with_role(Role.CONSULTANT)
    AreaConsultant.objects.filter(user=consultant, law_domain=LawDomain.WMO).delete()
    AreaConsultant.objects.create(
        district=area["district"],
        law_domain=LawDomain.WMO,
        user=second_consultant,
        phone="040-1234567",
        email="c2@example.org",
    )
    application = make_application()
    svc.decision_make(application=application, by=consultant, data=grant(provider))
    note = Notification.objects.get()
    assert (note.user, note.kind, note.application) == (
        second_consultant,
        NotificationKind.COSIGN,
        application,
    )
    assert not Notification.objects.filter(user__in=[consultant, elsewhere]).exists()


def test_without_an_area_consultant_every_other_consultant_is_asked(
    make_application, consultant, second_consultant, provider, settings
):
    settings.FOUR_EYES_AMOUNT = 100
    svc.decision_make(application=make_application(), by=consultant, data=grant(provider))
    assert list(Notification.objects.values_list("user", flat=True)) == [second_consultant.pk]


# Link to the support plan ----------------------------------------------------------------------


def test_application_links_the_households_current_plan(make_household, product, generalist):
    household = make_household()
    SupportPlanFactory(household=household, ready=True, status=PlanStatus.CLOSED)
    draft = SupportPlanFactory(household=household)
    application = svc.application_submit(
        household=household, product=product, motivation="x", by=generalist
    )
    assert application.plan == draft
    referral = svc.referral_create(
        household=household, provision=GeneralProvisionFactory(), by=generalist
    )
    assert referral.plan == draft


def test_application_refuses_another_households_plan(make_household, product, generalist):
    other_plan = SupportPlanFactory(household=make_household())
    with pytest.raises(ValidationError, match="ander huishouden"):
        svc.application_submit(
            household=make_household(),
            product=product,
            motivation="x",
            by=generalist,
            plan=other_plan,
        )


def test_without_a_plan_the_application_stands_alone(make_household, product, generalist):
    application = svc.application_submit(
        household=make_household(), product=product, motivation="x", by=generalist
    )
    assert application.plan is None
