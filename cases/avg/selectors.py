"""Reads for the privacy officer's AVG screens, and the retention rule (art. 5(1)(e) AVG): which
household files are closed, since when, under which law's term, and when that term expired.
`cases.avg.services` destroys what `retention_facts` finds expired.

The terms of the wing have one home each, computed by the legal terms engine
(`cases.legal_terms`): `avg_request_deadline` (art. 12(3) AVG, under Regulation 1182/71) and
`retention_expires_on` (the retention years, an agreed term).

The officer works municipality-wide on requests from residents, not inside household files, so
these do not go through `households_visible_to`; the views check
`permissions.can_handle_avg_requests` first."""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    DateField,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce, Greatest
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.avg.models import CorrectionRequest, DestructionRecord
from cases.households.models import Household, HouseholdMembership, Resident
from cases.intake.models import (
    KitchenTableConversation,
    Melding,
    MeldingStatus,
    Signal,
    SignalStatus,
)
from cases.legal_terms import agreed_term_end, avg_term_end
from cases.objections.models import Objection
from cases.plans.models import AftercareCheckIn, CheckInStatus, Evaluation, PlanStatus, SupportPlan
from cases.provisions.models import (
    UNDECIDED_STATUSES,
    Allocation,
    AllocationStatus,
    ApplicationStatus,
    DecisionOutcome,
    GeneralProvisionReferral,
    MandateSpending,
    ProvisionApplication,
    ProvisionDecision,
)
from networks.models import Law

# Art. 12(3) AVG: a data subject's request is answered within one month of receipt; for a
# complex request the term may be extended by two more months (three in all).
AVG_ANSWER_MONTHS = 1
AVG_EXTENDED_MONTHS = 3


def avg_request_deadline(*, received_on: datetime.date, extended: bool = False) -> datetime.date:
    """The last day to answer a resident's AVG request (art. 12(3) AVG): one month after
    `received_on`, three when the term was extended; counted under Regulation 1182/71 (a last
    day on a Saturday, Sunday or holiday moves to the next working day), not under the Atw
    (`cases.legal_terms.avg_term_end`). The one place this deadline is computed: the services
    that record or extend a request store it (`CorrectionRequest.deadline`)."""
    months = AVG_EXTENDED_MONTHS if extended else AVG_ANSWER_MONTHS
    return avg_term_end(received_on, months=months)


def residents_lookup(*, bsn: str = "", last_name: str = "", birth_date=None) -> QuerySet:
    """Exact matches only: a BSN, or last name (case-insensitive) and date of birth."""
    if bsn:
        return Resident.objects.filter(bsn=bsn)
    return Resident.objects.filter(last_name__iexact=last_name, birth_date=birth_date)


def resident_with_households(*, resident_uuid) -> Resident:
    memberships = HouseholdMembership.objects.select_related("household").order_by("start_date")
    resident = (
        Resident.objects.filter(uuid=resident_uuid)
        .prefetch_related(Prefetch("memberships", memberships))
        .first()
    )
    if resident is None:
        raise Http404
    return resident


def correction_requests(*, status: str = "") -> QuerySet[CorrectionRequest]:
    """Soonest deadline first (the index `correction_status_deadline_idx`)."""
    rows = CorrectionRequest.objects.select_related("resident", "handled_by")
    return rows.filter(status=status) if status else rows


def correction_request_get(*, correction_uuid) -> CorrectionRequest:
    correction = (
        CorrectionRequest.objects.select_related(
            "resident", "recorded_by", "handled_by", "extended_by"
        )
        .filter(uuid=correction_uuid)
        .first()
    )
    if correction is None:
        raise Http404
    return correction


def destruction_records() -> QuerySet[DestructionRecord]:
    return DestructionRecord.objects.all()


# --- Retention: the rule ------------------------------------------------------------------------

DEFAULT_LAW = Law.WMO


# the rule as stored in DestructionRecord.rule (English, stable; shown translated)
LAWS_RULE = "longest term of the file's laws: "


DEFAULT_RULE = "no provisions: the Wmo term"


def retention_years() -> dict[str, int]:
    return {law: int(years) for law, years in settings.RETENTION_YEARS.items()}


def retention_expires_on(*, closed_on: datetime.date, years: int) -> datetime.date:
    """The day a closed file's retention term expires: `years` after `closed_on` (29 February
    gives 28 February), an agreed term without any correction (`agreed_term_end`)."""
    return agreed_term_end(closed_on, years=years)


@dataclass(frozen=True)
class RetentionFacts:
    household_id: int
    household_uuid: uuid.UUID
    running: bool
    closed_on: datetime.date
    laws: tuple[str, ...]
    law: str
    years: int
    expires_on: datetime.date
    rule: str

    def expired(self, today: datetime.date) -> bool:
        return not self.running and self.expires_on <= today


def _latest(model, household_path: str, *date_fields: str):
    """Subquery: the latest of `date_fields` over `model`'s rows of the outer household."""
    rows = model._base_manager.filter(**{household_path: OuterRef("pk")}).order_by()
    values = [
        Cast(F(name), DateField()) if name.endswith("_at") else F(name) for name in date_fields
    ]
    latest = Greatest(*values) if len(values) > 1 else values[0]
    return Subquery(
        rows.annotate(_day=latest).values(household_path).annotate(m=Max("_day")).values("m"),
        output_field=DateField(),
    )


def _running(today: datetime.date) -> Q:
    """Something in the file still runs."""
    period_runs = Q(end_date__isnull=True) | Q(end_date__gte=today)
    return Q(
        Exists(
            SupportPlan.objects.filter(
                household=OuterRef("pk"), status__in=[PlanStatus.DRAFT, PlanStatus.ACTIVE]
            )
        )
        | Exists(
            AftercareCheckIn.objects.filter(
                plan__household=OuterRef("pk"),
                status__in=[CheckInStatus.PLANNED, CheckInStatus.DUE],
            )
        )
        | Exists(Melding.objects.filter(household=OuterRef("pk"), status=MeldingStatus.OPEN))
        | Exists(Objection.objects.open().filter(household=OuterRef("pk")))
        | Exists(Signal.objects.filter(household=OuterRef("pk"), status=SignalStatus.OPEN))
        | Exists(
            ProvisionApplication.objects.filter(
                household=OuterRef("pk"), status__in=UNDECIDED_STATUSES
            )
        )
        | Exists(
            Allocation.objects.filter(household=OuterRef("pk"))
            .exclude(status=AllocationStatus.STOPPED)
            .filter(period_runs)
        )
        | Exists(
            ProvisionDecision.objects.filter(
                application__household=OuterRef("pk"),
                application__status=ApplicationStatus.GRANTED,
                outcome=DecisionOutcome.GRANT,
            ).filter(period_runs)
        )
    )


def _with_closure(households: QuerySet, today: datetime.date) -> QuerySet:
    created = Cast(F("created_at"), DateField())
    parts = [
        _latest(HouseholdMembership, "household", "start_date"),
        _latest(Melding, "household", "received_on"),
        _latest(Signal, "household", "received_on"),
        _latest(KitchenTableConversation, "household", "held_on", "updated_at"),
        _latest(SupportPlan, "household", "updated_at"),
        _latest(Evaluation, "plan__household", "evaluated_on"),
        _latest(AftercareCheckIn, "plan__household", "due_on"),
        _latest(GeneralProvisionReferral, "household", "referred_on", "follow_up_on"),
        _latest(ProvisionApplication, "household", "applied_on", "updated_at"),
        _latest(ProvisionDecision, "application__household", "decided_at"),
        _latest(Allocation, "household", "start_date", "updated_at"),
        _latest(MandateSpending, "household", "spent_on"),
        _latest(Objection, "household", "received_on"),
    ]
    # dates that may be empty: taken separately so an empty one does not hide the others
    optional = [
        _latest(HouseholdMembership, "household", "end_date"),
        _latest(Melding, "household", "withdrawn_on"),
        _latest(Signal, "household", "handled_at"),
        _latest(SupportPlan, "household", "closed_at"),
        _latest(AftercareCheckIn, "plan__household", "done_on"),
        _latest(GeneralProvisionReferral, "household", "followed_up_on"),
        _latest(ProvisionDecision, "application__household", "end_date"),
        _latest(ProvisionDecision, "application__household", "cosigned_at"),
        _latest(Allocation, "household", "end_date"),
        _latest(Allocation, "household", "care_stopped_on"),
        _latest(Objection, "household", "decided_on"),
    ]
    latest = Greatest(
        created,
        Cast(F("updated_at"), DateField()),
        *(Coalesce(part, created) for part in (*parts, *optional)),
    )
    return households.annotate(_closed_on=latest, _running=_running(today))


def _laws_by_household(household_ids: list[int]) -> dict[int, set[str]]:
    laws: dict[int, set[str]] = {}
    for household_id, law in (
        ProvisionApplication.objects.filter(household_id__in=household_ids)
        .values_list("household_id", "law")
        .distinct()
    ):
        laws.setdefault(household_id, set()).add(law)
    for household_id, law in (
        ProvisionDecision.objects.filter(
            application__household_id__in=household_ids, product__isnull=False
        )
        .values_list("application__household_id", "product__law")
        .distinct()
    ):
        laws.setdefault(household_id, set()).add(law)
    return laws


def retention_facts(
    *, households: QuerySet | None = None, today: datetime.date | None = None
) -> list[RetentionFacts]:
    """The retention position of every household in `households` (all by default), in a
    constant number of queries."""
    today = today or timezone.localdate()
    terms = retention_years()
    rows = list(
        _with_closure(
            Household.objects.all() if households is None else households, today
        ).values_list("pk", "uuid", "_closed_on", "_running")
    )
    laws = _laws_by_household([row[0] for row in rows])
    facts = []
    for pk, household_uuid, closed_on, running in rows:
        own = tuple(sorted(laws.get(pk, ())))
        if own:
            law = max(own, key=lambda name: (terms.get(name, terms[DEFAULT_LAW]), name))
            rule = LAWS_RULE + ", ".join(own)
        else:
            law = DEFAULT_LAW
            rule = DEFAULT_RULE
        years = terms.get(law, terms[DEFAULT_LAW])
        facts.append(
            RetentionFacts(
                household_id=pk,
                household_uuid=household_uuid,
                running=bool(running),
                closed_on=closed_on,
                laws=own,
                law=law,
                years=years,
                expires_on=retention_expires_on(closed_on=closed_on, years=years),
                rule=rule,
            )
        )
    return facts


def retention_rule_display(rule: str) -> str:
    """A rule as stored in `DestructionRecord.rule` (English, stable), in the active language."""
    if rule == DEFAULT_RULE:
        return str(_("no provisions: the Wmo term"))
    if rule.startswith(LAWS_RULE):
        labels = dict(Law.choices)
        laws = [code.strip() for code in rule[len(LAWS_RULE) :].split(",")]
        return str(_("longest term of the file's laws: %(laws)s")) % {
            "laws": ", ".join(str(labels.get(code, code)) for code in laws)
        }
    return rule
