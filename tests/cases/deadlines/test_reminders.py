"""Reminders for every clock (cases/deadlines/services.py): a few working days before and on
the day to whoever must act, escalated to the team lead once late; in-app and by e-mail with
absolute links; once per clock, step and person, also when the task runs twice or twice at
the same time; and through the real Redis broker to a real worker."""

import datetime
import threading
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.db import close_old_connections, connection

from cases.deadlines import services
from cases.deadlines.models import ClockReminder, ReminderStep
from cases.intake.models import Melding
from cases.tasks import clock_reminders, decision_deadline_reminders
from teams.roles import Role
from tests.cases.deadlines.conftest import TODAY, days
from tests.celery_worker import start_worker
from tests.factories import TeamMemberFactory

SITE = "https://wijkwerk.gemeente.example"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE
    settings.CLOCK_REMINDER_WORKING_DAYS = 3


def sent(**filters):
    return sorted(
        (r.kind, r.step, r.recipient.username, r.is_escalation)
        for r in ClockReminder.objects.filter(**filters).select_related("recipient")
    )


def mails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_the_task_is_scheduled_every_working_day():
    entry = settings.CELERY_BEAT_SCHEDULE["cases-clock-reminders"]
    assert entry["task"] == clock_reminders.name == "cases.clock_reminders"
    assert "decision-deadline-reminders" not in settings.CELERY_BEAT_SCHEDULE  # superseded


@pytest.mark.django_db
def test_before_on_the_day_and_late_each_reminded_once_in_app_and_by_email(
    make_clocks, generalist, team_lead, consultant
):
    # Monday 1 June 2026 would do as well; relative days keep the test independent of the day,
    # so the "soon" clock is 1 calendar day away: within 3 working days whatever today is
    made = make_clocks(melding=1, evaluation=0, check_in=60)
    late = make_clocks(application=-2, consultant=consultant)
    result = clock_reminders.delay().get()  # Celery eager in tests

    assert sent() == [
        ("application", "late", "consultant", False),  # who must act hears it is late ...
        ("application", "late", "teamlead", True),  # ... and the team lead: escalation
        ("evaluation", "due", "generalist", False),
        ("melding", "soon", "generalist", False),
    ]  # the check-in in 60 days: nothing yet
    assert result["reminders"] == 4 and result["emails"] == 3 and result["failed_emails"] == 0

    [to_generalist] = mails_to("generalist@example.org")
    body = to_generalist.body
    assert "nog 1 dag" in body and "termijn verloopt vandaag" in body
    assert f"{SITE}/huishoudens/{made['household'].uuid}/" in body  # absolute, SITE_URL
    assert f"{SITE}/huishoudens/plannen/{made['plan'].uuid}/" in body
    assert made["household"].street not in body  # no address in an e-mail
    [to_lead] = mails_to("lead@example.org")
    assert "2 dagen te laat" in to_lead.body and "escalatie" in to_lead.body
    application = late["application"]
    assert f"{SITE}/voorzieningen/aanvragen/{application.uuid}/" in to_lead.body
    assert "1 verlopen" in to_lead.subject
    assert len(mails_to("consultant@example.org")) == 1

    again = clock_reminders.delay().get()
    assert again["reminders"] == 0 and again["emails"] == 0
    assert ClockReminder.objects.count() == 4 and len(mail.outbox) == 3


@pytest.mark.django_db
def test_a_clock_without_responsible_reminds_the_team_lead(make_clocks, team_lead):
    make_clocks(application=1)  # nobody assigned yet
    services.clock_reminders_send()
    assert sent() == [("application", "soon", "teamlead", True)]


@pytest.mark.django_db
def test_late_escalates_to_the_team_lead_of_the_households_district_only(
    make_clocks, make_household, other_area, team_lead, generalist
):
    other_lead = TeamMemberFactory(
        team=other_area["team"], user__username="otherlead", user__roles=[Role.TEAM_LEAD]
    ).user
    make_clocks(melding=-5)
    services.clock_reminders_send()
    assert sent(step=ReminderStep.LATE) == [
        ("melding", "late", "generalist", False),
        ("melding", "late", "teamlead", True),
    ]
    assert not ClockReminder.objects.filter(recipient=other_lead).exists()


@pytest.mark.django_db
def test_soon_counts_working_days_of_the_termijnenwet(make_clocks, generalist):
    """Wednesday 1 April 2026: Good Friday (3 April) and Easter Monday (6 April) are no working
    days, so 3 working days ahead is Wednesday 8 April, a week later in calendar days."""
    wednesday = datetime.date(2026, 4, 1)
    first, second = make_clocks(melding=30), make_clocks(melding=30)
    Melding.objects.filter(pk=first["melding"].pk).update(
        received_on=datetime.date(2026, 3, 1), investigation_deadline=datetime.date(2026, 4, 8)
    )
    Melding.objects.filter(pk=second["melding"].pk).update(
        received_on=datetime.date(2026, 3, 1), investigation_deadline=datetime.date(2026, 4, 9)
    )
    services.clock_reminders_send(today=wednesday)
    assert list(ClockReminder.objects.values_list("object_uuid", "step")) == [
        (first["melding"].uuid, ReminderStep.SOON)
    ]


@pytest.mark.django_db
def test_a_moved_deadline_is_reminded_again(make_clocks, generalist):
    made = make_clocks(melding=2)
    services.clock_reminders_send()
    Melding.objects.filter(pk=made["melding"].pk).update(investigation_deadline=days(1))
    services.clock_reminders_send()
    assert list(ClockReminder.objects.order_by("due_on").values_list("due_on", flat=True)) == [
        days(1),
        days(2),
    ]


@pytest.mark.django_db
def test_no_email_address_in_app_only(make_clocks, generalist):
    type(generalist).objects.filter(pk=generalist.pk).update(email="")
    make_clocks(melding=0)
    run = services.clock_reminders_send()
    reminder = ClockReminder.objects.get()
    assert run.reminders == 1 and run.emails == 0 and not mail.outbox
    assert not reminder.email_wanted and reminder.emailed_at is None


@pytest.mark.django_db
def test_a_failed_email_is_sent_by_the_next_run_once(make_clocks, generalist):
    make_clocks(melding=0)
    with mock.patch.object(services, "send_mail", side_effect=ConnectionRefusedError):
        run = services.clock_reminders_send()
    assert run.failed_emails == 1 and ClockReminder.objects.get().emailed_at is None
    retry = services.clock_reminders_send()
    assert (retry.reminders, retry.emails) == (0, 1) and len(mail.outbox) == 1
    assert services.clock_reminders_send().emails == 0


@pytest.mark.django_db
def test_an_inactive_responsible_is_skipped_for_the_team_lead(make_clocks, generalist, team_lead):
    type(generalist).objects.filter(pk=generalist.pk).update(is_active=False)
    make_clocks(melding=0)
    services.clock_reminders_send()
    assert sent() == [("melding", "due", "teamlead", True)]


@pytest.mark.django_db
def test_the_former_decision_reminder_task_reminds_through_the_clocks(
    make_clocks, consultant, team_lead
):
    made = make_clocks(application=1, consultant=consultant)
    decision_deadline_reminders.delay().get()
    assert sent() == [("application", "soon", "consultant", False)]
    assert ClockReminder.objects.get().object_uuid == made["application"].uuid


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_time_store_and_send_each_reminder_once(
    make_clocks, generalist, team_lead, consultant
):
    for _ in range(3):
        make_clocks(melding=-1, evaluation=0, application=2, consultant=consultant)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            services.clock_reminders_send()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    # per household: melding late (generalist + lead), evaluation due, application soon
    assert ClockReminder.objects.count() == 3 * 4
    assert ClockReminder.objects.filter(emailed_at__isnull=True, email_wanted=True).count() == 0
    mailed = [r for message in mail.outbox for r in message.body.split("\n- ")[1:]]
    assert len(mailed) == 3 * 4  # every reminder in exactly one e-mail


@pytest.mark.django_db(transaction=True)
def test_the_task_through_the_real_redis_broker_on_a_real_worker(
    make_clocks, generalist, shared_cache_and_own_queue
):
    queue, prefix = shared_cache_and_own_queue
    made = make_clocks(melding=0)
    worker = start_worker(queue, prefix, database=True)
    try:
        result = clock_reminders.apply_async(queue=queue).get(timeout=90)
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    assert result["reminders"] == 1
    reminder = ClockReminder.objects.get()
    assert (reminder.kind, reminder.step, reminder.recipient) == ("melding", "due", generalist)
    assert reminder.object_uuid == made["melding"].uuid and reminder.emailed_at is not None
    assert reminder.due_on == TODAY
