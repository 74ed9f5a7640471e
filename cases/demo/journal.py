"""Demo journal entries on the `generalist` login's households: a few notes between the
conversations, one of them sensitive (coordinator and author only). Through the real service;
idempotent (skipped when the journal holds anything)."""

import datetime

from django.utils import timezone

from cases.households.models import Household
from cases.journal import services as journal_services
from cases.journal.models import JournalEntry, JournalKind, JournalVisibility

DEMO_NOTES = [
    (JournalKind.PHONE_CALL, JournalVisibility.TEAM, 9, "Verhuurder gebeld: regeling voor de "
     "huurachterstand afgesproken, € 50 per maand vanaf volgende maand."),
    (JournalKind.VISIT, JournalVisibility.TEAM, 4, "Huisbezoek: post samen gesorteerd, drie "
     "aanmaningen doorgestuurd naar de schuldhulp."),
    (JournalKind.CONSULTATION, JournalVisibility.RESTRICTED, 2, "Overleg met de huisarts over "
     "de medicatie van moeder; niet delen buiten de regisseur."),
]  # fmt: skip


def seed_journal(*, generalist) -> int:
    if generalist is None or JournalEntry.objects.exists():
        return 0
    today = timezone.localdate()
    households = Household.objects.filter(coordinator=generalist).order_by("pk")[:3]
    written = 0
    for household in households:
        for kind, visibility, days_ago, text in DEMO_NOTES:
            journal_services.journal_entry_create(
                household=household,
                by=generalist,
                kind=kind,
                text=text,
                visibility=visibility,
                occurred_on=today - datetime.timedelta(days=days_ago),
            )
            written += 1
    return written
