"""Reads for intake, and its legal terms. Every list and detail starts from
`households_visible_to(user)`, so the access rule is applied in SQL everywhere.

The two Wmo 2015 terms of a melding (art. 2.3.2) are computed here and only here, by the legal
terms engine (`cases.legal_terms.term_end`, Algemene termijnenwet):
`melding_investigation_deadline` and `melding_personal_plan_deadline`. The services that
register a melding, or recompute open clocks, store them."""

import datetime
import re

from django.db.models import (
    Prefetch,
    Q,
    QuerySet,
)
from django.http import Http404

from cases import permissions
from cases.access import households_visible_to
from cases.households.models import Household, HouseholdMembership, current_members_prefetch
from cases.intake.models import (
    CallbackAttempt,
    GpHandoff,
    HandoffStatus,
    KitchenTableConversation,
    LifeDomain,
    LifeDomainScore,
    Melding,
    Signal,
)
from cases.legal_terms import term_end

# Wmo 2015 art. 2.3.2(1): the investigation is completed within six weeks of the melding.
INVESTIGATION_WEEKS = 6
# Wmo 2015 art. 2.3.2(2): the resident may hand in a personal plan within seven days of it.
PERSONAL_PLAN_DAYS = 7


# Legal terms -----------------------------------------------------------------------------------


def melding_investigation_deadline(*, received_on: datetime.date) -> datetime.date:
    """The last day of the investigation after a melding (Wmo 2015 art. 2.3.2(1)): six weeks
    beginning the day after `received_on`, under the Algemene termijnenwet (a last day on a
    Saturday, Sunday or holiday runs on to the next working day). Stored on the melding by
    the service that registers it (`Melding.investigation_deadline`)."""
    return term_end(received_on, weeks=INVESTIGATION_WEEKS)


def melding_personal_plan_deadline(*, received_on: datetime.date) -> datetime.date:
    """The last day the resident may hand in a personal plan (Wmo 2015 art. 2.3.2(2)): seven
    days beginning the day after `received_on`, under the Algemene termijnenwet (art. 1, and
    art. 2: at least two working days). Stored on the melding with the investigation
    deadline (`Melding.personal_plan_deadline`)."""
    return term_end(received_on, days=PERSONAL_PLAN_DAYS)


def melding_for_user(*, user, melding_uuid) -> Melding:
    """The melding with its household, or 404 when it does not exist or its household is not
    visible to the user (the two are indistinguishable)."""
    melding = (
        Melding.objects.filter(household__in=households_visible_to(user), uuid=melding_uuid)
        .select_related("household")
        .first()
    )
    if melding is None:
        raise Http404("No request for help found")
    return melding


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


# "Molenstraat 12A", "Molenstraat 12 a", "Kerkstraat 3-2", "Molenstraat 12, Dommelstede"
ADDRESS = re.compile(
    r"^\s*(?P<street>\D+?)\s+(?P<number>\d{1,5})\s*-?\s*(?P<addition>[A-Za-z0-9]{1,4})?"
    r"\s*(?:,\s*(?P<city>.+?))?\s*$"
)


def signal_household_initial(*, signal) -> dict:
    """The new household's address as far as the signal knows it (ask once): the postcode, and
    street, house number, addition and city read from the free-text address the reporter gave.
    A text that does not read as "street number" gives the street field the whole text."""
    initial = {}
    if signal.subject_postcode:
        initial["postcode"] = signal.subject_postcode_display
    text = (signal.subject_address or "").strip()
    match = ADDRESS.match(text)
    if match:
        initial["street"] = match["street"].strip().rstrip(",")
        initial["house_number"] = int(match["number"])
        if match["addition"]:
            initial["house_number_addition"] = match["addition"].upper()
        if match["city"]:
            initial["city"] = match["city"]
    elif text:
        initial["street"] = text
    return initial


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


def conversation_for_user(*, user, conversation_uuid) -> KitchenTableConversation:
    conversation = (
        KitchenTableConversation.objects.filter(
            household__in=households_visible_to(user), uuid=conversation_uuid
        )
        .select_related("household", "melding", "conducted_by")
        .prefetch_related("participants", "scores")
        .first()
    )
    if conversation is None:
        raise Http404("No conversation found")
    return conversation


def scores_in_domain_order(scores) -> list[LifeDomainScore]:
    order = {domain: index for index, domain in enumerate(LifeDomain.values)}
    return sorted(scores, key=lambda score: order[score.domain])


def conversation_assessment(conversation: KitchenTableConversation) -> list[dict]:
    """The life-domain assessment of a conversation as 13 rows in domain order: `domain`,
    `label`, `score` (the LifeDomainScore or None) and `not_discussed` (marked so in the
    conversation). A domain with neither was left open (conversations recorded before every
    domain had to be answered)."""
    scores = {score.domain: score for score in conversation.scores.all()}
    not_discussed = set(conversation.domains_not_discussed or ())
    return [
        {
            "domain": domain.value,
            "label": domain.label,
            "score": scores.get(domain.value),
            "not_discussed": domain.value in not_discussed,
        }
        for domain in LifeDomain
    ]


# The GP's warm hand-off (docs/gp-handoff.md) ---------------------------------------------------


def gp_handoffs_of(*, user) -> QuerySet[GpHandoff]:
    """The hand-offs a GP sent, newest first: only what the GP typed and the status (no
    signal, no household, nothing the team recorded)."""
    if not permissions.can_send_gp_handoff(user):
        return GpHandoff.objects.none()
    return (
        GpHandoff.objects.filter(sent_by=user)
        .only(
            "uuid",
            "sent_by_id",
            "patient_name",
            "patient_birth_date",
            "urgency",
            "status",
            "status_at",
            "created_at",
        )
        .order_by("-created_at", "-pk")
    )


def callbacks_for_team(*, user) -> QuerySet[GpHandoff]:
    """Hand-offs the user's teams call back (the team of the signal), for generalists and team
    leads who are active members; everyone else: none."""
    if not permissions.can_call_back(user):
        return GpHandoff.objects.none()
    return GpHandoff.objects.filter(
        signal__team__members__user=user, signal__team__members__active=True
    ).select_related("signal", "district")


def callback_list(*, user) -> QuerySet[GpHandoff]:
    """The open call-backs of the user's teams, soonest due first, with their attempts."""
    return (
        callbacks_for_team(user=user)
        .filter(status=HandoffStatus.OPEN)
        .prefetch_related(
            Prefetch("attempts", queryset=CallbackAttempt.objects.select_related("by"))
        )
        .order_by("callback_due", "created_at", "pk")
    )


def callback_for_team(*, user, handoff_uuid) -> GpHandoff:
    """A hand-off of one of the user's teams, or 404."""
    handoff = (
        callbacks_for_team(user=user)
        .filter(uuid=handoff_uuid)
        .prefetch_related(
            Prefetch("attempts", queryset=CallbackAttempt.objects.select_related("by"))
        )
        .first()
    )
    if handoff is None:
        raise Http404("No hand-off found")
    return handoff


def handoff_of_signal(*, signal) -> GpHandoff | None:
    """The GP hand-off a signal came from, with its attempts, or None (call after the signal
    itself was fetched and checked)."""
    return (
        GpHandoff.objects.filter(signal=signal)
        .prefetch_related(
            Prefetch("attempts", queryset=CallbackAttempt.objects.select_related("by"))
        )
        .first()
    )
