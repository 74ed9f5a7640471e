"""The iCalendar (RFC 5545) feed of a professional's appointments, for a mail client to
subscribe to. It names no resident and no address: each event is only "<kind>, district <name>"
with its time and a link into the application (which asks for a login)."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from cases.agenda.models import Appointment


def appointments_calendar(appointments: list[Appointment], *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//wijkwerk//agenda//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for appointment in appointments:
        event = Event()
        event.add("uid", f"{appointment.uuid}@wijkwerk")
        event.add("dtstamp", stamp)
        event.add("dtstart", appointment.starts_at)
        event.add("dtend", appointment.ends_at)
        event.add(
            "summary",
            _("%(kind)s, district %(district)s")
            % {
                "kind": appointment.get_kind_display(),
                "district": appointment.household.neighbourhood.district.name,
            },
        )
        event.add(
            "url",
            settings.SITE_URL
            + reverse("cases:household_detail", args=[appointment.household.uuid]),
        )
        calendar.add_component(event)
    return calendar.to_ical()
