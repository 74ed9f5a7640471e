"""Demo history for the outcome dashboards (`seed_demo`): per district a neighbourhood coach
with about thirty households that went from melding and kitchen-table conversation to an
active plan and one or two evaluations, decisions on applications (some after the legal term),
grants in kind with the demo providers, mandate spending, and bottlenecks over the last year.

Goes through the services; dates are then set back in time (a demo needs history, the
services stamp "now"). Idempotent: skipped when the demo coaches already have bottlenecks."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from cases.households.models import Household
from cases.households.selectors import current_residents
from cases.intake import services as intake_services
from cases.intake.models import LifeDomain, MeldingChannel
from cases.plans import selectors as plan_selectors
from cases.plans import services as plan_services
from cases.plans.models import AgreementMethod, SupportPlan
from cases.provisions import services as psvc
from cases.provisions.models import ProvisionDecision
from networks.models import BudgetStream, Contract, Organisation, Product
from outcomes import services
from outcomes.models import Bottleneck, RuleKind
from teams.models import MemberProfile, Team, TeamMember
from teams.roles import Role
from teams.services import user_role_assign

PER_DISTRICT = 30
CHANGES = [-1, 0, 0, 1, 1, 1, 2]  # evaluation score minus intake score, drawn at random
PROVIDER_AGB = ["12345678", "87654321", "11223344"]
BOTTLENECKS = [
    (
        RuleKind.WMO_REGULATION,
        "Verordening Wmo art. 4.2: geen traplift in een huurwoning",
        "Een oudere bewoner kon niet naar boven; de corporatie en de Wmo wezen naar elkaar.",
        "Eén loket dat de kosten eerst betaalt en later verrekent.",
    ),
    (
        RuleKind.BUDGET_LINE,
        "Bijzondere bijstand: geen vergoeding voor een wasmachine",
        "Gezin met vier kinderen zonder wasmachine; de regel sluit witgoed uit.",
        "Ruimte om binnen het brede budget maatwerk te leveren.",
    ),
    (
        RuleKind.MANDATE_LIMIT,
        "Mandaatgrens € 2.500 per huishouden",
        "Huurachterstand van € 3.100: ontruiming dreigde, het mandaat was te klein.",
        "Een hogere grens bij dreigende ontruiming, met achteraf verantwoording.",
    ),
    (
        RuleKind.PROCEDURE,
        "Aanvraagformulier Jeugdwet vraagt een verwijzing",
        "Een jongere moest weken wachten op een verwijzing terwijl de hulp al duidelijk was.",
        "Het wijkteam laten verwijzen zonder aparte aanvraag.",
    ),
    (
        RuleKind.CONTRACT,
        "Productcatalogus: geen product voor gezinscoaching thuis",
        "De passende hulp bestond niet als product; alleen een zwaarder traject kon.",
        "Een maatwerkproduct 'overig' met een vaste prijs per uur.",
    ),
    (
        RuleKind.DATA_SHARING,
        "Geen toestemming om met de school te overleggen",
        "Zonder overleg met school liep een plan vast; de ouder was lastig bereikbaar.",
        "Duidelijke uitleg voor ouders over waarom overleg helpt.",
    ),
    (
        RuleKind.PARTICIPATION_RULES,
        "Kostendelersnorm bij inwonende volwassen zoon",
        "Moeder kortte haar uitkering als haar zoon bleef wonen; hij dreigde dakloos te worden.",
        "Tijdelijke uitzondering op de kostendelersnorm.",
    ),
]


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _coach(team: Team):
    """A neighbourhood coach for the team's demo history (not a demo login)."""
    username = f"wijkcoach-{team.district.code.lower()}"
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"first_name": "Wijkcoach", "last_name": team.district.name},
    )
    if created:
        user.set_unusable_password()
        user.save()
    user_role_assign(user=user, role=Role.GENERALIST)
    TeamMember.objects.get_or_create(
        team=team, user=user, defaults={"profile": MemberProfile.CARE_WORKER}
    )
    return user


def seed_outcomes(*, seed: int = 2015) -> int:
    """Returns the number of households given a history (0 when already done)."""
    consultant = get_user_model().objects.filter(username="consultant").first()
    if (
        consultant is None
        or Bottleneck.objects.filter(reported_by__username__startswith="wijkcoach-").exists()
    ):
        return 0
    rng = random.Random(seed)
    today = timezone.localdate()
    products = list(Product.objects.filter(active=True).order_by("pk"))
    providers = list(Organisation.objects.filter(agb_code__in=PROVIDER_AGB).order_by("agb_code"))
    streams = list(BudgetStream.objects.filter(active=True).order_by("pk"))
    domains = list(LifeDomain.values)
    done = 0
    for team in Team.objects.select_related("district").order_by("district__code"):
        coach = _coach(team)
        households = list(
            Household.objects.filter(neighbourhood__district=team.district)
            .filter(Q(coordinator__isnull=True), plans__isnull=True, meldingen__isnull=True)
            .order_by("pk")[:PER_DISTRICT]
        )
        for index, household in enumerate(households):
            received = today - datetime.timedelta(days=rng.randint(120, 700))
            melding = intake_services.melding_register(
                household=household,
                by=coach,
                channel=MeldingChannel.PHONE,
                question="Demo: vraag om ondersteuning.",
                received_on=received,
            )
            held_on = received + datetime.timedelta(days=rng.randint(3, 25))
            intake = {d: rng.randint(1, 4) for d in rng.sample(domains, 6)}
            intake["finances"] = rng.randint(1, 3)
            conversation = intake_services.conversation_record(
                household=household,
                by=coach,
                melding=melding,
                held_on=held_on,
                resident_story="Demo: het verhaal van de bewoner.",
                scores=intake,
            )
            plan = plan_services.plan_create(
                household=household, by=coach, conversation=conversation
            )
            plan_services.plan_update(
                plan=plan,
                by=coach,
                aftercare_in_place="Demo: waakvlam via het wijkteam.",
                aftercare_agreed_with="Bewoner en wijkteam",
            )
            if not plan.goals.exists():
                plan_services.goal_add(
                    plan=plan, by=coach, domain="finances", description="Rust in de financiën"
                )
            signer = current_residents(household=household).first()
            plan_services.plan_agreement_record(
                plan=plan,
                by=coach,
                version_seen=plan_selectors.plan_current_version(plan=plan),
                method=AgreementMethod.PAPER if signer else AgreementMethod.REPRESENTATIVE,
                resident=signer,
                representative_name="" if signer else "Demo: mentor",
                representative_capacity="" if signer else "mentor",
                agreed_on=min(held_on + datetime.timedelta(days=5), today),
            )
            plan_services.plan_activate(plan=plan, by=coach)
            activated = held_on + datetime.timedelta(days=rng.choice([5, 10, 20, 30, 45, 70]))
            SupportPlan.objects.filter(pk=plan.pk).update(activated_at=_noon(activated))
            for months in (3, 6):
                evaluated_on = activated + datetime.timedelta(days=30 * months)
                if evaluated_on >= today:
                    break
                scores = {d: min(5, max(1, s + rng.choice(CHANGES))) for d, s in intake.items()}
                plan_services.evaluation_record(
                    plan=plan, by=coach, scores=scores, evaluated_on=evaluated_on
                )
            if index % 2 == 0 and products and providers:
                _decide(
                    household=household,
                    coach=coach,
                    consultant=consultant,
                    product=products[index % len(products)],
                    provider=providers[index % len(providers)],
                    applied_on=activated + datetime.timedelta(days=3),
                    days=rng.choice([4, 7, 10, 12, 13, 16, 21, 30]),
                    grant=index % 6 != 0,
                )
            if index % 5 == 0 and streams and activated.year == today.year:
                try:
                    psvc.mandate_spend(
                        team=team,
                        household=household,
                        amount=Decimal(rng.choice([150, 300, 450, 800])),
                        reason="Demo: urgente hulp.",
                        stream=streams[index % len(streams)],
                        by=coach,
                        spent_on=activated,
                    )
                except ValidationError:
                    continue
            done += 1
        for n in range(8):
            kind, rule, blocked, helped = BOTTLENECKS[rng.randrange(len(BOTTLENECKS))]
            bottleneck = services.bottleneck_record(
                by=coach,
                rule_kind=kind,
                rule=rule,
                blocked=blocked,
                would_have_helped=helped,
                district=team.district,
                household=households[n] if n < len(households) and n % 2 == 0 else None,
                occurred_on=today - datetime.timedelta(days=rng.randint(0, 360)),
            )
            if kind == RuleKind.BUDGET_LINE and streams:
                Bottleneck.objects.filter(pk=bottleneck.pk).update(budget_stream=streams[0])
    services.summaries_recompute()
    return done


def _decide(*, household, coach, consultant, product, provider, applied_on, days, grant):
    application = psvc.application_submit(
        household=household,
        product=product,
        motivation="Demo: zelfredzaamheid beperkt op meerdere domeinen.",
        by=coach,
        applied_on=applied_on,
    )
    psvc.application_claim(application=application, by=consultant)
    application.refresh_from_db()
    if grant:
        start = applied_on + datetime.timedelta(days=days)
        # a grant in kind goes only to a provider contracted for the product on the start date
        Contract.objects.get_or_create(
            organisation=provider,
            product=product,
            valid_from=datetime.date(start.year, 1, 1),
            defaults={"tariff": product.tariff, "valid_until": datetime.date(start.year, 12, 31)},
        )
        data = psvc.DecisionInput(
            outcome="grant",
            product=product,
            volume=3,
            unit=product.unit,
            frequency="2",
            start_date=applied_on + datetime.timedelta(days=days),
            end_date=applied_on + datetime.timedelta(days=days + 365),
            delivery="in_kind",
            provider=provider,
            amount=Decimal("1200.00"),
        )
    else:
        data = psvc.DecisionInput(outcome="reject", reasons="Demo: voorliggende voorziening.")
    decision = psvc.decision_make(application=application, by=consultant, data=data)
    ProvisionDecision.objects.filter(pk=decision.pk).update(
        decided_at=_noon(applied_on + datetime.timedelta(days=days))
    )
