"""No English and no raw codes in the Dutch UI (issue #24 item 6).

1. Every msgid of the app's own templates and Python code is in the Dutch catalogue with a
   Dutch text, and no entry of the catalogue is fuzzy or left empty. (Django admin's and
   Swagger UI's own texts come with their own catalogues and are not checked here.)
2. A few pages of a small municipality, rendered in Dutch, show none of the catalogue's
   English sentences and none of the stored codes (`goal_added`, `mental_health`, ...).
"""

import ast
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from cases.households.models import MembershipRole
from cases.intake import services as intake_services
from cases.intake.models import BasicNeed, LifeDomain
from cases.plans import selectors as plan_selectors
from cases.plans import services as plan_services
from cases.plans.models import ActionOwnerKind, AgreementMethod, PlanChangeReason
from cases.provisions import services as provision_services
from cases.provisions.models import DecisionOutcome
from teams.models import LawDomain
from teams.roles import Role
from tests.factories import AreaConsultantFactory
from tests.provision_factories import ApplicationFactory, ProductFactory

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"
PYTHON_DIRS = ("cases", "teams", "networks", "outcomes", "socialdomain")
TEMPLATE_DIRS = ("templates",)
GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
PGETTEXT = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
TEMPLATE_TRANSLATE = re.compile(r"""\{%\s*trans(?:late)?\s+(["'])(.*?)(?<!\\)\1""")


def catalogue():
    return polib.pofile(str(PO))


def python_msgids() -> set[tuple[str, str]]:
    """(file, msgid) of every literal handed to gettext and friends in the app's code."""
    found = set()
    for folder in PYTHON_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                    continue
                index = 0 if node.func.id in GETTEXT else 1 if node.func.id in PGETTEXT else None
                if index is None or len(node.args) <= index:
                    continue
                arg = node.args[index]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
                    found.add((str(path.relative_to(ROOT)), arg.value))
    return found


def template_msgids() -> set[tuple[str, str]]:
    found = set()
    for folder in TEMPLATE_DIRS:
        for path in (ROOT / folder).rglob("*.html"):
            for match in TEMPLATE_TRANSLATE.finditer(path.read_text(encoding="utf-8")):
                found.add((str(path.relative_to(ROOT)), match.group(2)))
    return found


def test_no_catalogue_entry_is_fuzzy_or_empty():
    problems = []
    for entry in catalogue():
        if entry.obsolete:
            continue
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if entry.fuzzy or not all(text.strip() for text in texts):
            problems.append(entry.msgid)
    assert problems == []


def test_every_msgid_of_the_app_has_a_dutch_text():
    translated = {entry.msgid for entry in catalogue() if not entry.obsolete and not entry.fuzzy}
    used = python_msgids() | template_msgids()
    assert len(used) > 1000  # the scan finds the app's texts
    missing = sorted(f"{path}: {msgid!r}" for path, msgid in used if msgid not in translated)
    assert missing == [], "append these to the Dutch catalogue:\n" + "\n".join(missing)


# --- pages rendered in Dutch -------------------------------------------------------------------

VOICED_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}


class _VisibleText(HTMLParser):
    """The text a reader sees or hears: text outside script and style, and the attributes
    read aloud or shown (placeholder, title, aria-label, alt)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        self.parts.extend(value for name, value in attrs if name in VOICED_ATTRIBUTES and value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(content: str) -> str:
    parser = _VisibleText()
    parser.feed(content)
    return " ".join(" ".join(parser.parts).split())


def english_sentences() -> list[str]:
    """The catalogue's English texts of three words or more that Dutch says otherwise, without
    placeholders: none of them belongs on a Dutch page."""
    sentences = []
    for entry in catalogue():
        msgid = entry.msgid
        if entry.obsolete or entry.msgid_plural or not entry.msgstr:
            continue
        if "%" in msgid or "{" in msgid or "<" in msgid or len(msgid.split()) < 3:
            continue
        if html.unescape(msgid) == entry.msgstr:
            continue
        sentences.append(" ".join(msgid.split()))
    return sentences


STORED_CODES = [
    code
    for choices in (PlanChangeReason, LifeDomain, BasicNeed, ActionOwnerKind, MembershipRole)
    for code in choices.values
    if "_" in code
]


@pytest.fixture
def municipality(make_household, generalist, user_with_role, area, provider):
    """One household through the journey: conversation, active plan with changes, a rejected
    application with its letter."""
    consultant = user_with_role(Role.CONSULTANT, username="consulent")
    for domain in LawDomain:
        AreaConsultantFactory(district=area["district"], law_domain=domain, user=consultant)
    household = make_household(residents=2, coordinator=generalist)
    resident = household.memberships.first().resident
    conversation = intake_services.conversation_record(
        household=household,
        by=generalist,
        resident_story="De huur loopt achter en ik slaap slecht.",
        participants=[resident],
        debts_crisis=True,
        debts_note="Huurachterstand",
        scores={LifeDomain.MENTAL_HEALTH: 2, LifeDomain.SOCIAL_NETWORK: 1, LifeDomain.HOUSING: 4},
    )
    plan = plan_services.plan_create(household=household, by=generalist, conversation=conversation)
    plan = plan_services.plan_update(
        plan=plan, by=generalist, aftercare_in_place="Waakvlam: de buurtwerker belt maandelijks."
    )
    plan_services.plan_agreement_record(
        plan=plan,
        by=generalist,
        version_seen=plan_selectors.plan_current_version(plan=plan),
        method=AgreementMethod.DEVICE,
        resident=resident,
        agreed_on=plan.created_at.date(),
    )
    plan = plan_services.plan_activate(plan=plan, by=generalist)
    goal = plan_services.goal_add(
        plan=plan, by=generalist, domain=LifeDomain.TIME_USE, description="Weer naar de soos"
    )
    plan_services.action_add(
        plan=plan,
        by=generalist,
        description="Samen naar het buurthuis",
        owner_kind=ActionOwnerKind.OTHER,
        owner_text="Buurvrouw Els",
        goal=goal,
    )
    application = ApplicationFactory(
        household=household, product=ProductFactory(), applied_by=generalist, resident=resident
    )
    provision_services.decision_make(
        application=application,
        by=consultant,
        data=provision_services.DecisionInput(
            outcome=DecisionOutcome.REJECT, reasons="Geen beperking."
        ),
    )
    return {
        "generalist": generalist,
        "consultant": consultant,
        "pages": {
            "generalist": [
                reverse("cases:caseload"),
                reverse("cases:household_detail", args=[household.uuid]),
                reverse("cases:conversation_detail", args=[conversation.uuid]),
                reverse("cases:plan_detail", args=[plan.uuid]),
                reverse("cases:plan_version", args=[plan.uuid, 3]),
                reverse("cases:plan_resident_view", args=[plan.uuid]),
            ],
            "consultant": [
                reverse("provisions:application_detail", args=[application.uuid]),
                reverse("provisions:decision_letter", args=[application.uuid]),
            ],
        },
    }


def test_demo_pages_in_dutch_show_no_english_and_no_codes(client, municipality):
    sentences = english_sentences()
    assert len(sentences) > 500
    problems = []
    for role in ("generalist", "consultant"):
        client.force_login(municipality[role])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
        for url in municipality["pages"][role]:
            response = client.get(url)
            assert response.status_code == 200, url
            text = visible_text(response.content.decode())
            problems += [f"{url}: English {s!r}" for s in sentences if s in text]
            problems += [
                f"{url}: code {code!r}"
                for code in STORED_CODES
                if re.search(rf"\b{re.escape(code)}\b", text)
            ]
    assert problems == []


def test_the_check_would_see_english(client, municipality):
    """The same check on the English screen finds English: it is not blind."""
    client.force_login(municipality["generalist"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = municipality["pages"]["generalist"][3]
    text = visible_text(client.get(url).content.decode())
    with translation.override("nl"):
        assert any(sentence in text for sentence in english_sentences())
