"""The consultant's decision screen on a phone (360 px): from the queue to a recorded decision
in at most five interactions, with the household around the application on the same page,
only the chosen outcome's fields shown, the letter preview following the form, no sideways
scrolling and no serious axe-core violation."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.intake.models import LifeDomain, LifeDomainScore
from cases.plans.models import PlanGoal
from cases.provisions.models import Allocation, ApplicationStatus, ProvisionApplication
from teams.models import LawDomain
from teams.roles import Role
from tests.browser.sweep import axe_serious
from tests.factories import (
    AreaConsultantFactory,
    ConversationFactory,
    NetworkMemberFactory,
    OrganisationFactory,
    SupportPlanFactory,
    UserFactory,
)
from tests.provision_factories import ApplicationFactory, ProductFactory, contract_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
FORM_AT = """() => (document.querySelector('#decision-form').getBoundingClientRect().top
  + window.scrollY) / window.innerHeight"""
FITS = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture
def decision_case(area, generalist, make_household):
    """An application in the consultant's area, its household with two conversations, a plan
    with a goal and a neighbour; one contracted provider and one without a contract."""
    consultant = UserFactory(username="consulent", first_name="Pieter", roles=[Role.CONSULTANT])
    for domain in LawDomain:
        AreaConsultantFactory(district=area["district"], law_domain=domain, user=consultant)
    household = make_household()
    today = timezone.localdate()
    for days_ago, score in ((70, 2), (6, 3)):
        conversation = ConversationFactory(
            household=household, held_on=today - datetime.timedelta(days=days_ago)
        )
        LifeDomainScore.objects.create(
            conversation=conversation, domain=LifeDomain.FINANCES, score=score
        )
    plan = SupportPlanFactory(household=household, conversation=conversation)
    PlanGoal.objects.create(
        plan=plan, domain=LifeDomain.FINANCES, description="Elke maand de huur op tijd betalen"
    )
    NetworkMemberFactory(household=household, name="Buurman Kees")
    product = ProductFactory()
    contracted = OrganisationFactory(name="Zorggroep De Linde")
    contract_for(provider=contracted, product=product)
    OrganisationFactory(name="Zorg Zonder Contract")
    application = ApplicationFactory(
        household=household, product=product, plan=plan, applied_by=generalist
    )
    return {"application": application, "provider": contracted, "household": household}


@pytest.fixture
def consultant_page(page, login, decision_case):
    login("consulent")
    expect(page.get_by_role("button", name=re.compile("Uitloggen"))).to_be_visible()
    page.set_viewport_size(PHONE)
    return page


def test_a_consultant_decides_from_the_queue_in_five_interactions_at_360_px(
    consultant_page, decision_case
):
    page = consultant_page
    application = decision_case["application"]
    interactions = 0

    def act(step):
        nonlocal interactions
        interactions += 1
        step()

    act(lambda: page.goto("/voorzieningen/aanvragen/"))
    act(lambda: page.locator("#results").get_by_role("link", name=application.product.name).click())

    # the household around the application, on this page
    context = page.locator("#household-context")
    expect(context).to_be_visible()
    expect(context.locator("#context-scores")).to_contain_text("Financiën")
    expect(context.locator("#context-scores")).to_contain_text("+1")
    expect(context.locator("#context-goals")).to_contain_text("huur op tijd")
    expect(context.locator("#context-network")).to_contain_text("Buurman Kees")
    # only the chosen outcome's (grant, the default) fields
    expect(page.locator("#fields-grant")).to_be_visible()
    expect(page.locator("#fields-reasons")).to_be_hidden()
    expect(page.locator("#fields-refer-back")).to_be_hidden()
    # only the contracted provider, and the letter preview beside the form
    provider = page.get_by_label("Aanbieder")
    expect(provider.locator("option", has_text="Zorggroep De Linde")).to_have_count(1)
    expect(provider.locator("option", has_text="Zorg Zonder Contract")).to_have_count(0)
    expect(page.locator("#letter-preview")).to_contain_text("Wij kennen u")
    assert page.evaluate(FITS), "the decision screen scrolls sideways at 360 px"
    # the household above the form, yet the form within two phone screens, and once it is on
    # screen its button is too (it sticks to the bottom)
    assert page.evaluate(FORM_AT) < 2
    page.locator("#decision-form").evaluate("form => form.scrollIntoView()")
    expect(page.get_by_role("button", name="Besluit vastleggen")).to_be_in_viewport()
    assert axe_serious(page) == []

    act(lambda: page.get_by_label("Volume").fill("3"))
    act(lambda: provider.select_option(label="Zorggroep De Linde"))
    act(lambda: page.get_by_role("button", name="Besluit vastleggen").click())

    expect(page.locator("#decision")).to_contain_text("Besluit: Toekennen")
    assert interactions <= 5, interactions
    allocation = Allocation.objects.get()
    assert allocation.provider == decision_case["provider"]
    assert ProvisionApplication.objects.get().status == ApplicationStatus.GRANTED


def test_choosing_reject_shows_only_the_reasons_and_the_preview_follows(
    consultant_page, decision_case
):
    page = consultant_page
    page.goto(f"/voorzieningen/aanvragen/{decision_case['application'].uuid}/")
    expect(page.locator("#letter-preview")).to_contain_text("Wij kennen u")

    page.get_by_label("Afwijzen").check()
    expect(page.locator("#fields-grant")).to_be_hidden()
    expect(page.locator("#fields-refer-back")).to_be_hidden()
    expect(page.locator("#fields-reasons")).to_be_visible()
    page.get_by_label("Motivering van het besluit").fill("Eigen kracht en netwerk volstaan.")
    page.get_by_label("Motivering van het besluit").blur()
    expect(page.locator("#letter-preview")).to_contain_text("Eigen kracht en netwerk volstaan.")
    assert page.evaluate(FITS)
    assert axe_serious(page) == []

    page.get_by_label("Verwijzen naar een algemene voorziening").check()
    expect(page.locator("#fields-refer-back")).to_be_visible()
    expect(page.locator("#fields-reasons")).to_be_visible()
    expect(page.locator("#fields-grant")).to_be_hidden()
