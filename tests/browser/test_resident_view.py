"""The resident's own view of the plan (issue #20, item 1) in the browser: on a phone (360 px)
with axe, agreed on the device with a typed signature (by keyboard) and with a drawn one (the
mouse on the canvas), and printed to PDF on at most two A4 pages with room to sign."""

import io

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from cases.households.selectors import current_residents
from cases.plans.models import PlanAgreement, SignatureMethod, signature_png_problem
from tests.browser.sweep import axe_serious, horizontal_overflow, unnamed_groups
from tests.cases.plans.resident_world import realistic_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
NO_SIDEWAYS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture
def plan(make_household, generalist):
    household = make_household(residents=2, coordinator=generalist)
    return realistic_plan(household=household, generalist=generalist)


def open_view(page, login, plan):
    page.set_viewport_size(PHONE)
    login("generalist")
    page.goto(reverse("cases:plan_resident_view", args=[plan.uuid]))
    expect(page.get_by_role("heading", name="Wat willen we bereiken?")).to_be_visible()


def test_agreed_on_a_phone_with_a_typed_signature_by_keyboard(page, login, plan):
    open_view(page, login, plan)
    expect(page.locator(".resident-goals li")).to_have_count(4)
    expect(page.locator(".resident-actions li")).to_have_count(8)
    expect(page.get_by_role("heading", name="Uw contactpersoon")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS), horizontal_overflow(page, "resident view")
    assert unnamed_groups(page, "resident view") == []
    assert axe_serious(page) == []
    # the keyboard: the typed signature is the default; type the name and press Enter
    resident = current_residents(household=plan.household).first()
    form = page.locator("#agree-form")
    form.get_by_label("Wie bent u?").select_option(label=resident.full_name)
    name = form.get_by_label("Typ uw naam")
    name.focus()
    page.keyboard.type("A. Jansen")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Dank u wel. Uw akkoord met het plan is vastgelegd.")).to_be_visible()
    expect(page.locator("#agreed")).to_contain_text(resident.full_name)
    agreement = PlanAgreement.objects.get(plan=plan)
    assert agreement.signature_method == SignatureMethod.TYPED
    assert agreement.signature_name == "A. Jansen"
    assert agreement.resident == resident
    assert axe_serious(page) == []


def test_agreed_on_a_phone_with_a_signature_drawn_on_the_canvas(page, login, plan):
    open_view(page, login, plan)
    page.get_by_label("Getekende handtekening").check()
    expect(page.get_by_label("Typ uw naam")).to_be_hidden()
    canvas = page.locator("canvas[data-signature-canvas]")
    expect(canvas).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS), horizontal_overflow(page, "signature pad")
    assert axe_serious(page) == []
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(
            box["x"] + 20 + step * (box["width"] - 40) / 12,
            box["y"] + box["height"] * (0.3 if step % 2 else 0.7),
            steps=3,
        )
    page.mouse.up()
    page.get_by_role("button", name="Ik ben het eens met dit plan").click()
    expect(page.get_by_text("Dank u wel. Uw akkoord met het plan is vastgelegd.")).to_be_visible()
    agreement = PlanAgreement.objects.get(plan=plan)
    assert agreement.signature_method == SignatureMethod.DRAWN
    picture = bytes(agreement.signature_image)
    assert signature_png_problem(picture) == ""
    assert len(set(picture)) > 20  # something was drawn: no empty, uniform picture
    expect(page.locator("img.signature-image")).to_be_visible()


def test_printed_on_at_most_two_a4_pages_with_room_to_sign(page, login, plan):
    open_view(page, login, plan)
    page.set_viewport_size({"width": 1024, "height": 900})
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=False)
    reader = PdfReader(io.BytesIO(pdf))
    assert 1 <= len(reader.pages) <= 2, f"{len(reader.pages)} pages"
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Wat willen we bereiken?" in text
    assert "Schuldhulpverlening Eindhoven" in text  # the eighth action's owner
    assert "Contactpersoon" in text and "Handtekening" in text
    # no screen controls on paper: the forms, the menu, the language links
    for screen_only in ("Stuur mijn antwoord", "Typ uw naam", "Uitloggen", "English"):
        assert screen_only not in text, screen_only
