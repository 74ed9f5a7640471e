"""The strict Content Security Policy does not break the htmx screens: walking through them
causes no CSP violation, and htmx injects no inline <style>."""

import pytest
from django.test import override_settings
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def csp_violations(page):
    messages = []
    page.on(
        "console",
        lambda message: (
            messages.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)

    def collect():
        return messages + page.evaluate("window.__cspViolations || []")

    return collect


def test_the_household_screens_run_without_csp_violations(
    page, login, generalist, make_household, csp_violations
):
    household = make_household(residents=2)
    resident = household.memberships.first().resident

    login("generalist")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    response = page.goto("/huishoudens/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    search = page.get_by_label("Zoek op BSN (exact), postcode of naam")
    search.fill(resident.bsn)  # htmx posts while typing
    expect(page.locator("#results")).to_contain_text(household.address_line)
    assert page.locator("style").count() == 0  # htmx's indicator style is switched off
    assert csp_violations() == []

    page.locator("#results a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(household.address_line)
    page.get_by_role("link", name="Adres wijzigen").click()
    page.get_by_label("Straat").fill("")
    page.get_by_role("button", name="Opslaan").click()  # htmx swaps in the form with errors
    expect(page.locator("#household-form .error").first).to_be_visible()
    page.get_by_label("Straat").fill("Nieuwe Kerkstraat")
    page.get_by_role("button", name="Opslaan").click()  # 204 + HX-Redirect to the household
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nieuwe Kerkstraat")

    page.goto("/huishoudens/nieuw/")
    bsn = page.locator("#id_residents-0-bsn")
    bsn.fill("111222334")
    bsn.blur()  # the inline check posts through htmx
    expect(page.locator("#household-form")).to_contain_text("Dit BSN is ongeldig (elfproef).")
    assert csp_violations() == []


@override_settings(AXES_FAILURE_LIMIT=2)
def test_a_locked_out_user_sees_a_dutch_page(page, generalist, csp_violations):
    for _ in range(2):
        page.goto("/accounts/login/")
        page.get_by_label("Gebruikersnaam").fill("generalist")
        page.get_by_label("Wachtwoord").fill("not-the-password")
        with page.expect_navigation():  # let the POST finish before the next attempt
            page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen tijdelijk geblokkeerd")
    expect(page.get_by_role("alert")).to_contain_text("2 keer achter elkaar")
    assert csp_violations() == []


def test_the_api_docs_run_without_csp_violations(page, login, generalist, csp_violations):
    login("generalist")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    page.goto("/api/v1/docs/")
    expect(page.locator("#swagger-ui")).to_contain_text("wijkwerk API")
    assert csp_violations() == []


def test_the_two_step_setup_shows_its_qr_code(page, login, generalist, csp_violations):
    login("generalist")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    page.get_by_role("link", name="Tweestapsverificatie").click()
    qr = page.get_by_alt_text("QR-code om te scannen met de authenticator-app")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.naturalWidth") > 0
    assert csp_violations() == []
