"""Templates decide what to show from one context value, `can` (socialdomain/context_processors.py),
computed from the apps' permission modules: no template copies a list of roles."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from cases import permissions as case_permissions
from networks import permissions as network_permissions
from outcomes import permissions as outcome_permissions
from socialdomain.context_processors import Can
from teams import permissions as team_permissions
from teams.roles import Role

# (menu link, the one permission that decides it)
MENU = [
    ("cases:household_search", case_permissions.can_use_register),
    ("cases:caseload", case_permissions.has_caseload),
    ("volunteers:list", case_permissions.can_find_volunteers),
    ("teams:area_contacts", team_permissions.can_look_up_area_contacts),
    ("handoffs:mine", case_permissions.can_send_gp_handoff),
    ("teams:coverage", team_permissions.can_view_coverage),
    ("cases:signal_queue", case_permissions.can_triage_signals),
    ("provisions:application_queue", case_permissions.can_use_application_queue),
    ("provisions:mandate_overview", team_permissions.can_view_mandate_overview),
    ("provisions:budget_overview", network_permissions.can_view_budget),
    ("provisions:subsidy_signals", network_permissions.can_view_subsidy_signals),
    ("avg:index", case_permissions.can_handle_avg_requests),
    ("outcomes:bottlenecks", outcome_permissions.can_view_bottlenecks),
    ("privacy:overview", case_permissions.can_review_access),
]


def test_no_template_checks_roles_itself():
    copied = []
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in Path(directory).rglob("*.html"):
            text = path.read_text()
            if re.search(r"Role\.\w+ in roles|roles\s*&", text):
                copied.append(str(path))
    assert not copied, f"use `can.<ability>` instead of a role list: {copied}"


# a partner API principal never signs in to the screens
@pytest.mark.parametrize("role", [role for role in Role if role != Role.PARTNER_API])
def test_the_menu_follows_the_permission_modules(client, user_with_role, role):
    user = user_with_role(role)
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    nav = html.split('<nav aria-label="', 1)[1].split("</nav>", 1)[0]
    for url_name, permission in MENU:
        shown = f'href="{reverse(url_name)}"' in nav
        assert shown == permission(user), (role, url_name)


def test_an_anonymous_user_can_do_nothing():
    from django.contrib.auth.models import AnonymousUser

    can = Can(AnonymousUser())
    assert not can.use_register
    assert not can.administer
