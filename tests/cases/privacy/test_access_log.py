"""The access log: append-only on every level, and written by the household screens."""

import uuid

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from cases.audit import access_log_record
from cases.privacy.models import (
    AccessAction,
    AccessContext,
    AccessLogEntry,
    AccessResult,
    AppendOnlyError,
)
from teams.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def entry(generalist):
    return access_log_record(
        request_or_user=generalist,
        action=AccessAction.VIEW,
        object_type="household",
        household_uuid=uuid.uuid4(),
    )


def all_text_of(entries) -> str:
    return " ".join(str(value) for row in entries.values() for value in row.values())


# --- the service ----------------------------------------------------------------------------


def test_record_from_a_request_copies_who_and_from_where(generalist):
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="x" * 1000)
    request.user = generalist
    household_uuid, resident_uuid = uuid.uuid4(), uuid.uuid4()
    entry = access_log_record(
        request_or_user=request,
        action=AccessAction.PRINT,
        object_type="household",
        object_id=household_uuid,
        household_uuid=household_uuid,
        resident_uuids=[resident_uuid, resident_uuid],
        context=AccessContext.BREAK_GLASS,
        reason="Crisis: dakloosheid dreigt vandaag.",
    )
    entry.refresh_from_db()
    assert entry.user == generalist
    assert entry.username == "generalist"
    assert entry.role_names == Role.GENERALIST
    assert entry.ip_address == "192.0.2.7"
    assert len(entry.user_agent) == 300
    assert entry.household_uuid == household_uuid
    assert entry.resident_uuids == [str(resident_uuid)]
    assert entry.object_id == str(household_uuid)
    assert entry.result == AccessResult.ALLOWED
    assert entry.context == AccessContext.BREAK_GLASS


def test_record_for_a_user_without_a_request(generalist):
    entry = access_log_record(request_or_user=generalist, action=AccessAction.EXPORT)
    assert entry.ip_address is None
    assert entry.user_agent == ""
    assert entry.username == "generalist"


def test_an_unknown_action_is_refused_by_the_database(generalist):
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.create(username="x", action="delete")


def test_entries_outlive_the_user(entry, generalist):
    generalist.delete()
    entry = AccessLogEntry.objects.get(pk=entry.pk)
    assert entry.username == "generalist"
    assert entry.role_names == Role.GENERALIST


# --- append-only ----------------------------------------------------------------------------


def test_the_model_refuses_to_change_or_delete(entry):
    entry.reason = "edited afterwards"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.filter(pk=entry.pk).update(reason="edited")
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.all().delete()
    assert AccessLogEntry.objects.get(pk=entry.pk).reason == ""


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE cases_accesslogentry SET reason = 'edited' WHERE id = %s",
        "DELETE FROM cases_accesslogentry WHERE id = %s",
    ],
)
def test_the_database_refuses_update_and_delete(entry, sql):
    assert connection.vendor == "postgresql"
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    assert AccessLogEntry.objects.filter(pk=entry.pk, reason="").exists()


def test_the_database_still_accepts_new_entries(entry):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_accesslogentry (at, username, role_names, action, object_type,"
            " object_id, resident_uuids, search_kind, result, context, reason, user_agent)"
            " VALUES (now(), 'psql', '', 'view', '', '', '[]', '', 'allowed', 'normal', '', '')"
        )
    assert AccessLogEntry.objects.count() == 2


def test_rows_without_a_user_stay_out_of_the_user_index_which_serves_a_users_rows(entry):
    """Partner systems and network links act without a user (50 rows for a page of
    allocations): the user index leaves their rows out and still serves a person's rows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_indexdef('accesslog_user_idx'::regclass)")
        assert cursor.fetchone()[0].endswith("WHERE (user_id IS NOT NULL)")
    rows = AccessLogEntry.objects.filter(user_id=entry.user_id).order_by("-at")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        assert "accesslog_user_idx" in rows.explain()
    assert list(rows) == [entry]


def test_the_admin_is_read_only(client, entry):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    change_url = reverse("admin:cases_accesslogentry_change", args=[entry.pk])
    assert client.get(reverse("admin:cases_accesslogentry_changelist")).status_code == 200
    response = client.get(change_url)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    assert client.post(change_url, {"reason": "x"}).status_code == 403
    assert client.get(reverse("admin:cases_accesslogentry_add")).status_code == 403
    delete_url = reverse("admin:cases_accesslogentry_delete", args=[entry.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert AccessLogEntry.objects.filter(pk=entry.pk, reason="").exists()


# --- the household screens write it ---------------------------------------------------------


def test_opening_a_household_writes_exactly_one_view_row(client, generalist, make_household):
    household = make_household(residents=3)
    client.force_login(generalist)
    response = client.get(reverse("cases:household_detail", args=[household.uuid]))
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert entry.action == AccessAction.VIEW
    assert entry.result == AccessResult.ALLOWED
    assert entry.object_type == "household"
    assert entry.household_uuid == household.uuid
    assert entry.user == generalist
    assert sorted(entry.resident_uuids) == sorted(
        str(m.resident.uuid) for m in household.memberships.all()
    )
    assert entry.ip_address == "127.0.0.1"


def test_a_household_of_another_district_is_logged_as_not_found(
    client, generalist, make_household, other_area
):
    foreign = make_household(neighbourhood=other_area["neighbourhood"])
    client.force_login(generalist)
    for household_uuid in (foreign.uuid, uuid.uuid4()):
        url = reverse("cases:household_detail", args=[household_uuid])
        assert client.get(url).status_code == 404
    entries = AccessLogEntry.objects.order_by("pk")
    assert [e.result for e in entries] == [AccessResult.NOT_FOUND] * 2
    assert entries[0].household_uuid == foreign.uuid
    assert entries[0].resident_uuids == []


def test_a_role_without_access_is_logged_as_denied(client, user_with_role, make_household):
    household = make_household()
    client.force_login(user_with_role(Role.POLICY_OFFICER))
    assert client.get(reverse("cases:household_detail", args=[household.uuid])).status_code == 403
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.result) == (AccessAction.VIEW, AccessResult.DENIED)
    assert entry.household_uuid == household.uuid


def test_a_search_logs_its_kind_and_count_never_the_query(client, generalist, make_household):
    household = make_household(residents=2)
    resident = household.memberships.first().resident
    make_household()
    client.force_login(generalist)
    url = reverse("cases:household_search")
    client.post(url, {"q": resident.bsn}, headers={"HX-Request": "true"})
    client.post(url, {"q": "5611"})
    client.post(url, {"q": resident.last_name})
    client.post(url, {"q": "111222334"})  # invalid BSN: nothing searched, nothing logged
    client.post(url, {"q": "a"})  # too short: nothing searched
    client.get(url)  # the empty search page
    entries = AccessLogEntry.objects.order_by("pk")
    assert [(e.action, e.search_kind, e.result_count) for e in entries] == [
        (AccessAction.SEARCH, "bsn", 1),
        (AccessAction.SEARCH, "postcode", 2),
        (AccessAction.SEARCH, "name", 1),
    ]
    text = all_text_of(entries)
    assert resident.bsn not in text
    assert resident.last_name not in text
    assert "5611" not in text


def test_changing_an_address_logs_a_view_and_a_change(client, generalist, make_household):
    household = make_household()
    url = reverse("cases:household_edit", args=[household.uuid])
    client.force_login(generalist)
    client.get(url)
    data = {
        "postcode": "5611AB",
        "house_number": household.house_number,
        "street": "Nieuwe straat",
        "city": "Dommelstede",
        "version": household.version,
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "street": ""}).status_code == 200  # invalid: not saved
    entries = AccessLogEntry.objects.order_by("pk")
    assert [(e.action, e.object_type) for e in entries] == [
        (AccessAction.VIEW, "household"),
        (AccessAction.CHANGE, "household"),
        (AccessAction.VIEW, "household"),  # the invalid post changed nothing: shown again
    ]
    assert {e.household_uuid for e in entries} == {household.uuid}


def test_a_consultant_trying_to_edit_is_logged_as_denied(client, consultant, make_application):
    household = make_application().household  # the consultant decides its application
    client.force_login(consultant)
    assert client.get(reverse("cases:household_edit", args=[household.uuid])).status_code == 403
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.result) == (AccessAction.CHANGE, AccessResult.DENIED)


def test_resident_changes_are_logged_per_resident(client, generalist, make_household):
    household = make_household()
    resident = household.memberships.get().resident
    client.force_login(generalist)
    edit_url = reverse("cases:resident_edit", args=[household.uuid, resident.uuid])
    client.get(edit_url)
    response = client.post(
        edit_url, {"first_name": "Bep", "last_name": resident.last_name, "bsn": resident.bsn}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("cases:resident_add", args=[household.uuid]),
        {"first_name": "Kees", "last_name": "Jansen", "role": "child"},
    )
    assert response.status_code == 302
    newcomer = household.memberships.get(resident__first_name="Kees").resident
    response = client.post(
        reverse("cases:membership_end", args=[household.uuid, newcomer.uuid]),
        {"end_date": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    entries = AccessLogEntry.objects.order_by("pk")
    assert [(e.action, e.object_type, e.object_id) for e in entries] == [
        (AccessAction.VIEW, "resident", str(resident.uuid)),
        (AccessAction.CHANGE, "resident", str(resident.uuid)),
        (AccessAction.CHANGE, "resident", str(newcomer.uuid)),
        (AccessAction.CHANGE, "resident", str(newcomer.uuid)),
    ]
    assert [e.resident_uuids for e in entries][-1] == [str(newcomer.uuid)]
