"""Separation of duties in the admin (issue 25, item 1; docs/privacy.md, "The admin"): the
functional administrator (`beheer`) manages users but never gives roles, admin access,
superuser status or permissions, not by the form and not by a crafted POST; only a superuser
does, and every such change is recorded (`teams.models.RoleChange`)."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from teams import services
from teams.models import RoleChange, RoleChangeAppendOnlyError, RoleChangeKind, Team
from teams.roles import Role
from tests.factories import TeamFactory, TeamMemberFactory, UserFactory

FORBIDDEN_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


@pytest.fixture
def beheer(user_with_role):
    return user_with_role(Role.FUNCTIONAL_ADMIN, username="beheer")


@pytest.fixture
def root(db):
    """A superuser, as `createsuperuser` makes one."""
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def colleague(user_with_role):
    return user_with_role(Role.GENERALIST, username="collega", first_name="Anna")


def crafted(user, **extra):
    """A full user change form, plus whatever an attacker adds."""
    data = {
        "username": user.username,
        "first_name": "Nieuwe",
        "last_name": user.last_name,
        "email": "nieuw@gemeente.example",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "01-01-2026",
        "date_joined_1": "09:00:00",
        "team_memberships-TOTAL_FORMS": "0",
        "team_memberships-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def escalation(generalist_group=None):
    anything = Permission.objects.get(codename="change_group")
    return {
        "is_superuser": "on",
        "is_staff": "on",
        "groups": [str((generalist_group or Group.objects.get(name=Role.PRIVACY_OFFICER)).pk)],
        "user_permissions": [str(anything.pk)],
    }


# --- the functional administrator -----------------------------------------------------------


def test_the_user_form_shows_beheer_no_role_or_rights_fields(client, beheer, colleague):
    client.force_login(beheer)
    response = client.get(reverse("admin:auth_user_change", args=[colleague.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert not set(FORBIDDEN_FIELDS) & set(form.fields)
    page = response.content.decode()
    for name in FORBIDDEN_FIELDS:
        assert f'name="{name}"' not in page
    assert "Generalist" in page  # the roles are shown, read-only


def test_a_crafted_post_to_the_change_view_changes_the_name_but_no_rights(
    client, beheer, colleague
):
    client.force_login(beheer)
    before = RoleChange.objects.count()
    response = client.post(
        reverse("admin:auth_user_change", args=[colleague.pk]), crafted(colleague, **escalation())
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    colleague.refresh_from_db()
    assert colleague.first_name == "Nieuwe"  # what beheer may change, changed
    assert not colleague.is_superuser and not colleague.is_staff
    assert list(colleague.groups.values_list("name", flat=True)) == [Role.GENERALIST]
    assert not colleague.user_permissions.exists()
    assert RoleChange.objects.count() == before


def test_a_crafted_post_to_the_add_view_makes_a_user_without_rights(client, beheer):
    client.force_login(beheer)
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "nieuweling",
            "usable_password": "true",
            "password1": "een-Lang-wachtwoord-42",
            "password2": "een-Lang-wachtwoord-42",
            **escalation(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = type(beheer).objects.get(username="nieuweling")
    assert not user.is_superuser and not user.is_staff
    assert not user.groups.exists() and not user.user_permissions.exists()


def test_beheer_cannot_give_themselves_rights_either(client, beheer):
    client.force_login(beheer)
    response = client.post(
        reverse("admin:auth_user_change", args=[beheer.pk]), crafted(beheer, **escalation())
    )
    assert response.status_code == 302
    beheer.refresh_from_db()
    assert not beheer.is_superuser
    assert list(beheer.groups.values_list("name", flat=True)) == [Role.FUNCTIONAL_ADMIN]
    assert not beheer.user_permissions.exists()


@pytest.mark.parametrize("target", ["superuser", "staff"])
def test_beheer_cannot_edit_a_superuser_or_another_admin(client, beheer, root, target):
    other = root if target == "superuser" else UserFactory(username="staf", is_staff=True)
    client.force_login(beheer)
    change_url = reverse("admin:auth_user_change", args=[other.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # read-only
    assert client.post(change_url, crafted(other, first_name="Gekaapt")).status_code == 403
    password_url = reverse("admin:auth_user_password_change", args=[other.pk])
    assert client.get(password_url).status_code == 403
    response = client.post(
        password_url,
        {
            "password1": "x-Overgenomen-42",
            "password2": "x-Overgenomen-42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.first_name != "Gekaapt"
    assert other.check_password("wijkwerk-test")


def test_beheer_cannot_delete_users_or_touch_roles_and_their_permissions(client, beheer, colleague):
    client.force_login(beheer)
    delete_url = reverse("admin:auth_user_delete", args=[colleague.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    group = Group.objects.get(name=Role.GENERALIST)
    for url in (
        reverse("admin:auth_group_changelist"),
        reverse("admin:auth_group_add"),
        reverse("admin:auth_group_change", args=[group.pk]),
        reverse("admin:teams_rolechange_changelist"),
    ):
        assert client.get(url).status_code == 403, url
    anything = Permission.objects.get(codename="change_group")
    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": group.name, "permissions": [str(anything.pk)]},
    )
    assert response.status_code == 403
    assert not group.permissions.filter(pk=anything.pk).exists()
    assert type(beheer).objects.filter(pk=colleague.pk).exists()


def test_beheer_manages_team_membership_and_the_equated_days(client, beheer, colleague):
    team = TeamFactory()
    client.force_login(beheer)
    response = client.post(
        reverse("admin:auth_user_change", args=[colleague.pk]),
        crafted(
            colleague,
            **{
                "team_memberships-TOTAL_FORMS": "1",
                "team_memberships-0-team": str(team.pk),
                "team_memberships-0-profile": "hulpverlener",
                "team_memberships-0-contract_hours": "24",
                "team_memberships-0-active": "on",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Team.objects.get(pk=team.pk).members.get().user == colleague
    response = client.post(
        reverse("admin:cases_equatedday_add"),
        {"day": "2027-05-06", "description": "Dag na Hemelvaart"},
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get(content_type__model="equatedday")
    assert entry.user == beheer and entry.is_addition()


def test_the_role_has_exactly_its_permissions(beheer):
    names = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=Role.FUNCTIONAL_ADMIN).permissions.select_related(
            "content_type"
        )
    }
    assert {"auth.change_user", "teams.change_team", "networks.change_apiclient"} <= names
    assert {"cases.change_equatedday", "cases.view_resident"} <= names
    for refused in (
        "auth.change_group",
        "auth.add_permission",
        "auth.delete_user",
        "cases.view_household",
        "cases.change_resident",
        "cases.view_consent",
        "cases.view_kitchentableconversation",
        "cases.view_signal",
        "cases.view_correctionrequest",
        "cases.view_accesslogentry",
        "teams.view_rolechange",
    ):
        assert refused not in names, refused


def test_a_permission_given_to_the_role_by_hand_is_taken_back_and_recorded(beheer):
    group = Group.objects.get(name=Role.FUNCTIONAL_ADMIN)
    group.permissions.add(Permission.objects.get(codename="change_group"))
    services.role_permissions_ensure()  # after every migrate
    assert not group.permissions.filter(codename="change_group").exists()
    change = RoleChange.objects.get(kind=RoleChangeKind.PERMISSION_REMOVED)
    assert (change.group_name, change.permission, change.by_username) == (
        Role.FUNCTIONAL_ADMIN,
        "auth.change_group",
        "",
    )


# --- the superuser --------------------------------------------------------------------------


def test_a_superuser_grants_roles_and_rights_and_each_is_recorded(client, root, colleague):
    client.force_login(root)
    privacy = Group.objects.get(name=Role.PRIVACY_OFFICER)
    response = client.post(
        reverse("admin:auth_user_change", args=[colleague.pk]),
        crafted(colleague, is_staff="on", groups=[str(privacy.pk)]),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    colleague.refresh_from_db()
    assert colleague.is_staff and not colleague.is_superuser
    assert list(colleague.groups.values_list("name", flat=True)) == [Role.PRIVACY_OFFICER]
    changes = RoleChange.objects.filter(user=colleague, by=root)
    assert sorted(changes.values_list("kind", "group_name")) == [
        (RoleChangeKind.ROLE_ADDED, Role.PRIVACY_OFFICER),
        (RoleChangeKind.ROLE_REMOVED, Role.GENERALIST),
        (RoleChangeKind.STAFF_GRANTED, ""),
    ]
    assert {change.by_username for change in changes} == {"root"}
    assert {change.username for change in changes} == {"collega"}


def test_a_superuser_changes_a_roles_permissions_recorded(client, root):
    client.force_login(root)
    group = Group.objects.get(name=Role.POLICY_OFFICER)
    permission = Permission.objects.get(codename="view_team")
    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": group.name, "permissions": [str(permission.pk)]},
    )
    assert response.status_code == 302
    change = RoleChange.objects.get(group_name=Role.POLICY_OFFICER)
    assert (change.kind, change.permission, change.by) == (
        RoleChangeKind.PERMISSION_ADDED,
        "teams.view_team",
        root,
    )
    # a role's group cannot be deleted: the app asks for it by name
    delete_url = reverse("admin:auth_group_delete", args=[group.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403


# --- the service ----------------------------------------------------------------------------


def test_only_a_superuser_or_the_system_may_change_rights(beheer, colleague, root):
    privacy = Group.objects.get(name=Role.PRIVACY_OFFICER)
    before = RoleChange.objects.count()
    for attempt in (
        lambda: services.user_access_set(user=colleague, by=beheer, is_superuser=True),
        lambda: services.user_access_set(user=colleague, by=beheer, roles=[privacy]),
        lambda: services.user_role_assign(user=colleague, role=Role.CONSULTANT, by=beheer),
        lambda: services.group_permissions_set(group=privacy, permissions=[], by=beheer),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    colleague.refresh_from_db()
    assert not colleague.is_superuser
    assert RoleChange.objects.count() == before
    inactive = UserFactory(username="oud", is_staff=True, is_superuser=True, is_active=False)
    with pytest.raises(PermissionDenied):
        services.user_access_set(user=colleague, by=inactive, is_staff=True)
    services.user_role_assign(user=colleague, role=Role.CONSULTANT, by=root)
    services.user_role_assign(user=colleague, role=Role.CONSULTANT, by=root)  # once recorded
    change = RoleChange.objects.get(group_name=Role.CONSULTANT)
    assert (change.kind, change.by, change.user) == (RoleChangeKind.ROLE_ADDED, root, colleague)


def test_giving_the_functional_admin_role_records_the_role_and_admin_access(db):
    user = UserFactory(username="nieuwe-beheerder")
    services.user_role_assign(user=user, role=Role.FUNCTIONAL_ADMIN)
    assert sorted(RoleChange.objects.filter(user=user).values_list("kind", "by_username")) == [
        (RoleChangeKind.ROLE_ADDED, ""),
        (RoleChangeKind.STAFF_GRANTED, ""),
    ]


def test_the_record_is_append_only_also_for_the_database(colleague):
    change = RoleChange.objects.filter(user=colleague).first()
    assert change is not None  # the factory's role was recorded
    change.username = "iemand-anders"
    with pytest.raises(RoleChangeAppendOnlyError):
        change.save()
    with pytest.raises(RoleChangeAppendOnlyError):
        change.delete()
    with pytest.raises(RoleChangeAppendOnlyError):
        RoleChange.objects.update(username="x")
    with pytest.raises(RoleChangeAppendOnlyError):
        RoleChange.objects.all().delete()
    for sql in (
        "UPDATE teams_rolechange SET username = 'x' WHERE id = %s",
        "DELETE FROM teams_rolechange WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [change.pk])
    assert RoleChange.objects.filter(pk=change.pk, username="collega").exists()


def test_deleting_a_user_keeps_their_record(root, colleague):
    TeamMemberFactory(user=colleague)
    colleague.team_memberships.all().delete()
    pk = colleague.pk
    colleague.delete()
    assert RoleChange.objects.filter(user_id=pk, username="collega").exists()
