"""Writes for households and residents. Each function is one transaction; views, the admin,
the API and commands call these instead of saving models themselves."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import (
    CoordinatorChange,
    Household,
    HouseholdMembership,
    Melding,
    MeldingChannel,
    MembershipRole,
    Resident,
)
from teams.roles import Role, has_role
from teams.selectors import neighbourhood_id_for_postcode
from teams.validators import normalise_postcode


class ConcurrentEditError(Exception):
    """Someone else changed the record since it was loaded; nothing was saved."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or _(
                "Someone else changed this household while you were editing. "
                "Reload the page to see their changes; your input was not saved."
            )
        )


HOUSEHOLD_FIELDS = ("street", "house_number", "house_number_addition", "postcode", "city")
RESIDENT_FIELDS = ("bsn", "first_name", "name_prefix", "last_name", "birth_date", "phone", "email")


@dataclass(frozen=True)
class NewResident:
    first_name: str
    last_name: str
    role: str = MembershipRole.OTHER
    bsn: str | None = None
    name_prefix: str = ""
    birth_date: datetime.date | None = None
    phone: str = ""
    email: str = ""


def _resident_from(data: NewResident) -> Resident:
    resident = Resident(**{name: getattr(data, name) for name in RESIDENT_FIELDS})
    resident.bsn = resident.bsn or None
    resident.full_clean()
    return resident


def _resident_save(resident: Resident) -> None:
    """Save; a BSN registered at the same moment by someone else becomes a form error."""
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError as exc:
        if "resident_bsn_unique" in str(exc):
            raise ValidationError(
                {"bsn": _("A resident with this BSN is already registered.")}
            ) from exc
        raise


@transaction.atomic
def household_create(
    *,
    by,
    street: str,
    house_number: int,
    postcode: str,
    city: str,
    house_number_addition: str = "",
    residents: list[NewResident] = (),
    moved_in_on: datetime.date | None = None,
) -> Household:
    """Register a household at an address with its residents.

    The neighbourhood follows from the postcode. A generalist who registers a household becomes
    its coordinator until the plan names another one."""
    postcode = normalise_postcode(postcode)
    household = Household(
        street=street,
        house_number=house_number,
        house_number_addition=house_number_addition,
        postcode=postcode,
        city=city,
        neighbourhood_id=neighbourhood_id_for_postcode(postcode),
        coordinator=by if has_role(by, Role.GENERALIST) else None,
    )
    household.full_clean()
    household.save()
    start = moved_in_on or timezone.localdate()
    for data in residents:
        resident = _resident_from(data)
        _resident_save(resident)
        HouseholdMembership.objects.create(
            household=household, resident=resident, role=data.role, start_date=start
        )
    return household


@transaction.atomic
def household_update(*, household: Household, by, expected_version: int, **changes) -> Household:
    """Change a household's address. Raises ConcurrentEditError when the household changed
    since `expected_version` was read (optimistic locking: nothing is overwritten silently)."""
    unknown = set(changes) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise TypeError(f"Not a household field: {', '.join(sorted(unknown))}")
    if "postcode" in changes:
        changes["postcode"] = normalise_postcode(changes["postcode"])
    for name, value in changes.items():
        setattr(household, name, value)
    household.neighbourhood_id = neighbourhood_id_for_postcode(household.postcode)
    household.full_clean()
    updated = Household.objects.filter(pk=household.pk, version=expected_version).update(
        **changes,
        neighbourhood_id=household.neighbourhood_id,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        raise ConcurrentEditError()
    household.refresh_from_db()
    return household


@transaction.atomic
def resident_add_to_household(
    *, household: Household, by, data: NewResident, start_date: datetime.date | None = None
) -> HouseholdMembership:
    """Register a new resident and let them join the household."""
    resident = _resident_from(data)
    _resident_save(resident)
    membership = HouseholdMembership(
        household=household,
        resident=resident,
        role=data.role,
        start_date=start_date or timezone.localdate(),
    )
    membership.full_clean()
    membership.save()
    Household.objects.filter(pk=household.pk).update(version=F("version") + 1)
    return membership


@transaction.atomic
def resident_update(*, resident: Resident, by, **changes) -> Resident:
    unknown = set(changes) - set(RESIDENT_FIELDS)
    if unknown:
        raise TypeError(f"Not a resident field: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(resident, name, value)
    resident.bsn = resident.bsn or None
    resident.full_clean()
    _resident_save(resident)
    return resident


@transaction.atomic
def membership_end(
    *, membership: HouseholdMembership, by, end_date: datetime.date | None = None
) -> HouseholdMembership:
    """A resident leaves the household (moved out, deceased, ...); the history stays."""
    membership = HouseholdMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.end_date is not None:
        raise ValidationError(_("This resident has already left the household."))
    membership.end_date = end_date or timezone.localdate()
    membership.full_clean()
    membership.save(update_fields=["end_date"])
    Household.objects.filter(pk=membership.household_id).update(version=F("version") + 1)
    return membership


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


REASSIGN_LIMIT = 100


@dataclass(frozen=True)
class ReassignResult:
    moved: int
    remaining: int


@transaction.atomic
def caseload_reassign(*, team, from_user, to_user, by, limit: int = REASSIGN_LIMIT):
    """Move up to `limit` (at most 100) households coordinated by `from_user` to `to_user`,
    an active member of the same team; each move is recorded as a CoordinatorChange. Only the
    team's own lead (or a functional administrator) may do this. Rows are locked, so two
    leads moving the same caseload at once cannot move a household twice."""
    if not permissions.can_reassign_caseload(by, team):
        raise PermissionDenied
    members = {m.user_id: m for m in team.members.filter(user__in=[from_user, to_user])}
    if from_user.pk not in members:
        raise ValidationError(_("The previous coordinator is not a member of this team."))
    if to_user.pk not in members or not members[to_user.pk].active:
        raise ValidationError(_("The new coordinator must be an active member of this team."))
    if from_user.pk == to_user.pk:
        raise ValidationError(_("Choose two different members."))
    limit = max(0, min(limit, REASSIGN_LIMIT))
    households = list(
        Household.objects.select_for_update()
        .filter(coordinator=from_user)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    Household.objects.filter(pk__in=households).update(
        coordinator=to_user, version=F("version") + 1, updated_at=timezone.now()
    )
    CoordinatorChange.objects.bulk_create(
        CoordinatorChange(household_id=pk, from_user=from_user, to_user=to_user, changed_by=by)
        for pk in households
    )
    remaining = Household.objects.filter(coordinator=from_user).count()
    return ReassignResult(moved=len(households), remaining=remaining)
