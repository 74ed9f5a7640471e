"""The kitchen-table conversation for busy people (issue 24, item 1): every life domain scored
or marked "not discussed", basic needs as yes / no / not asked (stored "no" from before read
"not asked" after migration 0028), an error summary whose links and descriptions point at
ids that exist, and the report swapped in by htmx after saving (a plain POST still redirects).
The browser side (taps, no page load, 360 px, axe) is tests/browser/test_conversation_steps.py.
"""

import importlib
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.intake import services as intake_services
from cases.intake.models import BasicNeed, KitchenTableConversation, LifeDomain
from tests.factories import ConversationFactory

migration = importlib.import_module("cases.migrations.0026_basic_need_answers")

HTMX = {"HX-Request": "true"}


@pytest.fixture
def household(make_household, generalist):
    return make_household(residents=2, coordinator=generalist)


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def payload(**overrides):
    """A complete conversation: 12 domains scored, justice not discussed, every basic need
    answered."""
    data = {
        "held_on": timezone.localdate().isoformat(),
        "place": "thuis",
        "resident_story": "De rekeningen stapelen zich op.",
        "agreements": "Volgende week samen naar het geldloket.",
        "income_answer": "no",
        "debts_answer": "yes",
        "debts_note": "Afsluiting energie dreigt",
        "housing_answer": "no",
        "food_answer": "not_asked",
    }
    for index, domain in enumerate(LifeDomain):
        data[f"score_{domain.value}"] = str(index % 5 + 1)
    data[f"score_{LifeDomain.JUSTICE}"] = "not_discussed"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def ids_in(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def summary_links(html: str) -> list[str]:
    start = html.index("data-error-summary")
    summary = html[start : html.index("</ul>", start)]
    return re.findall(r'href="#([^"]+)"', summary)


def test_a_complete_conversation_stores_scores_not_discussed_and_three_answers(
    client_as, generalist, household
):
    url = reverse("cases:conversation_create", args=[household.uuid])
    response = client_as(generalist).post(url, payload())
    conversation = KitchenTableConversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:conversation_detail", args=[conversation.uuid])
    assert conversation.scores.count() == 12
    assert conversation.domains_not_discussed == [LifeDomain.JUSTICE]
    answers = {need.value: getattr(conversation, f"{need.value}_crisis") for need in BasicNeed}
    assert answers == {"income": False, "debts": True, "housing": False, "food": None}
    report = client_as(generalist).get(response["Location"]).content.decode()
    assert "niet besproken" in report
    assert "Niet gevraagd" in report
    assert "Ja, crisis" in report
    assert "Afsluiting energie dreigt" in report


def test_a_domain_left_open_is_refused_and_listed_in_the_summary(client_as, generalist, household):
    url = reverse("cases:conversation_create", args=[household.uuid])
    response = client_as(generalist).post(
        url, payload(**{f"score_{LifeDomain.JUSTICE}": None}), headers=HTMX
    )
    assert response.status_code == 200
    assert not KitchenTableConversation.objects.exists()
    html = response.content.decode()
    assert "Justitie: Geef een score of kies ‘niet besproken’." in html
    assert summary_links(html) == ["id_score_justice_0"]
    # the step holding the error is open, the others that start closed stay closed
    assert re.search(r'<details class="step" id="step-domains" open>', html)
    assert re.search(r'<details class="step" id="step-basic-needs">', html)
    # what was typed is kept
    assert "De rekeningen stapelen zich op." in html
    assert 'value="yes" checked' in html or re.search(r'value="yes"[^>]*checked', html)


def test_the_summary_links_and_descriptions_point_at_ids_that_exist(
    client_as, generalist, household
):
    url = reverse("cases:conversation_create", args=[household.uuid])
    data = payload(resident_story="", held_on="geen datum")
    for domain in (LifeDomain.FINANCES, LifeDomain.HOUSING):
        data.pop(f"score_{domain}")
    html = client_as(generalist).post(url, data).content.decode()
    ids = ids_in(html)
    links = summary_links(html)
    assert links == [
        "id_held_on",
        "id_resident_story",
        "id_score_finances_0",
        "id_score_housing_0",
    ]
    assert set(links) <= ids
    described = {
        target
        for value in re.findall(r'aria-describedby="([^"]+)"', html)
        for target in value.split()
    }
    assert {"id_held_on_error", "id_resident_story_error", "id_score_finances_error"} <= described
    assert described <= ids, described - ids
    # the summary takes focus on a full page
    assert re.search(r'id="error-summary" tabindex="-1" autofocus', html)


def test_the_form_page_describes_only_existing_ids(client_as, generalist, household):
    html = (
        client_as(generalist)
        .get(reverse("cases:conversation_create", args=[household.uuid]))
        .content.decode()
    )
    described = {t for v in re.findall(r'aria-describedby="([^"]+)"', html) for t in v.split()}
    assert described  # help texts (place, participants, the story)
    assert described <= ids_in(html), described - ids_in(html)


def test_saving_over_htmx_swaps_the_report_in_and_pushes_its_address(
    client_as, generalist, household
):
    url = reverse("cases:conversation_create", args=[household.uuid])
    response = client_as(generalist).post(url, payload(), headers=HTMX)
    conversation = KitchenTableConversation.objects.get()
    report_url = reverse("cases:conversation_detail", args=[conversation.uuid])
    assert response.status_code == 200
    assert response["HX-Push-Url"] == report_url
    assert response["HX-Retarget"] == "#main"
    assert response["HX-Reselect"] == "#main"
    assert response["HX-Reswap"].startswith("outerHTML")
    html = response.content.decode()
    assert "Verslag van het keukentafelgesprek" in html
    assert "Gesprek vastgelegd." in html


def test_the_service_refuses_an_open_or_double_domain(household, generalist):
    scores = {domain.value: 3 for domain in LifeDomain}
    del scores[LifeDomain.JUSTICE]
    with pytest.raises(ValidationError) as refused:
        intake_services.conversation_record(
            household=household,
            by=generalist,
            resident_story="Verhaal",
            scores=scores,
            domains_not_discussed=[],
        )
    assert set(refused.value.error_dict) == {"score_justice"}
    with pytest.raises(ValidationError) as refused:
        intake_services.conversation_record(
            household=household,
            by=generalist,
            resident_story="Verhaal",
            scores={**scores, LifeDomain.JUSTICE: 2},
            domains_not_discussed=[LifeDomain.FINANCES],
        )
    assert set(refused.value.error_dict) == {"score_finances"}
    assert not KitchenTableConversation.objects.exists()
    conversation = intake_services.conversation_record(
        household=household,
        by=generalist,
        resident_story="Verhaal",
        scores=scores,
        domains_not_discussed=[LifeDomain.JUSTICE],
        food_crisis=None,
        debts_crisis=False,
    )
    conversation.refresh_from_db()
    assert conversation.domains_not_discussed == ["justice"]
    assert (conversation.food_crisis, conversation.debts_crisis) == (None, False)


def test_stored_no_reads_not_asked_after_the_migration(household):
    """Migration 0028: an unticked box could mean "no" or "never asked"; it reads "not
    asked", a crisis stays a crisis."""
    before = ConversationFactory(household=household, debts_crisis=True)
    KitchenTableConversation.objects.filter(pk=before.pk).update(
        income_crisis=False, housing_crisis=False, food_crisis=False
    )
    migration.no_to_not_asked(apps, None)
    before.refresh_from_db()
    assert before.debts_crisis is True
    assert (before.income_crisis, before.housing_crisis, before.food_crisis) == (None,) * 3
    rows = {row["need"]: row["answer"] for row in before.basic_needs()}
    assert rows[BasicNeed.INCOME] == "not_asked"
    assert rows[BasicNeed.DEBTS] == "yes"
    assert before.basic_needs()[0]["need"] == BasicNeed.DEBTS  # the crisis first
    migration.not_asked_to_no(apps, None)  # and back
    before.refresh_from_db()
    assert before.income_crisis is False
