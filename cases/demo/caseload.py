"""Demo caseload for the `generalist` login: meldingen with running deadlines (one overdue),
kitchen-table conversations, a draft plan, an active plan and a closed plan with aftercare.
Goes through the real services; idempotent (skipped when the generalist already coordinates
households)."""

import datetime

from django.utils import timezone

from cases.households import services as household_services
from cases.households.models import Household
from cases.households.selectors import current_residents
from cases.intake import services as intake_services
from cases.intake.models import LifeDomain, MeldingChannel
from cases.plans import services as plan_services
from cases.plans.models import ActionOwnerKind, AgreementMethod
from cases.plans.selectors import (
    aftercare_check_in_dates_default,
    plan_current_version,
    plan_evaluation_date_default,
)

# days since the melding; what happens next: "melding", "conversation", "draft", "active", "closed"
DEMO_CASES = [
    (3, "melding", "Ik krijg de post niet meer open, er komen steeds meer aanmaningen."),
    (12, "melding", "Sinds mijn man overleed lukt het huishouden niet meer."),
    (47, "melding", "Onze zoon gaat al weken niet naar school."),
    (20, "conversation", "We hebben huurachterstand en de verhuurder dreigt met ontruiming."),
    (25, "draft", "Ik ben eenzaam en kom de deur bijna niet meer uit."),
    (60, "active", "Schulden en stress; de kinderen merken het."),
    (200, "closed", "Na mijn burn-out heb ik weer structuur nodig."),
]
LOW_SCORES = {"finances": 2, "social_network": 2, "housing": 3, "mental_health": 2, "time_use": 3}
# as the conversation screen records it: every life domain scored or marked "not discussed"
NOT_DISCUSSED = ("substance_use", "justice")
CONVERSATION_SCORES = {
    **{domain: 4 for domain in LifeDomain.values if domain not in NOT_DISCUSSED},
    **LOW_SCORES,
}
EVALUATION_SCORES = {"finances": 3, "social_network": 3, "housing": 4, "mental_health": 3}


def seed_caseload(*, generalist) -> int:
    if generalist is None or Household.objects.filter(coordinator=generalist).exists():
        return 0
    today = timezone.localdate()
    team_district = generalist.team_memberships.values_list("team__district_id", flat=True)
    households = list(
        Household.objects.filter(neighbourhood__district_id__in=team_district).order_by("pk")[
            : len(DEMO_CASES)
        ]
    )
    for household, (days_ago, stage, question) in zip(households, DEMO_CASES, strict=False):
        received = today - datetime.timedelta(days=days_ago)
        melding = intake_services.melding_register(
            household=household,
            by=generalist,
            channel=MeldingChannel.PHONE,
            question=question,
            received_on=received,
        )
        household_services.household_coordinator_set(
            household_id=household.pk, user_id=generalist.pk, by=generalist
        )
        if stage == "melding":
            continue
        conversation = intake_services.conversation_record(
            household=household,
            by=generalist,
            melding=melding,
            held_on=received + datetime.timedelta(days=7),
            place="Aan de keukentafel thuis",
            resident_story=question,
            own_strength="Wil graag zelf de regie houden.",
            network_strength="Zus komt wekelijks langs.",
            # basic needs asked: yes (a crisis) or no; food was not asked
            income_crisis=False,
            debts_crisis=stage in ("conversation", "active"),
            debts_note="Aanmaningen en een deurwaarder." if stage == "active" else "",
            housing_crisis=False,
            food_crisis=None,
            scores=CONVERSATION_SCORES,
            domains_not_discussed=NOT_DISCUSSED,
        )
        if stage == "conversation":
            continue
        plan = plan_services.plan_create(
            household=household, by=generalist, conversation=conversation
        )
        if stage == "draft":
            continue
        plan_services.plan_update(
            plan=plan,
            by=generalist,
            evaluation_date=plan_evaluation_date_default(start=today),
            aftercare_in_place="Budgetbeheer loopt door; maatje via Welzijn als waakvlam.",
            aftercare_agreed_with="Inwoner, zus en Welzijn Dommelstede",
            # the closed plan closes today: its check-ins fall 6 and 13 weeks after that
            aftercare_check_in_dates=aftercare_check_in_dates_default(closed_on=today),
        )
        plan_services.action_add(
            plan=plan,
            by=generalist,
            description="Samen de post openen en sorteren",
            owner_kind=ActionOwnerKind.OTHER,
            owner_text="Buurvrouw Ans",
            due_on=today + datetime.timedelta(days=5),
        )
        plan_services.plan_agreement_record(
            plan=plan,
            by=generalist,
            version_seen=plan_current_version(plan=plan),
            method=AgreementMethod.PAPER,
            resident=current_residents(household=household).first(),
            agreed_on=min(received + datetime.timedelta(days=14), today),
        )
        plan_services.plan_activate(plan=plan, by=generalist)
        if stage == "closed":
            plan_services.evaluation_record(plan=plan, by=generalist, scores=EVALUATION_SCORES)
            plan_services.plan_close(plan=plan, by=generalist)
    return len(households)
