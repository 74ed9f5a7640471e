"""Small-number suppression: no cell shows data about fewer than 5 households, and no shown
total lets anyone work a suppressed cell out."""

import csv
import io

import pytest
from django.urls import reverse

from outcomes import selectors, services
from outcomes.tables import HIDDEN, SMALL, Cell, Column, Row, Table

COLUMNS = [
    Column("improved", "Improved"),
    Column("same", "Same"),
    Column("declined", "Declined"),
    Column("households", "Households", is_total=True),
    Column("share", "Share", kind="percent"),
]


def row(label, improved, same, declined):
    households = improved + same + declined
    return Row(
        label,
        {
            "improved": Cell(improved, improved),
            "same": Cell(same, same),
            "declined": Cell(declined, declined),
            "households": Cell(households, households),
            "share": Cell(
                round(improved * 100 / households), households, ("improved", "same", "declined")
            ),
        },
    )


def texts(table):
    return [[cell["text"] for cell in line["cells"]] for line in table.display_rows()]


def test_a_cell_about_one_to_four_households_shows_less_than_five():
    table = Table("t", "T", COLUMNS, [row("A", 7, 0, 3)])
    improved, same, declined, households, share = texts(table)[0]
    assert (improved, same, declined) == ("7", "0", SMALL)
    # the row total and the share would give 3 back (10 - 7 - 0): hidden
    assert households == HIDDEN
    assert share == HIDDEN


def test_a_row_without_small_cells_is_shown_in_full():
    table = Table("t", "T", COLUMNS, [row("A", 7, 5, 0)])
    assert texts(table)[0] == ["7", "5", "0", "12", "58%"]
    assert not table.has_suppressed


def test_column_total_hidden_when_a_cell_above_it_is_suppressed():
    table = Table(
        "t", "T", COLUMNS, [row("A", 7, 5, 3), row("B", 6, 8, 9)], total=row("Total", 13, 13, 12)
    )
    total = texts(table)[-1]
    # the total's 'declined' (12) minus B's 9 would give A's 3
    assert total[2] == HIDDEN
    # and then the total's households could give the declined total back
    assert total[3] == HIDDEN and total[4] == HIDDEN
    assert total[0] == "13" and total[1] == "13"
    assert texts(table)[1] == ["6", "8", "9", "23", "26%"]


def test_a_total_about_fewer_than_five_households_is_itself_suppressed():
    table = Table("t", "T", COLUMNS, [row("A", 2, 1, 0)])
    assert texts(table)[0] == [SMALL, SMALL, "0", SMALL, SMALL]


def test_figures_not_about_households_are_never_suppressed():
    table = Table("t", "T", [Column("budget", "B", kind="money")], [Row("S", {"budget": Cell(3)})])
    assert texts(table)[0] == ["€ 3,00"]


def test_export_rows_carry_the_same_suppression():
    table = Table("t", "T", COLUMNS, [row("A", 7, 0, 3)])
    assert table.export_rows()[1] == ["A", 7, 0, SMALL, HIDDEN, HIDDEN]


@pytest.mark.django_db
def test_dashboard_and_export_never_show_a_small_figure(client, dataset, policy_officer):
    services.summaries_recompute()
    client.force_login(policy_officer)
    params = {"wijk": dataset["A"].code}
    response = client.get(reverse("outcomes:policy_dashboard"), params)
    assert response.status_code == 200
    # district A, finances, all time: 3 improved, 2 same, 1 declined (6 households)
    page = response.content.decode()
    section = page.split('id="table-outcomes"')[1].split("</table>")[0]
    finances = section.split("Financiën")[1].split("</tr>")[0]
    assert finances.count(">&lt;5<") == 3
    assert ">6<" not in finances and HIDDEN in finances
    # the chart draws no bar for a suppressed figure
    chart = page.split('id="chart-outcomes-title"')[1].split("</svg>")[0]
    assert "&lt;5" in chart

    url = reverse("outcomes:export", args=["outcomes", "csv"])
    content = client.get(url, params).content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(content), delimiter=";"))
    finances_line = next(line for line in lines if line[0] == "Financiën")
    assert finances_line[1:] == [SMALL, SMALL, SMALL, HIDDEN, HIDDEN]


@pytest.mark.django_db
def test_decision_share_hidden_when_late_decisions_are_few(dataset, policy_officer):
    services.summaries_recompute()
    filters = selectors.filters_parse(user=policy_officer, params={}, team_view=False)
    table = selectors.decision_table(filters)
    wmo = table.rows[0]
    # 4 Wmo decisions about 3 households: everything about fewer than 5 households
    assert wmo.cells["within"].suppressed and wmo.cells["late"].suppressed
    assert wmo.cells["share"].suppressed and wmo.cells["decisions"].suppressed


@pytest.mark.django_db
def test_budget_committed_by_fewer_than_five_households_is_suppressed(dataset, policy_officer):
    services.summaries_recompute()
    filters = selectors.filters_parse(user=policy_officer, params={"jaar": "2026"}, team_view=False)
    table = selectors.budget_stream_table(filters)
    stream = next(r for r in table.rows if r.label == dataset["stream"].name)
    # 1500 committed for 2 households: not shown, nor what is left, nor the percentage
    assert texts(Table("x", "x", table.columns, [stream]))[0][1:] == [SMALL, HIDDEN, HIDDEN]
    assert table.total.cells["committed"].suppressed
