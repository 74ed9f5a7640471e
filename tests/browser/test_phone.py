"""On a phone: no page of any demo role scrolls sideways at 320 px, the menu folds behind a
keyboard-operable disclosure button at 360 px with a header of at most 64 px (and stays open
without JavaScript), wide tables become cards, and the GP lands on the postcode field and gets
the answer while typing. The sweep (which pages) is in tests/browser/sweep.py."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.sweep import ROLES, horizontal_overflow, sweep

pytestmark = [pytest.mark.browser]

SMALLEST = {"width": 320, "height": 640}
PHONE = {"width": 360, "height": 740}


@pytest.mark.parametrize("role", ROLES)
def test_no_page_of_the_role_scrolls_sideways_at_320_px(demo_page, demo_site, role):
    page = demo_page(role, viewport=SMALLEST)
    problems = sweep(page, demo_site.key_pages[role], horizontal_overflow)
    print(f"{role}: {len(sweep.visited)} pages", *sweep.visited, sep="\n  ")
    assert len(sweep.visited) >= 3, sweep.visited
    assert not problems, "\n".join(problems)


def test_the_login_page_fits_at_320_px(demo_page):
    page = demo_page(viewport=SMALLEST)
    page.goto("/accounts/login/")
    assert horizontal_overflow(page, "/accounts/login/") == []


def test_the_menu_folds_away_at_360_px_and_opens_with_the_keyboard(demo_page):
    page = demo_page("teamleider", viewport=PHONE)
    header = page.locator("header")
    toggle = page.get_by_role("button", name="Menu")
    menu = page.locator("#site-menu")
    nav_link = page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link").first

    assert header.bounding_box()["height"] <= 64
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-controls", "site-menu")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()

    page.goto("/voorzieningen/budget/")  # a page without autofocus: Tab starts at the top
    for _ in range(5):  # skip link, brand, then the Menu button: by keyboard only
        page.keyboard.press("Tab")
        if toggle.evaluate("button => button === document.activeElement"):
            break
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav_link).to_be_visible()
    page.keyboard.press("Tab")
    expect(nav_link).to_be_focused()  # the menu follows its button in the tab order
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    nav_link.click()
    expect(page).not_to_have_url(re.compile(r"/budget/$"))
    expect(page.locator("#site-menu")).to_be_hidden()  # the next page starts folded again
    assert header.bounding_box()["height"] <= 64

    page.set_viewport_size({"width": 1024, "height": 768})  # a desktop shows the menu
    expect(toggle).to_be_hidden()
    expect(nav_link).to_be_visible()


def test_without_javascript_the_menu_is_simply_open(demo_page):
    page = demo_page("teamleider", viewport=PHONE, javascript=False)
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    expect(nav.get_by_role("link", name="Budget")).to_be_visible()
    assert horizontal_overflow(page, "/") == []


def test_wide_tables_are_cards_with_their_column_names_on_a_phone(demo_page):
    page = demo_page("consultant", viewport=PHONE)
    page.goto("/voorzieningen/aanvragen/")
    table = page.locator("#results table")
    expect(table.locator("thead")).to_have_css("position", "absolute")  # for screen readers
    cell = table.locator("tbody td[data-label]").first
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Termijn"'
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(table.locator("thead")).to_have_css("position", "static")


def test_the_gp_lands_on_the_focused_postcode_field_and_gets_the_answer_while_typing(
    demo_page,
):
    page = demo_page("huisarts", viewport=PHONE)
    expect(page).to_have_url(re.compile(r"/wijkcontact/$"))
    postcode = page.get_by_label("Postcode")
    expect(postcode).to_be_focused()

    trigger = page.locator("form[role=search]").get_attribute("hx-trigger")
    delay = re.search(r"delay:(\d+)(ms|s)", trigger)
    assert delay, trigger
    assert int(delay[1]) * (1000 if delay[2] == "s" else 1) <= 80, trigger

    page.evaluate("window.notReloaded = true")
    page.keyboard.type("5611 AB", delay=60)  # typed into the focused field; no Enter, no click
    result = page.locator("#result")
    expect(result).to_contain_text("Wijkteam Centrum")
    expect(result.locator("#consultants")).to_contain_text("Pieter de Wit")
    assert page.evaluate("window.notReloaded") is True
    assert horizontal_overflow(page, "/wijkcontact/") == []
    page.set_viewport_size(SMALLEST)
    assert horizontal_overflow(page, "/wijkcontact/") == []


def test_search_results_swapped_in_fit_at_320_px(demo_page):
    page = demo_page("generalist", viewport=SMALLEST)
    page.goto("/huishoudens/")
    page.get_by_label("Zoek op BSN (exact), postcode of naam").fill("5611")
    expect(page.locator("#results a").first).to_be_visible()
    assert horizontal_overflow(page, "/huishoudens/") == []


def test_the_gp_lookup_works_without_javascript(demo_page):
    page = demo_page("huisarts", viewport=PHONE, javascript=False)
    page.get_by_label("Postcode").fill("5621AA")
    page.get_by_role("button", name="Opzoeken").click()
    expect(page.locator("#result")).to_contain_text("Wijkteam Noord")
