"""The session engine (`socialdomain.sessions`): Django's database sessions, the read by key
compiled once per process. A session lives in the database alone, so an expiry or a logout
ends it for every worker and every copy of the cookie."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from socialdomain.precompiled import prepared_text
from socialdomain.sessions import SessionStore
from teams.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "wijkwerk-test"


@pytest.fixture
def signed_in():
    UserFactory(username="generalist", roles=[Role.GENERALIST])
    client = Client()
    response = client.post(reverse("login"), {"username": "generalist", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    return client


def _same_cookie(client) -> Client:
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME]
    return other


def test_a_signed_in_request_reads_its_session_through_the_compiled_statement(signed_in):
    with CaptureQueriesContext(connection) as queries:
        assert signed_in.get(reverse("home")).status_code == 200
    session_reads = [
        query["sql"] for query in queries if 'FROM "django_session"' in prepared_text(query["sql"])
    ]
    assert len(session_reads) == 1
    if connection.vendor == "postgresql":
        assert "EXECUTE precompiled_" in session_reads[0]


def test_another_copy_of_the_cookie_is_signed_in_until_logout_ends_it_everywhere(signed_in):
    copy = _same_cookie(signed_in)
    assert copy.get(reverse("home")).status_code == 200
    signed_in.post(reverse("logout"))
    response = copy.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_expired_session_is_not_read_and_its_key_is_dropped(signed_in):
    key = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = signed_in.get(reverse("home"))
    assert response.status_code == 302
    store = SessionStore(session_key=key)
    assert store.load() == {}
    assert store.session_key is None


def test_an_unknown_key_reads_an_empty_session():
    store = SessionStore(session_key="x" * 32)
    assert store.load() == {}
    assert store.session_key is None
