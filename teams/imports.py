"""Parsing and validating the area and area-statistics CSV files (see docs/areas-import.md).

Everything here only reads: it turns a file into checked rows or a line-by-line list of
problems. Writing is done by `teams.services.areas_import` / `area_statistics_import`, which
refuse the whole file as soon as one line has a problem.
"""

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from teams.validators import (
    DISTRICT_CODE_RE,
    MUNICIPALITY_CODE_RE,
    NEIGHBOURHOOD_CODE_RE,
    format_postcode,
    normalise_postcode,
)

AREA_COLUMNS = (
    "gemeentecode",
    "gemeentenaam",
    "wijkcode",
    "wijknaam",
    "buurtcode",
    "buurtnaam",
    "postcodes",
)
STATISTICS_COLUMNS = (
    "gebiedscode",
    "jaar",
    "inwoners",
    "huishoudens",
    "eenoudergezinnen_pct",
    "laag_inkomen_pct",
    "65plus_pct",
    "jonger_dan_18_pct",
)
STATISTICS_SHARES = {
    "eenoudergezinnen_pct": "share_single_parent",
    "laag_inkomen_pct": "share_low_income",
    "65plus_pct": "share_65_plus",
    "jonger_dan_18_pct": "share_under_18",
}
# A range may span several PC4 areas, but not half the country by a typo.
MAX_PC4_PER_RANGE = 20
MAX_NAME_LENGTH = 100
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
RANGE_RE = re.compile(r"^(\d{4}\s?[A-Za-z]{2})\s*-\s*(\d{4}\s?[A-Za-z]{2})$")


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class ImportRejected(Exception):
    """The file was refused as a whole; nothing was changed."""

    def __init__(self, errors: list[LineError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass
class AreaRow:
    line: int
    municipality_code: str
    municipality_name: str
    district_code: str
    district_name: str
    neighbourhood_code: str
    neighbourhood_name: str
    postcodes: list[str] = field(default_factory=list)


def read_rows(content: str, columns: tuple[str, ...]) -> tuple[list[tuple[int, dict]], list]:
    """(line number, row) pairs of a `;`-separated file with a header, or header errors."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")), delimiter=";")
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in columns if name not in header]
    if missing:
        return [], [
            LineError(
                1,
                _("missing column(s): %(columns)s (expected: %(expected)s)")
                % {"columns": ", ".join(missing), "expected": ";".join(columns)},
            )
        ]
    reader.fieldnames = header
    rows = []
    for row in reader:
        values = {key: (value or "").strip() for key, value in row.items() if key}
        if any(values.values()):
            rows.append((reader.line_num, values))
    if not rows:
        return [], [LineError(1, _("the file contains no rows"))]
    return rows, []


def expand_postcodes(value: str) -> list[str]:
    """`5611AA-5611AZ, 5612BB` -> every valid postcode in the ranges, normalised (`5611AA`).
    Raises ValidationError with a plain message for a malformed postcode or range."""
    postcodes: list[str] = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        match = RANGE_RE.match(part)
        if not match:
            try:
                postcodes.append(normalise_postcode(part))
            except ValidationError as exc:
                raise ValidationError(
                    _("'%(value)s' is not a postcode (1234AB) or a range (1234AA-1234ZZ)")
                    % {"value": part}
                ) from exc
            continue
        try:
            first, last = normalise_postcode(match[1]), normalise_postcode(match[2])
        except ValidationError as exc:
            raise ValidationError(
                _("'%(value)s' is not a valid postcode range") % {"value": part}
            ) from exc
        if first > last:
            raise ValidationError(_("range '%(value)s' runs backwards") % {"value": part})
        if int(last[:4]) - int(first[:4]) >= MAX_PC4_PER_RANGE:
            raise ValidationError(
                _("range '%(value)s' spans more than %(max)s four-digit areas")
                % {"value": part, "max": MAX_PC4_PER_RANGE}
            )
        postcodes.extend(_postcodes_between(first, last))
    if not postcodes:
        raise ValidationError(_("no postcodes given"))
    return postcodes


def _postcodes_between(first: str, last: str) -> Iterable[str]:
    for number in range(int(first[:4]), int(last[:4]) + 1):
        for a in LETTERS:
            for b in LETTERS:
                code = f"{number}{a}{b}"
                # SA, SD and SS are never issued
                if first <= code <= last and a + b not in ("SA", "SD", "SS"):
                    yield code


def parse_area_rows(content: str) -> tuple[list[AreaRow], list[LineError]]:
    """Check each line on its own and against the other lines of the file."""
    raw_rows, errors = read_rows(content, AREA_COLUMNS)
    rows: list[AreaRow] = []
    for line, values in raw_rows:
        row = AreaRow(
            line=line,
            municipality_code=values["gemeentecode"].upper(),
            municipality_name=values["gemeentenaam"],
            district_code=values["wijkcode"].upper(),
            district_name=values["wijknaam"],
            neighbourhood_code=values["buurtcode"].upper(),
            neighbourhood_name=values["buurtnaam"],
        )
        line_errors = _check_codes(row)
        try:
            row.postcodes = expand_postcodes(values["postcodes"])
        except ValidationError as exc:
            line_errors.append(exc.messages[0])
        errors.extend(LineError(line, message) for message in line_errors)
        if not line_errors:
            rows.append(row)
    errors.extend(_check_consistency(rows))
    return rows, sorted(errors, key=lambda error: error.line)


def _check_codes(row: AreaRow) -> list[str]:
    problems = []
    checks = (
        (row.municipality_code, MUNICIPALITY_CODE_RE, _("municipality code"), "GM0296"),
        (row.district_code, DISTRICT_CODE_RE, _("district code"), "WK029601"),
        (row.neighbourhood_code, NEIGHBOURHOOD_CODE_RE, _("neighbourhood code"), "BU02960101"),
    )
    for code, pattern, label, example in checks:
        if not pattern.match(code):
            problems.append(
                _("%(label)s '%(code)s' is invalid (e.g. %(example)s)")
                % {"label": label, "code": code, "example": example}
            )
    if not problems:
        if row.district_code[2:6] != row.municipality_code[2:]:
            problems.append(
                _("district %(district)s does not belong to municipality %(municipality)s")
                % {"district": row.district_code, "municipality": row.municipality_code}
            )
        if row.neighbourhood_code[2:8] != row.district_code[2:]:
            problems.append(
                _("neighbourhood %(neighbourhood)s does not belong to district %(district)s")
                % {"neighbourhood": row.neighbourhood_code, "district": row.district_code}
            )
    for name, label in (
        (row.municipality_name, _("municipality name")),
        (row.district_name, _("district name")),
        (row.neighbourhood_name, _("neighbourhood name")),
    ):
        if not name or len(name) > MAX_NAME_LENGTH:
            problems.append(
                _("%(label)s is empty or longer than %(max)s characters")
                % {"label": label, "max": MAX_NAME_LENGTH}
            )
    return problems


def _check_consistency(rows: list[AreaRow]) -> list[LineError]:
    """One name per code, one neighbourhood per postcode, within the file."""
    errors = []
    names: dict[str, tuple[str, int]] = {}
    postcode_owner: dict[str, tuple[str, int]] = {}
    for row in rows:
        for code, name in (
            (row.municipality_code, row.municipality_name),
            (row.district_code, row.district_name),
            (row.neighbourhood_code, row.neighbourhood_name),
        ):
            seen = names.setdefault(code, (name, row.line))
            if seen[0] != name:
                errors.append(
                    LineError(
                        row.line,
                        _("%(code)s is called '%(name)s' here but '%(other)s' on line %(line)s")
                        % {"code": code, "name": name, "other": seen[0], "line": seen[1]},
                    )
                )
        for postcode in row.postcodes:
            owner = postcode_owner.setdefault(postcode, (row.neighbourhood_code, row.line))
            if owner[0] != row.neighbourhood_code:
                errors.append(
                    LineError(
                        row.line,
                        _("postcode %(postcode)s is also given to %(other)s on line %(line)s")
                        % {
                            "postcode": format_postcode(postcode),
                            "other": owner[0],
                            "line": owner[1],
                        },
                    )
                )
                break  # one report per line is enough for a range
    return errors


@dataclass
class StatisticsRow:
    line: int
    area_code: str
    values: dict


def parse_statistics_rows(content: str) -> tuple[list[StatisticsRow], list[LineError]]:
    raw_rows, errors = read_rows(content, STATISTICS_COLUMNS)
    rows, seen = [], {}
    for line, values in raw_rows:
        code = values["gebiedscode"].upper()
        problems = []
        if not (DISTRICT_CODE_RE.match(code) or NEIGHBOURHOOD_CODE_RE.match(code)):
            problems.append(
                _("area code '%(code)s' is not a district (WK…) or neighbourhood (BU…) code")
                % {"code": code}
            )
        elif code in seen:
            problems.append(
                _("%(code)s already has figures on line %(line)s")
                % {"code": code, "line": seen[code]}
            )
        seen.setdefault(code, line)
        parsed = {}
        for column, name, low, high in (
            ("jaar", "year", 1900, 2100),
            ("inwoners", "residents", 0, 10_000_000),
            ("huishoudens", "households", 0, 10_000_000),
        ):
            try:
                parsed[name] = int(values[column])
                if not low <= parsed[name] <= high:
                    raise ValueError
            except ValueError:
                problems.append(
                    _("%(column)s '%(value)s' is not a whole number between %(low)s and %(high)s")
                    % {"column": column, "value": values[column], "low": low, "high": high}
                )
        for column, name in STATISTICS_SHARES.items():
            try:
                share = Decimal(values[column].replace(",", "."))
                if not Decimal(0) <= share <= Decimal(100):
                    raise InvalidOperation
                parsed[name] = share.quantize(Decimal("0.1"))
            except InvalidOperation:
                problems.append(
                    _("%(column)s '%(value)s' is not a percentage between 0 and 100")
                    % {"column": column, "value": values[column]}
                )
        errors.extend(LineError(line, message) for message in problems)
        if not problems:
            rows.append(StatisticsRow(line, code, parsed))
    return rows, sorted(errors, key=lambda error: error.line)
