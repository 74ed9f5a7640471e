"""Access rules swept over the URL configuration: a new URL is checked the moment it exists.

1. Anonymous visitors get nothing but the public pages: every other URL answers with a
   redirect to the login page (HTML) or 401/403 (API), for GET and for POST.
2. Roles outside the need-to-know circle of household files (GP, policy officer, a partner's
   session account) never get a household-file page: 403 or 404 on every such URL.
"""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from teams.roles import Role

# name -> why it is open to anyone
PUBLIC = {
    "login": "the login page",
    "healthz": "health check for load balancers, no personal data",
    "livez": "liveness probe and benchmark baseline, no data",
    "set_language": "language switch",
    "api-schema": "the OpenAPI description, no data",
    "api-docs": "the API documentation page, no data",
    "oidc_authentication_init": "starts the municipality's OpenID Connect login",
    "oidc_authentication_callback": "OpenID Connect return address",
    "two_factor_verify": "second login step: checks the pending login in the session itself",
    "logout": "logging out",
    "favicon": "the site icon, a static image",
    "network:member_page": "a network member's own actions: the secret in the URL is the key, "
    "with a one-time code; checked in tests/cases/network/ (docs/network-links.md)",
    "network:action_report": "a network member's report on their own action, through the same "
    "link (tests/cases/network/)",
    "agenda:feed": "a professional's calendar feed: the secret in the URL is the key (a mail "
    "client has no session); it names no resident (docs/journal.md)",
}
# household-file URLs: everything about one household, its people, plans and applications
HOUSEHOLD_FILE = re.compile(r"^(huishoudens/|voorzieningen/(aanvragen|huishouden|verwijzingen)/)")


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("beheer/"):
                continue  # the admin has its own staff check
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name or prefix, prefix + str(pattern.pattern)


def _concrete(route: str) -> str:
    """A path that the route matches, with made-up identifiers."""
    path = re.sub(r"\(\?P<\w+>[^)]*\)", lambda _m: str(uuid.uuid4()), route)  # DRF routers
    path = re.sub(r"<uuid:\w+>", lambda _m: str(uuid.uuid4()), path)
    path = re.sub(r"<int:\w+>", "1", path)
    path = re.sub(r"<(str:)?\w+>", "WK000000", path)
    return "/" + path.replace("^", "").replace("$", "")


ROUTES = sorted(set(_walk(get_resolver().url_patterns)))


def test_every_route_is_either_public_or_listed_here():
    assert ROUTES, "no routes found"
    unknown_public = set(PUBLIC) - {name for name, _route in ROUTES}
    assert not unknown_public, f"PUBLIC names no longer in the URLconf: {unknown_public}"


@pytest.mark.parametrize(("name", "route"), [r for r in ROUTES if r[0] not in PUBLIC])
def test_anonymous_gets_nothing(client, db, name, route):
    path = _concrete(route)
    answers = {method: getattr(client, method)(path).status_code for method in ("get", "post")}
    for method, status in answers.items():
        response = getattr(client, method)(path)
        if status in (301, 302):
            assert "/accounts/login/" in response["Location"], (name, method, response["Location"])
        else:
            assert status in (401, 403, 405), (name, method, status)
    assert set(answers.values()) != {405}, name


@pytest.mark.parametrize(
    "role",
    [Role.GP, Role.POLICY_OFFICER, Role.PARTNER_API, Role.FUNCTIONAL_ADMIN, Role.PRIVACY_OFFICER],
)
def test_outside_the_circle_no_household_file_is_ever_shown(
    client, user_with_role, make_household, role
):
    household = make_household()
    client.force_login(user_with_role(role))
    checked = 0
    for name, route in ROUTES:
        if not HOUSEHOLD_FILE.match(route):
            continue
        if role == Role.PRIVACY_OFFICER and route.startswith("avg/"):
            continue  # inzage and corrections are the privacy officer's own task
        path = re.sub(r"<uuid:household_uuid>", str(household.uuid), route)
        path = _concrete(path)
        for method in ("get", "post"):
            status = getattr(client, method)(path).status_code
            assert status in (403, 404, 405), (name, method, status)
        checked += 1
    assert checked > 30
