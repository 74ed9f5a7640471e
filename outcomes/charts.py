"""Server-rendered SVG bar charts, drawn from the same (suppressed) `Table` the page shows
below the chart. No JavaScript; colours come from CSS classes (CSP: no inline style).

A suppressed figure gets no bar, only its "<5" or hidden-mark label, so the chart cannot reveal more
than the table."""

from dataclasses import dataclass, field

from outcomes.tables import Table, display

WIDTH = 640
LABEL_WIDTH = 190
BAR_HEIGHT = 14
GAP = 10
VALUE_ROOM = 60


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    text: str
    text_x: float
    text_y: float = 0.0


@dataclass
class Chart:
    id: str
    title: str
    description: str
    height: int
    labels: list[dict] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    legend: list[dict] = field(default_factory=list)
    width: int = WIDTH

    @property
    def empty(self) -> bool:
        return not self.labels


def bar_chart(
    table: Table,
    *,
    series: list[tuple[str, str]],
    description: str,
    include_total: bool = False,
    label_key: str | None = None,
) -> Chart:
    """Horizontal grouped bars: one group per table row, one bar per series (column key, CSS
    class). Bars are scaled to the largest shown value in the chart."""
    kinds = {c.key: c.kind for c in table.columns}
    labels_by_key = {c.key: str(c.label) for c in table.columns}
    rows = [*table.rows, *([table.total] if include_total and table.total else [])]
    values = [
        float(row.cells[key].number)
        for row in rows
        for key, _css in series
        if row.cells[key].number is not None
    ]
    top = max([*values, 1.0])
    group = len(series) * BAR_HEIGHT + GAP
    chart = Chart(
        id=f"chart-{table.key}",
        title=str(table.title),
        description=description,
        height=max(group * len(rows) + GAP, 40),
        legend=[{"css": css, "label": labels_by_key[key]} for key, css in series],
    )
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    for index, row in enumerate(rows):
        y0 = GAP + index * group
        label = str(row.cells[label_key].value) if label_key else row.label
        chart.labels.append(
            {"text": label[:30], "x": 0, "y": y0 + len(series) * BAR_HEIGHT / 2 + 4}
        )
        for offset, (key, css) in enumerate(series):
            cell = row.cells[key]
            y = y0 + offset * BAR_HEIGHT
            value = cell.number
            width = 0.0 if value is None else max(float(value) / top * room, 0.0)
            chart.bars.append(
                Bar(
                    x=LABEL_WIDTH,
                    y=y + 1,
                    width=round(width, 1),
                    height=BAR_HEIGHT - 2,
                    css=css,
                    text=display(cell, kinds[key]),
                    text_x=round(LABEL_WIDTH + width + 4, 1),
                    text_y=y + BAR_HEIGHT - 3,
                )
            )
    return chart


def column_chart(points: list[tuple[str, int]], *, id: str, title: str, description: str):
    """Vertical columns for a trend (e.g. bottlenecks per month); counts, not households."""
    height = 160
    top = max([v for _label, v in points] + [1])
    step = (WIDTH - 40) / max(len(points), 1)
    chart = Chart(id=id, title=title, description=description, height=height + 30)
    for index, (label, value) in enumerate(points):
        bar_height = value / top * (height - 20)
        x = 30 + index * step
        chart.bars.append(
            Bar(
                x=round(x, 1),
                y=round(height - bar_height, 1),
                width=round(step * 0.7, 1),
                height=round(bar_height, 1),
                css="bar-a",
                text=str(value),
                text_x=round(x, 1),
                text_y=round(height - bar_height - 3, 1),
            )
        )
        chart.labels.append({"text": label, "x": round(x, 1), "y": height + 16})
    return chart
