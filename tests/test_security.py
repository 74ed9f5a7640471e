"""Hardening: login lockout, session idle timeout, Content Security Policy, no-store caching."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from socialdomain.client_ip import client_ip
from socialdomain.middleware import SessionIdleTimeoutMiddleware
from tests.factories import UserFactory

PASSWORD = "wijkwerk-test"


def login_post(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.fixture
def user(db):
    return UserFactory(username="anna")


# --- login lockout (django-axes) ------------------------------------------------------------


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_wrong_passwords_lock_the_username_with_a_dutch_page(client, user):
    for _ in range(2):
        response = login_post(client, "anna", "wrong")
        assert response.status_code == 200
        assert "Gebruikersnaam en wachtwoord komen niet overeen" in response.content.decode()
    response = login_post(client, "anna", "wrong")
    assert response.status_code == 429
    content = response.content.decode()
    assert "Inloggen tijdelijk geblokkeerd" in content
    assert "3 keer achter elkaar" in content
    assert "30 minuten" in content
    # while locked, even the right password is refused
    response = login_post(client, "anna", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_lockout_is_per_username_and_address(client, user):
    UserFactory(username="bert")
    for _ in range(3):
        login_post(client, "anna", "wrong")
    # a colleague at the same office address can still log in ...
    assert login_post(client, "bert", PASSWORD).status_code == 302
    client.logout()
    # ... and so can anna from another address
    assert login_post(client, "anna", PASSWORD, address="10.0.0.2").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_successful_login_resets_the_failure_count(client, user):
    for _ in range(2):
        login_post(client, "anna", "wrong")
    assert login_post(client, "anna", PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        assert login_post(client, "anna", "wrong").status_code == 200
    assert login_post(client, "anna", PASSWORD).status_code == 302


# --- session idle timeout ---------------------------------------------------------------------


def _session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_login_starts_the_idle_clock_and_expires_at_browser_close(client, user, settings):
    response = login_post(client, "anna", PASSWORD)
    assert response.status_code == 302
    assert SessionIdleTimeoutMiddleware.SESSION_KEY in client.session
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]  # gone when the browser closes
    expires_in = (_session(client).expire_date - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 60 < expires_in <= settings.SESSION_COOKIE_AGE


def test_an_idle_session_expires(client, user):
    login_post(client, "anna", PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    session_key = client.session.session_key
    Session.objects.filter(session_key=session_key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1)
    )
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_activity_renews_the_session_at_most_once_per_interval(client, user, settings):
    login_post(client, "anna", PASSWORD)
    session = client.session
    key = SessionIdleTimeoutMiddleware.SESSION_KEY
    # the last renewal was long ago and the session is about to expire
    session[key] = int(time.time()) - settings.SESSION_RENEW_INTERVAL - 5
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timezone.timedelta(seconds=30)
    )
    client.get(reverse("home"))
    renewed = _session(client).expire_date
    assert (renewed - timezone.now()).total_seconds() > settings.SESSION_COOKIE_AGE - 60
    # a second request within the interval does not write the session again
    client.get(reverse("home"))
    assert _session(client).expire_date == renewed


# --- Content Security Policy and caching -------------------------------------------------------


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_base_template_turns_off_htmx_inline_styles(client):
    content = client.get(reverse("login")).content.decode()
    assert '"includeIndicatorStyles": false' in content
    assert "<style" not in content and "<script>" not in content


def test_signed_in_responses_are_not_stored(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))  # home has no never_cache of its own
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


# --- client address ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "1.2.3.4", "10.0.0.9"),  # no proxy: the header is the client's word, ignored
        (1, "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # the one proxy appended the real address
        (2, "6.6.6.6, 1.2.3.4, 10.0.0.5", "1.2.3.4"),
        (1, "", "10.0.0.9"),
        (1, "not-an-address", None),
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
