"""No term is computed outside the legal terms engine (issue #23) in the wings of intake, AVG,
plans, consent and households: no `timedelta` of weeks or days, no month or year arithmetic of
their own. Deadlines and agreed dates come from `cases.legal_terms` through one function each
(`cases.intake.selectors.melding_*_deadline`, `cases.avg.selectors.avg_request_deadline` and
`retention_expires_on`, `cases.plans.selectors.*_default`,
`cases.consent.selectors.consent_expiry_default`)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WINGS = ("intake", "avg", "plans", "consent", "households")
TERM_ARITHMETIC = re.compile(
    r"timedelta\(\s*weeks|timedelta\(\s*days\s*=|relativedelta|replace\(\s*year"
    r"|monthrange|def add_months|def add_years"
)
# "yesterday" is not a term: the day before today (cases/consent/services.py)
ALLOWED = {("consent/services.py", "yesterday = today - datetime.timedelta(days=1)")}


@pytest.mark.parametrize("wing", WINGS)
def test_no_term_arithmetic_in_the_wing(wing):
    found = []
    for path in sorted((ROOT / "cases" / wing).rglob("*.py")):
        relative = str(path.relative_to(ROOT / "cases"))
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if TERM_ARITHMETIC.search(line) and (relative, line.strip()) not in ALLOWED:
                found.append(f"cases/{relative}:{number}: {line.strip()}")
    assert not found, "compute terms with cases.legal_terms:\n" + "\n".join(found)


def test_the_pattern_finds_term_arithmetic():
    for line in (
        "deadline = received + datetime.timedelta(weeks=6)",
        "expires = given + timedelta(days=365)",
        "return day.replace(year=day.year + years)",
        "def add_months(day, months):",
    ):
        assert TERM_ARITHMETIC.search(line), line
