"""The access-log rows of break the glass (issue #14): the opening writes its `break_glass` row
and the review its `change` row in the service's transaction; a failed or refused attempt
leaves no allowed row of either kind."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.privacy import services as bgsvc
from cases.privacy.models import (
    AccessAction,
    AccessContext,
    AccessLogEntry,
    AccessResult,
    BreakGlassAccess,
    BreakGlassVerdict,
)
from teams.roles import Role

REASON = "Acute crisis: de kinderen staan op straat en het wijkteam is niet bereikbaar."


def allowed(action):
    return AccessLogEntry.objects.filter(action=action, result=AccessResult.ALLOWED)


@pytest.fixture
def foreign(make_household, other_area):
    return make_household(neighbourhood=other_area["neighbourhood"], postcode="5641AA")


@pytest.fixture
def privacy_officer(user_with_role):
    return user_with_role(Role.PRIVACY_OFFICER, username="privacy")


# --- opening -----------------------------------------------------------------------------------


def test_opening_writes_one_break_glass_row(client, generalist, foreign):
    client.force_login(generalist)
    response = client.post(reverse("cases:break_glass", args=[foreign.uuid]), {"reason": REASON})
    assert response.status_code == 302
    grant = BreakGlassAccess.objects.get()
    [row] = AccessLogEntry.objects.all()  # the request's only row, from the service
    assert (row.object_type, row.object_id, row.household_uuid) == (
        "break_glass",
        str(grant.uuid),
        foreign.uuid,
    )
    assert (row.action, row.result, row.context) == (
        AccessAction.VIEW,
        AccessResult.ALLOWED,
        AccessContext.BREAK_GLASS,
    )
    assert row.reason == REASON and row.ip_address  # the request's context reached the service


def test_a_failed_or_refused_opening_writes_no_break_glass_row(
    client, generalist, user_with_role, foreign
):
    url = reverse("cases:break_glass", args=[foreign.uuid])
    client.force_login(generalist)
    assert client.post(url, {"reason": "te kort"}).status_code == 200  # shown again
    client.force_login(user_with_role(Role.POLICY_OFFICER))
    assert client.post(url, {"reason": REASON}).status_code == 403
    assert not BreakGlassAccess.objects.exists()
    assert not AccessLogEntry.objects.filter(context=AccessContext.BREAK_GLASS).exists()
    assert sorted(AccessLogEntry.objects.values_list("action", "result", "object_id")) == [
        (AccessAction.CHANGE, AccessResult.DENIED, str(foreign.uuid)),
        (AccessAction.VIEW, AccessResult.ALLOWED, str(foreign.uuid)),  # the form, read
    ]


def test_the_opening_and_its_row_are_one_transaction(generalist, foreign):
    with (
        mock.patch("cases.privacy.services.access_log_record", side_effect=RuntimeError("down")),
        pytest.raises(RuntimeError),
    ):
        bgsvc.break_glass_open(household=foreign, by=generalist, reason=REASON)
    assert not BreakGlassAccess.objects.exists()
    with pytest.raises(ValidationError):
        bgsvc.break_glass_open(household=foreign, by=generalist, reason="te kort")
    assert not AccessLogEntry.objects.exists()


# --- review ------------------------------------------------------------------------------------


@pytest.fixture
def grant(generalist, foreign):
    return bgsvc.break_glass_open(household=foreign, by=generalist, reason=REASON)


def test_a_review_writes_one_change_row(client, privacy_officer, grant, foreign):
    client.force_login(privacy_officer)
    url = reverse("privacy:break_glass_review", args=[grant.uuid])
    client.post(url, {"verdict": BreakGlassVerdict.JUSTIFIED, "review_note": "Terecht."})
    [row] = allowed(AccessAction.CHANGE)
    assert (row.object_type, row.object_id, row.household_uuid) == (
        "break_glass_review",
        str(grant.uuid),
        foreign.uuid,
    )
    assert row.user == privacy_officer and row.reason == BreakGlassVerdict.JUSTIFIED
    assert row.context == AccessContext.NORMAL


def test_a_failed_or_refused_review_writes_no_change_row(
    client, privacy_officer, generalist, grant
):
    url = reverse("privacy:break_glass_review", args=[grant.uuid])
    client.force_login(privacy_officer)
    client.post(url, {"verdict": BreakGlassVerdict.NOT_JUSTIFIED})  # a note is required
    client.force_login(generalist)
    assert client.post(url, {"verdict": BreakGlassVerdict.JUSTIFIED}).status_code == 403
    with pytest.raises(PermissionDenied):
        bgsvc.break_glass_review(grant=grant, by=generalist, verdict=BreakGlassVerdict.JUSTIFIED)
    grant.refresh_from_db()
    assert grant.reviewed_at is None
    assert not allowed(AccessAction.CHANGE).exists()
    # a second review is a conflict: one row, from the first
    bgsvc.break_glass_review(grant=grant, by=privacy_officer, verdict=BreakGlassVerdict.JUSTIFIED)
    with pytest.raises(bgsvc.ReviewConflictError):
        bgsvc.break_glass_review(
            grant=grant, by=privacy_officer, verdict=BreakGlassVerdict.NOT_JUSTIFIED, note="x"
        )
    assert allowed(AccessAction.CHANGE).count() == 1
