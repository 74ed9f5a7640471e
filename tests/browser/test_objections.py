"""A consultant on a phone (360 px) registers an objection from the household page and decides
on it, by keyboard; no page scrolls sideways."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.objections.models import Objection, ObjectionOutcome
from cases.provisions import services as psvc
from cases.provisions.models import DecisionOutcome
from teams.models import LawDomain
from teams.roles import Role
from tests.browser.sweep import horizontal_overflow
from tests.factories import AreaConsultantFactory, UserFactory
from tests.provision_factories import ApplicationFactory, ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_a_consultant_registers_and_decides_an_objection_on_a_phone(
    page, login, area, generalist, make_household
):
    consultant = UserFactory(username="consulent", roles=[Role.CONSULTANT])
    for domain in LawDomain:
        AreaConsultantFactory(district=area["district"], law_domain=domain, user=consultant)
    household = make_household()
    application = ApplicationFactory(
        household=household, product=ProductFactory(), applied_by=generalist
    )
    psvc.decision_make(
        application=application,
        by=consultant,
        data=psvc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="Voorliggend aanbod."),
    )

    page.set_viewport_size(PHONE)
    login("consulent")
    page.goto(f"/huishoudens/{household.uuid}/")
    section = page.locator("#objections")
    expect(section.get_by_text("Geen bezwaren.")).to_be_visible()  # loaded by htmx
    section.get_by_text("Bezwaar registreren").click()
    section.get_by_label("Besluit waartegen bezwaar is gemaakt").select_option(index=1)
    section.get_by_label("De inwoner").check()
    section.get_by_label("Gronden").fill("Ik kan echt niet zelf koken.")
    section.get_by_label("Gronden").press("Tab")
    page.keyboard.press("Tab")  # past the help text to the next fields, by keyboard
    section.get_by_role("button", name="Registreren").press("Enter")

    page.wait_for_url("**/huishoudens/bezwaren/**")
    objection = Objection.objects.get()
    expect(page.locator("h1")).to_contain_text("Bezwaar van")
    expect(page.locator("#decision-due")).to_contain_text(str(objection.decision_due.year))
    assert horizontal_overflow(page, page.url) == []

    page.get_by_label("Ingetrokken").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Beslis op het bezwaar").press("Enter")
    expect(page.locator("#outcome")).to_contain_text("Ingetrokken")
    objection.refresh_from_db()
    assert objection.outcome == ObjectionOutcome.WITHDRAWN
    assert objection.decided_on == timezone.localdate()
    assert horizontal_overflow(page, page.url) == []
