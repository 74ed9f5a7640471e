"""Dashboard tables with small-number suppression, shared by the pages, the charts and the
CSV/XLSX exports, so all three show exactly the same (suppressed) figures.

The rule (docs/outcomes.md):

1. *Primary*: a figure about 1 to 4 households shows "<5". Zero is shown (it is about no one).
2. *Row totals*: a column marked `is_total` (the households in the row, or decisions in the
   row) is hidden (shown as HIDDEN) when any other figure in that row is suppressed, so it cannot be
   subtracted back.
3. *Column totals*: the total row's figure is hidden when any figure above it in that column is
   suppressed; then the total row's own row totals follow rule 2.
4. *Derived figures* (a percentage, a mean, money left) are hidden when a figure they are
   computed from is suppressed, and suppressed themselves when they are about 1-4 households.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

THRESHOLD = 5
SMALL = "<5"
HIDDEN = "×"

SHOWN, SMALL_STATUS, HIDDEN_STATUS = "shown", "small", "hidden"


@dataclass
class Cell:
    value: int | float | Decimal | str | None
    households: int | None = None  # how many households the figure is about; None: not personal
    sources: tuple[str, ...] = ()  # keys of the figures in the same row this one derives from
    status: str = SHOWN

    @property
    def suppressed(self) -> bool:
        return self.status != SHOWN

    @property
    def number(self):
        """The value when shown, else None (for charts)."""
        return None if self.suppressed else self.value


@dataclass
class Column:
    key: str
    label: str
    kind: str = "count"  # count, money, percent, days, text
    is_total: bool = False


@dataclass
class Row:
    label: str
    cells: dict[str, Cell]
    key: str = ""

    def cell(self, key: str) -> Cell:
        return self.cells[key]


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[Row]
    total: Row | None = None
    first_column: str = ""
    note: str = ""
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.suppress()

    # Suppression ----------------------------------------------------------------------------

    def suppress(self) -> None:
        lines = [*self.rows, *([self.total] if self.total else [])]
        for row in lines:
            for cell in row.cells.values():
                if cell.households is not None and 0 < cell.households < THRESHOLD:
                    cell.status = SMALL_STATUS
        for row in self.rows:
            self._row_margins(row)
        if self.total:
            for column in self.columns:
                if any(row.cells[column.key].suppressed for row in self.rows):
                    self._hide(self.total.cells[column.key])
            self._row_margins(self.total)

    def _row_margins(self, row: Row) -> None:
        totals = [c.key for c in self.columns if c.is_total]
        if any(row.cells[c.key].suppressed for c in self.columns if not c.is_total):
            for key in totals:
                self._hide(row.cells[key])
        for cell in row.cells.values():
            if cell.sources and any(row.cells[key].suppressed for key in cell.sources):
                self._hide(cell)

    @staticmethod
    def _hide(cell: Cell) -> None:
        if cell.status == SHOWN:
            cell.status = HIDDEN_STATUS

    # Rendering ------------------------------------------------------------------------------

    def display_rows(self) -> list[dict]:
        out = []
        for row in [*self.rows, *([self.total] if self.total else [])]:
            out.append(
                {
                    "label": row.label,
                    "is_total": row is self.total,
                    "cells": [
                        {
                            "text": display(row.cells[c.key], c.kind),
                            "suppressed": row.cells[c.key].suppressed,
                            "label": c.label,  # data-label: the column name on a phone
                        }
                        for c in self.columns
                    ],
                }
            )
        return out

    @property
    def has_suppressed(self) -> bool:
        lines = [*self.rows, *([self.total] if self.total else [])]
        return any(cell.suppressed for row in lines for cell in row.cells.values())

    def export_rows(self) -> list[list]:
        """Header and rows for CSV/XLSX: numbers as numbers, suppressed as SMALL or HIDDEN."""
        header = [str(self.first_column), *(str(c.label) for c in self.columns)]
        lines = [header]
        for row in [*self.rows, *([self.total] if self.total else [])]:
            lines.append([str(row.label), *(export_value(row.cells[c.key]) for c in self.columns)])
        return lines


def display(cell: Cell, kind: str) -> str:
    if cell.status == SMALL_STATUS:
        return SMALL
    if cell.status == HIDDEN_STATUS:
        return HIDDEN
    if cell.value is None:
        return "–"
    if kind == "money":
        return "€ " + number_format(cell.value, 2, force_grouping=True)
    if kind == "percent":
        return f"{number_format(cell.value, 0)}%"
    if kind == "days":
        return number_format(cell.value, 0)
    if kind == "count":
        return number_format(cell.value, 0, force_grouping=True)
    return str(cell.value)


def export_value(cell: Cell):
    if cell.status == SMALL_STATUS:
        return SMALL
    if cell.status == HIDDEN_STATUS:
        return HIDDEN
    if cell.value is None:
        return ""
    if isinstance(cell.value, Decimal):
        return float(cell.value)
    if isinstance(cell.value, int | float):
        return cell.value
    return str(cell.value)  # lazy translations (labels) become text


def percentage(part, whole) -> int | None:
    return round(part * 100 / whole) if whole else None


LEGEND = _(
    "<5: about fewer than 5 households, not shown. ×: hidden because it would let you work out "
    "a figure below 5."
)
