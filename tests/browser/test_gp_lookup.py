import pytest
from playwright.sync_api import expect

from teams.roles import Role
from tests.factories import AreaConsultantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_gp_looks_up_the_area_consultant_by_postcode(page, login, user_with_role, area):
    user_with_role(Role.GP, username="huisarts")
    consultant = AreaConsultantFactory(
        district=area["district"], user__first_name="Wendy", user__last_name="Wmo"
    )

    login("huisarts")
    page.get_by_role("link", name="Wijkcontact").first.click()
    postcode = page.get_by_label("Postcode")
    result = page.locator("#result")
    page.evaluate("window.notReloaded = true")

    postcode.fill("5611 ab")  # the result appears while typing: no submit, no page reload
    expect(result).to_contain_text("Wendy Wmo")
    expect(result).to_contain_text(consultant.phone)
    expect(result).to_contain_text(area["team"].name)
    assert page.evaluate("window.notReloaded") is True

    postcode.fill("5611A")
    expect(result).to_contain_text("Dit is geen geldige Nederlandse postcode.")
    expect(result).not_to_contain_text("Wendy Wmo")

    postcode.fill("9999 ZZ")
    expect(result).to_contain_text("Postcode 9999 ZZ ligt niet in deze gemeente.")
