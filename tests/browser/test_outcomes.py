"""The policy officer opens the dashboard, filters by district without a page reload (htmx),
downloads a table and a background export, and checks what is in the files."""

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from outcomes import services
from teams.roles import Role
from tests.browser.test_content_security_policy import RECORD_VIOLATIONS
from tests.factories import UserFactory
from tests.outcome_dataset import build_outcome_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def figures(area, other_area, make_household, generalist):
    data = build_outcome_dataset(area, other_area, make_household, generalist)
    services.summaries_recompute()
    UserFactory(username="beleid", roles=[Role.POLICY_OFFICER])
    return data


def read_csv(path: str) -> list[list[str]]:
    text = Path(path).read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_policy_dashboard_filters_and_downloads(page, login, figures):
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.add_init_script(RECORD_VIOLATIONS)
    login("beleid")
    page.get_by_role("navigation").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Beleidsdashboard")).to_be_visible()
    # the chart is an accessible image, the table behind it follows
    chart = page.get_by_role("img", name=re.compile("Zelfredzaamheid per levensdomein"))
    expect(chart).to_be_visible()
    expect(page.locator("#table-outcomes")).to_contain_text("Financiën")

    # filter by district: htmx swaps the figures and pushes the URL, no full reload
    page.evaluate("window.__notReloaded = true")
    page.get_by_label("Wijk", exact=True).select_option(label=figures["B"].name)
    expect(page).to_have_url(re.compile(f"wijk={figures['B'].code}"))
    assert page.evaluate("window.__notReloaded") is True
    district_row = page.locator("#table-outcomes tr", has_text="Financiën")
    # district B: one household improved in finances: suppressed
    expect(district_row).to_contain_text("<5")

    # the table as CSV, with the filter applied and the suppression in the file
    with page.expect_download() as download_info:
        page.locator("#section-outcomes").get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename == "outcomes.csv"
    lines = read_csv(download.path())
    assert lines[0][:4] == ["Levensdomein", "Vooruit", "Gelijk", "Achteruit"]
    assert ["Financiën", "<5", "0", "0", "<5", "<5"] in lines

    # the large export: prepared in the background, then a download link appears
    page.get_by_label("Wijk", exact=True).select_option(label="Hele gemeente")
    expect(page).not_to_have_url(re.compile("wijk=WK"))
    page.get_by_role("button", name="Excel klaarmaken").click()
    link = page.locator("#export-jobs").get_by_role("link", name=re.compile("downloaden"))
    # the page polls every second; on 2 loaded cores (-n 2 next to the axe sweep) the job and
    # the polls can take longer than expect()'s default 5 s
    expect(link).to_be_visible(timeout=20_000)
    with page.expect_download() as download_info:
        link.click()
    workbook = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Maand en wijk", "Levensdomein")
    months = {row[0].split(" ")[0] for row in rows[1:]}
    assert {"2026-03", "2026-05", "2025-11"} <= months
    assert violations + page.evaluate("window.__cspViolations || []") == []
