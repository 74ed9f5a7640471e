"""The partner allocation list from plain rows (docs/performance.md): one `.values()` query for
a page, turned into the same JSON as `AllocationSerializer` without building a model or a
serializer per allocation. Consent gating stays in the query: without consent for the purpose
`provider_allocation` the database returns no name, birth date or address at all (the client
is joined through the consent, checked once per row).
`tests/cases/partners` checks that the rows give exactly the serializer's JSON.

`AllocationPage` is what DRF's cursor pagination reads a page from: the query is compiled once
per process and shape (`socialdomain.precompiled`; the filters present, the page's size and
direction, the day), so a request only binds its values (the providers, the organisation for
the consent check, the filters and the cursor's position) and runs it."""

import datetime
import functools
from dataclasses import dataclass, field, replace

from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    ExpressionWrapper,
    F,
    Q,
    Value,
    When,
)
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from cases.audit import ShownRowsLog
from cases.consent.models import ConsentPurpose
from cases.consent.selectors import consented_relation
from cases.partners.selectors import allocation_providers
from cases.provisions.models import Allocation
from networks.models import Organisation
from socialdomain.precompiled import precompiled_rows
from teams.validators import format_postcode

_SHARED = "client_data_shared"
# the client joined only with consent for the purpose (`consent.selectors.consented_relation`)
_CONSENTED = "consented_client"
# read through it: NULL without consent
_PERSONAL = {
    "client_first_name": f"{_CONSENTED}__first_name",
    "client_name_prefix": f"{_CONSENTED}__name_prefix",
    "client_last_name": f"{_CONSENTED}__last_name",
    "client_birth_date": f"{_CONSENTED}__birth_date",
}
# the household's address, only where the client was joined
_ADDRESS = {
    "address_street": "household__street",
    "address_house_number": "household__house_number",
    "address_house_number_addition": "household__house_number_addition",
    "address_postcode": "household__postcode",
    "address_city": "household__city",
}
_PLAIN = {
    "product_law": "product__law",
    "product_category": "product__category",
    "product_code": "product__code",
    "product_name": "product__name",
    "delivered_code": "delivered_by__code",
    "delivered_name": "delivered_by__name",
    "delivered_agb_code": "delivered_by__agb_code",
    "client_uuid": "client__uuid",
    "client_bsn": "client__bsn",
    "household_uuid": "household__uuid",
}
FIELDS = (
    "id",
    "uuid",
    "number",
    "status",
    "volume",
    "unit",
    "frequency",
    "start_date",
    "end_date",
    "care_started_on",
    "care_stopped_on",
    "end_reason",
    "created_at",
    "updated_at",
    "client_id",
    "delivered_by_id",
    _SHARED,
    *_PLAIN,
    *_PERSONAL,
    *_ADDRESS,
)


def allocation_rows(queryset, *, organisation, on: datetime.date):
    """The allocations of `queryset` as `.values()` rows for a page, the client's name, birth
    date and address only where the client has an active consent (or a legal basis) for
    `organisation` and the purpose `provider_allocation` on `on`: checked once per row, in
    the join of the client."""
    consented = Q(**{f"{_CONSENTED}__id__isnull": False})
    return (
        queryset.annotate(
            **{
                _CONSENTED: consented_relation(
                    resident_field="client",
                    organisation=organisation,
                    purpose=ConsentPurpose.PROVIDER_ALLOCATION,
                    on=on,
                )
            }
        )
        .annotate(
            **{name: F(path) for name, path in (_PLAIN | _PERSONAL).items()},
            **{
                name: Case(When(consented, then=F(path)), default=Value(None))
                for name, path in _ADDRESS.items()
            },
            **{_SHARED: ExpressionWrapper(consented, output_field=BooleanField())},
        )
        .values(*FIELDS)
    )


@dataclass(frozen=True)
class AllocationPage:
    """The allocations `organisation` may see, filtered by a validated `AllocationFilter`
    (`filterset`), as the queryset DRF's `CursorPagination` pages: it orders (`order_by`),
    filters on the cursor's position (`filter`) and takes a slice, which runs one query."""

    organisation: Organisation
    filterset: object  # None: no filter asked for
    ordering: tuple = ()
    position: tuple | None = None  # (lookup, value) from the cursor
    today: datetime.date = field(default_factory=timezone.localdate)
    # the page's access-log rows written by its own statement (PostgreSQL, an API client):
    # one per row of the first `shown` (the page's size; the paginator reads one more)
    log: ShownRowsLog | None = None
    shown: int = 0

    def order_by(self, *ordering) -> "AllocationPage":
        return replace(self, ordering=ordering)

    def filter(self, **lookup) -> "AllocationPage":
        [(name, value)] = lookup.items()
        try:
            moment = parse_datetime(value) if isinstance(value, str) else value
        except ValueError:
            moment = None
        if moment is None:
            raise NotFound(CursorPagination.invalid_cursor_message)
        return replace(self, position=(name, moment))

    def __getitem__(self, page: slice) -> list[dict]:
        cleaned = self.filterset.form.cleaned_data if self.filterset is not None else {}
        filters = {
            name: value for name, value in cleaned.items() if value not in (None, "", [], ())
        }
        position_lookup = self.position[0] if self.position else None
        values = {
            "providers": allocation_providers(organisation=self.organisation, today=self.today),
            "organisation": self.organisation.pk,
            "position": self.position[1] if self.position else None,
            **filters,
        }

        def build(bind):
            queryset = Allocation.objects.filter(bind.any_of("provider_id", "providers"))
            for name in sorted(filters):
                queryset = self.filterset.filters[name].filter(queryset, bind(name))
            queryset = queryset.order_by(*self.ordering)
            if position_lookup:
                queryset = queryset.filter(**{position_lookup: bind("position", DateTimeField())})
            return allocation_rows(queryset, organisation=bind("organisation"), on=self.today)[page]

        key = (
            "allocation page",
            self.today,
            tuple(sorted(filters)),
            self.ordering,
            position_lookup,
            page.start,
            page.stop,
        )
        wrap, using = None, None
        if self.log is not None:
            using = self.log.using  # a write: never a replica
            shown = min(self.shown, page.stop - page.start)
            key = (*key, "logged", shown)
            values.update(self.log.values())
            wrap = functools.partial(
                self.log.statement,
                shown=shown,
                object_id="uuid",
                household_uuid="household_uuid",
                resident_uuid="client_uuid",
            )
        # the same plan for every organisation and page (see `socialdomain.precompiled`); the
        # UUIDs and dates as text, as the JSON and the access log write them
        rows = precompiled_rows(
            key=key,
            build=build,
            values=values,
            generic_plan=True,
            as_text=("uuid", "date"),
            wrap=wrap,
            using=using,
        )
        if self.log is not None:
            self.log.done()
        return rows


def _day(value):
    # as DRF's `DateField` writes a date in its default format, ISO 8601 (already the text on
    # PostgreSQL, `AllocationPage`)
    return value if value is None or type(value) is str else value.isoformat()


def _moment(value, zone) -> str | None:
    """A moment as DRF's `DateTimeField` renders it (ISO 8601 in the current time zone, UTC
    as `Z`), with the zone looked up once per page instead of once per field."""
    if not value:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _withheld_reason() -> str:
    return gettext(
        "No consent or legal basis with the purpose provider_allocation is recorded for "
        "your organisation: the client's name, birth date and address are withheld. Ask "
        "the client's neighbourhood team."
    )


def allocation_json(row: dict, zone=None, withheld_reason: str | None = None) -> dict:
    """One row as `AllocationSerializer` renders the allocation. `zone` (the current time
    zone) and `withheld_reason` (in the current language) are looked up when not given: a
    page looks them up once for all its rows."""
    zone = zone or timezone.get_current_timezone()
    withheld = not row[_SHARED]
    client = None
    if row["client_id"] is not None:
        client = {
            "bsn": row["client_bsn"],
            "first_name": row["client_first_name"],
            "name_prefix": row["client_name_prefix"],
            "last_name": row["client_last_name"],
            "birth_date": _day(row["client_birth_date"]),
        }
    address = None
    if not withheld:
        address = {
            "street": row["address_street"],
            "house_number": row["address_house_number"],
            "house_number_addition": row["address_house_number_addition"],
            "postcode": format_postcode(row["address_postcode"]),
            "city": row["address_city"],
        }
    delivered_by = None
    if row["delivered_by_id"] is not None:
        delivered_by = {
            "code": row["delivered_code"],
            "name": row["delivered_name"],
            "agb_code": row["delivered_agb_code"],
        }
    created_at = _moment(row["created_at"], zone)
    return {
        "id": str(row["uuid"]),
        "number": row["number"],
        "status": row["status"],
        "product": {
            "law": row["product_law"],
            "category": row["product_category"],
            "code": row["product_code"],
            "name": row["product_name"],
        },
        "extent": {"volume": row["volume"], "unit": row["unit"], "frequency": row["frequency"]},
        "start_date": _day(row["start_date"]),
        "end_date": _day(row["end_date"]),
        "care_started_on": _day(row["care_started_on"]),
        "care_stopped_on": _day(row["care_stopped_on"]),
        "end_reason": row["end_reason"],
        "delivered_by": delivered_by,
        "client": client,
        "address": address,
        "personal_data_withheld": withheld,
        "withheld_reason": (withheld_reason or _withheld_reason()) if withheld else None,
        "created_at": created_at,
        # the same text again for an allocation not changed since it was made
        "updated_at": created_at
        if row["updated_at"] == row["created_at"]
        else _moment(row["updated_at"], zone),
    }


def log_item(row: dict) -> tuple:
    """(object id, household UUID, resident UUIDs) of a row, for the access log."""
    return row["uuid"], row["household_uuid"], [row["client_uuid"]] if row["client_id"] else []


def allocation_page_json(rows: list[dict]) -> list[dict]:
    """A page of rows as `allocation_json` renders each, the time zone and the withheld
    reason looked up once."""
    zone, reason = timezone.get_current_timezone(), _withheld_reason()
    return [allocation_json(row, zone, reason) for row in rows]


__all__ = [
    "AllocationPage",
    "allocation_json",
    "allocation_page_json",
    "allocation_rows",
    "log_item",
]
