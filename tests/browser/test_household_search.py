import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_search_by_bsn_and_open_the_household(page, login, generalist, make_household):
    household = make_household(residents=2)
    resident = household.memberships.first().resident
    other = make_household()

    login("generalist")
    page.get_by_role("link", name="Huishoudens").first.click()
    search = page.get_by_label("Zoek op BSN (exact), postcode of naam")
    search.fill(resident.bsn)  # results appear while typing: no submit, no page reload
    results = page.locator("#results")
    expect(results).to_contain_text("1 huishouden gevonden")
    expect(results).to_contain_text(household.address_line)
    expect(results).not_to_contain_text(other.address_line)

    search.fill("111222334")
    expect(results).to_contain_text("Dit BSN is ongeldig (elfproef).")

    search.fill(resident.bsn)
    results.get_by_role("link", name=re.compile(re.escape(household.address_line))).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(household.address_line)
    expect(page.locator("#residents")).to_contain_text(resident.full_name)
