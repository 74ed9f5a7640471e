"""Demo AVG work for the `privacy` login: correction requests (one just in, one overdue, one
answered, one complex whose term was extended) and a consent and a legal basis in the
generalist's demo households. Goes through the services, so every deadline comes from the legal
terms engine; idempotent (skipped when correction requests exist)."""

import datetime

from django.utils import timezone

from cases.avg.models import CorrectionRequest, CorrectionStatus
from cases.avg.services import (
    avg_request_extend,
    correction_request_handle,
    correction_request_record,
)
from cases.consent.models import ConsentPurpose
from cases.consent.selectors import consent_expiry_default
from cases.consent.services import consent_record
from cases.households.models import HouseholdMembership
from networks.models import Organisation, OrganisationType

# (days since receipt, what is wrong, what it should be, the answer, extended: the resident was
# told this many days after receipt that the complex request takes up to three months)
DEMO_CORRECTIONS = [
    (4, "Mijn telefoonnummer staat verkeerd in het dossier.", "06-12345678", None, None),
    (
        38,
        "In het gespreksverslag staat dat ik twee kinderen heb; het zijn er drie.",
        "",
        None,
        None,
    ),
    (20, "Mijn tweede voornaam ontbreekt.", "Johanna", "Tweede voornaam toegevoegd.", None),
    (
        45,
        "Alle gespreksverslagen van de afgelopen drie jaar geven mijn situatie verkeerd weer.",
        "",
        None,
        12,
    ),
]
EXTENSION_REASON = (
    "Het verzoek betreft tientallen verslagen van drie jaar; die lezen we allemaal na met de "
    "betrokken medewerkers. Dat is uitgelegd aan de inwoner."
)


def seed_avg(*, privacy_officer, generalist) -> int:
    if privacy_officer is None or CorrectionRequest.objects.exists():
        return 0
    today = timezone.localdate()
    members = list(
        HouseholdMembership.objects.current()
        .filter(household__coordinator=generalist)
        .select_related("resident")
        .order_by("pk")[: len(DEMO_CORRECTIONS)]
    )
    for membership, (days_ago, wrong, should_be, answer, told_after) in zip(
        members, DEMO_CORRECTIONS, strict=False
    ):
        correction = correction_request_record(
            resident=membership.resident,
            what_is_wrong=wrong,
            should_be=should_be,
            received_on=today - datetime.timedelta(days=days_ago),
            by=privacy_officer,
        )
        if told_after is not None:
            avg_request_extend(
                request=correction,
                by=privacy_officer,
                reason=EXTENSION_REASON,
                told_on=correction.received_on + datetime.timedelta(days=told_after),
            )
        if answer:
            correction_request_handle(
                correction=correction,
                status=CorrectionStatus.GRANTED,
                outcome=answer,
                by=privacy_officer,
            )
    provider = Organisation.objects.filter(type=OrganisationType.CARE_PROVIDER).first()
    if members and provider is not None:
        resident = members[0].resident
        given_on = today - datetime.timedelta(days=30)
        consent_record(
            resident=resident,
            organisation=provider,
            categories=["progress", "plan"],
            purpose=ConsentPurpose.PROGRESS_REPORTS,
            purpose_note="Voortgang van de begeleiding delen met de zorgaanbieder.",
            given_by="de inwoner",
            given_on=given_on,
            expires_on=consent_expiry_default(given_on=given_on),
            by=generalist,
        )
        consent_record(
            resident=resident,
            organisation=provider,
            categories=["contact"],
            purpose=ConsentPurpose.PROVIDER_ALLOCATION,
            purpose_note="Contactgegevens voor de toewijzing.",
            given_by="-",
            given_on=today - datetime.timedelta(days=30),
            legal_basis=True,
            legal_basis_text="art. 5.1.1 Wmo 2015",
            by=generalist,
        )
    return len(members)
