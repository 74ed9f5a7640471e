"""The end of a session on a shared phone: a warning with "stay signed in" before it ends, and
nothing typed is lost when it ends mid-form; the text stays in the tab's sessionStorage (never
localStorage), for the same person only, and goes at sign-out."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import TeamMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OBSERVATION = "Buurvrouw ziet de post zich opstapelen en de gordijnen blijven dicht."


def _type_a_signal(page):
    page.goto(reverse("cases:signal_register"))
    page.locator("input[name=reporter_name]").fill("Mevrouw Jansen")
    page.locator("textarea[name=observation]").fill(OBSERVATION)


def drafts(page) -> int:
    return page.evaluate(
        "Object.keys(sessionStorage).filter(k => k.startsWith('wijkwerk-draft:')).length"
    )


def _end_the_session():
    Session.objects.all().delete()  # as the idle timeout does on the server


def test_a_form_posted_after_the_session_ended_comes_back_after_signing_in(page, login, generalist):
    login("generalist")
    _type_a_signal(page)
    _end_the_session()
    page.locator("textarea[name=observation]").press("Tab")
    page.locator("form:has(textarea[name=observation]) button[type=submit]").click()
    page.wait_for_url("**/accounts/login/**")
    assert page.evaluate("window.localStorage.length") == 0  # never on the shared phone's disk

    page.get_by_label("Gebruikersnaam").fill("generalist")
    page.get_by_label("Wachtwoord").fill("wijkwerk-test")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('cases:signal_register')}")
    expect(page.locator("textarea[name=observation]")).to_have_value(OBSERVATION)
    expect(page.locator("input[name=reporter_name]")).to_have_value("Mevrouw Jansen")
    expect(page.get_by_role("status").filter(has_text="teruggezet")).to_be_visible()


def test_another_person_signing_in_on_the_tab_gets_nothing(page, login, generalist, area):
    TeamMemberFactory(team=area["team"], user__username="collega")
    login("generalist")
    _type_a_signal(page)
    _end_the_session()
    page.locator("form:has(textarea[name=observation]) button[type=submit]").click()
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("Gebruikersnaam").fill("collega")
    page.get_by_label("Wachtwoord").fill("wijkwerk-test")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('cases:signal_register')}")
    expect(page.locator("textarea[name=observation]")).to_have_value("")
    assert drafts(page) == 0


def test_signing_out_clears_what_was_typed(page, login, generalist):
    login("generalist")
    _type_a_signal(page)
    assert drafts(page) == 1
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url("**/accounts/login/**")
    assert drafts(page) == 0


def test_a_saved_form_keeps_no_draft(page, login, generalist, area):
    login("generalist")
    _type_a_signal(page)
    page.locator("select[name=source_type]").select_option(index=1)
    page.locator("input[name=subject_name]").fill("Meneer de Vries")
    page.locator("input[name=subject_postcode]").fill(area["postcode"].postcode)
    page.locator("form:has(textarea[name=observation]) button[type=submit]").click()
    page.wait_for_url(lambda url: reverse("cases:signal_register") not in url)
    assert drafts(page) == 0


def test_the_warning_before_the_end_and_stay_signed_in(page, login, generalist, settings):
    page.clock.install()
    login("generalist")
    page.goto(reverse("home"))
    warning = page.get_by_role("alertdialog", name="Bent u er nog?")
    expect(warning).to_be_hidden()
    seconds = int(page.locator("body").get_attribute("data-session-seconds"))
    warn = int(page.locator("body").get_attribute("data-session-warn"))
    page.clock.fast_forward((seconds - warn + 5) * 1000)
    expect(warning).to_be_visible()
    stay = warning.get_by_role("button", name="Aangemeld blijven")
    expect(stay).to_be_focused()  # keyboard users land on the answer
    expect(warning).to_contain_text("afgemeld als u niets doet")
    stay.press("Enter")
    expect(warning).to_be_hidden()
    page.clock.fast_forward((seconds - warn - 30) * 1000)
    expect(warning).to_be_hidden()  # renewed: the clock started again

    page.clock.fast_forward(60 * 1000)
    expect(warning).to_be_visible()
    _end_the_session()
    warning.get_by_role("button", name="Aangemeld blijven").click()  # too late now
    expect(warning).to_contain_text("U bent afgemeld")
    expect(warning.get_by_role("link", name="Opnieuw aanmelden")).to_be_focused()
