"""The kitchen-table conversation on a phone (issue 24, item 1), in a real browser at 360 px:
from the household page to the saved report in at most 25 taps (fills, clicks, checks), the
report swapped in without a page load (its address pushed), no sideways scrolling, axe-core
clean; an error summary that takes focus and opens the step of the field it links to; and
without JavaScript the same form posts and redirects."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.intake.models import KitchenTableConversation, LifeDomain
from tests.browser.sweep import axe_serious, horizontal_overflow
from tests.factories import MeldingFactory, NetworkMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
MAX_TAPS = 25
# the score per life domain (Dutch label) the test taps; Justitie is "not discussed"
SCORES = [
    ("Financiën", "2"),
    ("Werk & opleiding", "3"),
    ("Tijdsbesteding", "3"),
    ("Huisvesting", "2"),
    ("Huiselijke relaties", "4"),
    ("Geestelijke gezondheid", "2"),
    ("Lichamelijke gezondheid", "4"),
    ("Middelengebruik", "5"),
    ("Basale ADL", "5"),
    ("Instrumentele ADL", "4"),
    ("Sociaal netwerk", "3"),
    ("Maatschappelijke participatie", "3"),
    ("Justitie", None),
]


class Taps:
    """Every fill, click and check goes through here, and is counted."""

    def __init__(self):
        self.count = 0

    def fill(self, locator, text):
        self.count += 1
        locator.fill(text)

    def click(self, locator):
        self.count += 1
        locator.click()

    def check(self, locator):
        self.count += 1
        locator.check()


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, username="generalist"):
    page.goto("/accounts/login/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill("wijkwerk-test")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_full_conversation_on_a_phone(phone, generalist, make_household):
    household = make_household(residents=2, coordinator=generalist)
    MeldingFactory(household=household, question="De rekeningen stapelen zich op.")
    NetworkMemberFactory(household=household, name="Zus Anna")
    resident = household.memberships.select_related("resident").first().resident
    page = phone
    log_in(page)
    page.goto(reverse("cases:household_detail", args=[household.uuid]))

    taps = Taps()
    loads = []
    page.on("load", lambda _page: loads.append(page.url))
    taps.click(page.get_by_role("link", name="Keukentafelgesprek voeren"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Keukentafelgesprek")
    form_url = page.url
    # the melding is picked already; the long steps are one tap away
    assert page.locator("#step-basic-needs").get_attribute("open") is None
    assert page.locator("#step-domains").get_attribute("open") is None
    screens = page.evaluate("document.documentElement.scrollHeight") / PHONE["height"]
    print(f"the form opens {screens:.1f} phone screens long")
    assert screens < 3.5  # it was 4.4 with every part open
    page.wait_for_load_state("load")  # the form page's own load event, before counting
    page.evaluate("window.sameDocument = 'yes'")
    loads.clear()

    # who took part: picked from the household and its network
    taps.check(page.get_by_label(resident.full_name, exact=False))
    taps.check(page.get_by_label("Zus Anna", exact=False))
    taps.fill(page.get_by_label("Het verhaal van de inwoner"), "Ik slaap slecht van de schulden.")

    needs = page.locator("#step-basic-needs")
    taps.click(needs.locator("summary"))
    for need, answer in [
        ("Inkomen", "Nee"),
        ("Schulden", "Ja, crisis"),
        ("Huisvesting", "Nee"),
        ("Voedsel", "Nee"),
    ]:
        taps.check(needs.get_by_role("group", name=need, exact=True).get_by_label(answer))
    expect(needs.locator("summary")).to_contain_text("4 van 4 gevraagd")

    domains = page.locator("#step-domains")
    taps.click(domains.locator("summary"))
    for label, score in SCORES:
        group = domains.get_by_role("group", name=label, exact=True)
        option = (
            group.get_by_label("niet besproken")
            if score is None
            else group.locator(f"input[value='{score}']")
        )
        taps.check(option)
    expect(domains.locator("summary")).to_contain_text("13 van 13 ingevuld")

    agreements = page.locator("#step-agreements")  # open: the last thing said
    taps.fill(
        agreements.get_by_label("Afspraken en vervolgstappen"), "Maandag samen naar het geldloket."
    )
    # the whole form open: fits the phone and passes axe
    assert horizontal_overflow(page, form_url) == []
    assert axe_serious(page) == []

    taps.click(page.get_by_role("button", name="Gesprek opslaan"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Verslag van het keukentafelgesprek")
    conversation = KitchenTableConversation.objects.get()
    report_url = reverse("cases:conversation_detail", args=[conversation.uuid])
    expect(page).to_have_url(re.compile(re.escape(report_url) + "$"))
    expect(page.locator(".messages")).to_contain_text("Gesprek vastgelegd.")
    expect(page).to_have_title(re.compile("Verslag van het keukentafelgesprek"))
    report = page.locator("#report")
    expect(report).to_contain_text("Ik slaap slecht van de schulden.")
    expect(report).to_contain_text("niet besproken")
    expect(report.get_by_role("row", name=re.compile("Schulden"))).to_contain_text("Ja, crisis")
    expect(page.get_by_role("button", name="Afdrukken")).to_be_visible()  # its script ran

    # no full page load: the same document, no load event; focus went to the new content
    assert page.evaluate("window.sameDocument") == "yes"
    assert loads == []
    assert page.evaluate("document.activeElement.id") == "main"
    # htmx kept no copy of the form page (names, address) in the tab's storage for "back"
    cache = page.evaluate("window.sessionStorage.getItem('htmx-history-cache')") or ""
    assert household.address_line not in cache and resident.last_name not in cache
    print(f"{taps.count} taps")
    assert taps.count <= MAX_TAPS, taps.count

    assert horizontal_overflow(page, report_url) == []
    assert axe_serious(page) == []

    assert conversation.scores.count() == 12
    assert conversation.domains_not_discussed == [LifeDomain.JUSTICE]
    assert (conversation.debts_crisis, conversation.income_crisis) == (True, False)
    assert conversation.melding is not None
    assert {r.pk for r in conversation.participants.all()} == {resident.pk}


def test_the_error_summary_takes_focus_and_opens_the_step_of_its_field(
    phone, generalist, make_household
):
    household = make_household(residents=1, coordinator=generalist)
    page = phone
    log_in(page)
    page.goto(reverse("cases:conversation_create", args=[household.uuid]))
    page.evaluate("window.sameDocument = 'yes'")
    page.get_by_label("Het verhaal van de inwoner").fill("Het gaat niet.")
    page.get_by_role("button", name="Gesprek opslaan").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(len(LifeDomain))
    # what was typed is still there, and the form was swapped in place
    expect(page.get_by_label("Het verhaal van de inwoner")).to_have_value("Het gaat niet.")
    assert page.evaluate("window.sameDocument") == "yes"
    # every id the summary links to and every aria-describedby names an element
    missing = page.evaluate(
        """() => {
          const ids = [...document.querySelectorAll('[data-error-summary] a')]
            .map(a => a.getAttribute('href').slice(1));
          const described = [...document.querySelectorAll('[aria-describedby]')]
            .flatMap(el => el.getAttribute('aria-describedby').split(/\\s+/));
          return [...ids, ...described].filter(id => !document.getElementById(id));
        }"""
    )
    assert missing == []

    page.locator("#step-domains").evaluate("step => { step.open = false; }")
    summary.get_by_role("link", name=re.compile("^Justitie")).click()
    expect(page.locator("#id_score_justice_0")).to_be_focused()
    assert page.locator("#step-domains").get_attribute("open") is not None
    assert horizontal_overflow(page, page.url) == []
    assert axe_serious(page) == []


def test_without_javascript_the_form_posts_and_redirects_to_the_report(
    browser, live_server, generalist, make_household
):
    household = make_household(residents=1, coordinator=generalist)
    context = browser.new_context(
        base_url=live_server.url, locale="nl-NL", viewport=PHONE, java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        log_in(page)
        page.goto(reverse("cases:conversation_create", args=[household.uuid]))
        page.get_by_label("Het verhaal van de inwoner").fill("Zonder JavaScript.")
        domains = page.locator("#step-domains")
        domains.locator("summary").click()  # native <details>: no script needed
        for label, _score in SCORES[:-1]:
            domains.get_by_role("group", name=label, exact=True).locator("input[value='3']").check()
        page.get_by_role("button", name="Gesprek opslaan").click()
        # Justitie left open: the page comes back with the summary and the input kept
        expect(page.locator("[data-error-summary]")).to_contain_text("Justitie")
        expect(page.locator("[data-error-summary]")).to_be_focused()  # autofocus
        expect(page.get_by_label("Het verhaal van de inwoner")).to_have_value("Zonder JavaScript.")
        page.locator("#step-domains").get_by_role("group", name="Justitie").get_by_label(
            "niet besproken"
        ).check()
        page.get_by_role("button", name="Gesprek opslaan").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Verslag van het keukentafelgesprek"
        )
        conversation = KitchenTableConversation.objects.get()
        assert page.url.endswith(reverse("cases:conversation_detail", args=[conversation.uuid]))
    finally:
        context.close()
