"""Known, not opened, and break the glass, in a real browser: a generalist finds a household of
another district by BSN, sees only that it is known and who its team is, breaks the glass with a
reason and opens the file; the privacy officer finds it on the review list and judges it."""

import re

import pytest
from playwright.sync_api import expect

from cases.privacy.models import BreakGlassAccess
from teams.roles import Role
from tests.browser.test_content_security_policy import RECORD_VIOLATIONS
from tests.factories import TeamMemberFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Acute crisis: moeder opgenomen, kinderen alleen thuis; wijkteam Zuid niet bereikbaar."


def test_break_the_glass_and_the_privacy_review(
    page, login, browser, live_server, generalist, make_household, other_area
):
    household = make_household(
        neighbourhood=other_area["neighbourhood"], postcode="5641AA", residents=2
    )
    coordinator = TeamMemberFactory(
        team=other_area["team"], user__first_name="Olga", user__last_name="Oost"
    ).user
    household.coordinator = coordinator
    household.save()
    resident = household.memberships.first().resident
    UserFactory(username="privacy", roles=[Role.PRIVACY_OFFICER])

    page.add_init_script(RECORD_VIOLATIONS)  # the htmx screens run under the strict CSP
    login("generalist")
    page.get_by_role("link", name="Is dit huishouden elders in de gemeente bekend?").click()
    page.get_by_label("BSN").fill(resident.bsn)
    page.get_by_role("button", name="Zoeken").click()
    results = page.locator("#results")
    expect(results).to_contain_text("Bekend, buiten uw kring")
    expect(results).to_contain_text(other_area["team"].name)
    expect(results).to_contain_text("Olga Oost")
    expect(results).not_to_contain_text(resident.last_name)
    expect(results).not_to_contain_text(household.street)

    results.get_by_role("link", name="Nood: dossier openen (doorbreken)").click()
    page.get_by_label("Reden voor noodtoegang").fill("Spoed")
    page.get_by_role("button", name="Dossier openen").click()  # too short: the browser refuses
    expect(page).to_have_url(re.compile(r"/doorbreken/$"))
    assert not BreakGlassAccess.objects.exists()
    page.get_by_label("Reden voor noodtoegang").fill(REASON)
    page.get_by_role("button", name="Dossier openen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(household.address_line)
    expect(page.locator(".break-glass-banner")).to_contain_text("door het glas te breken")
    expect(page.locator("#residents")).to_contain_text(resident.full_name)
    assert page.evaluate("window.__cspViolations || []") == []

    officer = browser.new_context(base_url=live_server.url, locale="nl-NL")
    officer.set_default_timeout(10_000)
    review = officer.new_page()
    review.goto("/accounts/login/")
    review.get_by_label("Gebruikersnaam").fill("privacy")
    review.get_by_label("Wachtwoord").fill("wijkwerk-test")
    review.keyboard.press("Enter")
    review.wait_for_url(lambda url: "/accounts/login/" not in url)
    review.get_by_role("link", name="Te beoordelen noodtoegangen (1)").click()
    card = review.locator("li.card").first
    expect(card).to_contain_text(REASON)
    expect(card).to_contain_text(str(household.uuid))
    expect(card).to_contain_text("generalist")
    card.get_by_label("Terecht", exact=True).check()
    card.get_by_role("button", name="Oordeel vastleggen").click()
    expect(review.locator(".messages")).to_contain_text("Oordeel vastgelegd.")
    expect(review.locator("main")).to_contain_text("Niets te beoordelen.")
    officer.close()
