"""The consent section of the household file on a phone: loaded by htmx, recorded and withdrawn
without a full page load, by keyboard, without CSP violations or sideways scrolling."""

import pytest
from playwright.sync_api import expect

from cases.consent.models import Consent
from tests.browser.test_content_security_policy import csp_violations  # noqa: F401 - fixture
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_and_withdraw_consent_on_a_phone(
    page,
    login,
    generalist,
    make_household,
    csp_violations,  # noqa: F811 - the fixture imported above
):
    household = make_household(residents=1)
    resident = household.memberships.first().resident
    OrganisationFactory(name="Zorggroep De Linde")
    page.set_viewport_size({"width": 390, "height": 844})
    login("generalist")
    page.goto(f"/huishoudens/{household.uuid}/")
    section = page.locator("#consents")
    expect(section).to_contain_text("Geen geldige toestemming.")  # the section loaded
    page.evaluate("window.__samePage = true")  # gone if the page reloads

    section.get_by_text("Toestemming of wettelijke grondslag vastleggen").click()
    page.get_by_label("Organisatie").select_option(label="Zorggroep De Linde")
    page.get_by_label("voortgang").check()
    section.locator("select[name=purpose]").select_option("progress_reports")
    section.locator("textarea[name=purpose_note]").fill("Voortgang van de begeleiding delen")
    section.locator("textarea[name=purpose_note]").press("Tab")
    section.get_by_role("button", name="Vastleggen").focus()
    page.keyboard.press("Enter")
    expect(section).to_contain_text("Voortgang van de begeleiding delen")
    assert page.evaluate("window.__samePage") is True
    consent = Consent.objects.get()
    assert consent.resident == resident
    assert consent.purpose == "progress_reports"

    section.get_by_text("Intrekken", exact=True).click()
    section.get_by_role("button", name="Toestemming intrekken").click()
    expect(section).to_contain_text("Geen geldige toestemming.")
    expect(section).to_contain_text("1 eerdere of toekomstige toestemming")
    assert page.evaluate("window.__samePage") is True
    consent.refresh_from_db()
    assert consent.withdrawn_on is not None

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert csp_violations() == []
