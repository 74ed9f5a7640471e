"""The access-log rows of the AVG writes (issue #14): recording and answering a correction
request, and destroying a file whose retention expired. Each service writes its `change` row as
the last step of its transaction: a failed or refused write leaves no allowed `change` row, a
successful one exactly one, naming the resident's household."""

import datetime
import uuid
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.avg import services as avg_services
from cases.avg.models import CorrectionRequest, CorrectionStatus, DestructionRecord
from cases.avg.selectors import retention_facts
from cases.households.models import Household
from cases.legal_terms import add_months
from cases.privacy.models import AccessAction, AccessLogEntry, AccessResult
from teams.roles import Role
from tests.cases.avg_factories import file_build
from tests.factories import MeldingFactory

TODAY = timezone.localdate()


def allowed_changes():
    return AccessLogEntry.objects.filter(action=AccessAction.CHANGE, result=AccessResult.ALLOWED)


@pytest.fixture
def officer(user_with_role):
    return user_with_role(Role.PRIVACY_OFFICER, username="privacy")


@pytest.fixture
def household(make_household):
    return make_household(residents=2)


@pytest.fixture
def resident(household):
    return household.memberships.order_by("pk").first().resident


# --- recording a correction request ------------------------------------------------------------


def test_recording_writes_one_change_row(client, officer, household, resident):
    client.force_login(officer)
    url = reverse("avg:resident", args=[resident.uuid])
    response = client.post(url, {"received_on": TODAY.isoformat(), "what_is_wrong": "Adres"})
    assert response.status_code == 302
    correction = CorrectionRequest.objects.get()
    row = allowed_changes().get()
    assert (row.object_type, row.object_id) == ("correction_request", str(correction.uuid))
    assert row.household_uuid == household.uuid
    assert row.resident_uuids == [str(resident.uuid)]
    assert row.user == officer and row.ip_address  # the request's context reached the service
    assert AccessLogEntry.objects.count() == 1  # the request's only row


def test_a_failed_recording_writes_a_view_and_no_change(client, officer, household, resident):
    client.force_login(officer)
    url = reverse("avg:resident", args=[resident.uuid])
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    for data in ({"received_on": tomorrow, "what_is_wrong": "Adres"}, {"what_is_wrong": ""}):
        response = client.post(url, data)
        assert response.status_code == 200 and response.context["form"].errors
    assert not CorrectionRequest.objects.exists()
    assert not allowed_changes().exists()
    rows = AccessLogEntry.objects.order_by("pk")
    assert [(r.action, r.result, r.household_uuid) for r in rows] == [
        (AccessAction.VIEW, AccessResult.ALLOWED, household.uuid)
    ] * 2
    assert all(r.resident_uuids == [str(resident.uuid)] for r in rows)


def test_a_refused_recording_writes_no_allowed_change(client, generalist, officer, resident):
    client.force_login(generalist)
    url = reverse("avg:resident", args=[resident.uuid])
    assert client.post(url, {"what_is_wrong": "Adres"}).status_code == 403
    with pytest.raises(PermissionDenied):
        avg_services.correction_request_record(
            resident=resident, what_is_wrong="Adres", by=generalist
        )
    assert not CorrectionRequest.objects.exists()
    assert not allowed_changes().exists()
    [row] = AccessLogEntry.objects.all()
    assert (row.action, row.result, row.object_type) == (
        AccessAction.CHANGE,
        AccessResult.DENIED,
        "resident",
    )


def test_the_row_is_part_of_the_recording(officer, resident):
    with (
        mock.patch("cases.avg.services.audit_change", side_effect=RuntimeError("log down")),
        pytest.raises(RuntimeError),
    ):
        avg_services.correction_request_record(resident=resident, what_is_wrong="x", by=officer)
    assert not CorrectionRequest.objects.exists()


# --- answering it --------------------------------------------------------------------------------


@pytest.fixture
def correction(officer, resident):
    return avg_services.correction_request_record(
        resident=resident, what_is_wrong="Geboortedatum klopt niet", by=officer
    )


def _answer(**extra):
    return {"status": "granted", "outcome": "Aangepast", "handled_on": TODAY.isoformat(), **extra}


def test_answering_writes_one_change_row(client, officer, household, resident, correction):
    before = AccessLogEntry.objects.get().pk  # the recording's row
    client.force_login(officer)
    url = reverse("avg:correction_detail", args=[correction.uuid])
    assert client.post(url, _answer()).status_code == 302
    [row] = AccessLogEntry.objects.filter(pk__gt=before)
    assert (row.action, row.result) == (AccessAction.CHANGE, AccessResult.ALLOWED)
    assert (row.object_type, row.object_id) == ("correction_request", str(correction.uuid))
    assert row.household_uuid == household.uuid and row.resident_uuids == [str(resident.uuid)]


def test_a_failed_answer_writes_a_view_and_no_change(client, officer, household, correction):
    before = AccessLogEntry.objects.get().pk
    client.force_login(officer)
    url = reverse("avg:correction_detail", args=[correction.uuid])
    yesterday = (correction.received_on - datetime.timedelta(days=1)).isoformat()
    for data in (_answer(outcome=""), _answer(handled_on=yesterday)):
        response = client.post(url, data)
        assert response.status_code == 200 and response.context["form"].errors
    correction.refresh_from_db()
    assert correction.is_open
    rows = AccessLogEntry.objects.filter(pk__gt=before)
    assert [(r.action, r.result, r.household_uuid) for r in rows] == [
        (AccessAction.VIEW, AccessResult.ALLOWED, household.uuid)
    ] * 2
    # answered once: the second answer fails and writes nothing
    avg_services.correction_request_handle(
        correction=correction, status=CorrectionStatus.REFUSED, outcome="Klopt", by=officer
    )
    answered = allowed_changes().get(pk__gt=before)
    with pytest.raises(ValidationError):
        avg_services.correction_request_handle(
            correction=correction, status=CorrectionStatus.GRANTED, outcome="x", by=officer
        )
    assert not AccessLogEntry.objects.filter(pk__gt=answered.pk).exists()


def test_a_refused_answer_writes_no_allowed_change(client, generalist, correction):
    before = AccessLogEntry.objects.get().pk
    client.force_login(generalist)
    url = reverse("avg:correction_detail", args=[correction.uuid])
    assert client.post(url, _answer()).status_code == 403
    with pytest.raises(PermissionDenied):
        avg_services.correction_request_handle(
            correction=correction, status=CorrectionStatus.GRANTED, outcome="x", by=generalist
        )
    correction.refresh_from_db()
    assert correction.is_open
    assert not allowed_changes().filter(pk__gt=before).exists()
    [row] = AccessLogEntry.objects.filter(pk__gt=before)
    assert (row.action, row.result) == (AccessAction.CHANGE, AccessResult.DENIED)


def test_an_unknown_correction_request_is_not_found(client, officer):
    client.force_login(officer)
    url = reverse("avg:correction_detail", args=[uuid.uuid4()])
    assert client.post(url, _answer()).status_code == 404
    [row] = AccessLogEntry.objects.all()
    assert (row.action, row.result) == (AccessAction.CHANGE, AccessResult.NOT_FOUND)


# --- retention ---------------------------------------------------------------------------------


@pytest.fixture
def expired(make_household, area, generalist):
    """A household file closed 16 years ago under the Wmo (15 years): expired."""
    household = make_household(residents=1)
    on = add_months(TODAY, -16 * 12)
    file_build(household, on=on, team=area["team"], worker=generalist)
    [facts] = retention_facts(households=Household.objects.filter(pk=household.pk), today=TODAY)
    assert facts.expired(TODAY)
    return household, facts


def test_destruction_writes_one_change_row(expired, officer):
    household, facts = expired
    record = avg_services.household_destroy(
        facts=facts, run_id=facts.household_uuid, run_by="privacy", by=officer, today=TODAY
    )
    [row] = allowed_changes()
    assert (row.object_type, row.object_id) == ("destruction", str(record.uuid))
    assert row.household_uuid == household.uuid and row.user == officer
    assert facts.rule in row.reason


def test_the_destruction_row_is_written_in_the_destructions_transaction(expired):
    """When the row cannot be written, nothing is destroyed: the file, its record and its row
    commit together or not at all."""
    household, facts = expired
    with (
        mock.patch("cases.avg.services.audit_change", side_effect=RuntimeError("log down")),
        pytest.raises(RuntimeError),
    ):
        avg_services.household_destroy(
            facts=facts, run_id=facts.household_uuid, run_by="x", today=TODAY
        )
    assert Household.objects.filter(pk=household.pk).exists()
    assert household.memberships.exists()
    assert not DestructionRecord.objects.exists()
    assert not allowed_changes().exists()


def test_the_destruction_row_sees_the_destruction_done(expired):
    """The row is the transaction's last write: when it is written the file is gone already
    and its record saved (both visible inside the same transaction)."""
    household, facts = expired
    seen = {}
    real = avg_services.audit_change

    def audit_change(**kwargs):
        seen["household_left"] = Household.objects.filter(pk=household.pk).exists()
        seen["records"] = DestructionRecord.objects.count()
        return real(**kwargs)

    with mock.patch("cases.avg.services.audit_change", side_effect=audit_change):
        avg_services.household_destroy(
            facts=facts, run_id=facts.household_uuid, run_by="x", today=TODAY
        )
    assert seen == {"household_left": False, "records": 1}
    assert allowed_changes().count() == 1


def test_a_skipped_destruction_writes_no_row(expired):
    household, facts = expired
    MeldingFactory(household=household, question="Nieuwe vraag")
    assert (
        avg_services.household_destroy(
            facts=facts, run_id=facts.household_uuid, run_by="x", today=TODAY
        )
        is None
    )
    assert not AccessLogEntry.objects.exists()
