from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from socialdomain.cache import generation_renew
from teams.imports import ImportRejected, LineError, parse_area_rows, parse_statistics_rows
from teams.models import (
    AccessVersion,
    AreaStatistics,
    District,
    Municipality,
    Neighbourhood,
    Postcode,
    RoleChange,
    RoleChangeKind,
)
from teams.roles import Role
from teams.validators import format_postcode

__all__ = ["ImportRejected"]

# What the functional administrator maintains in the admin (docs/privacy.md, "The admin"): areas,
# teams and team membership, the catalogue, organisations and API clients (every model of
# `teams` and `networks` but the record of role changes), the table of days equated with a
# holiday, users' names, e-mail, password and active flag (never their roles, admin access or
# permissions, never deleting one), and residents read-only for the person merge. The role's
# permissions are this list: `role_permissions_ensure` sets them after every migrate, so a
# permission given to the role by hand is taken back (and the change recorded).
FUNCTIONAL_ADMIN_APPS = ("teams", "networks")
FUNCTIONAL_ADMIN_EXCLUDED_MODELS = (("teams", "rolechange"),)
FUNCTIONAL_ADMIN_PERMISSIONS = (
    "auth.add_user",
    "auth.change_user",
    "auth.view_user",
    "cases.add_equatedday",
    "cases.change_equatedday",
    "cases.delete_equatedday",
    "cases.view_equatedday",
    "cases.view_resident",
)


def area_contacts_changed(**_signal_kwargs) -> None:
    """Invalidate every cached GP-lookup answer (`teams.selectors.area_contacts_cached`): a new
    random generation now, and again after the surrounding transaction commits, so a lookup
    racing the change cannot keep the old answer under the new generation. Connected to saves
    and deletes of areas, teams, consultants and absences (teams/apps.py); call it after bulk
    writes."""

    def bump():
        from teams.selectors import AREA_CONTACTS_GENERATION_KEY

        generation_renew(AREA_CONTACTS_GENERATION_KEY)

    bump()
    transaction.on_commit(bump)


def access_versions_bump(user_ids: Iterable) -> None:
    """Raise the access version of these users (see `teams.models.AccessVersion`): their
    cached access facts are then read afresh on their next request, in every web process. Runs
    in the caller's transaction, so the new version shows exactly when the change commits."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    if not ids:
        return
    bumped = AccessVersion.objects.filter(user_id__in=ids).update(version=F("version") + 1)
    if bumped < len(ids):  # users without a row yet (version 0): start them at 1
        AccessVersion.objects.bulk_create(
            [AccessVersion(user_id=user_id, version=1) for user_id in ids], ignore_conflicts=True
        )


def _bump_for_instance(sender, instance, origin=None, **_kwargs) -> None:
    """`post_save`/`post_delete` receiver: bump the users an access-deciding row names
    (`access_user_fields` of the sender, see teams/apps.py and cases/apps.py). Not when the
    row goes because its user is deleted: the user's version goes with them."""
    user_model = get_user_model()
    if isinstance(origin, user_model) or getattr(origin, "model", None) is user_model:
        return
    access_versions_bump(
        getattr(instance, f"{name}_id", None) for name in ACCESS_USER_FIELDS.get(sender, ())
    )


ACCESS_USER_FIELDS: dict = {}


def access_versions_follow(model, *user_fields: str) -> None:
    """Bump the access version of the users named by `user_fields` (foreign keys to a user)
    whenever a row of `model` is saved or deleted. Used by the apps for the rows that decide
    what a user may see."""
    ACCESS_USER_FIELDS[model] = user_fields
    from django.db.models.signals import post_delete, post_save, pre_save

    for event, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(
            _bump_for_instance,
            sender=model,
            dispatch_uid=f"access_version_{event}_{model._meta.label}",
        )
    pre_save.connect(
        _bump_for_previous, sender=model, dispatch_uid=f"access_version_pre_{model._meta.label}"
    )


def _bump_for_previous(sender, instance, raw=False, **_kwargs) -> None:
    """`pre_save`: a row that changes hands (another user) also changes what the previous user
    sees."""
    if raw or instance.pk is None or instance._state.adding:
        return
    names = [f"{name}_id" for name in ACCESS_USER_FIELDS.get(sender, ())]
    previous = sender._base_manager.filter(pk=instance.pk).values_list(*names).first()
    if previous is not None:
        access_versions_bump(
            old for old, name in zip(previous, names, strict=True) if old != getattr(instance, name)
        )


def groups_changed(sender, instance, action, reverse, pk_set, **_kwargs) -> None:
    """`m2m_changed` on `User.groups`, from a service, the admin or the shell: the roles of the
    users involved changed. `reverse` is a change from the group's side (`group.user_set`)."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        access_versions_bump([instance.pk])
        instance.__dict__.pop("_wijkwerk_roles", None)
    elif action == "pre_clear":
        access_versions_bump(instance.user_set.values_list("pk", flat=True))
    else:
        access_versions_bump(pk_set or ())


def group_saved(sender, instance, created, **_kwargs) -> None:
    """A renamed group (role) changes the roles of its users."""
    if not created:
        access_versions_bump(instance.user_set.values_list("pk", flat=True))


def area_consultant_saved(sender, instance, **_kwargs) -> None:
    """An area consultant's district or law domain decides what their substitutes cover."""
    access_versions_bump(instance.absences.values_list("substitute_id", flat=True))


def team_saved(sender, instance, **_kwargs) -> None:
    """A team moved to another district changes what its members see."""
    access_versions_bump(instance.members.values_list("user_id", flat=True))


def functional_admin_permissions():
    """The permissions of the functional administrator's role (see FUNCTIONAL_ADMIN_APPS)."""
    listed = Q()
    for name in FUNCTIONAL_ADMIN_PERMISSIONS:
        app_label, codename = name.split(".")
        listed |= Q(content_type__app_label=app_label, codename=codename)
    excluded = Q()
    for app_label, model in FUNCTIONAL_ADMIN_EXCLUDED_MODELS:
        excluded |= Q(content_type__app_label=app_label, content_type__model=model)
    return Permission.objects.filter(
        (Q(content_type__app_label__in=FUNCTIONAL_ADMIN_APPS) & ~excluded) | listed
    )


@transaction.atomic
def role_permissions_ensure() -> None:
    """Give the functional administrator's role exactly its permissions: missing ones are added,
    any other taken away, each change recorded (by the system). Runs after every migrate."""
    group, _created = Group.objects.get_or_create(name=Role.FUNCTIONAL_ADMIN)
    group_permissions_set(group=group, permissions=functional_admin_permissions(), by=None)


# --- Who may do what: roles, admin access, superuser status, permissions ----------------------


def _role_changes_record(*, by, changes: list[RoleChange]) -> None:
    """The one writer of `RoleChange` rows: who (`by`; None = the system), whom, what, when."""
    for change in changes:
        change.by = by
        change.by_username = by.get_username() if by is not None else ""
        change.full_clean(exclude=["by", "user"], validate_constraints=False)  # the database does
    RoleChange.objects.bulk_create(changes)


def _check_may_grant(by) -> None:
    """Roles, admin access, superuser status and permissions are given by a superuser (created
    on the command line with `createsuperuser`) or by the system (`by=None`: a command, the demo
    data, a migration); never by the functional administrator."""
    if by is not None and not (by.is_active and by.is_superuser):
        raise PermissionDenied(_("Only a superuser may change roles and rights."))


def _user_change(user, kind: str, **fields) -> RoleChange:
    return RoleChange(user=user, username=user.get_username(), kind=kind, **fields)


@transaction.atomic
def user_role_assign(*, user, role: str, by=None) -> None:
    """Give a user a role (recorded). A functional administrator also gets access to the admin.
    `by` is the superuser who gives it; None for the system (commands, the demo data)."""
    _check_may_grant(by)
    group, _created = Group.objects.get_or_create(name=Role(role).value)
    changes = []
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        changes.append(_user_change(user, RoleChangeKind.ROLE_ADDED, group_name=group.name))
    if role == Role.FUNCTIONAL_ADMIN:
        role_permissions_ensure()
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            changes.append(_user_change(user, RoleChangeKind.STAFF_GRANTED))
    _role_changes_record(by=by, changes=changes)
    user.__dict__.pop("_wijkwerk_roles", None)


@transaction.atomic
def user_access_set(
    *,
    user,
    by,
    roles: Iterable[Group] | None = None,
    is_staff: bool | None = None,
    is_superuser: bool | None = None,
    permissions: Iterable[Permission] | None = None,
) -> list[RoleChange]:
    """Set what a user may do: their roles (groups), admin access (`is_staff`), superuser status
    and their own permissions; None leaves one as it is. Only a superuser may (`by`), the admin's
    user form calls this for them. Compares with the stored user (locked) and records every
    difference; returns the recorded changes."""
    _check_may_grant(by)
    stored = get_user_model().objects.select_for_update().get(pk=user.pk)
    changes = []
    flags = {
        "is_staff": (is_staff, RoleChangeKind.STAFF_GRANTED, RoleChangeKind.STAFF_REVOKED),
        "is_superuser": (
            is_superuser,
            RoleChangeKind.SUPERUSER_GRANTED,
            RoleChangeKind.SUPERUSER_REVOKED,
        ),
    }
    changed_flags = []
    for name, (wanted, granted, revoked) in flags.items():
        if wanted is not None and bool(wanted) != getattr(stored, name):
            setattr(stored, name, bool(wanted))
            changed_flags.append(name)
            changes.append(_user_change(stored, granted if wanted else revoked))
    if changed_flags:
        stored.save(update_fields=changed_flags)
    if roles is not None:
        wanted_roles = {group.pk: group for group in roles}
        current_roles = {group.pk: group for group in stored.groups.all()}
        added = [group for pk, group in wanted_roles.items() if pk not in current_roles]
        removed = [group for pk, group in current_roles.items() if pk not in wanted_roles]
        stored.groups.add(*added)
        stored.groups.remove(*removed)
        changes += [
            _user_change(stored, RoleChangeKind.ROLE_ADDED, group_name=group.name)
            for group in sorted(added, key=lambda group: group.name)
        ]
        changes += [
            _user_change(stored, RoleChangeKind.ROLE_REMOVED, group_name=group.name)
            for group in sorted(removed, key=lambda group: group.name)
        ]
    if permissions is not None:
        changes += _permissions_apply(
            stored.user_permissions,
            permissions,
            lambda kind, name: _user_change(stored, kind, permission=name),
        )
    _role_changes_record(by=by, changes=changes)
    for name in ("is_staff", "is_superuser"):
        setattr(user, name, getattr(stored, name))
    user.__dict__.pop("_wijkwerk_roles", None)
    return changes


@transaction.atomic
def group_permissions_set(*, group: Group, permissions: Iterable[Permission], by) -> list:
    """Set a role's (group's) permissions, recording each one added or taken away. Only a
    superuser (`by`) or the system (`role_permissions_ensure`)."""
    _check_may_grant(by)
    group = Group.objects.select_for_update().get(pk=group.pk)
    changes = _permissions_apply(
        group.permissions,
        permissions,
        lambda kind, name: RoleChange(group_name=group.name, kind=kind, permission=name),
    )
    _role_changes_record(by=by, changes=changes)
    return changes


def _permissions_apply(manager, wanted: Iterable[Permission], change) -> list[RoleChange]:
    """Make a permissions relation (of a user or a group) hold exactly `wanted`."""
    wanted = {permission.pk for permission in wanted}
    current = set(manager.values_list("pk", flat=True))
    added, removed = wanted - current, current - wanted
    manager.add(*added)
    manager.remove(*removed)
    if not (added or removed):
        return []
    names = {
        pk: f"{app_label}.{codename}"
        for pk, app_label, codename in Permission.objects.filter(
            pk__in=added | removed
        ).values_list("pk", "content_type__app_label", "codename")
    }
    return [change(RoleChangeKind.PERMISSION_ADDED, names[pk]) for pk in sorted(added)] + [
        change(RoleChangeKind.PERMISSION_REMOVED, names[pk]) for pk in sorted(removed)
    ]


@dataclass(frozen=True)
class AreaImportResult:
    municipalities_created: int
    districts_created: int
    neighbourhoods_created: int
    postcodes_created: int
    postcodes_unchanged: int
    names_updated: int


@transaction.atomic
def areas_import(*, content: str) -> AreaImportResult:
    """Import municipalities, districts, neighbourhoods and their postcodes from a CSV (see
    docs/areas-import.md). All or nothing: any problem in any line, or a postcode or code that
    conflicts with what is already stored, raises ImportRejected with every problem found and
    changes nothing."""
    rows, errors = parse_area_rows(content)
    errors.extend(_area_conflicts_with_database(rows))
    if errors:
        raise ImportRejected(sorted(errors, key=lambda error: error.line))

    counts = {"municipalities": 0, "districts": 0, "neighbourhoods": 0, "names": 0}

    def upsert(model, code, name, kind, **parent):
        obj = model.objects.filter(code=code).first()
        if obj is None:
            obj = model(code=code, name=name, **parent)
            obj.full_clean()
            obj.save()
            counts[kind] += 1
        elif obj.name != name:
            obj.name = name
            obj.full_clean()
            obj.save(update_fields=["name"])
            counts["names"] += 1
        return obj

    municipalities, districts, neighbourhoods = {}, {}, {}
    for row in rows:
        if row.municipality_code not in municipalities:
            municipalities[row.municipality_code] = upsert(
                Municipality, row.municipality_code, row.municipality_name, "municipalities"
            )
        if row.district_code not in districts:
            districts[row.district_code] = upsert(
                District,
                row.district_code,
                row.district_name,
                "districts",
                municipality=municipalities[row.municipality_code],
            )
        if row.neighbourhood_code not in neighbourhoods:
            neighbourhoods[row.neighbourhood_code] = upsert(
                Neighbourhood,
                row.neighbourhood_code,
                row.neighbourhood_name,
                "neighbourhoods",
                district=districts[row.district_code],
            )

    wanted = {pc: row.neighbourhood_code for row in rows for pc in row.postcodes}
    existing = set(Postcode.objects.filter(postcode__in=wanted).values_list("postcode", flat=True))
    Postcode.objects.bulk_create(
        Postcode(postcode=pc, neighbourhood=neighbourhoods[code])
        for pc, code in sorted(wanted.items())
        if pc not in existing
    )
    area_contacts_changed()
    return AreaImportResult(
        municipalities_created=counts["municipalities"],
        districts_created=counts["districts"],
        neighbourhoods_created=counts["neighbourhoods"],
        postcodes_created=len(wanted) - len(existing),
        postcodes_unchanged=len(existing),
        names_updated=counts["names"],
    )


def _area_conflicts_with_database(rows) -> list[LineError]:
    """Codes that already hang elsewhere, postcodes that already belong to another buurt."""
    errors = []
    district_parent = dict(
        District.objects.filter(code__in={row.district_code for row in rows}).values_list(
            "code", "municipality__code"
        )
    )
    neighbourhood_parent = dict(
        Neighbourhood.objects.filter(code__in={row.neighbourhood_code for row in rows}).values_list(
            "code", "district__code"
        )
    )
    owners = dict(
        Postcode.objects.filter(
            postcode__in={pc for row in rows for pc in row.postcodes}
        ).values_list("postcode", "neighbourhood__code")
    )
    for row in rows:
        if district_parent.get(row.district_code, row.municipality_code) != row.municipality_code:
            errors.append(
                LineError(
                    row.line,
                    _("district %(code)s is already stored under municipality %(other)s")
                    % {"code": row.district_code, "other": district_parent[row.district_code]},
                )
            )
        stored_district = neighbourhood_parent.get(row.neighbourhood_code, row.district_code)
        if stored_district != row.district_code:
            errors.append(
                LineError(
                    row.line,
                    _("neighbourhood %(code)s is already stored under district %(other)s")
                    % {"code": row.neighbourhood_code, "other": stored_district},
                )
            )
        taken = sorted(
            pc
            for pc in row.postcodes
            if owners.get(pc, row.neighbourhood_code) != row.neighbourhood_code
        )
        if taken:
            errors.append(
                LineError(
                    row.line,
                    _(
                        "postcode %(postcode)s already belongs to neighbourhood %(other)s"
                        " (%(count)s postcode(s) of this line overlap)"
                    )
                    % {
                        "postcode": format_postcode(taken[0]),
                        "other": owners[taken[0]],
                        "count": len(taken),
                    },
                )
            )
    return errors


@dataclass(frozen=True)
class StatisticsImportResult:
    created: int
    updated: int


@transaction.atomic
def area_statistics_import(*, content: str) -> StatisticsImportResult:
    """Import figures per district or neighbourhood (see docs/areas-import.md). The areas must
    exist. All or nothing, like `areas_import`; an area's earlier figures are replaced."""
    rows, errors = parse_statistics_rows(content)
    codes = {row.area_code for row in rows}
    districts = {d.code: d for d in District.objects.filter(code__in=codes)}
    neighbourhoods = {n.code: n for n in Neighbourhood.objects.filter(code__in=codes)}
    for row in rows:
        if row.area_code not in districts and row.area_code not in neighbourhoods:
            errors.append(
                LineError(
                    row.line,
                    _("area %(code)s does not exist; import the areas first")
                    % {"code": row.area_code},
                )
            )
    if errors:
        raise ImportRejected(sorted(errors, key=lambda error: error.line))
    created = updated = 0
    for row in rows:
        area = (
            {"district": districts[row.area_code]}
            if row.area_code in districts
            else {"neighbourhood": neighbourhoods[row.area_code]}
        )
        statistics = AreaStatistics.objects.filter(**area).first() or AreaStatistics(**area)
        is_new = statistics.pk is None
        for name, value in row.values.items():
            setattr(statistics, name, value)
        statistics.full_clean()
        statistics.save()
        created += is_new
        updated += not is_new
    return StatisticsImportResult(created=created, updated=updated)
