import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from cases.provisions.models import Notification
from cases.tasks import decision_deadline_reminders

pytestmark = pytest.mark.django_db


def test_reminder_task_is_scheduled_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["decision-deadline-reminders"]
    assert entry["task"] == decision_deadline_reminders.name


def test_reminder_task_calls_the_service(make_application, consultant):
    # applied 13 days ago under the Wmo: the deadline is tomorrow, well within 3 working days
    make_application(
        applied_on=timezone.localdate() - datetime.timedelta(days=13), assigned_to=consultant
    )
    result = decision_deadline_reminders.delay().get()
    assert result == {"reminded": 1, "overdue_leads": 0, "emails": 1}
    assert Notification.objects.get().user == consultant
