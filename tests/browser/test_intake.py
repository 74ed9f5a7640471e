import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.intake.models import Signal
from cases.intake.selectors import melding_investigation_deadline
from tests.cases.intake_factories import SignalFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_a_melding_inline_on_the_household_page(page, login, generalist, make_household):
    household = make_household()
    login("generalist")
    expect(page.get_by_role("link", name="Signalen")).to_be_visible()  # logged in
    page.goto(reverse("cases:household_detail", args=[household.uuid]))
    section = page.locator("#meldingen")
    expect(section).to_contain_text("Geen meldingen geregistreerd.")
    section.get_by_text("Melding registreren").first.click()
    expect(section).to_contain_text("persoonlijk plan")  # the Wmo hints are shown
    section.get_by_label("Kanaal").select_option("counter")
    section.get_by_role("button", name="Melding registreren").click()
    # error inline, the chosen channel is kept
    expect(section.locator(".error")).to_contain_text("Dit veld is vereist.")
    expect(section.get_by_label("Kanaal")).to_have_value("counter")
    section.get_by_label("Hulpvraag in de woorden van de inwoner").fill("Hulp bij het douchen")
    section.get_by_role("button", name="Melding registreren").click()
    expect(page.locator(".messages")).to_contain_text("Melding geregistreerd.")
    # six weeks from today, run on to a working day (the legal terms engine)
    days = (
        melding_investigation_deadline(received_on=timezone.localdate()) - timezone.localdate()
    ).days
    expect(page.locator("#meldingen")).to_contain_text(f"nog {days} dagen")
    expect(page.locator("#meldingen")).to_contain_text("Hulp bij het douchen")


def test_triage_a_signal_into_a_melding(page, login, generalist, area, make_household):
    household = make_household()
    signal = SignalFactory(team=area["team"], household=household)
    login("generalist")
    page.get_by_role("link", name="Signalen").click()
    expect(page.locator("#queue")).to_contain_text("1 openstaand signaal")
    page.locator("#queue").get_by_role("link", name=household.address_line).click()
    convert = page.locator("#convert")
    convert.get_by_label("Hulpvraag in de woorden van de inwoner").fill("Graag hulp met de post")
    convert.get_by_role("button", name="Melding registreren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(household.address_line)
    expect(page.locator("#meldingen")).to_contain_text("Graag hulp met de post")
    signal.refresh_from_db()
    assert signal.status == "converted"
    assert Signal.objects.open().count() == 0
