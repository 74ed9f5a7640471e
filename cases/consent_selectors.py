"""Reads on the consent register."""

import datetime

from django.utils import timezone

from cases.consent import Consent


def consent_covers(
    *, resident, organisation, category: str, on: datetime.date | None = None
) -> bool:
    """True when `organisation` may receive `category` data of `resident` on `on`: an active
    consent (given, not withdrawn, not expired) that names the category, or a recorded legal
    basis for that category."""
    on = on or timezone.localdate()
    return (
        Consent.objects.active(on)
        .filter(resident=resident, organisation=organisation, categories__contains=[category])
        .exists()
    )
