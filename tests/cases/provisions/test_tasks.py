import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from cases.deadlines.models import ClockReminder
from cases.tasks import clock_reminders, decision_deadline_reminders

pytestmark = pytest.mark.django_db


def test_decision_deadlines_are_reminded_by_the_clock_reminders():
    """Applications are one kind of legal clock (cases/clocks.py): the clock reminders task
    replaces the former daily decision-deadline task (tests/cases/deadlines)."""
    entry = settings.CELERY_BEAT_SCHEDULE["cases-clock-reminders"]
    assert entry["task"] == clock_reminders.name
    assert "decision-deadline-reminders" not in settings.CELERY_BEAT_SCHEDULE


def test_the_former_task_name_still_reminds(make_application, consultant):
    # applied 13 days ago under the Wmo: the deadline is tomorrow, well within 3 working days
    make_application(
        applied_on=timezone.localdate() - datetime.timedelta(days=13), assigned_to=consultant
    )
    result = decision_deadline_reminders.delay().get()
    assert (result["reminders"], result["emails"]) == (1, 1)
    assert ClockReminder.objects.get().recipient == consultant
