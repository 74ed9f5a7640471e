"""A small data set whose outcome figures are computed by hand in tests/outcomes/test_figures.py
(also used by the browser test).

District A (the `area` fixture, team TA) has households h1-h6, district B (`other_area`) h7.

| household | intake (conversation)        | evaluations                                   |
|-----------|------------------------------|-----------------------------------------------|
| h1        | finances 2, housing 3        | 2026-03-10: fin 3, hou 3; 2026-05-20: fin 4, hou 2 |
| h2        | finances 3                   | 2026-05-02: fin 3                             |
| h3        | finances 4                   | 2026-05-03: fin 2                             |
| h4        | finances 1                   | 2026-05-04: fin 3                             |
| h5        | finances 2, social network 2 | 2026-05-05: fin 4 (social network not scored) |
| h6        | finances 2                   | 2025-11-01: fin 2                             |
| h7 (B)    | finances 3                   | 2026-05-06: fin 5                             |
"""

import datetime
import zoneinfo
from decimal import Decimal

from cases.intake.models import KitchenTableConversation, LifeDomainScore, MeldingChannel
from cases.plans.models import Evaluation, PlanStatus, SupportPlan
from cases.provisions.models import Allocation as AllocationModel
from cases.provisions.models import (
    BudgetCommitment,
    DecisionOutcome,
    MandateSpending,
    ProvisionApplication,
    ProvisionDecision,
)
from cases.provisions.selectors import application_decision_deadline
from teams.roles import Role
from tests.factories import MeldingFactory, OrganisationFactory, UserFactory
from tests.provision_factories import BudgetStreamFactory, ProductFactory, TeamMandateFactory

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=AMS)


D = datetime.date


def conversation(household, held_on, scores, melding=None):
    conv = KitchenTableConversation.objects.create(
        household=household, held_on=held_on, resident_story="Verhaal.", melding=melding
    )
    LifeDomainScore.objects.bulk_create(
        LifeDomainScore(conversation=conv, domain=d, score=s) for d, s in scores.items()
    )
    return conv


def plan(household, conv, coordinator, activated_on=None, status=PlanStatus.ACTIVE):
    # the plan's coordinator is the household's (one field)
    type(household).objects.filter(pk=household.pk).update(coordinator=coordinator)
    household.coordinator = coordinator
    return SupportPlan.objects.create(
        household=household,
        conversation=conv,
        status=status,
        aftercare_in_place="Waakvlam.",
        activated_at=noon(activated_on) if activated_on else None,
    )


def evaluate(support_plan, on, scores):
    evaluation = Evaluation.objects.create(plan=support_plan, evaluated_on=on)
    LifeDomainScore.objects.bulk_create(
        LifeDomainScore(evaluation=evaluation, domain=d, score=s) for d, s in scores.items()
    )
    return evaluation


def melding(household, received_on):
    return MeldingFactory(
        household=household, received_on=received_on, channel=MeldingChannel.PHONE, question="?"
    )


def build_outcome_dataset(area, other_area, make_household, generalist):
    hh = {f"h{n}": make_household() for n in range(1, 7)}
    hh["h7"] = make_household(neighbourhood=other_area["neighbourhood"])
    g = generalist

    # h1: melding 1 Jan, conversation 15 Jan, plan active 29 Jan (28 days)
    m1 = melding(hh["h1"], D(2026, 1, 1))
    c1 = conversation(hh["h1"], D(2026, 1, 15), {"finances": 2, "housing": 3}, melding=m1)
    p1 = plan(hh["h1"], c1, g, activated_on=D(2026, 1, 29))
    evaluate(p1, D(2026, 3, 10), {"finances": 3, "housing": 3})
    evaluate(p1, D(2026, 5, 20), {"finances": 4, "housing": 2})
    # h2: no melding, conversation 1 Feb, plan active 8 Feb (7 days)
    c2 = conversation(hh["h2"], D(2026, 2, 1), {"finances": 3})
    p2 = plan(hh["h2"], c2, g, activated_on=D(2026, 2, 8))
    evaluate(p2, D(2026, 5, 2), {"finances": 3})
    # h3: melding 1 Jan, conversation 10 Jan, plan active 1 Apr (90 days)
    melding(hh["h3"], D(2026, 1, 1))
    c3 = conversation(hh["h3"], D(2026, 1, 10), {"finances": 4})
    p3 = plan(hh["h3"], c3, g, activated_on=D(2026, 4, 1))
    evaluate(p3, D(2026, 5, 3), {"finances": 2})
    # h4: melding 1 Dec 2025, first plan active 10 Jan (40 days), closed; a second plan later
    melding(hh["h4"], D(2025, 12, 1))
    c4 = conversation(hh["h4"], D(2026, 1, 5), {"finances": 1})
    p4 = plan(hh["h4"], c4, g, activated_on=D(2026, 1, 10), status=PlanStatus.CLOSED)
    evaluate(p4, D(2026, 5, 4), {"finances": 3})
    plan(hh["h4"], None, g, activated_on=D(2026, 3, 1))
    # h5, h6, h7: plans without an activation date (not in time-to-plan)
    c5 = conversation(hh["h5"], D(2026, 2, 1), {"finances": 2, "social_network": 2})
    evaluate(plan(hh["h5"], c5, g), D(2026, 5, 5), {"finances": 4})
    c6 = conversation(hh["h6"], D(2025, 9, 1), {"finances": 2})
    evaluate(plan(hh["h6"], c6, g), D(2025, 11, 1), {"finances": 2})
    c7 = conversation(hh["h7"], D(2026, 2, 1), {"finances": 3})
    evaluate(plan(hh["h7"], c7, g), D(2026, 5, 6), {"finances": 5})

    # allocations: h1 with P from 1 Jan (counts); h3 with P only after its evaluation (not);
    # h4 with Q ended before its intake (not)
    consultant = UserFactory(roles=[Role.CONSULTANT])
    provider_p = OrganisationFactory(name="Zorg P")
    provider_q = OrganisationFactory(name="Zorg Q")
    product = ProductFactory()
    youth = ProductFactory(youth=True)
    stream = product.budget_stream

    def decide(household, product, applied_on, decided_on, cosign=False, cosigned_on=None):
        application = ProvisionApplication.objects.create(
            household=household,
            product=product,
            motivation="m",
            applied_on=applied_on,
            decision_deadline=application_decision_deadline(law=product.law, applied_on=applied_on),
        )
        return ProvisionDecision.objects.create(
            application=application,
            outcome=DecisionOutcome.REJECT,
            reasons="r",
            decided_by=consultant,
            decided_at=noon(decided_on),
            cosign_required=cosign,
            cosigned_at=noon(cosigned_on) if cosigned_on else None,
        )

    d1 = decide(hh["h1"], product, D(2026, 3, 1), D(2026, 3, 10))  # within (16 Mar, Atw)
    d2 = decide(hh["h2"], product, D(2026, 3, 1), D(2026, 3, 20))  # late
    decide(hh["h3"], youth, D(2026, 3, 1), D(2026, 4, 1))  # within (28 Apr, Atw)
    decide(hh["h4"], product, D(2026, 3, 1), D(2026, 3, 10), True, D(2026, 3, 20))  # late
    decide(hh["h5"], product, D(2026, 3, 1), D(2026, 3, 10), True)  # not final: left out
    decide(hh["h1"], product, D(2026, 4, 1), D(2026, 4, 5))  # within

    for household, provider, start, end in (
        (hh["h1"], provider_p, D(2026, 1, 1), None),
        (hh["h3"], provider_p, D(2026, 6, 1), None),
        (hh["h4"], provider_q, D(2024, 1, 1), D(2025, 1, 1)),
    ):
        AllocationModel.objects.create(
            number=f"A{household.pk}",
            decision=d1,
            household=household,
            provider=provider,
            product=product,
            volume=1,
            unit="04",
            frequency="2",
            start_date=start,
            end_date=end,
        )

    team = area["team"]
    for decision, amount in ((d1, "1000.00"), (d2, "500.00")):
        BudgetCommitment.objects.create(
            stream=stream,
            year=2026,
            district=area["district"],
            team=team,
            amount=Decimal(amount),
            decision=decision,
        )
    mandate = TeamMandateFactory(team=team, year=2026)
    for household, amount in ((hh["h1"], "200"), (hh["h2"], "300"), (hh["h1"], "100")):
        MandateSpending.objects.create(
            mandate=mandate,
            household=household,
            stream=BudgetStreamFactory(),
            amount=Decimal(amount),
            reason="Huurachterstand",
            spent_by=g,
        )
    return {
        **hh,
        "A": area["district"],
        "B": other_area["district"],
        "team": team,
        "P": provider_p,
        "Q": provider_q,
        "product": product,
        "stream": stream,
    }
