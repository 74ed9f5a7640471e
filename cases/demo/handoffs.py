"""Demo GP hand-offs (docs/gp-handoff.md): the `huisarts` login hands two patients over to
Wijkteam Centrum; the `generalist` login has tried to call one of them back once. Through the
real services; idempotent (skipped when any hand-off exists)."""

import datetime

from cases.intake import services as intake_services
from cases.intake.models import CallbackOutcome, GpHandoff, HandoffUrgency

DEMO_HANDOFFS = [
    ("Gerrit van Dongen", datetime.date(1941, 6, 2), "5611AB", "3", HandoffUrgency.URGENT,
     "Valt sinds kort vaak, woont alleen, weigert thuiszorg. Dochter maakt zich zorgen."),
    ("Mila Jansen", datetime.date(1989, 11, 23), "5612AC", "41B", HandoffUrgency.NORMAL,
     "Jonge moeder, somber, schulden lopen op; wil graag hulp bij de administratie."),
]  # fmt: skip


def seed_handoffs(*, gp, generalist) -> int:
    if gp is None or GpHandoff.objects.exists():
        return 0
    made = []
    for name, born, postcode, number, urgency, concern in DEMO_HANDOFFS:
        made.append(
            intake_services.gp_handoff_send(
                by=gp,
                patient_name=name,
                patient_birth_date=born,
                postcode=postcode,
                house_number=number,
                consent_confirmed=True,
                concern=concern,
                reply_email="assistente@huisartsencentrum.example",
                practice_name="Huisartsenpraktijk Centrum",
                urgency=urgency,
            )
        )
    if generalist is not None:
        intake_services.callback_attempt_record(
            handoff=made[0],
            by=generalist,
            outcome=CallbackOutcome.NOT_REACHED,
            note="Voicemail ingesproken.",
        )
    return len(made)
