"""The page sweep behind tests/browser/test_accessibility.py and tests/browser/test_phone.py.

One demo municipality (`seed_demo`, 12 households) per test module, served by a live server of
its own (see `demo_site` in conftest.py), and for every demo role the pages it reaches: its
start page, everything its menu and its start page link to, and the key detail pages (a
household file, a plan, a conversation, an application, the decision screen, a signal, ...)
with every page those link to. Pages that differ only by an id are visited once.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.urls import reverse

DEMO_PASSWORD = "wijkwerk-demo"
ROLES = ["generalist", "consultant", "teamleider", "beleid", "huisarts", "beheer", "privacy"]
DESKTOP = {"width": 1280, "height": 900}

# Never followed: downloads and exports, logging out, the language switch, the API (its docs
# page has a test of its own), the inside of the Django admin (its index is swept), and
# Django's password reset and 2FA devices of the admin.
SKIP = re.compile(
    r"(^/accounts/logout/|^/i18n/|/exports?/|/bestand/|\.(csv|xlsx|json|pdf)$"
    r"|[?&](format|formaat)=|^/api/|^/beheer/.+|^/static/|^/favicon\.ico$)"
)
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+")


@dataclass
class DemoSite:
    url: str
    key_pages: dict[str, list[str]]


def pattern(path: str) -> str:
    """/huishoudens/<uuid>/adres/ and /huishoudens/<other uuid>/adres/ are the same page."""
    return _ID.sub("#", urlsplit(path).path)


def seed_demo_site() -> dict[str, list[str]]:
    """Seed the demo and return, per role, the detail pages that its menu does not link to."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from cases.avg.models import CorrectionRequest
    from cases.households.models import Household
    from cases.intake.models import GpHandoff
    from cases.plans.models import Evaluation, PlanStatus, SupportPlan
    from cases.provisions import services as provision_services
    from cases.provisions.models import ApplicationStatus, ProvisionApplication
    from teams.models import Team
    from tests.cases.intake_factories import SignalFactory

    call_command("seed_demo", households=12, verbosity=0)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=ROLES)}
    centrum = Team.objects.get(district__code="WK099901")
    plans = SupportPlan.objects.filter(household__coordinator=users["generalist"]).select_related(
        "household", "conversation"
    )
    plan = plans.get(status=PlanStatus.ACTIVE)
    other_plans = plans.exclude(pk=plan.pk)  # closed and draft
    household = plan.household
    evaluation = Evaluation.objects.filter(plan__household__coordinator=users["generalist"]).first()
    # signals: one about a known household, one about someone not yet known (household choice)
    known = SignalFactory(team=centrum, household=household, subject_name="")
    unknown = SignalFactory(team=centrum)
    in_centrum = ProvisionApplication.objects.filter(
        household__neighbourhood__district=centrum.district
    ).order_by("applied_on", "pk")
    decided = in_centrum.filter(status=ApplicationStatus.GRANTED).first()
    # the decision screen: an application the consultant has taken into review
    to_decide = in_centrum.filter(status=ApplicationStatus.SUBMITTED).first()
    provision_services.application_claim(application=to_decide, by=users["consultant"])
    correction = CorrectionRequest.objects.order_by("pk").first()
    elsewhere = Household.objects.exclude(neighbourhood__district=centrum.district).first()

    household_file = reverse("cases:household_detail", args=[household.uuid])
    pages = {
        "generalist": [
            household_file,
            reverse("cases:plan_detail", args=[plan.uuid]),
            reverse("cases:plan_version", args=[plan.uuid, 1]),
            reverse("cases:conversation_detail", args=[plan.conversation.uuid]),
            reverse("cases:conversation_create", args=[household.uuid]),
            reverse("cases:household_consents", args=[household.uuid]),
            reverse("provisions:household_provisions", args=[household.uuid]),
            reverse("provisions:application_detail", args=[decided.uuid]),
            reverse("cases:signal_detail", args=[known.uuid]),
            reverse("cases:signal_detail", args=[unknown.uuid]),
            reverse("cases:signal_register"),
            # a GP hand-off's call-back (cases/demo/handoffs.py): the list and its signal's page
            reverse("cases:callback_list"),
            *(
                reverse("cases:signal_detail", args=[handoff.signal.uuid])
                for handoff in GpHandoff.objects.select_related("signal")[:1]
            ),
            # emergency access (break the glass) to a household outside the own district
            reverse("cases:break_glass", args=[elsewhere.uuid]),
            *(reverse("cases:plan_detail", args=[other.uuid]) for other in other_plans),
        ],
        "consultant": [
            reverse("provisions:application_detail", args=[to_decide.uuid]),
            reverse("provisions:application_detail", args=[decided.uuid]),
            reverse("provisions:decision_letter", args=[decided.uuid]),
            reverse("cases:household_detail", args=[to_decide.household.uuid]),
        ],
        "teamleider": [
            reverse("teams:team_detail", args=[centrum.district.code]),
            reverse("cases:caseload_reassign", args=[centrum.district.code]),
            household_file,
        ],
        "beleid": [],
        "huisarts": [reverse("handoffs:mine")],
        "beheer": [],
        "privacy": [
            reverse("avg:correction_detail", args=[correction.uuid]),
            reverse("avg:resident", args=[correction.resident.uuid]),
        ],
    }
    if evaluation is not None:
        pages["generalist"].append(reverse("cases:evaluation_detail", args=[evaluation.uuid]))
    return pages


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        selector, "links => links.filter(a => !a.hasAttribute('download')).map(a => a.href)"
    )
    origin = urlsplit(page.url)
    out = []
    for href in hrefs:
        parts = urlsplit(href)
        if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
            continue  # mailto:, tel:, other sites
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not SKIP.search(path):
            out.append(path)
    return out


def sweep(page, key_pages: list[str], check: Callable[[object, str], list[str]]) -> list[str]:
    """Visit the start page, the key pages and every page they link to (menu included), once
    per page pattern; `check(page, path)` returns the problems it found on the page. Returns
    all problems, each prefixed with its page, and the visited paths in `sweep.visited`."""
    problems, visited, seen = [], [], set()
    queue = [("/", True)] + [(path, True) for path in key_pages]
    while queue:
        path, key = queue.pop(0)
        if path in visited or (not key and pattern(path) in seen):
            continue  # key pages are all visited: two signals may show different forms
        seen.add(pattern(path))
        response = page.goto(path)
        if response is None or response.status != 200 or "/accounts/login/" in page.url:
            status = response.status if response else None
            problems.append(f"{path}: status {status} at {urlsplit(page.url).path}")
            continue
        visited.append(path)
        problems.extend(f"{path}: {problem}" for problem in check(page, path))
        if key:
            queue.extend((link, False) for link in _links(page, "header a[href], main a[href]"))
    sweep.visited = visited
    return problems


# The checks -----------------------------------------------------------------------------------

OVERFLOW = """() => {
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim()
       ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
    wide: [...document.querySelectorAll('main *, header *')]
      .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 3).map(name)};
}"""


def horizontal_overflow(page, path) -> list[str]:
    sizes = page.evaluate(OVERFLOW)
    if sizes["scroll"] <= sizes["inner"]:
        return []
    return [f"scrolls sideways: {sizes['scroll']} px wide at {sizes['inner']} px ({sizes['wide']})"]


UNNAMED_GROUPS = """() => {
  const sets = new Map();
  for (const input of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
    if (input.type === 'checkbox' && !input.name) continue;
    const key = input.form ? input.form : document;
    const name = input.type + ':' + input.name;
    if (!sets.has(key)) sets.set(key, new Map());
    const inForm = sets.get(key);
    inForm.set(name, [...(inForm.get(name) || []), input]);
  }
  const named = (input) => {
    const fieldset = input.closest('fieldset');
    if (fieldset && fieldset.querySelector(':scope > legend')?.textContent.trim()) return true;
    const group = input.closest('[role=group], [role=radiogroup]');
    return !!(group && (group.getAttribute('aria-label') || group.getAttribute('aria-labelledby')));
  };
  const bad = [];
  for (const inForm of sets.values()) for (const [name, inputs] of inForm) {
    if ((inputs.length > 1 || inputs[0].type === 'radio') && !inputs.every(named)) bad.push(name);
  }
  return bad;
}"""


def unnamed_groups(page, path) -> list[str]:
    return [f"radio/checkbox set without a named group: {n}" for n in page.evaluate(UNNAMED_GROUPS)]


def axe_violations(page) -> list[dict]:
    """axe-core's violations of impact serious or critical: all its rules (WCAG 2.x A and AA,
    best practices). axe-core ships inside axe-playwright-python and is injected into the page
    from disk: no CDN, no network."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    return [v for v in results["violations"] if v["impact"] in ("serious", "critical")]


def describe(violation: dict) -> str:
    targets = [node["target"] for node in violation["nodes"][:3]]
    return f"axe {violation['id']} ({violation['impact']}): {violation['help']} at {targets}"


def axe_serious(page, path=None) -> list[str]:
    return [describe(v) for v in axe_violations(page)]
