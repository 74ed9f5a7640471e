"""Writes for households and residents. Each function is one transaction; views, the admin,
the API and commands call these instead of saving models themselves."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.households import services as household_services
from cases.households.models import (
    Household,
    HouseholdMembership,
    Resident,
)
from cases.intake.models import (
    BasicNeed,
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
from networks.models import Organisation, OrganisationType
from teams.models import Team
from teams.validators import normalise_postcode


@transaction.atomic
def melding_register(
    *,
    household: Household,
    by,
    channel: str,
    question: str,
    received_on: datetime.date | None = None,
) -> Melding:
    """Register a request for help; the Wmo 6-week investigation clock starts at `received_on`."""
    melding = Melding(
        household=household,
        channel=channel or MeldingChannel.PHONE,
        question=question,
        received_on=received_on or timezone.localdate(),
        registered_by=by,
    )
    melding.investigation_deadline = Melding.deadline_for(melding.received_on)
    melding.full_clean()
    melding.save()
    return melding


CONVERSATION_FIELDS = (
    *KitchenTableConversation.NARRATIVE_FIELDS,
    *(f"{need.value}_{part}" for need in BasicNeed for part in ("crisis", "note")),
)


NETWORK_MEMBER_FIELDS = ("kind", "name", "contact", "contribution")


def _check_fields(changes: dict, allowed: tuple, what: str) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"Not a {what} field: {', '.join(sorted(unknown))}")


def _scores_save(*, scores: dict | None, conversation=None, evaluation=None) -> None:
    """Replace the assessment's scores; domains left out (or None) are not scored."""
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


def _current_residents(household: Household):
    return Resident.objects.filter(
        pk__in=HouseholdMembership.objects.current()
        .filter(household=household)
        .values("resident_id")
    )


@transaction.atomic
def conversation_record(
    *,
    household: Household,
    by,
    melding: Melding | None = None,
    participants=(),
    scores: dict | None = None,
    **fields,
) -> KitchenTableConversation:
    """Record a kitchen-table conversation with its life-domain scores and basic-needs
    screening. The conversation is the investigation: the melding it answers is completed."""
    _check_fields(fields, CONVERSATION_FIELDS, "conversation")
    if melding is not None and melding.household_id != household.pk:
        raise ValidationError(_("This request for help belongs to another household."))
    conversation = KitchenTableConversation(
        household=household, melding=melding, conducted_by=by, **fields
    )
    conversation.full_clean()
    conversation.save()
    _conversation_participants_set(conversation, participants)
    _scores_save(scores=scores, conversation=conversation)
    if melding is not None:
        Melding.objects.filter(pk=melding.pk, status=MeldingStatus.OPEN).update(
            status=MeldingStatus.COMPLETED
        )
    return conversation


def _conversation_participants_set(conversation, participants) -> None:
    ids = {resident.pk for resident in participants}
    allowed = set(
        _current_residents(conversation.household).filter(pk__in=ids).values_list("pk", flat=True)
    )
    if ids - allowed:
        raise ValidationError(_("Only residents of this household can be chosen."))
    conversation.participants.set(ids)


@transaction.atomic
def conversation_update(
    *,
    conversation: KitchenTableConversation,
    by,
    participants=None,
    scores: dict | None = None,
    **changes,
) -> KitchenTableConversation:
    """Change the report, e.g. to add the resident's remarks after reading it."""
    _check_fields(changes, CONVERSATION_FIELDS, "conversation")
    for name, value in changes.items():
        setattr(conversation, name, value)
    conversation.full_clean()
    conversation.save()
    if participants is not None:
        _conversation_participants_set(conversation, participants)
    _scores_save(scores=scores, conversation=conversation)
    return conversation


@transaction.atomic
def network_member_add(*, household: Household, by, **fields) -> InformalNetworkMember:
    _check_fields(fields, NETWORK_MEMBER_FIELDS, "network member")
    member = InformalNetworkMember(household=household, **fields)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def network_member_update(*, member: InformalNetworkMember, by, **changes) -> InformalNetworkMember:
    _check_fields(changes, NETWORK_MEMBER_FIELDS, "network member")
    for name, value in changes.items():
        setattr(member, name, value)
    member.full_clean()
    member.save()
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
    return signal


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
) -> Melding:
    """Turn a signal into a request for help for a household: the signal's own household,
    the one chosen in triage (`household`), or a household registered now (`new_household`:
    the keyword arguments of `cases.services.household_create`, without `by`). The Wmo clock
    starts at `received_on` (default today)."""
    signal = _lock_open_signal(signal)
    _require_triage(signal, by)
    if household is not None and new_household is not None:
        raise ValueError("Pass either household or new_household, not both")
    if new_household is not None:
        household = household_services.household_create(by=by, **new_household)
    household = household or signal.household
    if household is None:
        raise ValidationError(
            {"household": _("Choose the household or register a new one for this signal.")}
        )
    melding = melding_register(
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
    return melding


@transaction.atomic
def signal_close(*, signal: Signal, by, reason: str) -> Signal:
    """Close a signal without a melding (no concern after all, help already in place, ...)."""
    signal = _lock_open_signal(signal)
    _require_triage(signal, by)
    signal.status = SignalStatus.CLOSED
    signal.close_reason = (reason or "").strip()
    signal.handled_by = by
    signal.handled_at = timezone.now()
    signal.full_clean()
    signal.save()
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
) -> Signal:
    """A concern reported over the API. A person is linked only when BSN *and* date of birth
    match a resident; otherwise the signal carries what the partner knows. Either way it lands
    with the team of the person's area, and the caller learns nothing about whether the person
    is known (the same receipt, the same errors)."""
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
    )
