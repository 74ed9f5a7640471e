"""Reads and access for households. Every list and detail starts from
`households_visible_to(user)`, so the access rule is applied in SQL everywhere."""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from cases import permissions
from cases.models import Household, HouseholdMembership
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
