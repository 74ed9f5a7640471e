"""Appointments: planned with a household within need-to-know and access-logged, on the
professional's own agenda and the team page, reminded the day before, and in a subscription
feed that validates as iCalendar and names no resident."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from cases.agenda import selectors, services
from cases.agenda.models import Appointment, AppointmentKind, CalendarFeed
from cases.privacy.models import AccessAction, AccessLogEntry, AccessResult
from cases.provisions.models import Notification, NotificationKind
from teams.roles import Role
from tests.factories import HouseholdFactory, TeamMemberFactory


def at(days: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@pytest.fixture
def household(make_household, generalist):
    household = make_household(residents=2)
    household.coordinator = generalist
    household.save(update_fields=["coordinator"])
    return household


@pytest.fixture
def colleague(area):
    return TeamMemberFactory(
        team=area["team"], user__username="colleague", user__email="colleague@example.org"
    ).user


def plan(household, by, **fields):
    values = {"kind": AppointmentKind.HOME_VISIT, "starts_at": at(3), "place": "thuis"}
    return services.appointment_plan(household=household, by=by, **(values | fields))


# --- planning ------------------------------------------------------------------------------------


def test_an_appointment_is_planned_with_its_access_log_row(household, generalist, colleague):
    appointment = plan(household, generalist, professionals=[generalist, colleague])

    assert set(appointment.professionals.all()) == {generalist, colleague}
    assert appointment.ends_at == appointment.starts_at + datetime.timedelta(minutes=60)
    [row] = AccessLogEntry.objects.filter(action=AccessAction.CHANGE)
    assert (row.object_type, row.object_id) == ("appointment", str(appointment.uuid))
    assert row.household_uuid == household.uuid


def test_the_planner_takes_part_when_nobody_is_named(household, generalist):
    assert list(plan(household, generalist).professionals.all()) == [generalist]


def test_not_in_the_past_and_not_by_other_roles(household, generalist, user_with_role):
    with pytest.raises(ValidationError):
        plan(household, generalist, starts_at=at(-1))
    with pytest.raises(PermissionDenied):
        plan(household, user_with_role(Role.POLICY_OFFICER))
    with pytest.raises(ValidationError):
        plan(household, generalist, professionals=[user_with_role(Role.GP)])
    assert not Appointment.objects.exists()


def test_cancelling_keeps_the_appointment_marked_and_logs_once(household, generalist):
    appointment = plan(household, generalist)
    services.appointment_cancel(appointment=appointment, by=generalist)
    services.appointment_cancel(appointment=appointment, by=generalist)  # nothing more
    appointment.refresh_from_db()
    assert appointment.is_cancelled
    assert AccessLogEntry.objects.filter(action=AccessAction.CHANGE).count() == 2


# --- lists ---------------------------------------------------------------------------------------


def test_own_agenda_and_team_overview(household, generalist, colleague, area, make_household):
    mine = plan(household, generalist, starts_at=at(2))
    theirs = plan(household, colleague, starts_at=at(1))
    far = plan(household, generalist, starts_at=at(40))
    cancelled = plan(household, colleague, starts_at=at(4))
    services.appointment_cancel(appointment=cancelled, by=colleague)

    assert list(selectors.my_appointments_page(user=generalist)) == [mine, far]
    assert selectors.team_appointments(team=area["team"]) == [theirs, mine]


def test_the_agenda_page_reads_in_constant_queries(
    client, household, generalist, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan(household, generalist)
    client.force_login(generalist)
    url = reverse("agenda:mine")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for day in range(1, 20):
        plan(household, generalist, starts_at=at(day))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert household.address_line in response.content.decode()


def test_the_household_section_is_access_logged_and_plans_from_the_page(
    client, household, generalist, colleague
):
    client.force_login(generalist)
    url = reverse("cases:household_appointments", args=[household.uuid])
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<html" not in response.content.decode()
    [row] = AccessLogEntry.objects.all()
    assert (row.action, row.result, row.object_type) == ("view", "allowed", "appointments")

    when = at(5, 14).astimezone(timezone.get_current_timezone())
    response = client.post(
        url,
        {
            "kind": "conversation",
            "starts_at": when.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "90",
            "place": "buurthuis",
            "with_whom": "moeder en zus",
            "professionals": [generalist.pk, colleague.pk],
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    [appointment] = Appointment.objects.all()
    assert appointment.starts_at == when and appointment.duration_minutes == 90
    assert set(appointment.professionals.all()) == {generalist, colleague}
    assert "buurthuis" in response.content.decode()


def test_a_household_outside_need_to_know_is_not_found(client, generalist, other_area):
    stranger = HouseholdFactory(neighbourhood=other_area["neighbourhood"])
    client.force_login(generalist)
    url = reverse("cases:household_appointments", args=[stranger.uuid])
    assert client.get(url).status_code == 404
    [row] = AccessLogEntry.objects.all()
    assert row.result == AccessResult.NOT_FOUND


def test_the_team_page_section_lists_the_teams_appointments(client, household, generalist, area):
    plan(household, generalist)
    client.force_login(generalist)
    response = client.get(reverse("agenda:team_section", args=[area["district"].code]))
    assert response.status_code == 200
    assert household.address_line in response.content.decode()
    assert AccessLogEntry.objects.filter(object_type="team_agenda").count() == 1


# --- reminders -----------------------------------------------------------------------------------


def test_a_reminder_the_day_before_once_and_without_names_by_mail(
    household, generalist, colleague, django_capture_on_commit_callbacks
):
    generalist.email = "generalist@example.org"
    generalist.save(update_fields=["email"])
    tomorrow = plan(household, generalist, professionals=[generalist, colleague], starts_at=at(1))
    plan(household, generalist, starts_at=at(2))  # not yet
    cancelled = plan(household, generalist, starts_at=at(1, 15))
    services.appointment_cancel(appointment=cancelled, by=generalist)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.appointment_reminders_send() == 1
    assert services.appointment_reminders_send() == 0  # once

    notes = Notification.objects.filter(kind=NotificationKind.APPOINTMENT)
    assert {n.user for n in notes} == {generalist, colleague}
    assert all(household.address_line in n.message for n in notes)
    assert len(mail.outbox) == 2
    street = household.address_line.split()[0]
    for message in mail.outbox:
        assert street not in message.body
        for membership in household.memberships.all():
            assert membership.resident.last_name not in message.body
        assert household.neighbourhood.district.name in message.body
    tomorrow.refresh_from_db()
    assert tomorrow.reminded_at is not None


# --- the subscription feed -----------------------------------------------------------------------


def test_the_feed_validates_as_icalendar_and_names_no_resident(client, household, generalist):
    appointment = plan(household, generalist, with_whom="moeder en zus", place="Dorpsstraat 1")
    plan(household, generalist, starts_at=at(6))
    _feed, token = services.calendar_feed_renew(user=generalist)

    response = client.get(reverse("agenda:feed", args=[token]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    first = events[0]
    assert first["uid"] == f"{appointment.uuid}@wijkwerk"
    assert first.decoded("dtstart") == appointment.starts_at
    assert household.neighbourhood.district.name in str(first["summary"])
    body = response.content.decode()
    for secret in ("moeder", "Dorpsstraat", household.address_line):
        assert secret not in body
    for membership in household.memberships.all():
        assert membership.resident.last_name not in body


def test_a_new_link_revokes_the_old_one_and_stopping_works(client, generalist):
    _feed, old = services.calendar_feed_renew(user=generalist)
    _feed, new = services.calendar_feed_renew(user=generalist)
    assert client.get(reverse("agenda:feed", args=[old])).status_code == 404
    assert client.get(reverse("agenda:feed", args=[new])).status_code == 200
    services.calendar_feed_revoke(user=generalist)
    assert client.get(reverse("agenda:feed", args=[new])).status_code == 404
    assert client.get(reverse("agenda:feed", args=["guess"])).status_code == 404
    assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 0
    assert not CalendarFeed.objects.filter(token_hash=new).exists()  # only the hash is stored


def test_the_link_is_made_on_the_agenda_page_and_shown_once(client, generalist):
    client.force_login(generalist)
    response = client.post(reverse("agenda:mine"), {"feed": "renew"})
    link = response.context["new_link"]
    assert link.endswith(".ics") and link in response.content.decode()
    client.logout()
    assert client.get(link.split("testserver", 1)[1]).status_code == 200
    client.force_login(generalist)
    assert link not in client.get(reverse("agenda:mine")).content.decode()
