"""`cases.audit.access_log_record_many`: one row per item in one statement, what the rows share
sent once and what differs per row (PostgreSQL), or `bulk_create` (SQLite)."""

import datetime
import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.audit import access_log_record_many, break_glass_household_uuids
from cases.privacy.models import AccessContext, AccessLogEntry, BreakGlassAccess
from teams.roles import Role, user_roles
from tests.factories import UserFactory


def _rows():
    return {
        entry.object_id: entry
        for entry in AccessLogEntry.objects.filter(object_type="household-list-test")
    }


def test_each_item_gets_its_own_row_in_one_statement(db):
    user = UserFactory(roles=[Role.GENERALIST])
    households = [uuid.uuid4(), uuid.uuid4(), None]
    residents = [[uuid.uuid4(), uuid.uuid4()], [], [uuid.uuid4()]]
    items = [
        (f"item-{index}", household, people)
        for index, (household, people) in enumerate(zip(households, residents, strict=True))
    ]
    user_roles(user), break_glass_household_uuids(user)  # read once per request, as a view has
    with CaptureQueriesContext(connection) as queries:
        access_log_record_many(
            request_or_user=user, action="view", object_type="household-list-test", items=items
        )
    assert len(queries) == 1
    rows = _rows()
    assert set(rows) == {"item-0", "item-1", "item-2"}
    for object_id, household, people in items:
        row = rows[object_id]
        assert row.household_uuid == household
        assert row.resident_uuids == sorted(str(person) for person in people)
        assert (row.user_id, row.username, row.action) == (user.pk, user.username, "view")
        assert row.role_names == Role.GENERALIST.value
        assert row.context == AccessContext.NORMAL
    assert len({row.at for row in rows.values()}) == 1


def test_one_item_is_one_row(db):
    user = UserFactory(roles=[Role.GENERALIST])
    household = uuid.uuid4()
    access_log_record_many(
        request_or_user=user,
        action="view",
        object_type="household-list-test",
        items=[("only", household, [])],
    )
    [row] = _rows().values()
    assert (row.object_id, row.household_uuid, row.resident_uuids) == ("only", household, [])


def test_a_row_for_a_household_under_a_grant_says_break_the_glass(db):
    user = UserFactory(roles=[Role.GENERALIST])
    granted, other = uuid.uuid4(), uuid.uuid4()
    BreakGlassAccess.objects.create(
        user=user,
        household_uuid=granted,
        reason="crisis at night",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    access_log_record_many(
        request_or_user=user,
        action="view",
        object_type="household-list-test",
        items=[("granted", granted, []), ("other", other, [])],
    )
    rows = _rows()
    assert rows["granted"].context == AccessContext.BREAK_GLASS
    assert rows["other"].context == AccessContext.NORMAL
