"""Writes for intake: signals (signalen) and their triage, and merging two person records that
turn out to be one person. Same conventions as `cases.services`: keyword-only, one
transaction each, `full_clean` before saving, plain-Dutch `ValidationError`s."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions, services
from cases.models import (
    Household,
    HouseholdMembership,
    Melding,
    MeldingChannel,
    Resident,
    ResidentMergeRecord,
    Signal,
    SignalSource,
    SignalStatus,
)
from networks.models import Organisation, OrganisationType
from teams.models import Team
from teams.validators import normalise_postcode


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
        household = services.household_create(by=by, **new_household)
    household = household or signal.household
    if household is None:
        raise ValidationError(
            {"household": _("Choose the household or register a new one for this signal.")}
        )
    melding = services.melding_register(
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


# Merging person records ---------------------------------------------------------------------


def _relations_to_resident():
    """Every relation that points at Resident, including ones added later by other apps and
    hidden ones (`related_name="+"`). A many-to-many with an automatic through table is handled
    through its ManyToManyRel; the through table's own foreign keys are skipped."""
    for rel in Resident._meta.get_fields(include_hidden=True):
        if not (rel.is_relation and rel.auto_created and not rel.concrete):
            continue
        if rel.many_to_many:
            if rel.through._meta.auto_created:
                yield rel
            continue  # a custom through model has its own ForeignKey to Resident: moved as FK
        if rel.related_model._meta.auto_created:
            continue  # foreign key of an automatic many-to-many table: moved via the M2M above
        yield rel


def _merge_memberships(*, keep: Resident, remove: Resident) -> None:
    """At most one open membership per person: two open memberships of the same household
    become one (the earlier start date); in two different households the merge is refused."""
    open_keep = keep.memberships.filter(end_date__isnull=True).first()
    open_remove = remove.memberships.filter(end_date__isnull=True).first()
    if open_keep is None or open_remove is None:
        return
    if open_keep.household_id != open_remove.household_id:
        raise ValidationError(
            _(
                "Both person records currently live in a different household. End one of the "
                "two memberships first, then merge."
            )
        )
    if open_remove.start_date < open_keep.start_date:
        open_keep.start_date = open_remove.start_date
        open_keep.save(update_fields=["start_date"])
    open_remove.delete()


@transaction.atomic
def resident_merge(*, keep: Resident, remove: Resident, by) -> ResidentMergeRecord:
    """Merge two records of the same person: every relation of `remove` moves to `keep`, then
    `remove` is deleted and a ResidentMergeRecord keeps who merged what, and when.

    Refused when the records carry two different BSNs (then they are two people) or when both
    live in a different household right now. Missing details on `keep` (BSN, date of birth,
    phone, e-mail) are filled in from `remove`."""
    if not permissions.can_merge_residents(by):
        raise PermissionDenied
    if keep.pk == remove.pk:
        raise ValidationError(_("Choose two different person records."))
    # lock both rows, always in the same order, so two merges cannot cross
    locked = {
        r.pk: r
        for r in Resident.objects.select_for_update()
        .filter(pk__in=[keep.pk, remove.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise ValidationError(_("One of the person records no longer exists."))
    keep, remove = locked[keep.pk], locked[remove.pk]
    if keep.bsn and remove.bsn and keep.bsn != remove.bsn:
        raise ValidationError(
            _("These records have different BSNs: they are two people and cannot be merged.")
        )
    record = ResidentMergeRecord(
        kept=keep,
        removed_uuid=remove.uuid,
        removed_bsn=remove.bsn,
        removed_name=remove.full_name,
        removed_birth_date=remove.birth_date,
        merged_by=by,
    )
    _merge_memberships(keep=keep, remove=remove)
    moved = {}
    for rel in _relations_to_resident():
        model = rel.related_model
        label = model._meta.label
        try:
            with transaction.atomic():
                if rel.many_to_many:
                    related = list(model._base_manager.filter(**{rel.field.name: remove}))
                    for obj in related:
                        manager = getattr(obj, rel.field.name)
                        manager.remove(remove)
                        manager.add(keep)
                    count = len(related)
                else:
                    count = model._base_manager.filter(**{rel.field.name: remove}).update(
                        **{rel.field.name: keep}
                    )
        except IntegrityError as exc:
            raise ValidationError(
                _("The records cannot be merged: both have a %(model)s that may exist once.")
                % {"model": model._meta.verbose_name}
            ) from exc
        if count:
            moved[label] = moved.get(label, 0) + count
    # keep what only the removed record knew
    bsn = remove.bsn
    fill = {
        name: getattr(remove, name)
        for name in ("birth_date", "phone", "email", "name_prefix")
        if not getattr(keep, name) and getattr(remove, name)
    }
    Household.objects.filter(memberships__resident=keep).update(version=F("version") + 1)
    remove.delete()
    if bsn and not keep.bsn:
        fill["bsn"] = bsn
    if fill:
        for name, value in fill.items():
            setattr(keep, name, value)
        keep.full_clean()
        keep.save(update_fields=[*fill, "updated_at"])
    record.kept = keep
    record.moved = moved
    record.full_clean()
    record.save()
    return record


def merge_relation_names() -> list[str]:
    """What a merge moves, by model (shown on the confirmation page)."""
    return sorted(
        {str(rel.related_model._meta.verbose_name_plural) for rel in _relations_to_resident()}
    )


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
