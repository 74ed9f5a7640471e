from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from teams.imports import ImportRejected, LineError, parse_area_rows, parse_statistics_rows
from teams.models import AreaStatistics, District, Municipality, Neighbourhood, Postcode
from teams.roles import Role
from teams.validators import format_postcode

__all__ = ["ImportRejected"]

# What the functional administrator maintains in the admin: the register and its reference data.
FUNCTIONAL_ADMIN_APPS = ("teams", "networks", "cases")
FUNCTIONAL_ADMIN_AUTH_MODELS = ("user", "group")


def area_contacts_changed(**_signal_kwargs) -> None:
    """Invalidate every cached GP-lookup answer (`teams.selectors.area_contacts_cached`): now,
    and again after the surrounding transaction commits, so a lookup racing the change cannot
    keep the old answer under the new generation. Connected to saves and deletes of areas,
    teams, consultants and absences (teams/apps.py); call it after bulk writes."""

    def bump():
        from teams.selectors import AREA_CONTACTS_GENERATION_KEY

        try:
            cache.incr(AREA_CONTACTS_GENERATION_KEY)
        except ValueError:  # not in the cache yet (or evicted): any new value will do
            cache.set(AREA_CONTACTS_GENERATION_KEY, 2, timeout=None)

    bump()
    transaction.on_commit(bump)


@transaction.atomic
def role_permissions_ensure() -> None:
    group, _ = Group.objects.get_or_create(name=Role.FUNCTIONAL_ADMIN)
    permissions = Permission.objects.filter(
        content_type__app_label__in=FUNCTIONAL_ADMIN_APPS
    ) | Permission.objects.filter(
        content_type__app_label="auth", content_type__model__in=FUNCTIONAL_ADMIN_AUTH_MODELS
    )
    group.permissions.add(*permissions)


@transaction.atomic
def user_role_assign(*, user, role: str) -> None:
    """Give a user a role. A functional administrator also gets access to the admin."""
    group, _ = Group.objects.get_or_create(name=Role(role).value)
    user.groups.add(group)
    if role == Role.FUNCTIONAL_ADMIN:
        role_permissions_ensure()
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    user.__dict__.pop("_wijkwerk_roles", None)


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
