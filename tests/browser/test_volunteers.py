"""The find-a-volunteer page on a phone (360 px): filter by district and offer in place (htmx),
open a volunteer's page, no serious axe violation, no CSP violation, no sideways scrolling."""

import pytest
from playwright.sync_api import expect

from cases.volunteers import services
from tests.browser.sweep import axe_serious, unnamed_groups
from tests.browser.test_content_security_policy import csp_violations  # noqa: F401 - fixture
from tests.factories import OrganisationFactory, ResidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _volunteer(by, district, offers, first_name):
    return services.volunteer_register(
        resident=ResidentFactory(first_name=first_name, last_name="Vrijwilliger", phone="0611"),
        district=district,
        offers=offers,
        consent_organisation=OrganisationFactory(type="volunteer_organisation"),
        consent_given_by="zelf",
        by=by,
    )


def test_find_a_volunteer_by_district_and_offer_on_a_phone(
    page,
    login,
    generalist,
    area,
    other_area,
    csp_violations,  # noqa: F811 - the fixture imported above
):
    _volunteer(generalist, area["district"], ["buddy"], "Bram")
    _volunteer(generalist, area["district"], ["errands", "buddy"], "Ellen")
    _volunteer(generalist, other_area["district"], ["errands"], "Olga")
    page.set_viewport_size({"width": 360, "height": 740})
    login("generalist")
    page.goto("/vrijwilligers/")
    results = page.locator("#results")
    expect(results).to_contain_text("3 vrijwilligers")
    page.evaluate("window.__samePage = true")  # gone if the page reloads

    page.get_by_label("Wijk", exact=True).select_option(label=area["district"].name)
    expect(results).to_contain_text("2 vrijwilligers")
    expect(results).not_to_contain_text("Olga")
    page.get_by_label("biedt aan").select_option(label="Boodschappen en klusjes buiten de deur")
    expect(results).to_contain_text("1 vrijwilliger")
    expect(results).to_contain_text("Ellen Vrijwilliger")
    expect(results).not_to_contain_text("Bram")
    assert page.evaluate("window.__samePage") is True
    assert f"wijk={area['district'].code}" in page.url  # the filter is in the address

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_serious(page) + unnamed_groups(page, "/vrijwilligers/") == []

    results.get_by_role("link", name="Ellen Vrijwilliger").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ellen Vrijwilliger")
    expect(page.locator("#helps")).to_contain_text("Deze vrijwilliger helpt nu geen huishouden.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_serious(page) == []
    assert csp_violations() == []


def test_register_someone_from_outside_the_register_on_a_phone(page, login, generalist, area):
    OrganisationFactory(type="volunteer_organisation", name="Vrijwilligerspunt Dommelstede")
    page.set_viewport_size({"width": 360, "height": 740})
    login("generalist")
    page.goto("/vrijwilligers/nieuw/")
    assert axe_serious(page) + unnamed_groups(page, "/vrijwilligers/nieuw/") == []
    page.get_by_label("Voornaam").fill("Karim")
    page.get_by_label("Achternaam").fill("Buurman")
    page.get_by_label("Telefoon").fill("0612345678")
    page.locator("#id_district").select_option(label=area["district"].name)
    page.get_by_label("Vervoer en mee naar afspraken").check()
    page.get_by_label("Toestemming gegeven aan").select_option(
        label="Vrijwilligerspunt Dommelstede"
    )
    page.get_by_label("De persoon geeft toestemming").check()
    page.get_by_label("Toestemming gegeven door").fill("Karim Buurman")
    page.get_by_role("button", name="Zet in het register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Karim Buurman")
    expect(page.locator("main")).to_contain_text("Vervoer en mee naar afspraken")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
