"""Letters and the resident's report in the resident's language (issue #24 item 6), whatever
the language of the professional's screen; plan change reasons stored as codes and shown in
the reader's language."""

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from cases.households import selectors as household_selectors
from cases.households.models import MembershipRole
from cases.intake import services as intake_services
from cases.intake.models import LifeDomain
from cases.plans import services as plan_services
from cases.plans.models import PlanChangeReason, SupportPlanVersion
from cases.provisions import services as svc
from cases.provisions.models import DecisionOutcome
from tests.factories import HouseholdMembershipFactory, SupportPlanFactory

migration = importlib.import_module("cases.migrations.0027_resident_language_plan_change_codes")


@pytest.fixture
def client_as(client):
    def login(user, ui_language="nl"):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = ui_language
        return client

    return login


def resident_of(household):
    return household.memberships.get().resident


def rejected_letter(make_application, consultant, *, language):
    application = make_application()
    resident = resident_of(application.household)
    resident.preferred_language = language
    resident.save()
    application.resident = resident
    application.save()
    svc.decision_make(
        application=application,
        by=consultant,
        data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="Geen beperking."),
    )
    return application


def letter_part(content: str) -> tuple[str, str]:
    start = content.index('<article class="card letter')
    end = content.index("</article>", start)
    return content[start:end], content[:start]


def test_the_letter_is_in_english_for_a_resident_who_asked_while_the_screen_is_dutch(
    make_application, consultant, client_as
):
    application = rejected_letter(make_application, consultant, language="en")
    response = client_as(consultant, "nl").get(
        reverse("provisions:decision_letter", args=[application.uuid])
    )
    letter, page = letter_part(response.content.decode())
    assert 'lang="en"' in letter
    assert "Dear resident," in letter
    assert "Our decision" in letter
    assert "We reject your application for" in letter
    assert "Do you disagree?" in letter
    assert "Geachte" not in letter and "Ons besluit" not in letter
    with translation.override("en"):
        assert date_format(application.applied_on, "j F Y") in letter  # English month name
    # the consultant's own screen stays Dutch
    assert "Terug" in page and "Back" not in page
    assert '<html lang="nl"' in page


def test_the_letter_is_in_dutch_for_a_dutch_resident_while_the_screen_is_english(
    make_application, consultant, client_as
):
    application = rejected_letter(make_application, consultant, language="nl")
    response = client_as(consultant, "en").get(
        reverse("provisions:decision_letter", args=[application.uuid])
    )
    letter, page = letter_part(response.content.decode())
    assert 'lang="nl"' in letter
    assert "Geachte heer/mevrouw," in letter
    assert "Ons besluit" in letter
    assert "Bent u het niet eens met dit besluit?" in letter
    assert "Dear resident" not in letter and "Our decision" not in letter
    with translation.override("nl"):
        assert date_format(application.applied_on, "j F Y") in letter
    assert "Back" in page and "Terug" not in page


def test_the_conversation_report_is_in_the_residents_language(
    make_household, generalist, client_as
):
    household = make_household(residents=1, coordinator=generalist)
    resident = resident_of(household)
    resident.preferred_language = "en"
    resident.save()
    conversation = intake_services.conversation_record(
        household=household,
        by=generalist,
        resident_story="Ik slaap slecht.",
        participants=[resident],
        scores={LifeDomain.MENTAL_HEALTH: 2},
    )
    content = (
        client_as(generalist, "nl")
        .get(reverse("cases:conversation_detail", args=[conversation.uuid]))
        .content.decode()
    )
    start = content.index('<article class="report"')
    report, rest = content[start : content.index("</article>", start)], content[start:]
    assert 'lang="en"' in report
    assert "Report of the kitchen-table conversation" in report
    assert "Your story" in report and "Uw verhaal" not in report
    assert "2 – not self-sufficient" in report
    # the professional's controls stay in the screen's language
    assert "Afdrukken" in report  # the print button, marked lang="nl"
    assert "Maak een plan vanuit dit gesprek" in rest


def test_the_residents_language_falls_back_to_the_households_first_adult(make_household):
    household = make_household(residents=1)
    parent = resident_of(household)
    child = HouseholdMembershipFactory(household=household, role=MembershipRole.CHILD).resident
    child.preferred_language = "en"
    child.save()
    assert household_selectors.resident_language(household=household) == "nl"  # not the child's
    parent.preferred_language = "en"
    parent.save()
    assert household_selectors.resident_language(household=household) == "en"
    assert household_selectors.resident_language(household=household, resident=child) == "en"
    assert household_selectors.resident_language() == settings.LANGUAGE_CODE


def test_a_plan_change_is_stored_as_a_code_and_shown_in_the_readers_language(
    make_household, generalist, client_as
):
    household = make_household(residents=1, coordinator=generalist)
    plan = SupportPlanFactory(household=household, ready=True, coordinator=generalist)
    plan = plan_services.plan_activate(plan=plan, by=generalist)
    plan_services.goal_add(
        plan=plan, by=generalist, domain=LifeDomain.FINANCES, description="Rekeningen op tijd"
    )
    assert list(plan.versions.order_by("number").values_list("reason", "reason_note")) == [
        (PlanChangeReason.ACTIVATED, ""),
        (PlanChangeReason.GOAL_ADDED, ""),
    ]
    url = reverse("cases:plan_detail", args=[plan.uuid])
    dutch = client_as(generalist, "nl").get(url).content.decode()
    assert "Doel toegevoegd" in dutch and "Plan actief gemaakt" in dutch
    assert "goal_added" not in dutch and "Goal added" not in dutch
    english = client_as(generalist, "en").get(url).content.decode()
    assert "Goal added" in english and "Doel toegevoegd" not in english
    version = reverse("cases:plan_version", args=[plan.uuid, 2])
    assert "Doel toegevoegd" in client_as(generalist, "nl").get(version).content.decode()


def test_a_change_in_words_is_kept_as_another_change(make_household, generalist):
    household = make_household(residents=1, coordinator=generalist)
    plan = SupportPlanFactory(household=household, ready=True, coordinator=generalist)
    plan = plan_services.plan_activate(plan=plan, by=generalist)
    version = plan_services._version_record(plan, by=generalist, reason="Afspraak met de school")
    assert (version.reason, version.reason_note) == ("other", "Afspraak met de school")
    assert version.reason_display == "Afspraak met de school"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Doel toegevoegd", "goal_added"),
        ("Goal added", "goal_added"),
        ("  plan actief gemaakt ", "activated"),
        ("Plan vastgesteld", "activated"),  # the synthetic demo's
        ("Actie afgerond", "action_changed"),
    ],
)
def test_the_data_migration_maps_known_texts_to_codes(make_household, generalist, text, code):
    plan = SupportPlanFactory(household=make_household(), ready=True, coordinator=generalist)
    version = SupportPlanVersion.objects.create(plan=plan, number=1, snapshot={}, reason=code)
    SupportPlanVersion.objects.filter(pk=version.pk).update(reason=text)
    migration.reasons_to_codes(apps, None)
    version.refresh_from_db()
    assert (version.reason, version.reason_note) == (code, "")


def test_the_data_migration_keeps_an_unknown_text_as_another_change(make_household, generalist):
    plan = SupportPlanFactory(household=make_household(), ready=True, coordinator=generalist)
    version = SupportPlanVersion.objects.create(plan=plan, number=1, snapshot={})
    SupportPlanVersion.objects.filter(pk=version.pk).update(reason="Huisbezoek")
    migration.reasons_to_codes(apps, None)
    version.refresh_from_db()
    assert (version.reason, version.reason_note) == ("other", "Huisbezoek")
    with translation.override("nl"):
        assert version.reason_display == "Huisbezoek"
    migration.codes_to_reasons(apps, None)
    version.refresh_from_db()
    assert version.reason == "Huisbezoek"


def test_the_language_is_set_on_the_resident_form_and_shown_in_the_file(
    make_household, generalist, client_as
):
    household = make_household(residents=1, coordinator=generalist)
    resident = resident_of(household)
    client = client_as(generalist, "nl")
    url = reverse("cases:resident_edit", args=[household.uuid, resident.uuid])
    form = client.get(url).content.decode()
    assert "Taal voor brieven en verslagen" in form
    data = {
        "bsn": resident.bsn,
        "first_name": resident.first_name,
        "last_name": resident.last_name,
        "preferred_language": "en",
    }
    assert client.post(url, data).status_code == 302
    resident.refresh_from_db()
    assert resident.preferred_language == "en"
    page = client.get(reverse("cases:household_detail", args=[household.uuid])).content.decode()
    assert "brieven in het Engels" in page
    # a post without the field keeps the language as it was
    data.pop("preferred_language")
    client.post(url, data)
    resident.refresh_from_db()
    assert resident.preferred_language == "en"
