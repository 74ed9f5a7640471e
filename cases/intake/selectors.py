"""Reads and access for households. Every list and detail starts from
`households_visible_to(user)`, so the access rule is applied in SQL everywhere."""

from django.db.models import (
    Q,
    QuerySet,
)
from django.http import Http404

from cases import permissions
from cases.access import households_visible_to
from cases.households.models import Household, HouseholdMembership, current_members_prefetch
from cases.intake.models import (
    KitchenTableConversation,
    LifeDomain,
    LifeDomainScore,
    Signal,
)


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
