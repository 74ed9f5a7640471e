"""The session's end, server side: how long it has left (for the warning in
static/wijkwerk/js/session.js) and "stay signed in", which renews it. The browser side is in
tests/browser/test_session.py."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from socialdomain.middleware import SessionIdleTimeoutMiddleware

KEY = SessionIdleTimeoutMiddleware.SESSION_KEY
pytestmark = pytest.mark.django_db


def test_every_signed_in_page_says_how_long_the_session_lives(client, generalist, settings):
    settings.SESSION_WARNING_SECONDS = 120
    client.force_login(generalist)
    session = client.session
    session[KEY] = int(time.time()) - 30  # active 30 seconds ago: not renewed by this request
    session.save()
    content = client.get(reverse("home")).content.decode()
    left = settings.SESSION_COOKIE_AGE - 30
    assert f'data-session-seconds="{left}"' in content or (
        f'data-session-seconds="{left - 1}"' in content
    )
    assert 'data-session-warn="120"' in content
    assert f'data-session-extend-url="{reverse("session_extend")}"' in content
    assert 'role="alertdialog"' in content and "Aangemeld blijven" in content


def test_an_old_renewal_counts_as_renewed_by_this_request(client, generalist, settings):
    client.force_login(generalist)
    session = client.session
    session[KEY] = int(time.time()) - settings.SESSION_RENEW_INTERVAL - 5
    session.save()
    content = client.get(reverse("home")).content.decode()
    assert f'data-session-seconds="{settings.SESSION_COOKIE_AGE}"' in content


def test_stay_signed_in_renews_the_session_in_the_database(client, generalist, settings):
    client.force_login(generalist)
    session = client.session
    session[KEY] = int(time.time()) - 40  # within the renewal interval: no renewal by itself
    session.save()
    before = Session.objects.get(session_key=session.session_key).expire_date
    time.sleep(1)
    response = client.post(reverse("session_extend"))
    assert response.status_code == 200
    assert response.json() == {"signed_in": True, "seconds_left": settings.SESSION_COOKIE_AGE}
    after = Session.objects.get(session_key=client.session.session_key)
    assert after.expire_date > before
    assert after.get_decoded()[KEY] >= int(time.time()) - 2


def test_an_ended_session_answers_401_not_the_login_page(client):
    response = client.post(reverse("session_extend"))
    assert response.status_code == 401 and response.json() == {"signed_in": False}
    assert client.get(reverse("session_extend")).status_code == 405


def test_a_page_for_nobody_signed_in_has_no_session_clock(client):
    content = client.get(reverse("login")).content.decode()
    assert "data-session-seconds" not in content and "data-user" not in content
    assert 'data-login-url="/accounts/login/"' in content


def test_an_htmx_request_after_the_end_sends_the_whole_page_to_login(client):
    """Not a login form swapped into a section: HX-Redirect, back to the page after login."""
    response = client.post(
        reverse("cases:signal_register"),
        {"observation": "x"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/huishoudens/signalen/nieuw/?a=1",
    )
    assert response.status_code == 200
    assert (
        response["HX-Redirect"]
        == "/accounts/login/?next=%2Fhuishoudens%2Fsignalen%2Fnieuw%2F%3Fa%3D1"
    )
    plain = client.post(reverse("cases:signal_register"), {"observation": "x"})
    assert plain.status_code == 302 and "HX-Redirect" not in plain
