"""The privacy officer's page of role and rights changes (`/privacy/rollen/`): who gave or took
which role from whom, and when; each read is logged."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cases.privacy.models import AccessAction, AccessLogEntry
from teams import services
from teams.models import RoleChange
from teams.roles import Role
from tests.factories import UserFactory


def _rows(page: str) -> list[list[str]]:
    """The cells (time left out) of the table's rows."""
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    return [re.findall(r"<td>([^<]*)</td>", row)[1:] for row in body.split("<tr>")[1:]]


@pytest.fixture
def officer(user_with_role):
    return user_with_role(Role.PRIVACY_OFFICER, username="privacy")


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_a_role_given_in_the_admin_shows_on_the_officers_page(client, officer, root):
    target = UserFactory(username="nieuwe-consulent", first_name="Rik", last_name="Smit")
    client.force_login(root)
    consultant = Group.objects.get(name=Role.CONSULTANT)
    response = client.post(
        reverse("admin:auth_user_change", args=[target.pk]),
        {
            "username": target.username,
            "first_name": "Rik",
            "last_name": "Smit",
            "email": "",
            "is_active": "on",
            "groups": [str(consultant.pk)],
            "date_joined_0": "01-01-2026",
            "date_joined_1": "09:00:00",
            "team_memberships-TOTAL_FORMS": "0",
            "team_memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    client.force_login(officer)
    before = AccessLogEntry.objects.count()
    page = client.get(reverse("privacy:role_changes"))
    assert page.status_code == 200
    text = page.content.decode()
    rows = [cells for cells in _rows(text) if "nieuwe-consulent" in cells]
    assert rows == [["root", "nieuwe-consulent", "Rol gegeven", "Gemeentelijk consulent"]]
    # the read is logged, as the other privacy pages' reads and exports
    entry = AccessLogEntry.objects.get(pk__gt=0, object_type="role_changes")
    assert AccessLogEntry.objects.count() == before + 1
    assert (entry.action, entry.user) == (AccessAction.VIEW, officer)
    overview = client.get(reverse("privacy:overview")).content.decode()
    assert reverse("privacy:role_changes") in overview


def test_filter_by_username_and_the_system_named(client, officer, root):
    one, other = UserFactory(username="een"), UserFactory(username="ander")
    services.user_role_assign(user=one, role=Role.GENERALIST, by=root)
    services.user_role_assign(user=other, role=Role.GP)  # by the system (a command)
    client.force_login(officer)
    page = client.get(reverse("privacy:role_changes"), {"username": "een"}).content.decode()
    assert ">een<" in page and ">ander<" not in page
    page = client.get(reverse("privacy:role_changes"), {"username": "ander"}).content.decode()
    assert "het systeem" in page
    by_root = client.get(reverse("privacy:role_changes"), {"username": "root"}).content.decode()
    assert ">een<" in by_root and ">ander<" not in by_root


def test_the_page_has_a_query_budget(client, officer, root, django_assert_max_num_queries):
    for number in range(60):
        services.user_role_assign(
            user=UserFactory(username=f"u{number}"), role=Role.GENERALIST, by=root
        )
    client.force_login(officer)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("privacy:role_changes"))
    assert page.content.decode().count("<tr>") == 51  # a header and one page of 50
    assert RoleChange.objects.count() > 60


@pytest.mark.parametrize("role", [r for r in Role if r != Role.PRIVACY_OFFICER])
def test_only_the_privacy_officer_sees_it(client, user_with_role, role):
    client.force_login(user_with_role(role))
    assert client.get(reverse("privacy:role_changes")).status_code == 403
