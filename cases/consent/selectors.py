"""Reads on the consent register, and the default term of a consent (`consent_expiry_default`,
an agreed term computed by `cases.legal_terms.agreed_term_end`)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from cases.consent.models import Consent, ConsentPurpose
from cases.households.models import Household, HouseholdMembership, Resident
from cases.legal_terms import agreed_term_end

# The default term of a consent, where one is proposed (a consent recorded without an expiry
# date has none): one year.
CONSENT_DEFAULT_YEARS = 1


def consent_expiry_default(*, given_on: datetime.date) -> datetime.date:
    """The default expiry of a consent given on `given_on`: `CONSENT_DEFAULT_YEARS` later, an
    agreed term (`agreed_term_end`: 29 February gives 28 February, no correction)."""
    return agreed_term_end(given_on, years=CONSENT_DEFAULT_YEARS)


def consent_covers(
    *, resident, organisation, category: str, on: datetime.date | None = None
) -> bool:
    """True when `organisation` may receive `category` data of `resident` on `on`: an active
    consent (given, not withdrawn, not expired) that names the category, or a recorded legal
    basis for that category."""
    on = on or timezone.localdate()
    # The categories are compared here, not with a JSON `contains` lookup: SQLite (the demo
    # database) has none, and a resident has a handful of consents per organisation. One query.
    active = Consent.objects.active(on).filter(resident=resident, organisation=organisation)
    return any(category in (cats or []) for cats in active.values_list("categories", flat=True))


def consent_for_purpose(
    *, resident, organisation, purpose: str, on: datetime.date | None = None
) -> bool:
    """True when `organisation` may receive `resident`'s data for `purpose` (a `ConsentPurpose`
    code) on `on`: an active consent or recorded legal basis with that purpose. `OTHER` never
    counts: a check asks for a purpose it knows. One query."""
    if purpose == ConsentPurpose.OTHER:
        return False
    return purpose_consent_exists(
        resident=resident, organisation=organisation, purpose=purpose, on=on
    ).exists()


def purpose_consent_exists(*, resident, organisation, purpose: str, on=None):
    """The active consents (or legal bases) of `resident` for `organisation` and `purpose`: a
    queryset, or with `resident=OuterRef(...)` the subquery of an `Exists` annotation (see
    `consent_annotate`)."""
    on = on or timezone.localdate()
    return Consent.objects.active(on).filter(
        resident=resident, organisation=organisation, purpose=purpose
    )


def organisations_with_purpose(
    *, household, purpose: str, on: datetime.date | None = None
) -> set[int]:
    """The ids of the organisations that some current resident of `household` gave an active
    consent (or for which a legal basis is recorded) for `purpose`. One query."""
    on = on or timezone.localdate()
    return set(
        Consent.objects.active(on)
        .filter(
            purpose=purpose,
            resident__memberships__in=HouseholdMembership.objects.current(on).filter(
                household=household
            ),
        )
        .values_list("organisation_id", flat=True)
    )


def consent_annotate(
    queryset, *, resident_field: str, organisation, purpose: str, name: str, on=None
):
    """`queryset` with a boolean `name` per row: whether the row's resident (`resident_field`)
    has an active consent for `organisation` and `purpose` on `on` (today). No extra query."""
    return queryset.annotate(
        **{
            name: Exists(
                purpose_consent_exists(
                    resident=OuterRef(resident_field),
                    organisation=organisation,
                    purpose=purpose,
                    on=on,
                )
            )
        }
    )


def consented_relation(*, resident_field: str, organisation, purpose: str, on=None):
    """The row's resident (`resident_field`, a foreign key) as a relation joined only when
    they have an active consent (or a legal basis) for `organisation` and `purpose` on `on`
    (today): annotate it (`consented_client=consented_relation(...)`) and read the resident's
    data through it, NULL without consent. The check is in the join's condition, so the
    database makes it once per row however many of the resident's fields are read (an
    `Exists` annotation is written out again in each expression that refers to it).

    The condition compares the resident with the one named by any one of their current
    consents for the purpose, a scalar subquery: PostgreSQL probes it for each row joined, on
    `consent_lookup_idx`. An `EXISTS` there may be planned as a hash of all the organisation's
    consents (about 1,700 for the busiest provider at 500,000 households), built for every
    page of 50 (docs/performance.md, "Means", eleventh pass)."""
    first_consenting = purpose_consent_exists(
        resident=OuterRef(resident_field), organisation=organisation, purpose=purpose, on=on
    ).order_by()[:1]  # any one of them: no sort
    return FilteredRelation(
        resident_field,
        condition=Q(**{f"{resident_field}__pk": Subquery(first_consenting.values("resident_id"))}),
    )


def resident_household(*, resident) -> Household | None:
    """The household whose file holds a resident's own records (consents, correction requests)
    now: the one they live in (one open membership per resident), or None when they live in
    none. The access log names it for changes and reads of those records. One query."""
    membership = (
        HouseholdMembership.objects.filter(resident=resident, end_date__isnull=True)
        .select_related("household")
        .first()
    )
    return membership.household if membership is not None else None


@dataclass
class ResidentConsents:
    resident: object
    current: list = field(default_factory=list)
    past: list = field(default_factory=list)


def current_residents(*, household) -> QuerySet[Resident]:
    """The household's current residents: whose consent can be recorded here."""
    return Resident.objects.filter(
        memberships__in=HouseholdMembership.objects.current().filter(household=household)
    ).order_by("last_name", "first_name", "pk")


def household_consents(*, household, on: datetime.date | None = None) -> list[ResidentConsents]:
    """Per current resident: consents active on `on` (today) and the past ones (withdrawn or
    expired) plus those that start later, newest first. Two queries."""
    on = on or timezone.localdate()
    residents = list(current_residents(household=household))
    rows = {r.pk: ResidentConsents(resident=r) for r in residents}
    active = set(
        Consent.objects.active(on).filter(resident__in=residents).values_list("pk", flat=True)
    )
    consents = (
        Consent.objects.filter(resident__in=residents)
        .select_related("organisation")
        .order_by("-given_on", "-pk")
    )
    for consent in consents:
        row = rows[consent.resident_id]
        (row.current if consent.pk in active else row.past).append(consent)
    return list(rows.values())


def household_consent(*, household, consent_uuid) -> Consent:
    """A consent of one of the household's current residents, or 404."""
    consent = (
        Consent.objects.filter(
            uuid=consent_uuid, resident__in=current_residents(household=household)
        )
        .select_related("resident", "organisation")
        .first()
    )
    if consent is None:
        raise Http404
    return consent
