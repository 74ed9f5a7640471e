"""Writes for intake: meldingen, signals, kitchen-table conversations and the informal network.
Each function is one transaction; views, the API and commands call these instead of saving
models themselves. Each records its change in the access log (`cases.audit.audit_change`) as
the last step of its transaction, with the `context` a view passes (`request_context(request)`).

The Wmo deadlines of a melding come from `cases.intake.selectors` (the legal terms engine) and
are stored here: when it is registered, and again for every open melding when the holiday
table changes (`open_intake_clocks_recompute`).
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import legal_terms, permissions
from cases.audit import RequestContext, audit_change
from cases.households import services as household_services
from cases.households.models import (
    Household,
    HouseholdMembership,
    Resident,
)
from cases.households.selectors import current_residents
from cases.households.services import check_fields
from cases.intake.models import (
    MAX_CALLBACK_ATTEMPTS,
    BasicNeed,
    CallbackAttempt,
    CallbackOutcome,
    GpHandoff,
    HandoffStatus,
    HandoffUrgency,
    InformalNetworkMember,
    KitchenTableConversation,
    LifeDomain,
    LifeDomainScore,
    Melding,
    MeldingChannel,
    MeldingStatus,
    Signal,
    SignalSource,
    SignalStatus,
)
from cases.intake.selectors import melding_investigation_deadline, melding_personal_plan_deadline
from networks.models import Organisation, OrganisationType
from teams.models import Team
from teams.validators import normalise_postcode

logger = logging.getLogger(__name__)


def _audit(*, by, context, object_type: str, obj, household, resident_uuids=()) -> None:
    audit_change(
        by=by,
        context=context,
        object_type=object_type,
        object_id=obj.uuid,
        household_uuid=household.uuid if household is not None else None,
        resident_uuids=resident_uuids,
    )


@transaction.atomic
def melding_register(
    *,
    household: Household,
    by,
    channel: str,
    question: str,
    received_on: datetime.date | None = None,
    context: RequestContext | None = None,
) -> Melding:
    """Register a request for help; the Wmo clocks (the 6-week investigation, the 7 days for a
    personal plan) start at `received_on` and their last days are stored."""
    melding = _melding_create(
        household=household, by=by, channel=channel, question=question, received_on=received_on
    )
    _audit(by=by, context=context, object_type="melding", obj=melding, household=household)
    return melding


def _melding_create(*, household, by, channel, question, received_on) -> Melding:
    melding = Melding(
        household=household,
        channel=channel or MeldingChannel.PHONE,
        question=question,
        received_on=received_on or timezone.localdate(),
        registered_by=by,
    )
    _melding_deadlines_set(melding)
    melding.full_clean()
    melding.save()
    return melding


# the access-log reason of a deadline the system moved (English, stable, like the other reasons
# services write)
RECOMPUTED = "legal term recomputed"


def _melding_deadlines_set(melding: Melding) -> None:
    melding.investigation_deadline = melding_investigation_deadline(received_on=melding.received_on)
    melding.personal_plan_deadline = melding_personal_plan_deadline(received_on=melding.received_on)


@transaction.atomic
def melding_withdraw(
    *, melding: Melding, by, reason: str, context: RequestContext | None = None
) -> Melding:
    """The resident withdraws a request for help while its investigation runs: the melding
    closes with the reason, the day and who recorded it; its clock stops. Generalists and
    team leads (`permissions.can_register_melding`); the row is locked, so a melding is not
    withdrawn twice or after its conversation completed it."""
    melding = Melding.objects.select_for_update().select_related("household").get(pk=melding.pk)
    if not permissions.can_register_melding(by, melding.household):
        raise PermissionDenied
    if melding.status != MeldingStatus.OPEN:
        raise ValidationError(
            _("Only a request for help whose investigation runs can be withdrawn.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason the resident withdraws the request.")})
    melding.status = MeldingStatus.WITHDRAWN
    melding.withdrawn_on = timezone.localdate()
    melding.withdrawn_reason = reason
    melding.withdrawn_by = by
    melding.full_clean()
    melding.save(update_fields=["status", "withdrawn_on", "withdrawn_reason", "withdrawn_by"])
    _audit(by=by, context=context, object_type="melding", obj=melding, household=melding.household)
    return melding


def open_intake_clocks_recompute(*, by=None, context: RequestContext | None = None) -> int:
    """Recompute the stored Wmo deadlines of every open melding (the investigation and the
    personal-plan window), e.g. after the functional administrator changed the holiday table
    (`cases.legal_terms.EquatedDay`); `by` is who changed it (None: the system). Closed
    meldingen keep the deadline that applied. The engine is asked once per distinct date of
    receipt, and each date is one transaction that locks only the meldingen whose deadline
    moves (not one transaction for all: at scale that would hold every open melding while
    generalists work); each moved melding gets a change row in the access log. Returns the
    number of meldingen changed."""
    changed = 0
    open_meldingen = Melding.objects.filter(status=MeldingStatus.OPEN)
    received_dates = list(
        open_meldingen.order_by("received_on").values_list("received_on", flat=True).distinct()
    )
    for received_on in received_dates:
        investigation = melding_investigation_deadline(received_on=received_on)
        personal_plan = melding_personal_plan_deadline(received_on=received_on)
        with transaction.atomic():
            moved = list(
                open_meldingen.filter(received_on=received_on)
                .exclude(investigation_deadline=investigation, personal_plan_deadline=personal_plan)
                .select_for_update(of=("self",))
                .values_list("pk", "uuid", "household__uuid")
                .order_by("pk")
            )
            if not moved:
                continue
            Melding.objects.filter(pk__in=[pk for pk, _uuid, _household in moved]).update(
                investigation_deadline=investigation, personal_plan_deadline=personal_plan
            )
            for _pk, melding_uuid, household_uuid in moved:
                audit_change(
                    by=by,
                    context=context,
                    object_type="melding",
                    object_id=melding_uuid,
                    household_uuid=household_uuid,
                    reason=RECOMPUTED,
                )
        changed += len(moved)
    return changed


CONVERSATION_FIELDS = (
    *KitchenTableConversation.NARRATIVE_FIELDS,
    *(f"{need.value}_{part}" for need in BasicNeed for part in ("crisis", "note")),
)


NETWORK_MEMBER_FIELDS = ("kind", "name", "contact", "contribution")


def scores_save(*, scores: dict | None, conversation=None, evaluation=None) -> None:
    """Replace the scores of a conversation's or an evaluation's life-domain assessment (call
    inside the write's transaction); domains left out (or None) are not scored."""
    if scores is None:
        return
    rows = []
    for domain, score in scores.items():
        if score in (None, ""):
            continue
        if domain not in LifeDomain.values:
            raise ValidationError(_("Unknown life domain: %(domain)s") % {"domain": domain})
        row = LifeDomainScore(
            conversation=conversation, evaluation=evaluation, domain=domain, score=int(score)
        )
        row.full_clean(exclude=["conversation", "evaluation"], validate_constraints=False)
        rows.append(row)
    owner = {"conversation": conversation} if conversation else {"evaluation": evaluation}
    LifeDomainScore.objects.filter(**owner).delete()
    LifeDomainScore.objects.bulk_create(rows)


def _assessment_check(*, scores: dict | None, domains_not_discussed) -> list[str]:
    """The life-domain assessment of a conversation is complete: each of the 13 domains is
    scored or marked "not discussed", never both. Returns the domains not discussed, in
    domain order. Raises a ValidationError naming each domain left open (`score_<domain>`)."""
    scored = {domain for domain, score in (scores or {}).items() if score not in (None, "")}
    not_discussed = set(domains_not_discussed)
    errors = {}
    for domain in LifeDomain:
        if domain.value in scored and domain.value in not_discussed:
            errors[f"score_{domain.value}"] = _(
                "Give a score or mark it as not discussed, not both."
            )
        elif domain.value not in scored | not_discussed:
            errors[f"score_{domain.value}"] = _("Give a score or mark it as not discussed.")
    if errors:
        raise ValidationError(errors)
    return [domain.value for domain in LifeDomain if domain.value in not_discussed]


@transaction.atomic
def conversation_record(
    *,
    household: Household,
    by,
    melding: Melding | None = None,
    participants=(),
    network_participants=(),
    scores: dict | None = None,
    domains_not_discussed=None,
    context: RequestContext | None = None,
    **fields,
) -> KitchenTableConversation:
    """Record a kitchen-table conversation with its life-domain scores and basic-needs
    screening (`<need>_crisis`: True, False, or None for "not asked"). The conversation is
    the investigation: the melding it answers is completed.

    `domains_not_discussed` (the screen passes it): the assessment must then be complete,
    every life domain scored or named there. Left out (None), scores are optional, as for
    conversations recorded in bulk (demo, imports)."""
    check_fields(fields, CONVERSATION_FIELDS, "conversation")
    if melding is not None and melding.household_id != household.pk:
        raise ValidationError(_("This request for help belongs to another household."))
    if domains_not_discussed is not None:
        fields["domains_not_discussed"] = _assessment_check(
            scores=scores, domains_not_discussed=domains_not_discussed
        )
    conversation = KitchenTableConversation(
        household=household, melding=melding, conducted_by=by, **fields
    )
    conversation.full_clean()
    conversation.save()
    _conversation_participants_set(conversation, participants)
    _conversation_network_set(conversation, network_participants)
    scores_save(scores=scores, conversation=conversation)
    if melding is not None:
        Melding.objects.filter(pk=melding.pk, status=MeldingStatus.OPEN).update(
            status=MeldingStatus.COMPLETED
        )
    _audit_conversation(by=by, context=context, conversation=conversation)
    return conversation


def _audit_conversation(*, by, context, conversation: KitchenTableConversation) -> None:
    _audit(
        by=by,
        context=context,
        object_type="conversation",
        obj=conversation,
        household=conversation.household,
        resident_uuids=[resident.uuid for resident in conversation.participants.all()],
    )


def _conversation_participants_set(conversation, participants) -> None:
    ids = {resident.pk for resident in participants}
    allowed = set(
        current_residents(household=conversation.household)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    if ids - allowed:
        raise ValidationError(_("Only residents of this household can be chosen."))
    conversation.participants.set(ids)


def _conversation_network_set(conversation, members) -> None:
    """Who of the household's informal network took part: picked, not typed again."""
    ids = {member.pk for member in members}
    allowed = set(
        InformalNetworkMember.objects.filter(
            household=conversation.household, pk__in=ids
        ).values_list("pk", flat=True)
    )
    if ids - allowed:
        raise ValidationError(_("Only members of this household's network can be chosen."))
    conversation.network_participants.set(ids)


@transaction.atomic
def conversation_update(
    *,
    conversation: KitchenTableConversation,
    by,
    participants=None,
    network_participants=None,
    scores: dict | None = None,
    context: RequestContext | None = None,
    **changes,
) -> KitchenTableConversation:
    """Change the report, e.g. to add the resident's remarks after reading it."""
    check_fields(changes, CONVERSATION_FIELDS, "conversation")
    for name, value in changes.items():
        setattr(conversation, name, value)
    conversation.full_clean()
    conversation.save()
    if participants is not None:
        _conversation_participants_set(conversation, participants)
    if network_participants is not None:
        _conversation_network_set(conversation, network_participants)
    scores_save(scores=scores, conversation=conversation)
    _audit_conversation(by=by, context=context, conversation=conversation)
    return conversation


@transaction.atomic
def network_member_add(
    *, household: Household, by, context: RequestContext | None = None, **fields
) -> InformalNetworkMember:
    """Add someone from the household's informal network (family carer, neighbour, buddy)."""
    check_fields(fields, NETWORK_MEMBER_FIELDS, "network member")
    member = InformalNetworkMember(household=household, **fields)
    member.full_clean()
    member.save()
    _audit(by=by, context=context, object_type="network_member", obj=member, household=household)
    return member


@transaction.atomic
def network_member_update(
    *, member: InformalNetworkMember, by, context: RequestContext | None = None, **changes
) -> InformalNetworkMember:
    check_fields(changes, NETWORK_MEMBER_FIELDS, "network member")
    # an entry of a volunteer of the register (cases/volunteers) names that person: their name
    # and kind come from the register, not from typing
    # (compared with the stored row: a model form has already put its values on `member`)
    if hasattr(member, "volunteering"):
        stored = InformalNetworkMember.objects.filter(pk=member.pk).values("name", "kind").get()
        if any(changes.get(name, stored[name]) != stored[name] for name in stored):
            raise ValidationError(
                _("This is a volunteer from the register: the name and kind come from there.")
            )
    for name, value in changes.items():
        setattr(member, name, value)
    member.full_clean()
    member.save()
    _audit(
        by=by,
        context=context,
        object_type="network_member",
        obj=member,
        household=member.household,
    )
    return member


def team_for_postcode(postcode: str) -> Team | None:
    """The team of the area a (normalised) postcode lies in: Postcode -> Neighbourhood ->
    District -> Team; None outside the municipality or when the district has no team."""
    return Team.objects.filter(district__neighbourhoods__postcodes__postcode=postcode).first()


def _team_for_household(household: Household) -> Team | None:
    if household.neighbourhood_id is None:
        return None
    return Team.objects.filter(district__neighbourhoods__id=household.neighbourhood_id).first()


@transaction.atomic
def signal_register(
    *,
    by,
    source_type: str,
    reporter_name: str,
    observation: str,
    reporter_contact: str = "",
    received_on: datetime.date | None = None,
    household: Household | None = None,
    resident: Resident | None = None,
    subject_name: str = "",
    subject_birth_date: datetime.date | None = None,
    subject_address: str = "",
    subject_postcode: str = "",
    team: Team | None = None,
    context: RequestContext | None = None,
) -> Signal:
    """Register a third party's concern. It lands with the team of the area: the household's
    area, or the area of the postcode the reporter gave. `team` is only used when the area
    cannot be derived (an address outside the municipality's areas, or none known)."""
    if resident is not None:
        current = (
            HouseholdMembership.objects.current()
            .filter(resident=resident)
            .select_related("household")
            .first()
        )
        if household is None and current is not None:
            household = current.household
        elif household is not None and (current is None or current.household_id != household.pk):
            raise ValidationError(
                {"resident": _("This person does not live in the chosen household.")}
            )
    subject_postcode = normalise_postcode(subject_postcode) if subject_postcode else ""
    derived = None
    if household is not None:
        derived = _team_for_household(household)
    elif subject_postcode:
        derived = team_for_postcode(subject_postcode)
    team = derived or team
    if team is None:
        raise ValidationError(
            {"team": _("The area is unknown: choose the team that should look at this signal.")}
        )
    signal = Signal(
        source_type=source_type,
        reporter_name=reporter_name,
        reporter_contact=reporter_contact,
        observation=observation,
        received_on=received_on or timezone.localdate(),
        household=household,
        resident=resident,
        subject_name=subject_name,
        subject_birth_date=subject_birth_date,
        subject_address=subject_address,
        subject_postcode=subject_postcode,
        team=team,
        registered_by=by,
    )
    signal.full_clean()
    signal.save()
    _audit_signal(by=by, context=context, signal=signal)
    return signal


def _audit_signal(*, by, context, signal: Signal) -> None:
    """A signal is part of its household's file (or of the person's, once they are known)."""
    _audit(
        by=by,
        context=context,
        object_type="signal",
        obj=signal,
        household=signal.household,
        resident_uuids=[signal.resident.uuid] if signal.resident_id else (),
    )


def _lock_open_signal(signal: Signal) -> Signal:
    signal = Signal.objects.select_for_update().get(pk=signal.pk)
    if signal.status != SignalStatus.OPEN:
        raise ValidationError(_("This signal has already been handled."))
    return signal


def _require_triage(signal: Signal, by) -> None:
    if not (
        permissions.can_triage_signals(by)
        and signal.team.members.filter(user=by, active=True).exists()
    ):
        raise PermissionDenied


@transaction.atomic
def signal_convert_to_melding(
    *,
    signal: Signal,
    by,
    question: str,
    household: Household | None = None,
    new_household: dict | None = None,
    received_on: datetime.date | None = None,
    channel: str = MeldingChannel.SIGNAL,
    context: RequestContext | None = None,
) -> Melding:
    """Turn a signal into a request for help for a household: the signal's own household,
    the one chosen in triage (`household`), or a household registered now (`new_household`:
    the keyword arguments of `cases.households.services.household_create`, without `by`). The
    Wmo clock starts at `received_on` (default today). One access-log row, for the signal, in
    the file of the household it now belongs to."""
    signal = _lock_open_signal(signal)
    _require_triage(signal, by)
    if household is not None and new_household is not None:
        raise ValueError("Pass either household or new_household, not both")
    if new_household is not None:
        household = household_services.household_create(by=by, **new_household, audit=False)
    household = household or signal.household
    if household is None:
        raise ValidationError(
            {"household": _("Choose the household or register a new one for this signal.")}
        )
    melding = _melding_create(
        household=household,
        by=by,
        channel=channel,
        question=question,
        received_on=received_on,
    )
    signal.household = household
    signal.status = SignalStatus.CONVERTED
    signal.melding = melding
    signal.handled_by = by
    signal.handled_at = timezone.now()
    signal.full_clean()
    signal.save()
    _audit_signal(by=by, context=context, signal=signal)
    return melding


@transaction.atomic
def signal_close(
    *, signal: Signal, by, reason: str, context: RequestContext | None = None
) -> Signal:
    """Close a signal without a melding (no concern after all, help already in place, ...)."""
    signal = _lock_open_signal(signal)
    _require_triage(signal, by)
    signal.status = SignalStatus.CLOSED
    signal.close_reason = (reason or "").strip()
    signal.handled_by = by
    signal.handled_at = timezone.now()
    signal.full_clean()
    signal.save()
    _audit_signal(by=by, context=context, signal=signal)
    return signal


PARTNER_SIGNAL_SOURCES = {
    OrganisationType.GP_PRACTICE: SignalSource.GP,
    OrganisationType.HOUSING_CORPORATION: SignalSource.HOUSING_CORPORATION,
    OrganisationType.SCHOOL: SignalSource.SCHOOL,
}


@transaction.atomic
def signal_register_from_partner(
    *,
    organisation: Organisation,
    postcode: str,
    observation: str,
    reporter_name: str,
    reporter_contact: str = "",
    bsn: str = "",
    birth_date: datetime.date | None = None,
    name: str = "",
    address: str = "",
    context: RequestContext | None = None,
) -> Signal:
    """A concern reported over the API. A person is linked only when BSN *and* date of birth
    match a resident; otherwise the signal carries what the partner knows. Either way it lands
    with the team of the person's area, and the caller learns nothing about whether the person
    is known (the same receipt, the same errors). The API passes its `context` (the partner's
    client) for the access-log row."""
    resident = None
    if bsn and birth_date:
        resident = Resident.objects.filter(bsn=bsn, birth_date=birth_date).first()
    if team_for_postcode(postcode) is None:
        raise ValidationError({"postcode": _("This postcode is not in this municipality's areas.")})
    reporter = f"{reporter_name} ({organisation.name})"
    source_type = PARTNER_SIGNAL_SOURCES.get(organisation.type, SignalSource.OTHER)
    if resident is not None:
        # the household's area decides the team; the postcode's team only when the person
        # has no current household
        return signal_register(
            by=None,
            source_type=source_type,
            reporter_name=reporter[:150],
            reporter_contact=reporter_contact,
            observation=observation,
            resident=resident,
            team=team_for_postcode(postcode),
            context=context,
        )
    return signal_register(
        by=None,
        source_type=source_type,
        reporter_name=reporter[:150],
        reporter_contact=reporter_contact,
        observation=observation,
        subject_name=(name or f"BSN {bsn}")[:150],
        subject_birth_date=birth_date,
        subject_address=address,
        subject_postcode=postcode,
        context=context,
    )


# The GP's warm hand-off (docs/gp-handoff.md) ---------------------------------------------------


@transaction.atomic
def gp_handoff_send(
    *,
    by,
    patient_name: str,
    patient_birth_date: datetime.date,
    postcode: str,
    house_number: str,
    consent_confirmed: bool,
    concern: str,
    reply_email: str,
    urgency: str = HandoffUrgency.NORMAL,
    practice_name: str = "",
    context: RequestContext | None = None,
) -> GpHandoff:
    """A GP hands a patient's concern over to the team of the patient's district, with the
    patient's consent: a signal in that team's triage queue (`signal_register`, the one home
    of a signal) and a call-back clock due `legal_terms.callback_due` working days later. The
    patient is not looked up: the GP learns nothing of any file, and the team links the
    person in triage. One access-log row for the signal, one for the hand-off."""
    if not permissions.can_send_gp_handoff(by):
        raise PermissionDenied
    if not consent_confirmed:
        raise ValidationError(
            {"consent_confirmed": _("Send a hand-off only with your patient's consent.")}
        )
    if urgency not in HandoffUrgency.values:
        raise ValidationError({"urgency": _("Choose normal or urgent.")})
    try:
        postcode = normalise_postcode(postcode)
    except ValidationError as exc:
        raise ValidationError({"postcode": exc.messages}) from exc
    team = team_for_postcode(postcode)
    if team is None:
        raise ValidationError(
            {
                "postcode": _(
                    "This postcode is not in a district of this municipality with a "
                    "neighbourhood team. Contact the municipality where your patient lives."
                )
            }
        )
    sender = by.get_full_name() or by.get_username()
    reporter = f"{sender} ({practice_name})" if practice_name else sender
    signal = signal_register(
        by=by,
        source_type=SignalSource.GP,
        reporter_name=reporter[:150],
        reporter_contact=reply_email,
        observation=concern,
        subject_name=patient_name,
        subject_birth_date=patient_birth_date,
        subject_address=house_number,
        subject_postcode=postcode,
        team=team,
        context=context,
    )
    handoff = GpHandoff(
        sent_by=by,
        practice_name=practice_name,
        reply_email=reply_email,
        patient_name=patient_name,
        patient_birth_date=patient_birth_date,
        postcode=postcode,
        house_number=house_number.strip(),
        consent_confirmed=True,
        urgency=urgency,
        district=team.district,
        signal=signal,
        callback_due=legal_terms.callback_due(signal.received_on, urgency=urgency),
    )
    handoff.full_clean()
    handoff.save()
    audit_change(by=by, context=context, object_type="gp_handoff", object_id=handoff.uuid)
    return handoff


def _require_call_back(handoff: GpHandoff, by) -> None:
    """The team of the hand-off's signal calls back: its generalists and team lead."""
    if not (
        permissions.can_call_back(by)
        and handoff.signal.team.members.filter(user=by, active=True).exists()
    ):
        raise PermissionDenied


@transaction.atomic
def callback_attempt_record(
    *,
    handoff: GpHandoff,
    by,
    outcome: str,
    note: str = "",
    context: RequestContext | None = None,
) -> CallbackAttempt:
    """One try to call the patient of a GP hand-off back. Reached: the status becomes "contact
    made"; the third try without contact: "no contact". Each change of status is e-mailed to
    the practice after the commit, with the hand-off's reference only (no name, no content).
    The hand-off is locked, so two colleagues recording at once get attempts 1 and 2."""
    handoff = (
        GpHandoff.objects.select_for_update(of=("self",))
        .select_related("signal__team", "signal__household")
        .get(pk=handoff.pk)
    )
    _require_call_back(handoff, by)
    if not handoff.is_open:
        raise ValidationError(_("The call-back of this hand-off is finished."))
    if outcome not in CallbackOutcome.values:
        raise ValidationError({"outcome": _("Choose reached or not reached.")})
    attempt = CallbackAttempt(
        handoff=handoff,
        number=handoff.attempts.count() + 1,
        by=by,
        outcome=outcome,
        note=(note or "").strip(),
    )
    attempt.full_clean()
    attempt.save()
    if outcome == CallbackOutcome.REACHED:
        handoff.status = HandoffStatus.CONTACT_MADE
    elif attempt.number >= MAX_CALLBACK_ATTEMPTS:
        handoff.status = HandoffStatus.NO_CONTACT
    if not handoff.is_open:
        handoff.status_at = timezone.now()
        handoff.save(update_fields=["status", "status_at"])
        address, reference, status = handoff.reply_email, handoff.reference, handoff.status
        transaction.on_commit(lambda: _handoff_status_mail_send(address, reference, status))
    household = handoff.signal.household
    audit_change(
        by=by,
        context=context,
        object_type="callback_attempt",
        object_id=attempt.uuid,
        household_uuid=household.uuid if household is not None else None,
    )
    return attempt


def _handoff_status_mail_send(address: str, reference: str, status: str) -> None:
    """The practice's status back: the reference and the status, nothing of the case (no
    name, no date of birth, no address, no note)."""
    if status == HandoffStatus.CONTACT_MADE:
        line = _("Hand-off %(reference)s: contact made (contact gelegd).")
    else:
        line = _("Hand-off %(reference)s: no contact after 3 attempts.")
    body = "\n".join(
        [
            line % {"reference": reference},
            "",
            _("The status of your hand-offs: %(url)s")
            % {"url": f"{settings.SITE_URL}{reverse('handoffs:mine')}"},
        ]
    )
    try:
        send_mail(
            subject=_("wijkwerk: status of hand-off %(reference)s") % {"reference": reference},
            message=body,
            from_email=None,
            recipient_list=[address],
        )
    except Exception:  # SMTP down, address refused: the GP page shows the status all the same
        logger.exception("GP hand-off status e-mail failed")
