"""A network member ticks off their own actions (cases/network, docs/network-links.md), on a
phone (360 px), with axe: the coordinator gives a link on the plan page, the member opens it
without an account, enters the code from their e-mail, marks one action done and one "needs
help" with a note, and sees only their own actions; the coordinator sees it on the plan. A
revoked and an expired link show nothing."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from cases.network import services
from cases.network.models import NetworkLink
from tests.browser.sweep import axe_serious, unnamed_groups
from tests.cases.network.conftest import make_network_plan
from tests.factories import HouseholdFactory, HouseholdMembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
CODE = re.compile(r"(?<![\w-])(\d{6})(?![\w-])")


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_network_member_ticks_off_their_own_actions(
    page, login, browser, live_server, generalist, area
):
    household = HouseholdFactory(neighbourhood=area["neighbourhood"])
    HouseholdMembershipFactory(household=household)
    world = make_network_plan(generalist, household)
    mail.outbox.clear()

    # the coordinator gives Anna a link, with her e-mail address for the code
    page.set_viewport_size(PHONE)
    login("generalist")
    page.goto(f"/huishoudens/plannen/{world.plan.uuid}/")
    page.get_by_role("link", name="Geef een netwerklid een link").click()
    assert axe_serious(page) + unnamed_groups(page, page.url) == []
    page.get_by_label("Iemand uit het netwerk").select_option(label=str(world.anna))
    page.get_by_label("E-mailadres", exact=True).fill("anna@example.org")
    page.get_by_role("button", name="Link maken").click()
    url = page.locator("#network-link-url").input_value()
    assert "/netwerk/" in url
    _fits(page)
    assert axe_serious(page) == []
    code = next(
        match.group(1)
        for message in mail.outbox
        if "/netwerk/" not in message.body
        for match in [CODE.search(message.body)]
        if match
    )

    # Anna, on her own phone, without an account
    member_context = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport=PHONE)
    member_context.set_default_timeout(10_000)
    member = member_context.new_page()
    member.goto(url)
    expect(member.get_by_role("heading", level=1)).to_have_text("Vul uw code in")
    expect(member.locator("main")).not_to_contain_text("Boodschappen op dinsdag")
    assert axe_serious(member) == []
    member.get_by_label("Code").fill(code)
    member.get_by_role("button", name="Verder").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Uw acties")
    actions = member.locator("#network-actions")
    expect(actions).to_contain_text("Boodschappen op dinsdag")
    expect(actions).to_contain_text("Mee naar de huisarts")
    expect(member.locator("main")).not_to_contain_text("Post doorlopen")  # Bert's
    expect(member.locator("main")).not_to_contain_text("Schuldhulp bellen")  # the resident's
    expect(member.locator("main")).not_to_contain_text(household.street)
    _fits(member)
    assert axe_serious(member) + unnamed_groups(member, url) == []

    first, second = world.anna_actions
    card = member.locator(f"#action-{first.uuid}")
    card.get_by_label("Gedaan").check()
    card.get_by_role("button", name="Versturen").click()
    expect(member.get_by_role("status")).to_contain_text("Dank u")
    card = member.locator(f"#action-{second.uuid}")
    card.get_by_label("Hulp nodig").check()
    card.get_by_label("Toelichting").fill("Ik heb geen auto, wie kan rijden?")
    card.get_by_role("button", name="Versturen").click()
    expect(member.locator(f"#action-{second.uuid}")).to_contain_text("Hulp nodig")
    expect(member.locator(f"#action-{first.uuid}")).to_contain_text("Gedaan")

    # the coordinator sees it on the plan and revokes the link
    page.goto(f"/huishoudens/plannen/{world.plan.uuid}/")
    reports = page.locator("#network-reports")
    expect(reports).to_contain_text("Ik heb geen auto, wie kan rijden?")
    expect(reports).to_contain_text("Gedaan")
    _fits(page)
    page.get_by_role("button", name=f"Trek de link van {world.anna.name} in").click()
    expect(page.locator("#network-link-list")).to_contain_text("ingetrokken")

    member.reload()
    expect(member.get_by_role("heading", level=1)).to_have_text("Deze link werkt niet")
    expect(member.locator("#refusal-reason")).to_have_text("Deze link is ingetrokken.")
    expect(member.locator("main")).not_to_contain_text("Boodschappen op dinsdag")
    assert axe_serious(member) == []

    # an expired link (Bert's, without a code) shows nothing either
    link, bert_url = services.network_link_create(
        plan=world.plan,
        member=world.bert,
        by=generalist,
        url_for=lambda token: f"{live_server.url}/netwerk/{token}/",
    )
    member.goto(bert_url)
    expect(member.locator("#network-actions")).to_contain_text("Post doorlopen")
    NetworkLink.objects.filter(pk=link.pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    member.reload()
    expect(member.locator("#refusal-reason")).to_have_text("Deze link is verlopen.")
    expect(member.locator("main")).not_to_contain_text("Post doorlopen")
    member_context.close()
