"""Reads and access for households. Every list and detail starts from
`households_visible_to(user)`, so the access rule is applied in SQL everywhere."""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, When
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from cases import permissions
from cases.models import Household, HouseholdMembership, MeldingStatus, Resident, Signal
from cases.validators import normalise_bsn
from teams.selectors import district_ids_of_user
from teams.validators import normalise_postcode

BSN_LIKE = re.compile(r"^\d{8,9}$")
POSTCODE_LIKE = re.compile(r"^\d{4}\s?[A-Za-z]{2}$")
PC4_LIKE = re.compile(r"^\d{4}$")
MIN_NAME_LENGTH = 2


def households_visible_to(user) -> QuerySet[Household]:
    """Households the user may open: the team's own districts and the households they
    coordinate; municipality-wide roles see all; everyone else none."""
    if not permissions.can_use_register(user):
        return Household.objects.none()
    if permissions.sees_whole_municipality(user):
        return Household.objects.all()
    return Household.objects.filter(
        Q(neighbourhood__district_id__in=district_ids_of_user(user=user)) | Q(coordinator=user)
    )


def current_members_prefetch() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=HouseholdMembership.objects.current()
        .select_related("resident")
        .order_by("role", "resident__birth_date"),
        to_attr="current_memberships",
    )


def household_for_user(*, user, household_uuid) -> Household:
    """The household with its area and current members, or 404 when it does not exist or
    the user may not see it (the two are indistinguishable on purpose)."""
    household = (
        households_visible_to(user)
        .with_area()
        .select_related("coordinator")
        .prefetch_related(current_members_prefetch())
        .filter(uuid=household_uuid)
        .first()
    )
    if household is None:
        raise Http404("No household found")
    return household


def household_history(*, household: Household) -> QuerySet[HouseholdMembership]:
    """Everyone who ever lived in the household, most recent first."""
    return household.memberships.select_related("resident").order_by("-start_date", "pk")


@dataclass
class HouseholdSearch:
    query: str
    kind: str  # "bsn", "postcode", "name" or "" (nothing to search yet)
    results: QuerySet[Household] = field(default_factory=Household.objects.none)
    error: str = ""


def household_search(*, user, query: str) -> HouseholdSearch:
    """Find households by BSN (exact), postcode (full or the four digits) or (partial) name.

    The kind of search follows from what was typed; a malformed BSN or postcode gives a
    plain-Dutch error instead of an empty list."""
    query = " ".join((query or "").split())
    base = (
        households_visible_to(user)
        .with_area()
        .select_related("coordinator")
        .prefetch_related(current_members_prefetch())
        .order_by("postcode", "house_number", "house_number_addition", "pk")
    )
    if BSN_LIKE.match(query):
        try:
            bsn = normalise_bsn(query)
        except ValidationError as exc:
            return HouseholdSearch(query, "bsn", error=exc.messages[0])
        current = HouseholdMembership.objects.current().filter(resident__bsn=bsn)
        return HouseholdSearch(
            query, "bsn", base.filter(pk__in=current.values("household_id")).distinct()
        )
    if POSTCODE_LIKE.match(query):
        try:
            postcode = normalise_postcode(query)
        except ValidationError as exc:
            return HouseholdSearch(query, "postcode", error=exc.messages[0])
        return HouseholdSearch(query, "postcode", base.filter(postcode=postcode))
    if PC4_LIKE.match(query):
        # a range keeps the (postcode, house_number) index usable
        upper = str(int(query) + 1)
        return HouseholdSearch(
            query, "postcode", base.filter(postcode__gte=query, postcode__lt=upper)
        )
    if len(query) < MIN_NAME_LENGTH:
        return HouseholdSearch(query, "")
    if any(ch.isdigit() for ch in query):
        return HouseholdSearch(
            query,
            "",
            error=str(
                _("Type a BSN (9 digits), a postcode (1234 AB) or at least two letters of a name.")
            ),
        )
    current = HouseholdMembership.objects.current()
    name_filter = Q()
    for word in query.split():
        name_filter &= (
            Q(resident__last_name__icontains=word)
            | Q(resident__first_name__icontains=word)
            | Q(resident__name_prefix__iexact=word)
        )
    matches = current.filter(name_filter).values("household_id")
    return HouseholdSearch(query, "name", base.filter(pk__in=matches))


# Intake: meldingen, signals and possible duplicate persons ----------------------------------


def household_meldingen(*, household: Household):
    """The household's requests for help, open ones first, nearest deadline first."""
    return household.meldingen.annotate(
        is_open=Case(When(status=MeldingStatus.OPEN, then=0), default=1)
    ).order_by("is_open", "investigation_deadline", "pk")


def signals_for_triage(*, user) -> QuerySet:
    """Signals the user may triage: those of the teams the user is an active member of, for
    generalists and team leads. Everyone else: none."""
    if not permissions.can_triage_signals(user):
        return Signal.objects.none()
    return Signal.objects.filter(
        team__members__user=user, team__members__active=True
    ).select_related("team", "household", "resident", "melding")


def signal_triage_queue(*, user) -> QuerySet:
    """The open signals of the user's teams, oldest first."""
    return signals_for_triage(user=user).open().order_by("received_on", "created_at", "pk")


def signal_for_triage(*, user, signal_uuid):
    """The signal, or 404 when it does not exist or is not for one of the user's teams."""
    signal = signals_for_triage(user=user).filter(uuid=signal_uuid).first()
    if signal is None:
        raise Http404("No signal found")
    return signal


def signal_candidate_households(*, user, signal) -> QuerySet[Household]:
    """Households the signal may be about, among those the user may see: where someone with
    the signal's name (and date of birth) lives, or at the postcode the reporter gave."""
    matches = Q(pk__in=[])
    if signal.subject_postcode:
        matches |= Q(postcode=signal.subject_postcode)
    words = signal.subject_name.split()
    if words:
        current = HouseholdMembership.objects.current().filter(
            resident__last_name__iexact=words[-1]
        )
        if signal.subject_birth_date:
            current = current.filter(resident__birth_date=signal.subject_birth_date)
        matches |= Q(pk__in=current.values("household_id"))
    return (
        households_visible_to(user)
        .filter(matches)
        .with_area()
        .prefetch_related(current_members_prefetch())
        .order_by("postcode", "house_number", "house_number_addition", "pk")[:20]
    )


@dataclass
class PossibleDuplicate:
    resident: Resident
    household: Household | None  # None: known elsewhere, no details for this user
    match: str  # "birth_date" or "postcode"


def resident_possible_duplicates(
    *,
    user,
    last_name: str,
    first_name: str = "",
    birth_date=None,
    postcode: str = "",
) -> list[PossibleDuplicate]:
    """Persons already registered who may be the person about to be registered without BSN:
    the same last name and date of birth, or the same first and last name with a current
    address at the same postcode. A match in a household the user may not see is returned
    without household (the UI says "known elsewhere" and shows no details)."""
    last_name = " ".join((last_name or "").split())
    first_name = " ".join((first_name or "").split())
    if not last_name:
        return []
    by_birth_date = Q(pk__in=[])
    if birth_date:
        by_birth_date = Q(last_name__iexact=last_name, birth_date=birth_date)
    by_postcode = Q(pk__in=[])
    if first_name and postcode:
        try:
            postcode = normalise_postcode(postcode)
        except ValidationError:
            postcode = ""
        if postcode:
            at_postcode = HouseholdMembership.objects.current().filter(household__postcode=postcode)
            by_postcode = Q(
                last_name__iexact=last_name,
                first_name__iexact=first_name,
                pk__in=at_postcode.values("resident_id"),
            )
    current = HouseholdMembership.objects.current().filter(resident=OuterRef("pk"))
    visible = households_visible_to(user)
    residents = (
        Resident.objects.filter(by_birth_date | by_postcode)
        .annotate(
            current_household_id=Subquery(current.values("household_id")[:1]),
            visible=Exists(visible.filter(pk=OuterRef("current_household_id"))),
        )
        .order_by("last_name", "first_name", "pk")[:10]
    )
    residents = list(residents)
    households = (
        Household.objects.in_bulk(
            [r.current_household_id for r in residents if r.visible and r.current_household_id]
        )
        if residents
        else {}
    )
    result = []
    for resident in residents:
        household = households.get(resident.current_household_id)
        matched_on_birth_date = bool(
            birth_date
            and resident.birth_date == birth_date
            and resident.last_name.lower() == last_name.lower()
        )
        result.append(
            PossibleDuplicate(
                resident=resident,
                household=household,
                match="birth_date" if matched_on_birth_date else "postcode",
            )
        )
    return result
