"""The one search box in the header: one field for a BSN, a postcode (and house number), a
name, or an application, allocation or signal number. The kind follows from what was typed
(`search_kind`); each kind is answered by the wing that owns it, and every answer starts from
need-to-know (`households_visible_to`):

- BSN, postcode, name: `cases.households.selectors.household_search` (its rules unchanged);
- BSN and postcode + house number also: `cases.privacy.selectors.household_known_search`,
  "known, not opened": a household outside the user's circle is shown as known, with its team
  and coordinator only (docs/privacy.md);
- application and signal numbers are their ids ("A-123", "S-45", `ProvisionApplication.number`,
  `Signal.number`); an allocation number is the allocation's `number` (unique, indexed).

An application, allocation or signal of a household outside the circle is not found at all:
the same answer as a number nobody has (docs/search.md)."""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from stdnum.nl import bsn as stdnum_bsn

from cases.access import households_visible_to
from cases.households.models import Household
from cases.households.selectors import PersonWhereabouts, household_search
from cases.intake.models import SIGNAL_NUMBER_PREFIX, Signal
from cases.intake.selectors import signals_for_triage
from cases.privacy.selectors import household_known_search
from cases.provisions.models import (
    APPLICATION_NUMBER_PREFIX,
    Allocation,
    ProvisionApplication,
)
from cases.validators import normalise_bsn
from teams.validators import normalise_postcode

# "A-123", "a123", "A 123": an application; "S-45": a signal (ids, at most 12 digits)
APPLICATION_NUMBER = re.compile(
    rf"^{APPLICATION_NUMBER_PREFIX}\s*-?\s*(?P<id>\d{{1,12}})$", re.IGNORECASE
)
SIGNAL_NUMBER = re.compile(rf"^{SIGNAL_NUMBER_PREFIX}\s*-?\s*(?P<id>\d{{1,12}})$", re.IGNORECASE)
# "1234AB", "1234 ab", "1234 AB 12", "1234AB 12a", "1234 AB 12-2"
POSTCODE_ADDRESS = re.compile(
    r"^(?P<postcode>\d{4}\s?[A-Za-z]{2})"
    r"(?:\s*,?\s*(?P<number>\d{1,5})(?:\s*-?\s*(?P<addition>[A-Za-z0-9]{1,4}))?)?$"
)
POSTCODE_DIGITS = re.compile(r"^\d{4}$")
# An allocation number (ToewijzingNummer): letters and digits, with at least one digit
ALLOCATION_NUMBER = re.compile(r"^(?=.*\d)[A-Za-z0-9]{5,20}$")
BSN_DIGITS = re.compile(r"^\d{9}$")

# what was searched, in the page's words ("Gezocht op: BSN")
KIND_LABELS = {
    "bsn": _("BSN"),
    "postcode": _("postcode"),
    "address": _("postcode and house number"),
    "name": _("name"),
    "application": _("application number"),
    "allocation": _("allocation number"),
    "signal": _("signal number"),
}

NUMBER_HINT = _(
    "Type a BSN (9 digits), a postcode (1234 AB, with a house number if you like), "
    "a name, or an application (A-123), allocation or signal (S-45) number."
)


def search_kind(query: str) -> str:
    """The kind of search for what was typed: "bsn", "postcode", "address", "application",
    "signal", "allocation", "name", or "" (nothing to search yet). A 9-digit number is a BSN
    when it passes the elfproef, else an allocation number."""
    query = " ".join((query or "").split())
    if not query:
        return ""
    if APPLICATION_NUMBER.match(query):
        return "application"
    if SIGNAL_NUMBER.match(query):
        return "signal"
    if BSN_DIGITS.match(query) and stdnum_bsn.is_valid(query):
        return "bsn"
    if match := POSTCODE_ADDRESS.match(query):
        return "address" if match["number"] else "postcode"
    if POSTCODE_DIGITS.match(query):
        return "postcode"
    if ALLOCATION_NUMBER.match(query):
        return "allocation"
    return "name"


@dataclass
class EverythingSearch:
    query: str
    kind: str  # see `search_kind`
    # households the user may open (`household_search`), a queryset for the page's paginator
    households: QuerySet[Household] = field(default_factory=Household.objects.none)
    # "known, not opened": households outside the circle, with team and coordinator only
    known: list[Household] = field(default_factory=list)
    applications: list[ProvisionApplication] = field(default_factory=list)
    allocations: list[Allocation] = field(default_factory=list)
    # signals, each with `for_triage`: the user's team triages it (else via its household)
    signals: list[Signal] = field(default_factory=list)
    person: PersonWhereabouts | None = None
    truncated: bool = False
    error: str = ""

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, ""))

    @property
    def searched(self) -> bool:
        """A search was made (and is access-logged): a kind, and no error."""
        return bool(self.kind) and not self.error

    @property
    def other_count(self) -> int:
        return len(self.known) + len(self.applications) + len(self.allocations) + len(self.signals)


def _visible_household(user):
    """Correlated: the row's household is one the user may open (`households_visible_to`,
    asked for the row's household only)."""
    return Exists(households_visible_to(user).filter(pk=OuterRef("household_id")))


def _only_visible(user, queryset: QuerySet) -> list:
    """The rows (found by their number: an index look-up) whose household the user may open.
    Need-to-know is worked out only when the number exists: for a consultant it is the costly
    part (docs/search.md, "Speed")."""
    ids = list(queryset.values_list("pk", flat=True)[:10])
    if not ids:
        return []
    return list(queryset.filter(pk__in=ids).filter(_visible_household(user)))


def everything_search(*, user, query: str) -> EverythingSearch:
    """Search by whatever was typed (`search_kind`). Only what the user may know of: households
    in their circle, "known, not opened" households (by BSN or full address only) and the
    applications, allocations and signals of households in their circle (signals also those
    their team triages). A malformed input gives a plain-Dutch error, never an exception."""
    query = " ".join((query or "").split())
    kind = search_kind(query)
    if not kind:
        return EverythingSearch(query, "")
    if kind == "bsn":
        return _by_bsn(user, query)
    if kind in ("postcode", "address"):
        return _by_postcode(user, query, kind)
    if kind == "application":
        return _by_application(user, query)
    if kind == "signal":
        return _by_signal(user, query)
    if kind == "allocation":
        return _by_allocation(user, query)
    found = household_search(user=user, query=query)
    if found.error:
        return EverythingSearch(query, "name", error=str(NUMBER_HINT))
    if not found.kind:  # one letter: nothing searched yet
        return EverythingSearch(query, "")
    return EverythingSearch(query, "name", households=found.results, truncated=found.truncated)


def _by_bsn(user, query: str) -> EverythingSearch:
    found = household_search(user=user, query=query)
    if found.error:
        return EverythingSearch(query, "bsn", error=found.error)
    known = household_known_search(user=user, bsn=query)
    # a 9-digit allocation number can pass the elfproef too: show it beside the person
    allocations = _allocations(user, query)
    return EverythingSearch(
        query,
        "bsn",
        households=found.results,
        known=[household for household in known.households if not household.in_circle],
        allocations=allocations,
        person=found.person,
    )


def _by_postcode(user, query: str, kind: str) -> EverythingSearch:
    match = POSTCODE_ADDRESS.match(query)
    if match is None:  # the four digits only
        found = household_search(user=user, query=query)
        return EverythingSearch(query, kind, households=found.results, error=found.error)
    try:
        postcode = normalise_postcode(match["postcode"])
    except ValidationError as exc:
        return EverythingSearch(query, kind, error=exc.messages[0])
    found = household_search(user=user, query=postcode)
    if found.error:
        return EverythingSearch(query, kind, error=found.error)
    if kind == "postcode":
        return EverythingSearch(query, kind, households=found.results)
    house_number = int(match["number"])
    households = found.results.filter(house_number=house_number)
    if match["addition"]:
        households = households.filter(house_number_addition__iexact=match["addition"])
    known = household_known_search(user=user, postcode=postcode, house_number=house_number)
    return EverythingSearch(
        query,
        kind,
        households=households,
        known=[household for household in known.households if not household.in_circle],
    )


def _by_application(user, query: str) -> EverythingSearch:
    application_id = int(APPLICATION_NUMBER.match(query)["id"])
    applications = _only_visible(
        user, ProvisionApplication.objects.with_context().filter(pk=application_id)
    )
    return EverythingSearch(query, "application", applications=applications)


def _by_signal(user, query: str) -> EverythingSearch:
    signal_id = int(SIGNAL_NUMBER.match(query)["id"])
    triaged = signals_for_triage(user=user).filter(pk=OuterRef("pk"))
    signals = Signal.objects.filter(pk=signal_id)
    if not signals.exists():  # no such number: need-to-know is not worked out at all
        return EverythingSearch(query, "signal")
    signals = list(
        signals.annotate(for_triage=Exists(triaged), household_visible=_visible_household(user))
        .filter(Q(for_triage=True) | Q(household_visible=True))
        .select_related("team", "household", "resident")
    )
    return EverythingSearch(query, "signal", signals=signals)


def _allocations(user, number: str) -> list[Allocation]:
    return _only_visible(
        user,
        # the number as typed, in small or capital letters: each an index look-up
        Allocation.objects.filter(
            number__in=sorted({number, number.lower(), number.upper()})
        ).select_related("product", "provider", "household", "decision__application"),
    )


def _by_allocation(user, query: str) -> EverythingSearch:
    allocations = _allocations(user, query)
    error = ""
    if not allocations and query.isdigit() and len(query) == 9:
        # nine digits that fail the elfproef: perhaps a mistyped BSN
        try:
            normalise_bsn(query)
        except ValidationError as exc:
            error = str(
                _("No allocation with this number found. As a BSN: %(error)s")
                % {"error": exc.messages[0]}
            )
    return EverythingSearch(query, "allocation", allocations=allocations, error=error)
