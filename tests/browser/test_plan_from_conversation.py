"""A plan drafted from the kitchen-table conversation on a phone (360 px): the goals arrive
pre-filled with real text (life domain, score and the resident's own words) to edit and save;
the instruction is only the field's placeholder and is never stored."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.intake import services as intake_services
from cases.intake.models import LifeDomain
from cases.plans.models import SupportPlan, is_goal_instruction
from tests.browser.sweep import axe_serious, horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
NO_SIDEWAYS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_a_plan_from_the_conversation_on_a_phone(page, login, generalist, make_household):
    household = make_household(residents=1, coordinator=generalist)
    conversation = intake_services.conversation_record(
        household=household,
        by=generalist,
        resident_story="Sinds mijn man weg is kom ik de deur niet meer uit en slaap ik slecht.",
        scores={
            LifeDomain.SOCIAL_NETWORK: 1,
            LifeDomain.MENTAL_HEALTH: 2,
            LifeDomain.HOUSING: 4,
        },
    )
    conversation.scores.filter(domain=LifeDomain.SOCIAL_NETWORK).update(
        note="Ik zie eigenlijk niemand meer"
    )
    page.set_viewport_size(PHONE)
    login("generalist")
    page.goto(reverse("cases:conversation_detail", args=[conversation.uuid]))
    page.get_by_role("button", name="Maak een plan vanuit dit gesprek").click()

    social = (
        "Sociaal netwerk, score 1 (acute problematiek). "
        "In de woorden van de inwoner: “Ik zie eigenlijk niemand meer”"
    )
    mental = (
        "Geestelijke gezondheid, score 2 (niet zelfredzaam). In de woorden van de inwoner: "
        "“Sinds mijn man weg is kom ik de deur niet meer uit en slaap ik slecht.”"
    )
    goals = page.locator("#plan-body .goal")
    expect(goals).to_have_count(2)  # housing scored 4: no goal
    expect(goals.nth(0).locator(".goal-text")).to_have_text(social)
    expect(goals.nth(1).locator(".goal-text")).to_have_text(mental)
    assert page.evaluate(NO_SIDEWAYS), horizontal_overflow(page, "plan")
    assert axe_serious(page) == []

    # the pre-filled text is the field's value to edit; the instruction only its placeholder
    goals.nth(1).get_by_role("link", name="Doel wijzigen").click()
    field = goals.nth(1).get_by_role("textbox", name="Doel")
    expect(field).to_have_value(mental)
    expect(field).to_have_attribute(
        "placeholder", "Beschrijf het doel in de eigen woorden van het gezin."
    )
    assert page.evaluate(NO_SIDEWAYS), horizontal_overflow(page, "goal edit")
    assert axe_serious(page) == []
    page.get_by_role("button", name="Doel opslaan").click()
    expect(page.get_by_role("button", name="Doel opslaan")).to_have_count(0)
    expect(goals.nth(1).locator(".goal-text")).to_have_text(mental)

    plan = SupportPlan.objects.get(household=household)
    stored = list(plan.goals.values_list("domain", "description"))
    assert stored == [("social_network", social), ("mental_health", mental)]
    assert not any(is_goal_instruction(text) for _domain, text in stored)
    assert not any("Beschrijf het doel" in text for _domain, text in stored)
