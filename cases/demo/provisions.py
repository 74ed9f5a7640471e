"""Demo catalogue for `seed_demo`: budget streams, general provisions, products, team mandates and
a few applications. Idempotent: running it again changes nothing."""

import datetime
from decimal import Decimal

from django.utils import timezone

from cases.households.models import Household
from cases.provisions import services as provision_services
from cases.provisions.models import ProvisionApplication
from networks.models import (
    GENERAL_ASSISTANCE_CODE,
    BudgetStream,
    Contract,
    GeneralProvision,
    Law,
    Organisation,
    Product,
    StreamBudget,
    Subsidy,
    Unit,
)
from teams.models import District, Team, TeamMandate

# code, name, municipality-wide yearly budget
STREAMS = [
    ("wmo-begeleiding", "Wmo begeleiding", 4_200_000),
    ("huishoudelijke-ondersteuning", "Huishoudelijke ondersteuning", 3_100_000),
    ("jeugdhulp", "Jeugdhulp", 6_800_000),
    ("participatie", "Participatie", 1_900_000),
    ("bijzondere-bijstand", "Bijzondere bijstand", 850_000),
    ("schuldhulpverlening", "Schuldhulpverlening", 620_000),
    ("armoedebestrijding", "Armoedebestrijding", 540_000),
]
# name, law, category, product code, unit, tariff, stream code
PRODUCTS = [
    ("Begeleiding individueel", Law.WMO, "02", "02A01", Unit.HOUR, "62.40", "wmo-begeleiding"),
    (
        "Begeleiding groep (dagbesteding)",
        Law.WMO,
        "07",
        "07A01",
        Unit.DAYPART,
        "48.90",
        "wmo-begeleiding",
    ),
    (
        "Huishoudelijke ondersteuning",
        Law.WMO,
        "01",
        "01A01",
        Unit.HOUR,
        "34.10",
        "huishoudelijke-ondersteuning",
    ),
    ("Kortdurend verblijf", Law.WMO, "04", "04A01", Unit.DAY, "142.00", "wmo-begeleiding"),
    ("Jeugdhulp ambulant", Law.YOUTH, "45", "45A01", Unit.HOUR, "88.20", "jeugdhulp"),
    ("Jeugd-ggz", Law.YOUTH, "54", "54001", Unit.HOUR, "109.50", "jeugdhulp"),
    ("Jeugdhulp verblijf pleegzorg", Law.YOUTH, "44", "44A01", Unit.DAY, "61.00", "jeugdhulp"),
    ("Bijzondere bijstand", Law.PARTICIPATION, "", "", Unit.EURO, "0.01", "bijzondere-bijstand"),
    # the benefit for the costs of living: an advance is due while the right is being
    # established (Participatiewet art. 52), marked by its product code; paid from the
    # participation stream in the demo (in practice the Rijk's BUIG budget)
    (
        "Algemene bijstand",
        Law.PARTICIPATION,
        "",
        GENERAL_ASSISTANCE_CODE,
        Unit.EURO,
        "0.01",
        "participatie",
    ),
    (
        "Re-integratietraject",
        Law.PARTICIPATION,
        "",
        "",
        Unit.PIECES_OUTPUT,
        "1450.00",
        "participatie",
    ),
]
# name, organisation code, offer, access, waiting weeks, district codes (empty: everywhere)
GENERAL_PROVISIONS = [
    (
        "Inloopspreekuur geldzaken",
        "schuldhulp-dommel",
        "Hulp bij post, formulieren, toeslagen en beginnende schulden.",
        "Zonder afspraak, dinsdag- en donderdagochtend in het wijkcentrum.",
        0,
        [],
    ),
    (
        "Maatjesproject",
        "maatjes-dommel",
        "Een vrijwilliger die wekelijks langskomt: samen boodschappen doen, wandelen, praten.",
        "Aanmelden via de website of telefonisch.",
        4,
        [],
    ),
    (
        "Opvoedcursus Samen Sterk",
        "welzijn-dommel",
        "Zes avonden voor ouders van kinderen tot 12 jaar over grenzen stellen en ruzies.",
        "Aanmelden bij het wijkcentrum; gratis.",
        2,
        ["WK099901", "WK099902"],
    ),
    (
        "Ontmoetingscentrum De Kiosk",
        "welzijn-dommel",
        "Open dagbesteding en koffie-ochtenden voor ouderen en mensen met geheugenproblemen.",
        "Binnenlopen op werkdagen van 10 tot 15 uur.",
        0,
        ["WK099903", "WK099904"],
    ),
    (
        "Klussendienst",
        "welzijn-dommel",
        "Vrijwilligers helpen met kleine klussen in en om huis.",
        "Bellen met het wijkcentrum; eigen bijdrage € 5 per klus.",
        1,
        [],
    ),
]
MANDATE_BUDGET = Decimal("40000.00")
MANDATE_LIMIT = Decimal("2500.00")


def seed_provisions(*, generalist) -> dict:
    year = timezone.localdate().year
    streams = {}
    for code, name, budget in STREAMS:
        stream, _ = BudgetStream.objects.get_or_create(code=code, defaults={"name": name})
        streams[code] = stream
        StreamBudget.objects.get_or_create(
            stream=stream, year=year, district=None, defaults={"amount": Decimal(budget)}
        )
        districts = list(District.objects.order_by("code"))
        for district in districts:
            StreamBudget.objects.get_or_create(
                stream=stream,
                year=year,
                district=district,
                defaults={"amount": (Decimal(budget) / len(districts)).quantize(Decimal("1"))},
            )
    products = {}
    for name, law, category, code, unit, tariff, stream_code in PRODUCTS:
        product, _ = Product.objects.get_or_create(
            name=name,
            law=law,
            defaults={
                "category": category,
                "code": code,
                "unit": unit,
                "tariff": Decimal(tariff),
                "budget_stream": streams[stream_code],
            },
        )
        products[name] = product
    for name, org_code, offer, access, waiting, district_codes in GENERAL_PROVISIONS:
        organisation = Organisation.objects.get(code=org_code)
        provision, created = GeneralProvision.objects.get_or_create(
            name=name,
            defaults={
                "organisation": organisation,
                "offer": offer,
                "access": access,
                "waiting_weeks": waiting,
            },
        )
        if created and district_codes:
            provision.districts.set(District.objects.filter(code__in=district_codes))
        Subsidy.objects.get_or_create(
            organisation=provision.organisation,
            general_provision=provision,
            year=year,
            defaults={"amount": Decimal(SUBSIDY_AMOUNT)},
        )
    _seed_contracts(products=products, year=year)
    for team in Team.objects.all():
        TeamMandate.objects.get_or_create(
            team=team,
            year=year,
            defaults={"budget": MANDATE_BUDGET, "per_case_limit": MANDATE_LIMIT},
        )
    applications = 0
    if generalist is not None and not ProvisionApplication.objects.exists():
        households = list(Household.objects.order_by("pk")[:7])
        today = timezone.localdate()
        demo = [
            (
                "Begeleiding individueel",
                12,
                "Financiën en sociaal netwerk scoren 2: structuur nodig.",
            ),
            ("Huishoudelijke ondersteuning", 3, "Basale ADL scoort 2 na een heupoperatie."),
            ("Jeugdhulp ambulant", 20, "Huiselijke relaties scoren 1: veel ruzie met zoon (14)."),
            ("Bijzondere bijstand", 40, "Wasmachine kapot; geen reserves (financiën 2)."),
            (
                "Begeleiding groep (dagbesteding)",
                16,
                "Tijdsbesteding scoort 2; overbelaste mantelzorger.",
            ),
            ("Jeugd-ggz", 6, "Geestelijke gezondheid dochter scoort 2; huisarts verwijst."),
            # an advance is due within 4 weeks (Participatiewet art. 52): the demo shows it
            ("Algemene bijstand", 9, "Geen inkomen na ontslag; financiën scoort 1."),
        ]
        for household, (product_name, days_ago, motivation) in zip(households, demo, strict=False):
            provision_services.application_submit(
                household=household,
                product=products[product_name],
                motivation=motivation,
                by=generalist,
                applied_on=today - datetime.timedelta(days=days_ago),
            )
            applications += 1
    _seed_allocations(products=products, generalist=generalist)
    return {"products": len(products), "applications": applications}


SUBSIDY_AMOUNT = "25000.00"


def _seed_contracts(*, products, year) -> None:
    """A contract for each product the demo care providers deliver, from last calendar year to
    the end of this one (care on the demo allocations starts within it), at the product's
    tariff."""
    for agb, product_name in {(agb, name) for agb, name, *_rest in DEMO_ALLOCATIONS}:
        organisation = Organisation.objects.filter(agb_code=agb).first()
        if organisation is None:
            continue
        product = products[product_name]
        Contract.objects.get_or_create(
            organisation=organisation,
            product=product,
            valid_from=datetime.date(year - 1, 1, 1),
            defaults={"tariff": product.tariff, "valid_until": datetime.date(year, 12, 31)},
        )


# provider AGB code, product, days since the grant, care started?, resident's household index
DEMO_ALLOCATIONS = [
    ("12345678", "Begeleiding individueel", 30, True, 10),
    ("12345678", "Huishoudelijke ondersteuning", 20, True, 11),
    ("12345678", "Begeleiding individueel", 3, False, 12),
    ("87654321", "Huishoudelijke ondersteuning", 25, True, 13),
    ("87654321", "Begeleiding groep (dagbesteding)", 4, False, 14),
    ("87654321", "Huishoudelijke ondersteuning", 2, False, 15),
]


def _seed_allocations(*, products, generalist) -> None:
    """Granted applications in kind for the two demo care providers (AGB 12345678 and
    87654321), some with care started, some not yet: the partner API has data to show."""
    from django.contrib.auth import get_user_model

    from cases.partners.services import allocation_start
    from cases.provisions.models import Allocation

    consultant = get_user_model().objects.filter(username="consultant").first()
    if generalist is None or consultant is None or Allocation.objects.exists():
        return
    households = list(Household.objects.order_by("pk")[:20])
    today = timezone.localdate()
    for agb, product_name, days_ago, started, index in DEMO_ALLOCATIONS:
        if index >= len(households):
            continue
        household = households[index]
        product = products[product_name]
        resident = household.memberships.current().order_by("resident__birth_date").first()
        application = provision_services.application_submit(
            household=household,
            product=product,
            motivation="Demo: zelfredzaamheid op meerdere domeinen beperkt.",
            by=generalist,
            applied_on=today - datetime.timedelta(days=days_ago + 7),
            resident=resident.resident if resident else None,
        )
        provision_services.application_claim(application=application, by=consultant)
        application.refresh_from_db()
        start = today - datetime.timedelta(days=days_ago)
        provision_services.decision_make(
            application=application,
            by=consultant,
            data=provision_services.DecisionInput(
                outcome="grant",
                product=product,
                volume=3,
                unit=product.unit,
                frequency="2",
                start_date=start,
                end_date=start + datetime.timedelta(days=365),
                delivery="in_kind",
                provider=Organisation.objects.get(agb_code=agb),
                amount=Decimal("500.00"),
            ),
        )
        if started:
            allocation = Allocation.objects.get(decision__application=application)
            allocation_start(allocation=allocation, started_on=start + datetime.timedelta(days=2))
