"""The generalist's core journey in a real browser: melding -> kitchen-table conversation with
scores -> plan with a goal, an action owned by a neighbour and a brought-in specialist ->
activation -> evaluation -> closure."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.intake.selectors import melding_investigation_deadline
from cases.plans.models import PlanStatus, SupportPlan
from tests.factories import MeldingFactory, TeamMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_CSP_VIOLATIONS = """
window.__cspViolations = window.__cspViolations || [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def test_from_melding_to_closed_plan(page, login, generalist, make_household, other_area):
    household = make_household(residents=1, coordinator=generalist)
    MeldingFactory(household=household, question="Ik kan de huur niet meer betalen.")
    specialist = TeamMemberFactory(
        team=other_area["team"],
        user__username="schuldhulp",
        user__first_name="Sanne",
        user__last_name="de Vries",
    ).user

    page.add_init_script(RECORD_CSP_VIOLATIONS)
    violations = []
    login("generalist")
    page.get_by_role("link", name="Mijn huishoudens").click()
    today = timezone.localdate()
    days = (melding_investigation_deadline(received_on=today) - today).days  # 42, or a bit more
    expect(page.locator("#caseload")).to_contain_text(f"Onderzoek na een melding: nog {days} dagen")
    page.get_by_role("link", name=household.address_line).click()

    # the kitchen-table conversation, for the open melding
    page.get_by_role("link", name="Keukentafelgesprek voeren").click()
    page.get_by_label("Plaats").fill("aan de keukentafel")
    page.get_by_label("Het verhaal van de inwoner").fill("De huur loopt achter, ik slaap slecht.")
    needs = page.locator("#step-basic-needs")
    needs.locator("summary").click()
    needs.get_by_role("group", name="Schulden").get_by_label("Ja, crisis").check()
    page.get_by_label("Schulden: toelichting").fill("Huurachterstand van drie maanden")
    # every life domain scored or "not discussed"
    domains = page.locator("#step-domains")
    domains.locator("summary").click()
    scores = {"Financiën": "1", "Geestelijke gezondheid": "2"}
    for group in domains.get_by_role("group").all():
        legend = group.locator("legend").inner_text()
        value = scores.get(legend, "not_discussed")
        group.locator(f"input[value='{value}']").check()
    page.get_by_role("button", name="Gesprek opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verslag van het keukentafelgesprek")
    expect(page.locator("#report")).to_contain_text("Huurachterstand van drie maanden")
    expect(page.get_by_role("button", name="Afdrukken")).to_be_visible()  # script allowed by CSP
    violations += page.evaluate("window.__cspViolations")

    # the neighbour joins the household's network
    page.get_by_role("link", name=re.compile(re.escape(household.address_line))).click()
    page.get_by_role("link", name="Iemand toevoegen").click()
    page.get_by_label("Soort").select_option(label="Buurtbewoner")
    page.get_by_label("Naam").fill("Buurvrouw Els")
    page.get_by_label("Wat hij of zij doet").fill("Gaat mee naar afspraken")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("#network")).to_contain_text("Buurvrouw Els")

    # a plan from the conversation: goals pre-filled, crisis first
    page.locator("#conversations li a").first.click()
    page.get_by_role("button", name="Maak een plan vanuit dit gesprek").click()
    body = page.locator("#plan-body")
    expect(body.locator(".goal").first).to_contain_text("Huurachterstand van drie maanden")

    # goal and action are added in place, without a page load
    page.evaluate("window.notReloaded = true")
    add_goal = page.locator("#goal-add")
    add_goal.get_by_label("Levensdomein").select_option(label="Sociaal netwerk")
    add_goal.get_by_label("Doel").fill("Weer onder de mensen komen")
    add_goal.get_by_role("button", name="Doel toevoegen").click()
    expect(body).to_contain_text("Weer onder de mensen komen")
    add_action = page.locator("#action-add")
    add_action.get_by_label("Actie").fill("Samen naar het buurthuis")
    add_action.get_by_label("Doel").select_option(
        label="Sociaal netwerk: Weer onder de mensen komen"
    )
    add_action.get_by_label("Wie").select_option(label="Buurvrouw Els (Buurtbewoner)")
    add_action.get_by_role("button", name="Actie toevoegen").click()
    expect(body).to_contain_text("Samen naar het buurthuis")
    expect(body.locator(".owner")).to_have_text("Buurvrouw Els")
    assert page.evaluate("window.notReloaded") is True
    violations += page.evaluate("window.__cspViolations")

    # a specialist is brought in
    page.get_by_text("Een professional erbij halen").click()
    page.locator("#participants").get_by_label("Professional").select_option("schuldhulp")
    page.get_by_label("Rol in het plan").fill("Schuldhulpverlener")
    page.get_by_role("button", name="Uitnodigen").click()
    expect(page.locator("#participants")).to_contain_text("Sanne de Vries")
    expect(page.locator("#participants")).to_contain_text("Uitgenodigd")

    # activation is refused until the aftercare section is there (and, without the
    # resident's agreement, asks for the reason why there is none)
    activate = page.locator("#activate-without-agreement")
    activate.locator("summary").click()
    activate.get_by_role("button", name="Plan actief maken").click()
    expect(page.locator(".messages")).to_contain_text("Vul de nazorgparagraaf in")
    expect(page.locator(".messages")).to_contain_text("Leg het akkoord van de inwoner vast")
    page.locator("#aftercare").get_by_role("link", name="Wijzigen").click()
    page.get_by_label("Nazorg: wat er moet staan").fill("Waakvlam: maandelijks de buurtwerker")
    page.get_by_label("Nazorg: afgesproken met (anderen)").fill("Buurtwerker Ahmed")
    page.get_by_label("Nazorg: data voor contact").fill("01-03-2027, 01-06-2027")
    page.get_by_role("button", name="Opslaan").click()
    # the resident signs this version on paper; then the plan can be activated
    agreement = page.locator("#agreement")
    agreement.locator("summary").click()
    agreement.get_by_label("Op papier getekend").check()
    agreement.locator("#id_resident").select_option(index=1)
    agreement.get_by_role("button", name="Akkoord vastleggen").click()
    expect(page.locator("#agreement")).to_contain_text("Versie 1 akkoord op")
    page.get_by_role("button", name="Plan actief maken").click()
    expect(page.locator("#plan-status")).to_have_text("Actief")

    # evaluation: the outcome is the difference with intake
    page.get_by_role("link", name="Evalueren").click()
    page.get_by_label("Financiën").select_option("3")
    page.get_by_label("Geestelijke gezondheid").select_option("2")
    page.get_by_role("button", name="Evaluatie opslaan").click()
    outcome = page.locator("#outcome")
    expect(outcome.get_by_role("row", name=re.compile("Financiën"))).to_contain_text("+2")

    # closure plans the aftercare check-ins
    page.get_by_role("link", name=re.compile("Ondersteuningsplan")).click()
    page.get_by_role("button", name="Plan afsluiten").click()
    expect(page.locator("#plan-status")).to_have_text("Afgesloten")
    expect(page.locator("#aftercare")).to_contain_text("Gepland")
    violations += page.evaluate("window.__cspViolations")
    assert violations == []
    plan = SupportPlan.objects.get()
    assert plan.status == PlanStatus.CLOSED
    assert plan.check_ins.count() == 2
    assert specialist.plan_participations.get().plan == plan
