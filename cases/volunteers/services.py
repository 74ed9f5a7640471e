"""Writes on the reciprocity register: registering a volunteer (with the consent, recorded in
the consent register through its service), stopping, and the volunteer's help for a household
(`Volunteering`, with its entry in the household's informal network). Every write ends with its
`audit_change` row (object types `volunteer` and `volunteering`)."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.audit import RequestContext, audit_change
from cases.consent.models import ConsentPurpose, DataCategory
from cases.consent.selectors import purpose_consent_exists, resident_household
from cases.consent.services import consent_record
from cases.households.models import HouseholdMembership, Resident
from cases.intake.models import InformalNetworkKind, InformalNetworkMember
from cases.volunteers.models import (
    OfferCategory,
    Volunteer,
    Volunteering,
    VolunteerOffer,
)


def _audit_volunteer(volunteer: Volunteer, *, by, context) -> None:
    household = resident_household(resident=volunteer.resident)
    audit_change(
        by=by,
        context=context,
        object_type="volunteer",
        object_id=volunteer.uuid,
        household_uuid=household.uuid if household is not None else None,
        resident_uuids=[volunteer.resident.uuid],
    )


def _offers_check(offers: Iterable[str]) -> list[str]:
    offers = sorted(set(offers))
    if not offers:
        raise ValidationError({"offers": _("Choose at least one thing the volunteer offers.")})
    unknown = set(offers) - set(OfferCategory.values)
    if unknown:
        raise ValidationError({"offers": _("Unknown offer.")})
    return offers


@transaction.atomic
def volunteer_register(
    *,
    resident: Resident,
    district,
    offers: Iterable[str],
    consent_organisation,
    consent_given_by: str,
    offer_note: str = "",
    availability: str = "",
    started_on: datetime.date | None = None,
    by,
    context: RequestContext | None = None,
) -> Volunteer:
    """A person becomes a volunteer: their consent to be in the register (purpose
    `volunteer_register`, contact details, for `consent_organisation`) is recorded through the
    consent register unless an active one exists, then the volunteer and their offers. A
    person is in the register once; one who stopped is registered again by starting anew."""
    if not permissions.can_manage_volunteers(by):
        raise PermissionDenied
    offers = _offers_check(offers)
    started_on = started_on or timezone.localdate()
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    existing = Volunteer.objects.filter(resident=resident).first()
    if existing is not None and existing.is_active:
        raise ValidationError(_("This person is already in the volunteer register."))
    consent = (
        purpose_consent_exists(
            resident=resident,
            organisation=consent_organisation,
            purpose=ConsentPurpose.VOLUNTEER_REGISTER,
            on=started_on,
        )
        .order_by("-given_on", "-pk")
        .first()
    )
    if consent is None:
        if not consent_given_by.strip():
            raise ValidationError({"consent_given_by": _("Say who gave the consent.")})
        consent = consent_record(
            resident=resident,
            organisation=consent_organisation,
            categories=[DataCategory.CONTACT],
            purpose=ConsentPurpose.VOLUNTEER_REGISTER,
            given_by=consent_given_by,
            given_on=started_on,
            by=by,
            context=context,
        )
    volunteer = existing or Volunteer(resident=resident)
    volunteer.district = district
    volunteer.offer_note = offer_note
    volunteer.availability = availability
    volunteer.consent = consent
    volunteer.started_on = started_on
    volunteer.ended_on = None
    volunteer.registered_by = by
    volunteer.full_clean(exclude=["resident"] if existing else None)
    volunteer.save()
    volunteer.offers.all().delete()
    VolunteerOffer.objects.bulk_create(
        VolunteerOffer(volunteer=volunteer, category=category) for category in offers
    )
    _audit_volunteer(volunteer, by=by, context=context)
    return volunteer


@transaction.atomic
def volunteer_person_register(
    *,
    first_name: str,
    name_prefix: str = "",
    last_name: str,
    phone: str = "",
    email: str = "",
    by,
    context: RequestContext | None = None,
    **fields,
) -> Volunteer:
    """Someone who is not in the municipality's register (no BSN, no household here) becomes a
    volunteer: a person record (a `Resident` row without BSN or household), then
    `volunteer_register`."""
    if not permissions.can_manage_volunteers(by):
        raise PermissionDenied
    if not phone.strip() and not email.strip():
        raise ValidationError({"phone": _("Give a phone number or an e-mail address.")})
    person = Resident(
        first_name=first_name,
        name_prefix=name_prefix,
        last_name=last_name,
        phone=phone,
        email=email,
    )
    person.full_clean()
    person.save()
    return volunteer_register(resident=person, by=by, context=context, **fields)


@transaction.atomic
def volunteer_stop(
    *,
    volunteer: Volunteer,
    on: datetime.date | None = None,
    by,
    context: RequestContext | None = None,
) -> Volunteer:
    """The volunteer stops (the team of their district says so): out of the findable list, and
    their help for every household ends on the same day."""
    on = on or timezone.localdate()
    volunteer = (
        Volunteer.objects.select_for_update(of=("self",))
        .select_related("resident")
        .get(pk=volunteer.pk)
    )
    if not permissions.can_stop_volunteer(by, volunteer):
        raise PermissionDenied
    if not volunteer.is_active:
        raise ValidationError(_("This volunteer has already stopped."))
    if on < volunteer.started_on:
        raise ValidationError(_("A volunteer cannot stop before they started."))
    for volunteering in volunteer.volunteerings.active().select_for_update():
        _volunteering_end(volunteering, on=on, by=by, context=context)
    volunteer.ended_on = on
    volunteer.full_clean()
    volunteer.save(update_fields=["ended_on"])
    _audit_volunteer(volunteer, by=by, context=context)
    return volunteer


@transaction.atomic
def volunteering_start(
    *,
    volunteer: Volunteer,
    household,
    category: str,
    what: str,
    helped_resident: Resident | None = None,
    started_on: datetime.date | None = None,
    by,
    context: RequestContext | None = None,
) -> Volunteering:
    """The volunteer starts helping `household` (one obtained through `households_visible_to`):
    a `Volunteering` and its entry in the household's informal network (kind volunteer, the
    volunteer's name and contact details taken from their person record), which the plan's
    actions can name as owner. The volunteer must be active with a valid consent, and not live
    in the household; the helped resident, when named, must."""
    if not permissions.can_manage_volunteers(by):
        raise PermissionDenied
    started_on = started_on or timezone.localdate()
    volunteer = (
        Volunteer.objects.select_for_update(of=("self",))
        .select_related("resident", "consent")
        .get(pk=volunteer.pk)
    )
    if not volunteer.is_active:
        raise ValidationError(_("This volunteer has stopped."))
    if not purpose_consent_exists(
        resident=volunteer.resident,
        organisation=volunteer.consent.organisation_id,
        purpose=ConsentPurpose.VOLUNTEER_REGISTER,
        on=started_on,
    ).exists():
        raise ValidationError(_("The volunteer's consent to be in the register is not valid."))
    members = HouseholdMembership.objects.current(started_on).filter(household=household)
    if members.filter(resident=volunteer.resident).exists():
        raise ValidationError(
            _("The volunteer lives in this household: add them to the network as family.")
        )
    if helped_resident is not None and not members.filter(resident=helped_resident).exists():
        raise ValidationError({"helped_resident": _("Choose someone who lives here.")})
    if category not in OfferCategory.values:
        raise ValidationError({"category": _("Unknown offer.")})
    person = volunteer.resident
    member = InformalNetworkMember(
        household=household,
        kind=InformalNetworkKind.VOLUNTEER,
        name=person.full_name[:200],
        contact=(person.phone or person.email)[:200],
        contribution=what,
    )
    member.full_clean()
    member.save()
    volunteering = Volunteering(
        volunteer=volunteer,
        household=household,
        helped_resident=helped_resident,
        network_member=member,
        category=category,
        what=what,
        started_on=started_on,
        created_by=by,
    )
    volunteering.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            volunteering.save()
    except IntegrityError as exc:  # the partial unique constraint, under a race too
        raise ValidationError(_("This volunteer already helps this household.")) from exc
    _audit_volunteering(volunteering, by=by, context=context)
    return volunteering


def _audit_volunteering(volunteering: Volunteering, *, by, context) -> None:
    audit_change(
        by=by,
        context=context,
        object_type="volunteering",
        object_id=volunteering.uuid,
        household_uuid=volunteering.household.uuid,
        resident_uuids=[
            volunteering.volunteer.resident.uuid,
            *([volunteering.helped_resident.uuid] if volunteering.helped_resident else []),
        ],
    )


def _volunteering_end(volunteering: Volunteering, *, on, by, context) -> None:
    if on < volunteering.started_on:
        raise ValidationError(_("The help cannot end before it started."))
    volunteering.ended_on = on
    volunteering.save(update_fields=["ended_on"])
    _audit_volunteering(volunteering, by=by, context=context)


@transaction.atomic
def volunteering_end(
    *,
    volunteering: Volunteering,
    on: datetime.date | None = None,
    by,
    context: RequestContext | None = None,
) -> Volunteering:
    """The volunteer no longer helps the household. The network entry stays (the plan's
    past actions name it)."""
    if not permissions.can_manage_volunteers(by):
        raise PermissionDenied
    on = on or timezone.localdate()
    volunteering = (
        Volunteering.objects.select_for_update(of=("self",))
        .select_related("household", "volunteer__resident", "helped_resident")
        .get(pk=volunteering.pk)
    )
    if volunteering.ended_on is not None:
        raise ValidationError(_("This help has already ended."))
    _volunteering_end(volunteering, on=on, by=by, context=context)
    return volunteering
