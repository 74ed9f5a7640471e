"""Decisions that were final before the day a letter was made known was recorded: their letters
printed the day of the decision and counted the objection term from it, so that day becomes the
day made known (version 1 of the letter), and the last day to object is counted from the day
after it by the legal-terms engine (`cases.legal_terms.term_end`, Awb 6:7/6:8), once per
distinct day."""

import datetime
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations
from django.db.models import F, Q
from django.db.models.functions import Coalesce

OBJECTION_WEEKS = 6
BATCH = 2000


def backfill(apps, schema_editor):
    from cases.legal_terms import term_end  # the engine: the one home of every date term

    Decision = apps.get_model("cases", "ProvisionDecision")
    Letter = apps.get_model("cases", "DecisionLetter")
    zone = ZoneInfo(settings.TIME_ZONE)
    final = Decision.objects.filter(made_known_on__isnull=True).filter(
        Q(cosign_required=False) | Q(cosigned_by__isnull=False)
    )
    by_day: dict[datetime.date, list] = defaultdict(list)
    for pk, decided_at, cosigned_at, decided_by_id in final.values_list(
        "pk", "decided_at", "cosigned_at", "decided_by_id"
    ).iterator(chunk_size=BATCH):
        by_day[decided_at.astimezone(zone).date()].append(
            (pk, cosigned_at or decided_at, decided_by_id)
        )
    for day, rows in by_day.items():
        deadline = term_end(day, weeks=OBJECTION_WEEKS)
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            Decision.objects.filter(pk__in=[pk for pk, _at, _by in chunk]).update(
                made_known_on=day,
                objection_deadline=deadline,
                letter_version=1,
                letter_issued_at=Coalesce(F("cosigned_at"), F("decided_at")),
            )
            Letter.objects.bulk_create(
                Letter(
                    decision_id=pk,
                    version=1,
                    reason="issued",
                    made_known_on=day,
                    objection_deadline=deadline,
                    issued_by_id=by,
                    issued_at=issued_at,
                )
                for pk, issued_at, by in chunk
            )


class Migration(migrations.Migration):
    dependencies = [("cases", "0021_decision_clocks")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
