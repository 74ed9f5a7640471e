"""Rows of the busiest lists rendered in Python: the consultant's queue (25 rows of six cells),
the caseload, the household search and the household page's residents. The template
language's per-variable look-ups were most of these pages' time at 500,000 households
(docs/performance.md)."""

import functools

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext

from cases.links import uuid_path
from cases.templatetags.cases_extras import application_deadline, days_left, deadline, short_date
from socialdomain.html import escaped, html, html_join

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
        "invited": gettext("invited"),
        "brought_in": gettext("brought in"),
        "next_action_by": gettext("next action by"),
        "overdue": gettext("overdue"),
        "no_active_plan": gettext("no active plan"),
        "former_member": gettext("former member"),
        "no_current_residents": gettext("No current residents"),
        "outside_areas": gettext("Outside the municipality's areas"),
        "coordinator": gettext("coordinator"),
        "born": gettext("born"),
        "bsn": gettext("BSN"),
        "no_bsn": gettext("no BSN known"),
        "change": gettext("Change"),
        "edit_details": gettext("Edit details"),
        "becomes_volunteer": gettext("Becomes a volunteer"),
        "left_on": gettext("Left the household on"),
        "register_departure": gettext("Register departure"),
        "now": gettext("now"),
    }


@register.simple_tag(takes_context=True)
def queue_row(context, application) -> str:
    """One `<tr>` of the queue for a `QueueRow` (with its clocks): the deadline and its badge,
    the provision, the household (an open objection, its running investigation), district,
    status, and the consultant or a claim button."""
    labels = _labels(get_language())
    clock = application.nearest_clock
    household_notes = html(
        "{}{}",
        html(
            ' <span class="badge soon" title="{}">{}</span>',
            labels["objection_title"],
            labels["objection"],
        )
        if application.open_objection
        else "",
        html('<div class="small">{}: {}</div>', clock.label, deadline(clock=clock))
        if clock
        else "",
    )
    if application.assigned_to_id:
        consultant = application.assigned_name
    else:
        consultant = html(
            '<form method="post" action="{}" class="inline">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="version" value="{}">'
            '<button type="submit" class="secondary">{}</button></form>',
            application.claim_url,
            context["csrf_token"],  # the page's one masked token (a lazy value, read once)
            application.version,
            labels["claim"],
        )
    return html(
        "<tr>"
        '<td data-label="{}">{} {}</td>'
        '<td data-label="{}"><a href="{}">{}</a><div class="muted small">{}</div></td>'
        '<td data-label="{}"><a href="{}">{}</a>{}</td>'
        '<td data-label="{}">{}</td>'
        '<td data-label="{}">{}</td>'
        '<td data-label="{}">{}</td>'
        "</tr>",
        labels["deadline"],
        short_date(application.decision_deadline),
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


@register.simple_tag(takes_context=True)
def caseload_rows(context, households) -> str:
    """The caseload's `<li>`s (`caseload_row` each), one line each: one tag for the page."""
    return SafeString("\n".join(caseload_row(context, household) for household in households))


def caseload_row(context, household) -> str:
    """One `<li>` of the caseload for a `CaseloadRow`: the address, how the user takes part
    (when they do not coordinate), the current members, the running clocks, the next open
    action and whether a plan is active."""
    labels = _labels(get_language())
    taking_part = ""
    if household.coordinator_id != context["user"].pk:
        if household.my_participation == "invited":
            taking_part = html(' <span class="badge soon">{}</span>', labels["invited"])
        elif household.my_participation == "accepted":
            taking_part = html(' <span class="badge">{}</span>', labels["brought_in"])
    clocks = html_join(
        "",
        '<span class="clock">{}{}: {}</span> ',
        (
            (clock.label, f" ({clock.detail})" if clock.detail else "", deadline(clock=clock))
            for clock in household.clocks
        ),
    )
    next_action = ""
    if household.next_action_due:
        next_action = html(
            "{} {}{}",
            labels["next_action_by"],
            short_date(household.next_action_due),
            html(' <span class="badge overdue">{}</span>', labels["overdue"])
            if days_left(household.next_action_due) < 0
            else "",
        )
    no_plan = (
        ""
        if household.active_plan_count
        else html(' <span class="muted">{}</span>', labels["no_active_plan"])
    )
    return html(
        '<li><a href="{}">{}</a> <span class="muted small">{}</span>{}'
        '<div class="muted small">{}</div>'
        '<div class="small">{}{}{}</div></li>',
        household.url,
        household.address_line,
        household.postcode_display,
        taking_part,
        ", ".join(household.member_names),
        clocks,
        next_action,
        no_plan,
    )


@register.simple_tag
def search_row(household, kind: str) -> str:
    """One `<li>` of the household search for a `SearchRow`: the address, for a BSN search
    whether the person is a former member, the current members, the area and coordinator, and
    the clock that runs out first."""
    labels = _labels(get_language())
    former = (
        html('<div class="small"><span class="badge">{}</span></div>', labels["former_member"])
        if kind == "bsn" and not household.bsn_lives_here
        else ""
    )
    coordinator = (
        html(" · {}: {}", labels["coordinator"], household.coordinator_name)
        if household.coordinator_name
        else ""
    )
    clock = household.nearest_clock
    clock_line = ""
    if clock:
        more = len(household.clocks) - 1
        clock_line = html(
            '<div class="small">{} {}{}</div>',
            deadline(clock=clock),
            clock.label,
            html(
                ' <span class="muted">{}</span>',
                ngettext("and %(counter)s more deadline", "and %(counter)s more deadlines", more)
                % {"counter": more},
            )
            if more
            else "",
        )
    return html(
        '<li><a href="{}"><strong>{}</strong>, {} {}</a>{}'
        '<div class="muted small">{}</div>'
        '<div class="muted small">{}{}</div>{}</li>',
        household.url,
        household.address_line,
        household.postcode_display,
        household.city,
        former,
        " · ".join(household.member_names) or labels["no_current_residents"],
        household.area_name or labels["outside_areas"],
        coordinator,
        clock_line,
    )


@register.simple_tag(takes_context=True)
def resident_item(context, membership) -> str:
    """One `<li>` of the household page's current residents: name, role, date of birth, BSN,
    phone and the language of letters; for whoever may change the household, its actions
    (edit, becomes a volunteer, register the departure). Context: household, can_edit, can,
    csrf_token."""
    labels = _labels(get_language())
    resident = membership.resident
    facts = []
    if resident.birth_date:
        facts.append(html("{} {} · ", labels["born"], date_filter(resident.birth_date, "j F Y")))
    if resident.bsn:
        facts.append(html("{} {}", labels["bsn"], resident.bsn))
    else:
        facts.append(html("{}", labels["no_bsn"]))
    if resident.phone:
        facts.append(html(" · {}", resident.phone))
    if resident.preferred_language != "nl":
        # as `{% blocktranslate %}` renders it: the catalogue's text, the value escaped
        facts.append(
            html(
                " · {}",
                SafeString(
                    gettext("letters in %(language)s")
                    % {"language": escaped(resident.get_preferred_language_display())}
                ),
            )
        )
    actions = ""
    if context["can_edit"]:
        household_uuid = context["household"].uuid
        volunteer = ""
        if context["can"].manage_volunteers:
            volunteer = html(
                '<a href="{}">{}</a> ',
                uuid_path("cases:resident_volunteer_register", household_uuid, resident.uuid),
                labels["becomes_volunteer"],
            )
        actions = html(
            '<details class="inline-actions"><summary>{}</summary> '
            '<a href="{}">{}</a> {}'
            '<form method="post" action="{}" class="inline">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<label for="end-{}">{}</label> '
            '<input type="date" id="end-{}" name="end_date" required> '
            '<button type="submit" class="secondary">{}</button></form></details>',
            labels["change"],
            uuid_path("cases:resident_edit", household_uuid, resident.uuid),
            labels["edit_details"],
            volunteer,
            uuid_path("cases:membership_end", household_uuid, resident.uuid),
            context["csrf_token"],
            membership.pk,
            labels["left_on"],
            membership.pk,
            labels["register_departure"],
        )
    return html(
        '<li><strong>{}</strong> <span class="badge">{}</span>'
        '<div class="muted small">{}</div>{}</li>',
        resident.full_name,
        membership.get_role_display(),
        SafeString("".join(facts)),
        actions,
    )


@register.simple_tag
def history_items(history) -> str:
    """The household page's history: an `<li>` per membership, everyone who ever lived there,
    from when to when ("now" while they live there)."""
    now = _labels(get_language())["now"]
    return html_join(
        "\n",
        "<li>{}: {} – {}</li>",
        (
            (
                membership.resident.full_name,
                short_date(membership.start_date),
                short_date(membership.end_date) if membership.end_date else now,
            )
            for membership in history
        ),
    )
