"""The GP's warm hand-off, closed loop (docs/gp-handoff.md): a GP on a phone (360 px) hands a
patient over from the area-contacts result; the team finds the call-back, records three failed
attempts in place (htmx); the GP's page shows "no contact" and the practice's e-mail names no
patient. axe finds nothing serious on the GP's form, the GP's list and the team's list."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from cases.intake.models import GpHandoff, HandoffStatus, Signal
from teams.roles import Role
from tests.browser.sweep import axe_serious, horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_a_gp_hands_over_and_hears_back_without_the_file(
    browser, live_server, page, login, user_with_role, area, generalist
):
    user_with_role(Role.GP, username="huisarts", email="dokter@praktijk.nl")

    page.set_viewport_size(PHONE)
    login("huisarts")
    page.goto("/wijkcontact/")
    page.get_by_label("Postcode").fill("5611 AB")
    page.get_by_role("button", name="Patiënt in deze wijk overdragen").click()
    expect(page.locator("h1")).to_contain_text("Patiënt overdragen")
    expect(page.get_by_label("Postcode")).to_have_value("5611AB")
    page.get_by_label("Naam van de patiënt").fill("Jannie Verhoeven")
    page.get_by_label("Geboortedatum").fill("1948-03-09")
    page.get_by_label("Huisnummer").fill("12A")
    page.get_by_label("Uw zorg").fill("Vergeetachtig, eet slecht, dochter woont ver weg.")
    page.get_by_label("Dringend").check()
    page.get_by_label("E-mailadres voor de status").fill("assistente@praktijk.nl")
    page.get_by_label("Mijn patiënt heeft ermee ingestemd").check()
    assert axe_serious(page) == []
    assert horizontal_overflow(page, page.url) == []
    page.get_by_role("button", name="Overdracht versturen").press("Enter")

    page.wait_for_url("**/wijkcontact/overdrachten/")
    handoff = GpHandoff.objects.get()
    expect(page.locator("#handoffs")).to_contain_text(handoff.reference)
    expect(page.locator("#handoffs")).to_contain_text("Wacht op terugbellen")
    assert axe_serious(page) == []
    assert horizontal_overflow(page, page.url) == []
    signal = Signal.objects.get()
    assert signal.team == area["team"]

    # the team's side, in a browser of its own
    team = browser.new_context(base_url=live_server.url, locale="nl-NL")
    team.set_default_timeout(10_000)
    colleague = team.new_page()
    colleague.set_viewport_size(PHONE)
    colleague.goto("/accounts/login/")
    colleague.get_by_label("Gebruikersnaam").fill(generalist.username)
    colleague.get_by_label("Wachtwoord").fill("wijkwerk-test")
    colleague.keyboard.press("Enter")
    colleague.wait_for_url(lambda url: "/accounts/login/" not in url)
    colleague.goto("/huishoudens/signalen/terugbellen/")
    block = colleague.locator(f"#callback-{handoff.uuid}")
    expect(block).to_contain_text("Dringend")
    assert axe_serious(colleague) == []
    assert horizontal_overflow(colleague, colleague.url) == []
    colleague.evaluate("window.notReloaded = true")
    for attempt in range(1, 4):
        block = colleague.locator(f"#callback-{handoff.uuid}")
        block.get_by_label("Niet bereikt").check()
        block.get_by_role("button", name="Poging vastleggen").click()
        expect(colleague.locator(f"#callback-{handoff.uuid} ol.attempts li")).to_have_count(attempt)
    expect(colleague.locator(f"#callback-{handoff.uuid}")).to_contain_text(
        "Geen contact na 3 pogingen"
    )
    assert colleague.evaluate("window.notReloaded") is True  # recorded in place
    team.close()

    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.NO_CONTACT
    page.reload()
    expect(page.locator("#handoffs")).to_contain_text("Geen contact na 3 pogingen")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["assistente@praktijk.nl"]
    text = message.subject + message.body
    assert handoff.reference in text
    for secret in ("Jannie", "Verhoeven", "1948", "5611", "12A", "Vergeetachtig"):
        assert secret not in text
