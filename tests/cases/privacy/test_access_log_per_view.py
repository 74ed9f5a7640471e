"""Every request to a household-file view writes exactly one access log row, generated from the
URL configuration: the views marked with `cases.access.household_file`, each asked with real
objects (`tests/access_world.py`) by a role that may open it, and by an outsider.

A URL under the household-file paths without the mark fails `test_every_household_file_url_is_
marked`: mark the view, or list it in NOT_A_FILE with the reason."""

import re

import pytest
from django.db import transaction
from django.urls import reverse

from cases.privacy.models import AccessLogEntry, AccessResult
from teams.roles import Role
from tests.access_world import build_world, kwargs_for
from tests.test_permission_matrix import COLUMNS, EXPECTED, OK, REDIRECT
from tests.url_routes import routes

# the same paths as tests/test_url_access.py: everything about one household
HOUSEHOLD_FILE = re.compile(r"^(huishoudens/|voorzieningen/(aanvragen|huishouden|verwijzingen)/)")
NOT_A_FILE = {
    "cases:household_search": "a search: logged as a search (kind and count), no file opened",
    "cases:household_known": "municipality-wide search: logged as a search, shows no content",
    "cases:search": "the header's search box: logged as a search (kind and count), no file opened",
    "cases:household_create": "a new household: no file yet",
    "cases:resident_form_row": "an empty form row",
    "cases:validate_field": "checks a BSN or postcode format, reads no file",
    "cases:caseload": "the list of my households (logged as caseload view)",
    "cases:caseload_reassign": "moves coordinators between team members, opens no file",
    "cases:signal_queue": "the triage queue of the team",
    "cases:signal_register": "a signal about someone not known yet",
    "cases:callback_list": "the team's call-backs of GP hand-offs (list; logged as callbacks view)",
    "provisions:application_queue": "the consultant's queue (list)",
    "cases:team_clocks": "the team's running clocks (list; logged as team_clocks view)",
    "cases:team_clocks_section": "the counts and most urgent clocks on the team page (list)",
    "cases:reminder_read": "marks the user's own reminder read, opens no file",
    "cases:team_handovers_section": "the team's incoming handovers (list; logged as handovers)",
    "cases:handover_accept": "accepts a handover; its service logs the change",
}
ROUTES = routes()
FILE_URLS = sorted(
    name for name, (_r, _p, view) in ROUTES.items() if hasattr(view, "household_file")
)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def test_every_household_file_url_is_marked():
    unmarked = sorted(
        name
        for name, (route, _parameters, view) in ROUTES.items()
        if HOUSEHOLD_FILE.match(route)
        and not hasattr(view, "household_file")
        and name not in NOT_A_FILE
    )
    assert not unmarked, f"mark with @household_file or list in NOT_A_FILE: {unmarked}"
    assert len(FILE_URLS) > 40


def _rows_for_one_request(client, path):
    before = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with transaction.atomic():
        response = client.get(path)
        if response.status_code == 405:
            response = client.post(path)
        rows = list(AccessLogEntry.objects.filter(pk__gt=before))
        transaction.set_rollback(True)
    return response, rows


def _allowed_role(name):
    """The first role the permission matrix lets open the URL in its own area, if any."""
    for role in COLUMNS:
        if EXPECTED[name][role.value][0] in (OK, REDIRECT):
            return role
    return None


@pytest.mark.parametrize("name", FILE_URLS)
def test_one_row_per_request(client, db, world, name):
    _route, parameters, _view = ROUTES[name]
    role = _allowed_role(name)
    if role is not None:
        client.force_login(world.users[role])
        path = reverse(name, kwargs=kwargs_for(world, "own", parameters, name))
        response, rows = _rows_for_one_request(client, path)
        assert response.status_code in (200, 204, 302), (name, response.status_code)
        assert len(rows) == 1, (name, [(r.action, r.object_type) for r in rows])
        assert rows[0].household_uuid == world.own.household.uuid, name
        assert rows[0].result == AccessResult.ALLOWED, name
        assert rows[0].username == world.users[role].username
    # an outsider: the same household for a role that works elsewhere, or none at all
    for outsider, side in ((Role.GENERALIST, "other"), (Role.POLICY_OFFICER, "own")):
        client.force_login(world.users[outsider])
        path = reverse(name, kwargs=kwargs_for(world, side, parameters, name))
        response, rows = _rows_for_one_request(client, path)
        assert len(rows) == 1, (name, outsider, [(r.action, r.result) for r in rows])
        if name == "cases:break_glass" and outsider == Role.GENERALIST:
            # the emergency form is for outsiders: it shows only team and coordinator, logged
            assert response.status_code == 200
            assert rows[0].household_uuid == world.other.household.uuid
            continue
        assert response.status_code in (403, 404), (name, outsider, response.status_code)
        expected = AccessResult.DENIED if response.status_code == 403 else AccessResult.NOT_FOUND
        assert rows[0].result == expected, (name, outsider)
