import datetime
import functools

from django import template
from django.core.signals import setting_changed
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext

from cases import links
from cases.intake.models import MeldingStatus
from socialdomain.html import html

register = template.Library()


@functools.lru_cache(maxsize=2048)
def _short_date(day: datetime.date, language: str | None) -> str:
    return date_format(day, "j M Y")


def short_date(day: datetime.date) -> str:
    """`day` as the rows show it ("7 dec 2026"), formatted once per process and language: a
    page of rows shows dozens, and `date_format` costs about 0.05 ms each."""
    return _short_date(day, get_language())


def _forget_dates(**_kwargs) -> None:  # a test's other formats or languages
    _short_date.cache_clear()
    _application_deadline_badge.cache_clear()
    _clock_deadline.cache_clear()


setting_changed.connect(_forget_dates)


@register.filter
def days_left(day: datetime.date | None) -> int | None:
    """Days from today until `day` (negative when it has passed)."""
    if day is None:
        return None
    return (day - timezone.localdate()).days


@register.filter
def negate(value: int) -> int:
    return -value


_DEADLINE_HINT = gettext_lazy("Wmo: the investigation is completed within 6 weeks of the request")


@register.simple_tag
def application_deadline(application):
    """The days-left badge of an application's legal decision deadline (an application or a row
    of the consultant's queue: `is_decided`, `days_left`, `days_overdue`); nothing once it is
    decided. Rendered in Python: the queue shows one per row."""
    if application.is_decided:
        return ""
    return _application_deadline_badge(application.days_left, get_language())


@functools.lru_cache(maxsize=1024)
def _application_deadline_badge(days: int, language: str | None) -> str:
    """The badge for `days` left (overdue when negative) in `language`, made once per process
    (the queue shows 25 a page, most of them for a few dozen distinct days)."""
    if days < 0:
        return html(
            '<span class="badge overdue">{}</span>',
            ngettext("%(counter)s day overdue", "%(counter)s days overdue", -days)
            % {"counter": -days},
        )
    return html(
        '<span class="badge{}">{}</span>',
        " soon" if days <= 3 else "",
        ngettext("%(counter)s day left", "%(counter)s days left", days) % {"counter": days},
    )


@register.simple_tag
def deadline(*, clock=None, due=None, what="", title="", melding=None):
    """The days-left badge of a deadline, in calendar days ("nog 3 dagen", "vandaag", "2 dagen
    te laat"): one badge on every screen, rendered in Python (a page of rows shows dozens).

        {% deadline clock=clock %}                a Clock of cases/clocks.py (its legal hint as
                                                  the title)
        {% deadline due=day what=text title=t %}  any stored due date; `what` (optional) names it
                                                  after the badge
        {% deadline melding=melding %}            a melding's investigation; its status once it
                                                  is closed
    """
    if melding is not None:
        if melding.status != MeldingStatus.OPEN:
            return html(
                '<span class="deadline"><span class="badge">{}</span></span>',
                melding.get_status_display(),
            )
        due, what, title = (
            melding.investigation_deadline,
            gettext("investigation deadline"),
            _DEADLINE_HINT,
        )
    elif clock is not None:  # its days left counted when it was read, in this request
        return _clock_deadline(clock.days_left, clock.law_hint, get_language())
    if due is None:
        return ""
    named = html(' <span class="muted small">{} {}</span>', what, short_date(due)) if what else ""
    return _deadline_html(days_left(due), title, named)


@functools.lru_cache(maxsize=1024)
def _clock_deadline(days: int, title: str, language: str | None) -> str:
    """A clock's badge, made once per process for its days left, legal hint and language (a
    caseload or search page shows dozens of clocks)."""
    return _deadline_html(days, title, "")


def _deadline_html(days: int, title, named: str) -> str:
    if days < 0:
        badge = html(
            '<span class="badge overdue">{}</span>',
            ngettext("%(days)s day late", "%(days)s days late", -days) % {"days": -days},
        )
    elif days == 0:
        badge = html('<span class="badge soon">{}</span>', gettext("deadline today"))
    else:
        badge = html(
            '<span class="badge{}">{}</span>',
            " soon" if days <= 7 else "",
            ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days},
        )
    title_attribute = html(' title="{}"', title) if title else ""
    return html('<span class="deadline"{}>{}{}</span>', title_attribute, badge, named)


@register.simple_tag
def section_loader(section_id: str, url_name: str, household_uuid, title, link_text) -> str:
    """A section of the household page that loads itself once shown (htmx `load`, replacing
    the whole section), with a link to the same as a page of its own without JavaScript:
    `{% section_loader "documents" "cases:household_documents" household.uuid _("Documents")
    _("Open the documents") %}`."""
    url = links.uuid_path(url_name, household_uuid)
    return html(
        '<section class="card" id="{}" hx-get="{}" hx-trigger="load" hx-swap="outerHTML">'
        '<h2>{}</h2><p><a href="{}">{}</a></p></section>',
        section_id,
        url,
        title,
        url,
        link_text,
    )


@register.simple_tag
def uuid_path(name: str, *uuids) -> str:
    """`{% url %}` for a URL whose arguments are UUIDs, reversed once per process
    (`cases.links.uuid_path`): `{% uuid_path 'cases:resident_edit' household.uuid r.uuid %}`."""
    return links.uuid_path(name, *uuids)
