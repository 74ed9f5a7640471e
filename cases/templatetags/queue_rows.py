"""The consultant's queue renders its rows in Python: a page holds 25 rows of six cells, and
the template language's per-variable look-ups were most of the page's time at 500,000
households (docs/performance.md)."""

import functools

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from cases.templatetags.cases_extras import application_deadline, deadline

register = template.Library()


@functools.lru_cache(maxsize=8)
def _labels(language: str) -> dict[str, str]:
    """The row's fixed texts in one language (translated once per process, not per row)."""
    return {
        "deadline": gettext("Deadline"),
        "provision": gettext("Provision"),
        "household": gettext("Household"),
        "district": gettext("District"),
        "status": gettext("Status"),
        "consultant": gettext("Consultant"),
        "objection_title": gettext("An objection in this household is open"),
        "objection": gettext("open objection"),
        "claim": gettext("Claim"),
    }


@register.simple_tag(takes_context=True)
def queue_row(context, application) -> str:
    """One `<tr>` of the queue for a `QueueRow` (with its clocks): the deadline and its badge,
    the provision, the household (an open objection, its running investigation), district,
    status, and the consultant or a claim button."""
    labels = _labels(get_language())
    clock = application.nearest_clock
    household_notes = format_html(
        "{}{}",
        format_html(
            ' <span class="badge soon" title="{}">{}</span>',
            labels["objection_title"],
            labels["objection"],
        )
        if application.open_objection
        else "",
        format_html('<div class="small">{}: {}</div>', clock.label, deadline(clock=clock))
        if clock
        else "",
    )
    if application.assigned_to_id:
        consultant = application.assigned_name
    else:
        consultant = format_html(
            '<form method="post" action="{}" class="inline">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="version" value="{}">'
            '<button type="submit" class="secondary">{}</button></form>',
            application.claim_url,
            context["csrf_token"],  # the page's one masked token (a lazy value, read once)
            application.version,
            labels["claim"],
        )
    return format_html(
        "<tr>"
        '<td data-label="{}">{} {}</td>'
        '<td data-label="{}"><a href="{}">{}</a><div class="muted small">{}</div></td>'
        '<td data-label="{}"><a href="{}">{}</a>{}</td>'
        '<td data-label="{}">{}</td>'
        '<td data-label="{}">{}</td>'
        '<td data-label="{}">{}</td>'
        "</tr>",
        labels["deadline"],
        date_format(application.decision_deadline, "j M Y"),
        application_deadline(application),
        labels["provision"],
        application.url,
        application.product_name,
        application.get_law_display(),
        labels["household"],
        application.household_url,
        application.address_line,
        household_notes,
        labels["district"],
        application.district_name or "—",
        labels["status"],
        application.get_status_display(),
        labels["consultant"],
        consultant,
    )
