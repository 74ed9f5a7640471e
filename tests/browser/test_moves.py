"""A person leaves household A and joins household B with one BSN search (#16 item 2)."""

import pytest
from playwright.sync_api import expect

from cases.households.models import HouseholdMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_moves_from_a_to_b_with_one_search(page, login, generalist, make_household):
    home_a = make_household(residents=2)
    person = home_a.memberships.first().resident
    home_b = make_household(residents=1)

    login("generalist")
    page.goto(f"/huishoudens/{home_b.uuid}/")
    page.get_by_role("link", name="Al geregistreerd? Zoek op BSN").click()
    page.get_by_label("BSN").fill(person.bsn)
    page.get_by_role("button", name="Zoeken op BSN").click()
    found = page.locator("#found-person")
    expect(found).to_contain_text(person.full_name)
    expect(found).to_contain_text(home_a.address_line)  # where they live now
    page.get_by_role("button", name="Hierheen verhuizen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(home_b.address_line)
    expect(page.locator("#residents")).to_contain_text(person.full_name)
    memberships = HouseholdMembership.objects.filter(resident=person).order_by("start_date", "pk")
    assert [m.household_id for m in memberships] == [home_a.pk, home_b.pk]
    assert memberships[0].end_date is not None  # left A, the history kept
