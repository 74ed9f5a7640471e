"""The password backend (`teams.backends.AccessVersionModelBackend`): Django's ModelBackend,
reading the signed-in user's access version in the same query, used once per request
(docs/performance.md)."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.access_facts import access_facts
from socialdomain.precompiled import prepared_text
from teams.backends import AccessVersionModelBackend
from teams.models import AccessVersion
from teams.roles import Role
from teams.selectors import access_version_for
from teams.services import access_versions_bump
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VERSION_TABLE = AccessVersion._meta.db_table


def _statements(queries) -> list[str]:
    """The SQL that ran (a prepared statement's text for its EXECUTE)."""
    return [prepared_text(query["sql"]) for query in queries]


def _version_queries(queries) -> list[str]:
    """The statements that read the version table on its own (not joined to the user)."""
    return [
        sql
        for sql in _statements(queries)
        if f'FROM "{VERSION_TABLE}"' in sql and "auth_user" not in sql
    ]


def test_it_is_the_backend_a_password_login_signs_in_with(client):
    UserFactory(username="gp", roles=[Role.GP])
    assert settings.AUTHENTICATION_BACKENDS.count("teams.backends.AccessVersionModelBackend") == 1
    assert "django.contrib.auth.backends.ModelBackend" not in settings.AUTHENTICATION_BACKENDS
    response = client.post(reverse("login"), {"username": "gp", "password": "wijkwerk-test"})
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == "teams.backends.AccessVersionModelBackend"


def test_a_signed_in_request_reads_the_version_with_the_user(client):
    user = UserFactory(username="generalist", roles=[Role.GENERALIST])
    access_versions_bump([user.pk])
    client.force_login(user)
    client.get(reverse("cases:caseload"))  # the facts cached under the version
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("cases:caseload")).status_code == 200
    user_queries = [sql for sql in _statements(queries) if 'FROM "auth_user"' in sql]
    assert any(VERSION_TABLE in sql for sql in user_queries), user_queries
    assert _version_queries(queries) == []


def test_the_version_read_along_is_used_once_then_read_afresh():
    user = UserFactory(username="consulent", roles=[Role.CONSULTANT])
    before = AccessVersion.objects.get(user=user).version  # the role's assignment bumped it
    loaded = AccessVersionModelBackend().get_user(user.pk)
    access_versions_bump([user.pk])  # a change during the request, after the user was read
    with CaptureQueriesContext(connection) as queries:
        assert access_version_for(loaded) == before
    assert _version_queries(queries) == []
    with CaptureQueriesContext(connection) as queries:
        assert access_version_for(loaded) == before + 1
    assert len(_version_queries(queries)) == 1


def test_a_role_taken_in_the_request_shows_in_the_facts_read_after_it():
    user = UserFactory(username="teamleider", roles=[Role.TEAM_LEAD, Role.GENERALIST])
    loaded = AccessVersionModelBackend().get_user(user.pk)
    assert Role.TEAM_LEAD in access_facts(loaded).roles
    loaded.groups.remove(Group.objects.get(name=Role.TEAM_LEAD))  # bumps the version
    fresh = AccessVersionModelBackend().get_user(user.pk)
    facts = access_facts(fresh)
    assert Role.TEAM_LEAD not in facts.roles
    assert facts.version == AccessVersion.objects.get(user=user).version


def test_a_user_without_a_version_row_is_version_zero():
    user = UserFactory(username="nieuw")
    AccessVersion.objects.filter(user=user).delete()
    loaded = AccessVersionModelBackend().get_user(user.pk)
    assert access_version_for(loaded) == 0


def test_no_user_for_an_inactive_or_unknown_id():
    user = UserFactory(username="weg")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert AccessVersionModelBackend().get_user(user.pk) is None
    assert AccessVersionModelBackend().get_user(user.pk + 1000) is None
