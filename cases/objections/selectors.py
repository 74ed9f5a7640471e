"""Reads for objections (bezwaar), and the one home of the term to decide on one (Awb 7:10).

Every read starts from need-to-know (`cases.access.households_visible_to`): whoever may open
the household's file sees its objections; writing is for the deciding roles
(`cases.permissions.can_handle_objections`)."""

import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404

from cases.access import households_visible_to
from cases.households.models import Household
from cases.legal_terms import agreed_term_end, term_end
from cases.objections.models import Objection
from cases.provisions.models import ProvisionDecision
from cases.provisions.selectors import decision_objection_deadline

PAGE_SIZE = 25

# Awb 7:10(1): decide within 6 weeks, 12 with an advisory committee (Awb 7:13), counted from the
# day after the objection term ended; 7:10(3): deferral by at most 6 weeks.
DECISION_WEEKS = 6
DECISION_WEEKS_WITH_COMMITTEE = 12
DEFERRAL_WEEKS = 6


# The term --------------------------------------------------------------------------------------


def objection_term_end_of(*, decision: ProvisionDecision) -> datetime.date | None:
    """The last day to object to `decision` (Awb 6:7/6:8): what its letter stored, or else
    computed from the day it was made known; None while it was not made known."""
    if decision.objection_deadline is not None:
        return decision.objection_deadline
    if decision.made_known_on is not None:
        return decision_objection_deadline(made_known_on=decision.made_known_on)
    return None


def objection_decision_due(
    *,
    objection_term_end: datetime.date,
    received_on: datetime.date,
    advisory_committee: bool,
    deferred: bool,
    consent_deferral_weeks: int = 0,
) -> datetime.date:
    """The last day to decide on an objection, under the Algemene termijnenwet:

    1. Awb 7:10(1): 6 weeks (12 with an advisory committee, Awb 7:13) beginning the day after
       the objection term ended: `term_end(objection_term_end, weeks=6|12)`; for an objection
       received after that term (late), beginning the day after it was received;
    2. Awb 7:10(3): a deferral by 6 weeks is a new statutory term beginning the day after the
       first one ended: `term_end(first_end, weeks=6)` (each term corrected by the Atw on its
       own; none is longer than 12 weeks, art. 4 Atw);
    3. Awb 7:10(4): a further deferral the objector agreed to, in weeks: an agreed term, no
       correction (`agreed_term_end`)."""
    start = max(objection_term_end, received_on)
    weeks = DECISION_WEEKS_WITH_COMMITTEE if advisory_committee else DECISION_WEEKS
    due = term_end(start, weeks=weeks)
    if deferred:
        due = term_end(due, weeks=DEFERRAL_WEEKS)
    if consent_deferral_weeks:
        due = agreed_term_end(due, weeks=consent_deferral_weeks)
    return due


def objection_due_for(objection: Objection) -> datetime.date:
    """`objection_decision_due` for an objection's stored facts."""
    return objection_decision_due(
        objection_term_end=objection.objection_term_end,
        received_on=objection.received_on,
        advisory_committee=objection.advisory_committee,
        deferred=objection.deferred_on is not None,
        consent_deferral_weeks=objection.consent_deferral_weeks,
    )


# Reads -----------------------------------------------------------------------------------------


def objections_visible_to(user) -> QuerySet[Objection]:
    return Objection.objects.filter(household__in=households_visible_to(user))


def _with_context(objections: QuerySet[Objection]) -> QuerySet[Objection]:
    return objections.select_related(
        "decision__application__product",
        "decision__application__resident",
        "household__neighbourhood__district",
        "handled_by",
        "decided_by",
        "registered_by",
        "new_application__decision",
    )


def objection_for_user(*, user, objection_uuid) -> Objection:
    """The objection with its decision and household, or 404 when not visible."""
    objection = _with_context(objections_visible_to(user)).filter(uuid=objection_uuid).first()
    if objection is None:
        raise Http404("No objection found")
    return objection


def household_objections_page(*, household: Household, page_number=None) -> Page:
    """A household's objections (a household fetched through need-to-know), newest first."""
    objections = _with_context(household.objections.all()).order_by("-received_on", "-pk")
    return Paginator(objections, PAGE_SIZE).get_page(page_number)


def decision_objections(*, decision: ProvisionDecision | None) -> list[Objection]:
    """The objections against a decision (the decision was fetched through need-to-know)."""
    if decision is None:
        return []
    return list(
        decision.objections.select_related("new_application__decision").order_by(
            "-received_on", "-pk"
        )
    )


def objectable_decisions(*, household: Household) -> QuerySet[ProvisionDecision]:
    """The household's decisions an objection can be registered against: final ones whose
    letter was made known, without an open objection."""
    open_objection = Objection.objects.open().filter(decision=OuterRef("pk"))
    return (
        ProvisionDecision.objects.filter(
            application__household=household, made_known_on__isnull=False
        )
        .exclude(Exists(open_objection))
        .select_related("application__product")
        .order_by("-decided_at")
    )


# Figures for the dashboards (`outcomes`) -------------------------------------------------------


@dataclass(frozen=True)
class ObjectionCount:
    product: str
    outcome: str  # "" while open
    objections: int
    households: int


def objection_counts(
    *,
    district_ids: list[int] | None,
    year: int | None = None,
    month: int | None = None,
) -> list[ObjectionCount]:
    """Objections per product and outcome (open ones under ""), received in the period, in the
    districts (None: everywhere): counts only, no household is named."""
    objections = Objection.objects.all()
    if district_ids is not None:
        objections = objections.filter(household__neighbourhood__district_id__in=district_ids)
    if year:
        objections = objections.filter(received_on__year=year)
        if month:
            objections = objections.filter(received_on__month=month)
    rows = (
        objections.values("decision__application__product__name", "outcome")
        .annotate(n=Count("pk"), hh=Count("household", distinct=True))
        .order_by("decision__application__product__name", "outcome")
    )
    return [
        ObjectionCount(
            product=row["decision__application__product__name"],
            outcome=row["outcome"],
            objections=row["n"],
            households=row["hh"],
        )
        for row in rows
    ]
