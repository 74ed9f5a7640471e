"""A realistic plan for the resident's view (issue #20): four goals in the family's words and
eight actions (resident, network, professional, someone named), built through the services,
and a small real PNG like the signature pad sends."""

import datetime
import struct
import zlib

from django.utils import timezone

from cases.households.selectors import current_residents
from cases.intake.models import LifeDomain
from cases.plans import services as plan_services
from cases.plans.models import ActionOwnerKind
from tests.factories import NetworkMemberFactory, SupportPlanFactory

GOALS = [
    (LifeDomain.FINANCES, "We willen weer rust in onze financiën: geen nieuwe schulden meer."),
    (LifeDomain.HOUSING, "We blijven in ons huis wonen; de huurachterstand is weg."),
    (LifeDomain.SOCIAL_NETWORK, "Ik zie weer mensen, minstens één keer per week."),
    (LifeDomain.MENTAL_HEALTH, "Ik slaap beter en heb minder zorgen in mijn hoofd."),
]


def png(width: int = 60, height: int = 20) -> bytes:
    """A real PNG (white, RGB) of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def realistic_plan(*, household, generalist, evaluation_in_days: int = 90):
    """A draft of four goals and eight actions, with an evaluation date."""
    plan = SupportPlanFactory(household=household, ready=True, coordinator=generalist, agreed=False)
    plan.goals.all().delete()
    plan.evaluation_date = timezone.localdate() + datetime.timedelta(days=evaluation_in_days)
    plan.save(update_fields=["evaluation_date"])
    resident = current_residents(household=household).first()
    member = NetworkMemberFactory(household=household, name="Buurvrouw Anja")
    today = timezone.localdate()
    owners = [
        {"owner_kind": ActionOwnerKind.RESIDENT, "owner_resident": resident},
        {"owner_kind": ActionOwnerKind.NETWORK, "owner_network_member": member},
        {"owner_kind": ActionOwnerKind.PROFESSIONAL, "owner_user": generalist},
        {"owner_kind": ActionOwnerKind.OTHER, "owner_text": "Schuldhulpverlening Eindhoven"},
    ]
    steps = [
        "Alle post over geld in één map bewaren en meenemen naar het gesprek.",
        "Samen een overzicht maken van inkomsten en uitgaven per maand.",
        "Een betalingsregeling voor de huurachterstand aanvragen bij de verhuurder.",
        "Meegaan naar het eerste gesprek bij de schuldhulpverlening.",
        "Elke dinsdag samen koffie drinken in het buurthuis.",
        "Informatie opzoeken over de wandelgroep in de wijk.",
        "Een afspraak maken bij de huisarts over het slapen.",
        "Nagaan of er recht is op toeslagen en bijzondere bijstand.",
    ]
    for index, (domain, text) in enumerate(GOALS):
        goal = plan_services.goal_add(plan=plan, by=generalist, domain=domain, description=text)
        for step in range(2):
            number = index * 2 + step
            plan_services.action_add(
                plan=plan,
                by=generalist,
                goal=goal,
                description=steps[number],
                due_on=today + datetime.timedelta(days=14 * (number + 1)),
                **owners[number % len(owners)],
            )
    return plan
