"""The permission matrix, generated from the URL configuration: every role x every URL name x
own/other area, against an explicit table of expected outcomes. A URL name without a row in
`EXPECTED` fails `test_every_url_has_a_rule`; add the row when you add a URL (docs/privacy.md,
"The permission matrix").

"own" fills the URL with objects of the household in the district where the role's user works
(team member, area consultant), "other" with those of a household in another district
(`tests/access_world.py`). A GET is sent; a view that only takes POST gets an empty POST.
Outcomes: OK (200/204), REDIRECT (302, never to the login page), 400, 401, 403, 404, 405.
"""

import os

import pytest
from django.db import transaction
from django.urls import reverse

from teams.roles import Role
from tests.access_world import build_world, kwargs_for
from tests.test_url_access import PUBLIC as URL_ACCESS_PUBLIC
from tests.url_routes import routes

OK, REDIRECT = "ok", "redirect"
SIDES = ("own", "other")
ROUTES = routes()
PUBLIC = set(URL_ACCESS_PUBLIC)  # open to anyone: tests/test_url_access.py checks them
ROLES = list(Role)

COLUMNS = [
    Role.GENERALIST,
    Role.CONSULTANT,
    Role.TEAM_LEAD,
    Role.POLICY_OFFICER,
    Role.GP,
    Role.PARTNER_API,
    Role.FUNCTIONAL_ADMIN,
    Role.PRIVACY_OFFICER,
]
ABBREVIATIONS = {"ok": OK, "redir": REDIRECT}


def parse(row: str) -> dict:
    """One row of the table: a cell per role in COLUMNS order; a cell is one outcome (the same
    for the own and the other area) or `own/other`."""
    cells = row.split()
    assert len(cells) == len(COLUMNS), f"{row!r}: one cell per role ({len(COLUMNS)})"
    expected = {}
    for role, cell in zip(COLUMNS, cells, strict=True):
        own, _sep, other = cell.partition("/")
        own = ABBREVIATIONS.get(own, own)
        other = ABBREVIATIONS.get(other, other) if other else own
        expected[role.value] = (own, other)
    return expected


# fmt: off
# URL name:
#   generalist consultant team lead  policy     GP         partner    functional privacy
#                                    officer               (session)  admin      officer
# `ok` 200/204, `redir` 302 (not to login), or the status; `own/other` when they differ.
# The partner API (bearer tokens) answers 401 to every session: tests/cases/test_api_*.py test it.
TABLE = {
    "agenda:mine":
        "ok         ok         ok         403        403        403        403        403",
    "agenda:team_section":
        "ok/404     403        ok/404     403        403        403        403        403",
    "avg:correction_detail":
        "403        403        403        403        403        403        403        ok",
    "avg:correction_extend":
        "403        403        403        403        403        403        403        ok",
    "avg:correction_list":
        "403        403        403        403        403        403        403        ok",
    "avg:destruction_list":
        "403        403        403        403        403        403        403        ok",
    "avg:index":
        "403        403        403        403        403        403        403        ok",
    "avg:inzage_json":
        "403        403        403        403        403        403        403        ok",
    "avg:inzage_pdf":
        "403        403        403        403        403        403        403        ok",
    "avg:inzage_zip":
        "403        403        403        403        403        403        403        ok",
    "avg:resident":
        "403        403        403        403        403        403        403        ok",
    "allocation-detail":
        "401        401        401        401        401        401        401        401",
    "allocation-list":
        "401        401        401        401        401        401        401        401",
    "allocation-progress-reports":
        "401        401        401        401        401        401        401        401",
    "allocation-request-detail":
        "401        401        401        401        401        401        401        401",
    "allocation-request-list":
        "401        401        401        401        401        401        401        401",
    "allocation-delivered-by":
        "401        401        401        401        401        401        401        401",
    "allocation-start":
        "401        401        401        401        401        401        401        401",
    "allocation-stop":
        "401        401        401        401        401        401        401        401",
    "api-me":
        "401        401        401        401        401        401        401        401",
    "api-signals":
        "401        401        401        401        401        401        401        401",
    "area-contacts":
        "400        400        400        400        400        403        400        403",
    "cases:action_add":
        "ok/404     403/404    ok/404     403        403        403        403        403",
    "cases:action_edit":
        "ok/404     403/404    ok/404     403        403        403        403        403",
    "cases:action_remove":
        "redir/404  403/404    redir/404  403        403        403        403        403",
    "cases:appointment_cancel":
        "redir/404  redir/404  redir/404  403        403        403        403        403",
    "cases:break_glass":
        "redir/ok   redir/ok   redir/ok   403        403        403        403        403",
    "cases:caseload":
        "ok         ok         ok         403        403        403        403        403",
    "cases:caseload_reassign":
        "404        404        ok/404     404        404        404        ok         404",
    "cases:check_in_complete":
        "redir/404  403        redir/404  403        403        403        403        403",
    "cases:consent_create":
        "ok/404     403/404    ok/404     403        403        403        403        403",
    "cases:consent_withdraw":
        "redir/404  403/404    redir/404  403        403        403        403        403",
    "cases:conversation_create":
        "ok/404     403/404    ok/404     403        403        403        403        403",
    "cases:conversation_detail":
        "ok/404     ok/404     ok/404     403        403        403        403        403",
    "cases:conversation_remarks":
        "redir/404  403/404    redir/404  403        403        403        403        403",
    "cases:evaluation_create":
        "ok/404     403/404    ok/404     403        403        403        403        403",
    "cases:evaluation_detail":
        "ok/404     ok/404     ok/404     403        403        403        403        403",
    "cases:goal_add":
        "ok/404     403/404    ok/404     403        403        403        403        403",
    "cases:goal_edit":
        "ok/404     403/404    ok/404     403        403        403        403        403",
    "cases:goal_remove":
        "redir/404  403/404    redir/404  403        403        403        403        403",
    "cases:household_appointments":
        "ok/404     ok/404     ok/404     403        403        403        403        403",
    "cases:household_consents":
        "ok/404     ok/404     ok/404     403        403        403        403        403",
    "cases:household_create":
        "ok         403        ok         403        403        403        403        403",
    "cases:household_detail":
        "ok/404     ok/404     ok/404     403        403        403        403        403",
    "cases:household_edit":
        "ok/404     403/404    ok/404     404        404        404        404        404",
    "cases:household_objections":
        "ok/404     ok/404     ok/404     403        403        403        403        403",
    "cases:household_documents":
        "ok/404     ok/404     ok/404     403        403        403        403        403",
    # the world's document counts as scanned clean; quarantine: tests/cases/documents
    "cases:document_download":
        "ok/404     ok/404     ok/404     403        403        403        403        403",
    "cases:household_journal":
        "ok/404     ok/404     ok/404     403        403        403        403        403",
    "cases:household_volunteering_add":
        "ok/404     403        ok/404     403        403        403        403        403",
    "cases:household_volunteering_end":
        "redir/404  403        redir/404  403        403        403        403        403",
    "cases:household_known":
        "ok         ok         ok         403        403        403        403        403",
    "cases:household_search":
        "ok         ok         ok         403        403        403        403        403",
    "cases:journal_entry_edit":
        "ok/404     403/404    403/404    403        403        403        403        403",
    "cases:melding_register":
        "ok/404     403/404    ok/404     404        404        404        404        404",
    "cases:melding_withdraw":
        "ok/404     403/404    ok/404     404        404        404        404        404",
    "cases:membership_end":
        "redir/404  403/404    redir/404  404        404        404        404        404",
    "cases:network_member_add":
        "ok/404     403/404    ok/404     403        403        403        403        403",
    "cases:network_member_edit":
        "ok/404     403/404    ok/404     403        403        403        403        403",
    "cases:objection_decide":
        "403        ok/404     403        403        403        403        403        403",
    "cases:objection_detail":
        "ok/404     ok/404     ok/404     403        403        403        403        403",
    "cases:objection_handle":
        "403        ok/404     403        403        403        403        403        403",
    "cases:network_link_create":
        "ok/404     403        403/404    403        403        403        403        403",
    "cases:network_link_revoke":
        "redir/404  403        403/404    403        403        403        403        403",
    "cases:participant_invite":
        "ok/404     403/404    ok/404     403        403        403        403        403",
    "cases:participant_respond":
        "403/404    403/404    403/404    403        403        403        403        403",
    "cases:plan_activate":
        "redir/404  403/404    redir/404  403        403        403        403        403",
    "cases:plan_agree":
        "ok/404     403/404    ok/404     403        403        403        403        403",
    "cases:plan_close":
        "redir/404  403/404    redir/404  403        403        403        403        403",
    "cases:plan_create":
        "redir/404  403/404    redir/404  403        403        403        403        403",
    "cases:plan_create_from_conversation":
        "redir/404  403/404    redir/404  403        403        403        403        403",
    "cases:plan_detail":
        "ok/404     ok/404     ok/404     403        403        403        403        403",
    "cases:plan_edit":
        "ok/404     403/404    ok/404     403        403        403        403        403",
    "cases:plan_version":
        "ok/404     ok/404     ok/404     403        403        403        403        403",
    # the resident's view: whoever may open the plan; answering on the device needs the right
    # to work on it (an empty post is a form error: 400)
    "cases:plan_resident_view":
        "ok/404     ok/404     ok/404     403        403        403        403        403",
    "cases:plan_resident_agree":
        "400/404    403/404    400/404    403        403        403        403        403",
    "cases:plan_resident_decline":
        "400/404    403/404    400/404    403        403        403        403        403",
    # a reminder is its recipient's only: asked with an unknown id here (tests/cases/deadlines)
    "cases:reminder_read":
        "404        404        404        404        404        404        404        404",
    "cases:resident_volunteer_register":
        "ok/404     403        ok/404     403        403        403        403        403",
    "cases:resident_add":
        "ok/404     403/404    ok/404     404        404        404        404        404",
    "cases:resident_join":
        "ok/404     403/404    ok/404     404        404        404        404        404",
    "cases:resident_edit":
        "ok/404     403/404    ok/404     404        404        404        404        404",
    "cases:resident_form_row":
        "ok         403        ok         403        403        403        403        403",
    "cases:search":
        "ok         ok         ok         403        403        403        403        403",
    # GP hand-offs (docs/gp-handoff.md): the team's call-back list; recording an attempt is
    # asked with an unknown id here (tests/cases/intake/test_gp_handoff.py)
    "cases:callback_list":
        "ok         403        ok         403        403        403        403        403",
    "cases:callback_attempt":
        "404        403        404        403        403        403        403        403",
    "cases:signal_close":
        "ok/404     403        ok/404     403        403        403        403        403",
    "cases:signal_convert":
        "ok/404     403        ok/404     403        403        403        403        403",
    "cases:signal_detail":
        "ok/404     403        ok/404     403        403        403        403        403",
    "cases:signal_queue":
        "ok         403        ok         403        403        403        403        403",
    "cases:signal_register":
        "ok         ok         ok         403        403        403        403        403",
    "cases:signal_register_for_household":
        "ok/404     ok/404     ok/404     404        404        404        404        404",
    # a team's running deadlines: its generalists and team lead (404 for another team's)
    "cases:team_clocks":
        "ok/404     403        ok/404     403        403        403        403        403",
    "cases:team_clocks_section":
        "ok/404     403        ok/404     403        403        403        403        403",
    # moves: the receiving team's handovers on its page (404 for another team's); accepting
    # one is asked with an unknown id here (tests/cases/households/test_moves.py)
    "cases:team_handovers_section":
        "ok/404     404        ok/404     404        404        404        404        404",
    "cases:handover_accept":
        "404        404        404        404        404        404        404        404",
    "cases:validate_field":
        "ok         ok         ok         403        403        403        403        403",
    "event-list":
        "401        401        401        401        401        401        401        401",
    "general-provision-list":
        "401        401        401        401        401        401        401        401",
    "home":
        "ok         ok         ok         ok         ok         ok         ok         ok",
    # outcomes: the export and job URLs are asked with unknown ids here (404 for all); the
    # dashboards and bottlenecks with the roles' real rights (tests/outcomes test the rest)
    "outcomes:bottleneck_create":
        "ok         ok         ok         403        403        403        403        403",
    "outcomes:bottleneck_export":
        "404        404        404        404        404        404        404        404",
    "outcomes:bottlenecks":
        "403        403        403        ok         403        403        ok         403",
    "outcomes:export":
        "404        404        404        404        404        404        404        404",
    "outcomes:export_download":
        "404        404        404        404        404        404        404        404",
    "outcomes:export_start":
        "404        404        404        404        404        404        404        404",
    "outcomes:export_status":
        "404        404        404        404        404        404        404        404",
    "outcomes:policy_dashboard":
        "403        403        403        ok         403        403        ok         403",
    "outcomes:recompute":
        "403        403        redir      redir      403        403        403        403",
    "outcomes:recompute_status":
        "403        403        404        404        403        403        403        403",
    "outcomes:team_dashboard":
        "403        403        ok         403        403        403        403        403",
    "privacy:access_log":
        "403        403        403        403        403        403        403        ok",
    "privacy:access_log_export":
        "403        403        403        403        403        403        403        ok",
    "privacy:break_glass_review":
        "403        403        403        403        403        403        403        redir",
    "privacy:break_glass_reviews":
        "403        403        403        403        403        403        403        ok",
    "privacy:role_changes":
        "403        403        403        403        403        403        403        ok",
    "privacy:overview":
        "403        403        403        403        403        403        403        ok",
    "provisions:advance_exception":
        "403/404    ok/404     403/404    404        404        404        404        404",
    "provisions:advance_payment":
        "403/404    ok/404     403/404    404        404        404        404        404",
    "provisions:application_assign":
        "403/404    redir/404  403/404    404        404        404        404        404",
    "provisions:application_claim":
        "403/404    redir/404  403/404    404        404        404        404        404",
    "provisions:application_create":
        "ok/404     403/404    ok/404     404        404        404        404        404",
    "provisions:application_decide":
        "403/404    ok/404     403/404    404        404        404        404        404",
    "provisions:application_budget_override":
        "403/404    403/404    redir/404  404        404        404        404        404",
    "provisions:application_detail":
        "ok/404     ok/404     ok/404     404        404        404        404        404",
    "provisions:application_queue":
        "403        ok         403        403        403        403        403        403",
    "provisions:application_term_event":
        "403/404    ok/404     403/404    404        404        404        404        404",
    "provisions:application_withdraw":
        "redir/404  redir/404  redir/404  404        404        404        404        404",
    "provisions:budget_overview":
        "403        ok         ok         ok         403        403        ok         403",
    "provisions:decision_cosign":
        "403/404    403/404    403/404    404        404        404        404        404",
    "provisions:decision_cosign_request":
        "403/404    403/404    403/404    404        404        404        404        404",
    "provisions:decision_letter":
        "ok/404     ok/404     ok/404     404        404        404        404        404",
    "provisions:decision_preview":
        "403/404    ok/404     403/404    404        404        404        404        404",
    "provisions:decision_made_known":
        "403/404    ok/404     403/404    404        404        404        404        404",
    "provisions:household_provisions":
        "ok/404     ok/404     ok/404     404        404        404        404        404",
    "provisions:mandate_overview":
        "403        403        ok         403        403        403        403        403",
    "provisions:mandate_spend":
        "ok/404     403/404    ok/404     404        404        404        404        404",
    "provisions:notification_read":
        "404        redir/404  404        404        404        404        404        404",
    "provisions:referral_create":
        "ok/404     403/404    ok/404     404        404        404        404        404",
    "provisions:referral_follow_up":
        "redir/404  403        redir/404  403        403        403        403        403",
    "provisions:subsidy_signals":
        "403        403        403        ok         403        403        ok         403",
    "provisions:term_event_complete":
        "403/404    404        403/404    404        404        404        404        404",
    # the GP's hand-off and the GP's own list of them: GPs only
    "handoffs:create":
        "403        403        403        403        ok         403        403        403",
    "handoffs:mine":
        "403        403        403        403        ok         403        403        403",
    "teams:area_contacts":
        "ok         ok         ok         ok         ok         403        ok         403",
    "teams:coverage":
        "403        403        ok         403        403        403        ok         403",
    "teams:team_detail":
        "404        404        ok/404     404        404        404        ok         404",
    "session_extend":
        "ok         ok         ok         ok         ok         ok         ok         ok",
    "two_factor_setup":
        "ok         ok         ok         ok         ok         ok         ok         ok",
    "webhook-deliveries":
        "401        401        401        401        401        401        401        401",
    "webhook-detail":
        "401        401        401        401        401        401        401        401",
    "webhook-list":
        "401        401        401        401        401        401        401        401",
    "volunteers:create":
        "ok         403        ok         403        403        403        403        403",
    "volunteers:detail":
        "ok         403        ok         403        403        403        403        403",
    "volunteers:list":
        "ok         403        ok         403        403        403        403        403",
    "volunteers:stop":
        "redir/403  403        redir/403  403        403        403        403        403",
}
# fmt: on
EXPECTED = {name: parse(row) for name, row in TABLE.items()}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One household pair for the whole module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def outcome(response) -> str:
    status = response.status_code
    if status in (200, 204):
        return OK
    if status in (301, 302):
        assert "/accounts/login/" not in response["Location"], response["Location"]
        return REDIRECT
    return str(status)


def request(client, path):
    """GET, or an empty POST for a POST-only view; undone afterwards (a savepoint)."""
    with transaction.atomic():
        response = client.get(path)
        if response.status_code == 405:
            response = client.post(path)
        transaction.set_rollback(True)
    return outcome(response)


def test_every_url_has_a_rule():
    missing = sorted(set(ROUTES) - PUBLIC - set(EXPECTED))
    assert not missing, f"add these URL names to EXPECTED in {__file__}: {missing}"
    gone = sorted(set(EXPECTED) - set(ROUTES))
    assert not gone, f"no longer in the URLconf, remove from EXPECTED: {gone}"


@pytest.mark.parametrize("name", sorted(set(ROUTES) - PUBLIC))
def test_permission_matrix(client, db, world, name):
    _route, parameters, _view = ROUTES[name]
    actual = {}
    for role in ROLES:
        client.force_login(world.users[role])
        outcomes = []
        for side in SIDES if parameters else SIDES[:1]:
            path = reverse(name, kwargs=kwargs_for(world, side, parameters, name))
            outcomes.append(request(client, path))
        actual[role.value] = (outcomes[0], outcomes[-1])
    if os.environ.get("MATRIX_DISCOVER"):
        print(f"MATRIX {name!r}: {actual!r},")
        return
    expected = EXPECTED.get(name)
    assert expected is not None, f"no rule for {name}"
    differences = {
        role: (expected.get(role), got) for role, got in actual.items() if expected.get(role) != got
    }
    assert not differences, f"{name}: role: (expected, actual) {differences}"
