"""Writes for households and residents. Each function is one transaction; views, the admin,
the API and commands call these instead of saving models themselves. Each records its change in
the access log (`cases.audit.audit_change`) as the last step of its transaction, with the
`context` a view passes (`request_context(request)`)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases import permissions
from cases.access import households_visible_to
from cases.audit import RequestContext, audit_change
from cases.households.models import (
    CoordinatorChange,
    Handover,
    HandoverStatus,
    Household,
    HouseholdAddress,
    HouseholdMembership,
    MembershipRole,
    Resident,
    ResidentMergeRecord,
)
from teams.models import District, Neighbourhood, TeamMember
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


def check_fields(changes: dict, allowed: tuple, what: str) -> None:
    """A programming error, not a user's: a service was asked to set a field it does not own."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"Not a {what} field: {', '.join(sorted(unknown))}")


RESIDENT_FIELDS = (
    "bsn",
    "first_name",
    "name_prefix",
    "last_name",
    "birth_date",
    "phone",
    "email",
    "preferred_language",
)


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
    preferred_language: str = "nl"


def _resident_from(data: NewResident) -> Resident:
    resident = Resident(**{name: getattr(data, name) for name in RESIDENT_FIELDS})
    resident.bsn = resident.bsn or None
    # a form without the language field: the default (Dutch)
    resident.preferred_language = resident.preferred_language or "nl"
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
    context: RequestContext | None = None,
    audit: bool = True,
) -> Household:
    """Register a household at an address with its residents.

    The neighbourhood follows from the postcode. A generalist who registers a household becomes
    its coordinator (through `household_coordinator_set`) until the plan names another one.
    `audit=False` only from a service that records its own row (a signal turned into a
    request for help for a new household)."""
    postcode = normalise_postcode(postcode)
    household = Household(
        street=street,
        house_number=house_number,
        house_number_addition=house_number_addition,
        postcode=postcode,
        city=city,
        neighbourhood_id=neighbourhood_id_for_postcode(postcode),
    )
    household.full_clean()
    household.save()
    start = moved_in_on or timezone.localdate()
    resident_uuids = []
    for data in residents:
        resident = _registered_resident_moving_in(data, start=start)
        if resident is None:
            resident = _resident_from(data)
            _resident_save(resident)
        HouseholdMembership.objects.create(
            household=household, resident=resident, role=data.role, start_date=start
        )
        resident_uuids.append(resident.uuid)
    if has_role(by, Role.GENERALIST):
        household_coordinator_set(household_id=household.pk, user_id=by.pk, by=by, audit=False)
        household.refresh_from_db(fields=["coordinator", "version", "updated_at"])
    if audit:
        audit_change(
            by=by,
            context=context,
            object_type="household",
            object_id=household.uuid,
            household_uuid=household.uuid,
            resident_uuids=resident_uuids,
        )
    return household


def _registered_resident_moving_in(data: NewResident, *, start) -> Resident | None:
    """A new household's resident whose BSN is registered already: that person (their record
    and history kept), provided they live in no other household from `start` on; else the
    one real conflict, refused with the way out."""
    if not data.bsn:
        return None
    resident = Resident.objects.select_for_update().filter(bsn=data.bsn).first()
    if resident is None:
        return None
    still = (
        resident.memberships.filter(Q(end_date__isnull=True) | Q(end_date__gt=start))
        .select_related("household")
        .first()
    )
    if still is not None:
        raise ValidationError(
            _(
                "%(name)s (BSN %(bsn)s) still lives in another household. Record there that "
                "they left (the day they move), then register this household; or add them to "
                "an existing household with 'Registered already? Find by BSN'."
            )
            % {"name": resident.full_name, "bsn": resident.bsn}
        )
    return resident


@transaction.atomic
def household_update(
    *,
    household: Household,
    by,
    expected_version: int,
    context: RequestContext | None = None,
    correction: bool = False,
    moved_on: datetime.date | None = None,
    reason: str = "",
    **changes,
) -> Household:
    """Change a household's address: a move, unless `correction` (a typo put right).

    A move keeps the old address with the period the household lived there
    (`HouseholdAddress`, shown in the household's history). When the new address lies in
    another district, the file is handed over (`Handover`): the receiving team sees it on its
    page and accepts it (`handover_accept`); until then the coordinator stays who it was, and
    the old team keeps read access for the audit. The access log names the handover. Raises
    ConcurrentEditError when the household changed since `expected_version` was read
    (optimistic locking: nothing is overwritten silently)."""
    check_fields(changes, HOUSEHOLD_FIELDS, "household")
    if "postcode" in changes:
        changes["postcode"] = normalise_postcode(changes["postcode"])
    old = (
        Household.objects.select_for_update(of=("self",))
        .select_related("neighbourhood")
        .get(pk=household.pk)
    )
    if old.version != expected_version:
        raise ConcurrentEditError()
    for name, value in changes.items():
        setattr(household, name, value)
    household.neighbourhood_id = neighbourhood_id_for_postcode(household.postcode)
    household.full_clean()
    moved = not correction and any(
        getattr(old, name) != getattr(household, name) for name in HOUSEHOLD_FIELDS
    )
    handover = None
    if moved:
        moved_on = moved_on or timezone.localdate()
        _address_record(household=old, until=moved_on, by=by)
        handover = _handover_after_move(
            household=old,
            to_neighbourhood_id=household.neighbourhood_id,
            by=by,
            reason=reason,
        )
    updated = Household.objects.filter(pk=household.pk, version=expected_version).update(
        **changes,
        neighbourhood_id=household.neighbourhood_id,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        raise ConcurrentEditError()
    applications_district_follow(household=household)
    household.refresh_from_db()
    if handover is not None:
        audit_change(
            by=by,
            context=context,
            object_type="handover",
            object_id=handover.uuid,
            household_uuid=household.uuid,
            reason=_("Moved to district %(district)s: handed over to its team")
            % {"district": handover.to_district.name},
        )
    else:
        audit_change(
            by=by,
            context=context,
            object_type="household",
            object_id=household.uuid,
            household_uuid=household.uuid,
        )
    return household


def applications_district_follow(*, household: Household) -> None:
    """The household's applications carry the district of its (new) address
    (`ProvisionApplication.district`: the consultant's queue filters on it). After a move or an
    address correction, in its transaction."""
    from cases.provisions.models import ProvisionApplication

    ProvisionApplication.objects.filter(household_id=household.pk).update(
        district_id=_district_id(household.neighbourhood_id)
    )


def _address_record(*, household: Household, until: datetime.date, by) -> HouseholdAddress:
    """Keep the address the household leaves, from the day it came there (the end of the
    previous address, else the day its first resident moved in or its registration) until
    the move."""
    last = household.former_addresses.order_by("-valid_until", "-pk").first()
    if last is not None:
        valid_from = last.valid_until
    else:  # since the first resident moved in (registered later, often), or its registration
        first_in = household.memberships.aggregate(first=Min("start_date"))["first"]
        valid_from = min(filter(None, (first_in, household.created_at.date())))
    if until < valid_from:
        raise ValidationError(
            {"moved_on": _("The move cannot lie before the household came to this address.")}
        )
    address = HouseholdAddress(
        household=household,
        **{name: getattr(household, name) for name in HOUSEHOLD_FIELDS},
        neighbourhood_id=household.neighbourhood_id,
        valid_from=valid_from,
        valid_until=until,
        recorded_by=by,
    )
    address.full_clean()
    address.save()
    return address


def _district_id(neighbourhood_id: int | None) -> int | None:
    if neighbourhood_id is None:
        return None
    return Neighbourhood.objects.values_list("district_id", flat=True).get(pk=neighbourhood_id)


def _handover_after_move(
    *, household: Household, to_neighbourhood_id: int | None, by, reason: str
) -> Handover | None:
    """A move into another district hands the file over to that district's team. A pending
    handover is withdrawn first: the household moved on (or back) before it was accepted."""
    from_district_id = household.neighbourhood.district_id if household.neighbourhood else None
    to_district_id = _district_id(to_neighbourhood_id)
    pending = Handover.objects.select_for_update().filter(household=household).pending().first()
    if pending is not None:
        if pending.to_district_id == to_district_id:
            return None  # a move within the district it is handed over to
        from_district_id = pending.from_district_id  # still the team that hands over
        pending.status = HandoverStatus.WITHDRAWN
        pending.save(update_fields=["status"])
    if to_district_id is None or to_district_id == from_district_id:
        return None
    handover = Handover(
        household=household,
        from_district_id=from_district_id,
        to_district=District.objects.get(pk=to_district_id),
        reason=reason or _("Moved house"),
        from_coordinator_id=household.coordinator_id,
        created_by=by,
    )
    handover.full_clean()
    handover.save()
    return handover


def handover_accept(
    *,
    handover: Handover,
    by,
    coordinator,
    context: RequestContext | None = None,
) -> Handover:
    """The receiving team takes the household on: a team lead or generalist of that team
    accepts the handover and names the coordinator, an active member of the team (a
    generalist takes it on themselves). The coordinator changes through
    `household_coordinator_set`; the access log records the acceptance."""
    with transaction.atomic():
        Household.objects.select_for_update().filter(pk=handover.household_id).first()
        handover = (
            Handover.objects.select_for_update(of=("self",))
            .select_related("household", "to_district__team")
            .get(pk=handover.pk)
        )
        if not handover.is_pending:
            raise ValidationError(_("This handover has already been dealt with."))
        team = getattr(handover.to_district, "team", None)
        if team is None or not _active_member(team, by, Role.TEAM_LEAD, Role.GENERALIST):
            raise PermissionDenied
        if coordinator is None or not _active_member(team, coordinator, Role.GENERALIST):
            raise ValidationError(
                {"coordinator": _("The coordinator must be an active generalist of this team.")}
            )
        if not has_role(by, Role.TEAM_LEAD) and coordinator.pk != by.pk:
            raise ValidationError(
                {"coordinator": _("Only the team lead assigns the household to a colleague.")}
            )
        household_coordinator_set(
            household_id=handover.household_id, user_id=coordinator.pk, by=by, audit=False
        )
        handover.status = HandoverStatus.ACCEPTED
        handover.accepted_by = by
        handover.accepted_at = timezone.now()
        handover.assigned_coordinator = coordinator
        handover.full_clean()
        handover.save(
            update_fields=["status", "accepted_by", "accepted_at", "assigned_coordinator"]
        )
        audit_change(
            by=by,
            context=context,
            object_type="handover",
            object_id=handover.uuid,
            household_uuid=handover.household.uuid,
            reason=_("Handover accepted"),
        )
    return handover


def _active_member(team, user, *roles) -> bool:
    return (
        user is not None
        and has_role(user, *roles)
        and TeamMember.objects.filter(team=team, user=user, active=True).exists()
    )


@transaction.atomic
def resident_add_to_household(
    *,
    household: Household,
    by,
    data: NewResident,
    start_date: datetime.date | None = None,
    context: RequestContext | None = None,
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
    _audit_resident(by=by, context=context, resident=resident, household=household)
    return membership


class OpenMembershipElsewhere(ValidationError):
    """The person still lives in another household: the one real conflict when someone joins
    a household. `membership` is that open membership; `may_move` whether the user may record
    the move out of it too (they may open that household's file)."""

    def __init__(self, membership: HouseholdMembership, *, may_move: bool):
        if may_move:
            message = _(
                "%(name)s still lives at %(address)s (since %(since)s). Choose 'Move here' to "
                "record that they left that household on the day they join this one."
            ) % {
                "name": membership.resident.full_name,
                "address": membership.household.address_line,
                "since": date_format(membership.start_date, "j F Y"),
            }
        else:
            message = _(
                "%(name)s still lives in another household, which you cannot open. Ask that "
                "household's team to record that they left; its team is shown under 'Known "
                "elsewhere' in the search."
            ) % {"name": membership.resident.full_name}
        super().__init__(message)
        self.membership = membership
        self.may_move = may_move


@transaction.atomic
def resident_join_household(
    *,
    household: Household,
    resident: Resident,
    by,
    role: str = MembershipRole.OTHER,
    start_date: datetime.date | None = None,
    move: bool = False,
    context: RequestContext | None = None,
) -> HouseholdMembership:
    """A person already registered (found by BSN) joins a household: a new membership, their
    record and history kept (the memberships of every household they lived in, and so the
    plans of both). Refused only for a real conflict: they live here already, or they still
    live in another household (`OpenMembershipElsewhere`); with `move=True` that membership
    ends on the day they join, when the user may open that household (a child moving from
    one parent's household to the other's)."""
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    start = start_date or timezone.localdate()
    open_membership = (
        resident.memberships.select_for_update(of=("self",))
        .select_related("household", "resident")
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=start))
        .order_by("-start_date")
        .first()
    )
    if open_membership is not None:
        if open_membership.household_id == household.pk:
            raise ValidationError(_("This person already lives in this household."))
        may_move = households_visible_to(by).filter(pk=open_membership.household_id).exists()
        if not (move and may_move):
            raise OpenMembershipElsewhere(open_membership, may_move=may_move)
        if start < open_membership.start_date:
            raise ValidationError(
                _("The move cannot lie before the person came to their current household.")
            )
        open_membership.end_date = start
        open_membership.full_clean()
        open_membership.save(update_fields=["end_date"])
        Household.objects.filter(pk=open_membership.household_id).update(version=F("version") + 1)
    membership = HouseholdMembership(
        household=household, resident=resident, role=role, start_date=start
    )
    membership.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:  # joined elsewhere at the same moment
        if "membership_one_open_per_resident" in str(exc):
            raise ValidationError(_("This resident already lives in another household.")) from exc
        raise
    Household.objects.filter(pk=household.pk).update(version=F("version") + 1)
    _audit_resident(by=by, context=context, resident=resident, household=household)
    return membership


def _audit_resident(*, by, context, resident: Resident, household: Household | None) -> None:
    """The access-log row of a change to a resident, in the file of `household`."""
    audit_change(
        by=by,
        context=context,
        object_type="resident",
        object_id=resident.uuid,
        household_uuid=household.uuid if household is not None else None,
        resident_uuids=[resident.uuid],
    )


def _current_household(resident: Resident) -> Household | None:
    membership = (
        resident.memberships.current().select_related("household").order_by("-start_date").first()
    )
    return membership.household if membership is not None else None


@transaction.atomic
def resident_update(
    *,
    resident: Resident,
    by,
    household: Household | None = None,
    context: RequestContext | None = None,
    **changes,
) -> Resident:
    """Change a person's details. `household` is the file the change was made from (default:
    where the person lives now); the access log names it."""
    check_fields(changes, RESIDENT_FIELDS, "resident")
    for name, value in changes.items():
        setattr(resident, name, value)
    resident.bsn = resident.bsn or None
    resident.full_clean()
    _resident_save(resident)
    _audit_resident(
        by=by,
        context=context,
        resident=resident,
        household=household or _current_household(resident),
    )
    return resident


@transaction.atomic
def membership_end(
    *,
    membership: HouseholdMembership,
    by,
    end_date: datetime.date | None = None,
    context: RequestContext | None = None,
) -> HouseholdMembership:
    """A resident leaves the household (moved out, deceased, ...); the history stays."""
    membership = (
        HouseholdMembership.objects.select_for_update(of=("self",))
        .select_related("household", "resident")
        .get(pk=membership.pk)
    )
    if membership.end_date is not None:
        raise ValidationError(_("This resident has already left the household."))
    membership.end_date = end_date or timezone.localdate()
    membership.full_clean()
    membership.save(update_fields=["end_date"])
    Household.objects.filter(pk=membership.household_id).update(version=F("version") + 1)
    _audit_resident(
        by=by, context=context, resident=membership.resident, household=membership.household
    )
    return membership


REASSIGN_LIMIT = 100


@dataclass(frozen=True)
class ReassignResult:
    moved: int
    remaining: int


@transaction.atomic
def caseload_reassign(
    *,
    team,
    from_user,
    to_user,
    by,
    limit: int = REASSIGN_LIMIT,
    context: RequestContext | None = None,
):
    """Move up to `limit` (at most 100) households coordinated by `from_user` to `to_user`,
    an active member of the same team, each through `household_coordinator_set` (recorded as a
    CoordinatorChange and in the access log; the plan's coordinator is the household's). Only
    the team's own lead (or a functional administrator) may do this. Rows are locked, so two
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
    for pk in households:
        household_coordinator_set(household_id=pk, user_id=to_user.pk, by=by, context=context)
    remaining = Household.objects.filter(coordinator=from_user).count()
    return ReassignResult(moved=len(households), remaining=remaining)


def household_coordinator_check(*, household: Household, user_id: int | None) -> None:
    """Raise ValidationError when `household_coordinator_set` would refuse: an active plan
    cannot be left without a coordinator. For forms that want to say so before saving."""
    if user_id is None and household.pk and household.plans.active().exists():
        raise ValidationError(_("An active plan needs a coordinator."))


@transaction.atomic
def household_coordinator_set(
    *,
    household_id: int,
    user_id: int | None,
    by,
    context: RequestContext | None = None,
    audit: bool = True,
) -> bool:
    """Make `user_id` the coordinator (regisseur) of the household, and so of its plan: the
    one place a coordinator changes. "One family, one plan, one coordinator" is one field,
    `Household.coordinator`; `SupportPlan.coordinator` reads it, so the two cannot differ.

    Every path goes through here: registering a household (`household_create`: the generalist
    who registers it), starting a plan and changing its coordinator (`cases.plans.services`), a
    team lead moving a caseload (`caseload_reassign`), a receiving team accepting a handover
    after a move (`handover_accept`) and the household form in the admin. A change is recorded
    as a CoordinatorChange (from whom, to whom, by whom, when) and raises the household's
    version; the access log gets one change row, unless `audit=False`: only for a service that
    records the row of its own write in the same transaction (one write, one row). Refused
    when it would leave an active plan without a coordinator. Returns whether anything
    changed."""
    household = Household.objects.select_for_update().get(pk=household_id)
    household_coordinator_check(household=household, user_id=user_id)
    if household.coordinator_id == user_id:
        return False
    Household.objects.filter(pk=household.pk).update(
        coordinator_id=user_id, version=F("version") + 1, updated_at=timezone.now()
    )
    CoordinatorChange.objects.create(
        household=household,
        from_user_id=household.coordinator_id,
        to_user_id=user_id,
        changed_by=by,
    )
    if audit:
        audit_change(
            by=by,
            context=context,
            object_type="household",
            object_id=household.uuid,
            household_uuid=household.uuid,
        )
    return True


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
def resident_merge(
    *, keep: Resident, remove: Resident, by, context: RequestContext | None = None
) -> ResidentMergeRecord:
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
    household = _current_household(keep)
    audit_change(
        by=by,
        context=context,
        object_type="resident",
        object_id=keep.uuid,
        household_uuid=household.uuid if household is not None else None,
        resident_uuids=[keep.uuid, record.removed_uuid],
    )
    return record


def merge_relation_names() -> list[str]:
    """What a merge moves, by model (shown on the confirmation page)."""
    return sorted(
        {str(rel.related_model._meta.verbose_name_plural) for rel in _relations_to_resident()}
    )
