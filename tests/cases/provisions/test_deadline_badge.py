"""The decision deadline's badge (`{% application_deadline %}`), one per queue row."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation

from cases.templatetags.cases_extras import application_deadline

TODAY = timezone.localdate()


def row(days: int, decided: bool = False):
    left = (TODAY + datetime.timedelta(days=days) - TODAY).days
    return SimpleNamespace(is_decided=decided, days_left=left, days_overdue=max(0, -left))


@pytest.mark.parametrize(
    ("days", "html"),
    [
        (-2, '<span class="badge overdue">2 dagen over de termijn</span>'),
        (-1, '<span class="badge overdue">1 dag over de termijn</span>'),
        (0, '<span class="badge soon">nog 0 dagen</span>'),
        (3, '<span class="badge soon">nog 3 dagen</span>'),
        (4, '<span class="badge">nog 4 dagen</span>'),
    ],
)
def test_the_badge_says_how_many_days_are_left_or_over(days, html):
    with translation.override("nl"):
        assert application_deadline(row(days)) == html


def test_a_decided_application_has_no_badge():
    assert application_deadline(row(-5, decided=True)) == ""


def test_the_badge_is_kept_per_language():
    """A badge is made once per process for its days and language: the same days in another
    language is its own badge."""
    with translation.override("nl"):
        assert application_deadline(row(5)) == '<span class="badge">nog 5 dagen</span>'
    with translation.override("en"):
        assert application_deadline(row(5)) == '<span class="badge">5 days left</span>'
        assert application_deadline(row(-1)) == '<span class="badge overdue">1 day overdue</span>'
    with translation.override("nl"):
        assert application_deadline(row(5)) == '<span class="badge">nog 5 dagen</span>'
