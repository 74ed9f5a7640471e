import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.provisions.models import (
    Allocation,
    ApplicationStatus,
    ProvisionApplication,
    SubsidySignal,
)
from teams.models import LawDomain
from teams.roles import Role
from tests.factories import AreaConsultantFactory, OrganisationFactory, UserFactory
from tests.provision_factories import GeneralProvisionFactory, ProductFactory, contract_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def consultant(area):
    """The area consultant of the generalist's district for every law domain: the applications
    from there are theirs to decide (need-to-know, docs/privacy.md)."""
    user = UserFactory(username="consulent", first_name="Pieter", roles=[Role.CONSULTANT])
    for domain in LawDomain:
        AreaConsultantFactory(district=area["district"], law_domain=domain, user=user)
    return user


@pytest.fixture
def log_in(page, login):
    def do(username):
        login(username)
        # the shared fixture's "**/" also matches the login page itself: wait for the top bar
        expect(page.get_by_role("button", name=re.compile("Uitloggen"))).to_be_visible()

    return do


def log_out(page):
    page.get_by_role("button", name=re.compile("Uitloggen")).click()
    page.wait_for_url("**/accounts/login/")


def apply_as_generalist(page, log_in, household, product):
    log_in("generalist")
    page.goto(f"/huishoudens/{household.uuid}/")
    page.locator("#provisions").get_by_role("link", name="Voorziening aanvragen").click()
    page.get_by_label("Voorziening").select_option(str(product.pk))
    page.get_by_label("Motivering").fill("Financiën en sociaal netwerk scoren 2.")
    page.get_by_role("button", name="Aanvraag indienen").click()
    expect(page.locator(".messages")).to_contain_text("Aanvraag ingediend")
    expect(page.locator("#applications")).to_contain_text(product.name)
    log_out(page)


def test_generalist_applies_consultant_grants_and_the_allocation_exists(
    page, log_in, generalist, consultant, make_household
):
    household = make_household()
    product = ProductFactory()
    provider = OrganisationFactory(name="Zorggroep De Linde")
    contract_for(provider=provider, product=product)  # a grant in kind needs one
    apply_as_generalist(page, log_in, household, product)

    log_in("consulent")
    page.get_by_role("navigation").get_by_role("link", name="Aanvragen").click()
    row = page.locator("#results tr", has_text=household.address_line)
    # 14 days, or more when the Algemene termijnenwet moved the deadline past a weekend
    deadline = ProvisionApplication.objects.get().decision_deadline
    expect(row).to_contain_text(f"nog {(deadline - timezone.localdate()).days} dagen")
    row.get_by_role("link", name=product.name).click()

    expect(page.get_by_label("Toekennen")).to_be_checked()
    page.get_by_label("Volume").fill("3")
    page.get_by_label("Frequentie").select_option(label="per week")
    page.get_by_label("Aanbieder").select_option(label=provider.name)
    page.get_by_role("button", name="Besluit vastleggen").click()

    expect(page.locator("#decision")).to_contain_text("Besluit: Toekennen")
    allocation = Allocation.objects.get()
    expect(page.locator("#allocation-number")).to_contain_text(allocation.number)
    assert allocation.provider == provider
    assert allocation.household == household
    assert ProvisionApplication.objects.get().status == ApplicationStatus.GRANTED

    page.get_by_role("link", name="Beschikking").click()
    expect(page.locator("#letter")).to_contain_text("binnen 6 weken")


def test_refer_back_raises_a_subsidy_signal(page, log_in, generalist, consultant, make_household):
    household = make_household()
    product = ProductFactory()
    provision = GeneralProvisionFactory(name="Maatjesproject")
    apply_as_generalist(page, log_in, household, product)

    log_in("consulent")
    page.goto("/voorzieningen/aanvragen/")
    page.locator("#results").get_by_role("link", name=product.name).click()
    page.get_by_label("Verwijzen naar een algemene voorziening").check()
    page.get_by_label("Eerst te proberen algemene voorziening").select_option(label=provision.name)
    page.get_by_label("Motivering van het besluit").fill("Probeer eerst een maatje.")
    page.get_by_label("Signaal aan de subsidieadviseur").check()
    page.get_by_label("Wat schiet tekort").fill("Wachtlijst van drie maanden.")
    page.get_by_role("button", name="Besluit vastleggen").click()

    expect(page.locator("#decision")).to_contain_text("Maatjesproject")
    signal = SubsidySignal.objects.get()
    assert signal.general_provision == provision
    assert signal.reason == "Wachtlijst van drie maanden."
    log_out(page)

    UserFactory(username="beleid", roles=[Role.POLICY_OFFICER])
    log_in("beleid")
    page.get_by_role("navigation").get_by_role("link", name="Signalen voorzieningen").click()
    expect(page.locator("main")).to_contain_text("Maatjesproject")
    expect(page.locator("main")).to_contain_text("Wachtlijst van drie maanden.")
