"""The one search box in the header, in a real browser: reached by keyboard, a BSN typed and
Enter gives the results page with the kind searched; on the results page the answers follow
the typing (htmx, no reload); at 360 px the box sits behind the Menu button and the page does
not scroll sideways; axe finds nothing serious; a GP has no box."""

import re

import pytest
from playwright.sync_api import expect

from teams.roles import Role
from tests.browser.sweep import axe_serious, horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def _tab_to(page, locator, presses=40):
    """Reach the element with Tab only, as a keyboard user does."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError("not reachable by keyboard")


@pytest.fixture
def households(make_household, other_area):
    mine = make_household(residents=2)
    theirs = make_household(neighbourhood=other_area["neighbourhood"])
    return mine, theirs


def test_header_search_at_desktop_by_keyboard(page, login, generalist, households):
    mine, theirs = households
    resident = mine.memberships.first().resident
    page.set_viewport_size(DESKTOP)
    login("generalist")

    box = page.get_by_role("search", name="Zoeken in wijkwerk").get_by_label("Snel zoeken")
    expect(box).to_be_visible()
    _tab_to(page, box)
    page.keyboard.type(resident.bsn)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/huishoudens/zoeken/$"))  # no BSN in the URL
    results = page.locator("#search-results")
    expect(results).to_contain_text("Gezocht op: BSN")
    expect(results).to_contain_text(mine.address_line)
    expect(results).not_to_contain_text(theirs.address_line)
    assert axe_serious(page) == []

    # on the results page the answers follow the typing, without a reload
    page.evaluate("window.notReloaded = true")
    field = page.get_by_label("Zoek op BSN, postcode, naam of nummer")
    field.fill("5611 AB")
    expect(results).to_contain_text("Gezocht op: postcode")
    field.fill("1234 SA")
    expect(results.get_by_role("alert")).to_be_visible()
    field.fill(resident.last_name)
    expect(results).to_contain_text("Gezocht op: naam")
    expect(results).to_contain_text(mine.address_line)
    assert page.evaluate("window.notReloaded") is True
    assert axe_serious(page) == []

    results.get_by_role("link", name=re.compile(re.escape(mine.address_line))).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(mine.address_line)


def test_header_search_at_360_px(page, login, generalist, households):
    mine, _theirs = households
    page.set_viewport_size(PHONE)
    login("generalist")
    assert page.locator("header").bounding_box()["height"] <= 64  # folded behind Menu

    toggle = page.get_by_role("button", name="Menu")
    _tab_to(page, toggle)
    page.keyboard.press("Enter")
    box = page.get_by_role("searchbox", name="Snel zoeken")
    expect(box).to_be_visible()
    box.fill("5611AB")
    box.press("Enter")

    results = page.locator("#search-results")
    expect(results).to_contain_text("Gezocht op: postcode")
    expect(results).to_contain_text(mine.address_line)
    assert horizontal_overflow(page, "/huishoudens/zoeken/") == []
    assert axe_serious(page) == []


def test_a_gp_has_no_search_box(page, login, user_with_role):
    user_with_role(Role.GP, username="huisarts")
    login("huisarts")
    expect(page.get_by_role("link", name="Wijkcontact").first).to_be_visible()
    expect(page.get_by_role("search", name="Zoeken in wijkwerk")).to_have_count(0)
    expect(page.get_by_role("searchbox", name="Snel zoeken")).to_have_count(0)
