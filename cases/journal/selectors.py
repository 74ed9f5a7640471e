"""Reads for the household's journal: one timeline of the notes professionals wrote and the
events the system already knows (a conversation held, a plan activated or closed, a decision
made, care started, a signal received), newest first, filterable by kind, paginated.

Call with a household obtained through the access helper (`cases.access.access_household`),
which also writes the read's access-log row. A restricted entry is shown to its author and the
household's coordinator only (`cases.permissions.can_read_journal_entry` is the same rule)."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cases.households.models import Household
from cases.intake.models import KitchenTableConversation, Signal
from cases.journal.models import JournalEntry, JournalKind, JournalVisibility
from cases.plans.models import SupportPlan
from cases.provisions.models import Allocation, ProvisionDecision

PAGE_SIZE = 20


class EventKind:
    """The system's own events in the timeline, beside the journal's kinds."""

    CONVERSATION = "conversation"
    PLAN = "plan"
    DECISION = "decision"
    CARE = "care"
    SIGNAL = "signal"

    choices = [
        (CONVERSATION, _("Kitchen-table conversation")),
        (PLAN, _("Support plan")),
        (DECISION, _("Decision")),
        (CARE, _("Care started")),
        (SIGNAL, _("Signal received")),
    ]


# what the timeline can be filtered on: each journal kind, each kind of event
TIMELINE_KINDS = [*JournalKind.choices, *EventKind.choices]
_KIND_LABELS = dict(TIMELINE_KINDS)


@dataclass(frozen=True)
class TimelineItem:
    day: datetime.date
    kind: str
    title: str
    detail: str = ""
    entry: JournalEntry | None = None
    order: float = 0.0  # within a day: later first

    @property
    def is_journal(self) -> bool:
        return self.entry is not None

    @property
    def kind_label(self) -> str:
        return _KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class TimelinePage:
    items: list[TimelineItem]
    number: int
    has_next: bool
    kind: str

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def journal_entries_visible(*, household: Household, user) -> QuerySet[JournalEntry]:
    """The household's entries this user may read."""
    entries = household.journal_entries.all()
    if household.coordinator_id != user.pk:
        entries = entries.filter(Q(visibility=JournalVisibility.TEAM) | Q(author=user))
    return entries


def journal_entry_for_user(*, household: Household, user, entry_uuid) -> JournalEntry:
    """One entry of the household the user may read, or `JournalEntry.DoesNotExist`."""
    return journal_entries_visible(household=household, user=user).get(uuid=entry_uuid)


def _stamp(moment) -> float:
    return moment.timestamp() if moment else 0.0


def _journal(household, user, kind, limit) -> list[TimelineItem]:
    entries = journal_entries_visible(household=household, user=user).select_related("author")
    if kind:
        entries = entries.filter(kind=kind)
    return [
        TimelineItem(
            day=entry.occurred_on,
            kind=entry.kind,
            title=entry.get_kind_display(),
            detail=entry.text,
            entry=entry,
            order=_stamp(entry.created_at),
        )
        for entry in entries.order_by("-occurred_on", "-created_at")[:limit]
    ]


def _conversations(household, limit) -> list[TimelineItem]:
    rows = (
        KitchenTableConversation.objects.filter(household=household)
        .order_by("-held_on", "-pk")
        .values_list("held_on", "place")[:limit]
    )
    return [
        TimelineItem(day, EventKind.CONVERSATION, _("Kitchen-table conversation"), place)
        for day, place in rows
    ]


def _plans(household, limit) -> list[TimelineItem]:
    rows = (
        SupportPlan.objects.filter(household=household)
        .filter(Q(activated_at__isnull=False) | Q(closed_at__isnull=False))
        .order_by("-activated_at")
        .values_list("activated_at", "closed_at")[:limit]
    )
    items = []
    for activated_at, closed_at in rows:
        if activated_at:
            items.append(
                TimelineItem(
                    activated_at.date(),
                    EventKind.PLAN,
                    _("Plan activated"),
                    order=_stamp(activated_at),
                )
            )
        if closed_at:
            items.append(
                TimelineItem(
                    closed_at.date(), EventKind.PLAN, _("Plan closed"), order=_stamp(closed_at)
                )
            )
    return items


def _decisions(household, limit) -> list[TimelineItem]:
    decisions = (
        ProvisionDecision.objects.filter(application__household=household)
        .select_related("application__product")
        .only("decided_at", "outcome", "application__product__name")
        .order_by("-decided_at")[:limit]
    )
    return [
        TimelineItem(
            decision.decided_at.date(),
            EventKind.DECISION,
            _("Decision: %(outcome)s") % {"outcome": decision.get_outcome_display()},
            decision.application.product.name,
            order=_stamp(decision.decided_at),
        )
        for decision in decisions
    ]


def _care(household, limit) -> list[TimelineItem]:
    rows = (
        Allocation.objects.filter(household=household, care_started_on__isnull=False)
        .order_by("-care_started_on", "-pk")
        .values_list("care_started_on", "product__name", "provider__name")[:limit]
    )
    return [
        TimelineItem(day, EventKind.CARE, _("Care started"), f"{product} ({provider})")
        for day, product, provider in rows
    ]


def _signals(household, limit) -> list[TimelineItem]:
    signals = Signal.objects.filter(household=household).order_by("-received_on", "-pk")
    return [
        TimelineItem(
            signal.received_on,
            EventKind.SIGNAL,
            _("Signal received"),
            signal.get_source_type_display(),
        )
        for signal in signals.only("received_on", "source_type")[:limit]
    ]


_EVENTS = {
    EventKind.CONVERSATION: _conversations,
    EventKind.PLAN: _plans,
    EventKind.DECISION: _decisions,
    EventKind.CARE: _care,
    EventKind.SIGNAL: _signals,
}


def household_timeline(
    *, household: Household, user, kind: str = "", page: int = 1
) -> TimelinePage:
    """One page of the household's timeline, newest first. `kind` is one of `TIMELINE_KINDS`
    (or empty for all). Each source is read once with a limit that covers the page (one query
    per source, whatever the page size), then merged."""
    page = max(page, 1)
    kind = kind if kind in _KIND_LABELS else ""
    limit = page * PAGE_SIZE + 1
    items: list[TimelineItem] = []
    if kind == "" or kind in JournalKind.values:
        items += _journal(household, user, kind, limit)
    for event_kind, read in _EVENTS.items():
        if kind in ("", event_kind):
            items += read(household, limit)
    items.sort(key=lambda item: (item.day, item.order), reverse=True)
    start = (page - 1) * PAGE_SIZE
    return TimelinePage(
        items=items[start : start + PAGE_SIZE],
        number=page,
        has_next=len(items) > start + PAGE_SIZE,
        kind=kind,
    )
