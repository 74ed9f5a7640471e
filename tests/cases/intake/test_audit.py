"""The access log of intake writes (issue #14): meldingen, signals, kitchen-table conversations
and the informal network. The service writes the one "allowed change" row inside the write's
transaction; a failed or refused write leaves none."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.households.models import Household
from cases.intake import services as intake_services
from cases.intake.models import (
    InformalNetworkMember,
    KitchenTableConversation,
    LifeDomain,
    MeldingChannel,
    SignalStatus,
)
from cases.privacy.models import AccessAction, AccessLogEntry, AccessResult
from tests.cases.intake_factories import SignalFactory, assessment_post
from tests.factories import ConversationFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def mark() -> int:
    return AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def changes_after(before: int):
    return AccessLogEntry.objects.filter(
        pk__gt=before, action=AccessAction.CHANGE, result=AccessResult.ALLOWED
    )


def rows_after(before: int):
    return list(
        AccessLogEntry.objects.filter(pk__gt=before)
        .order_by("pk")
        .values_list("action", "result", "household_uuid")
    )


def fail_after_the_row(monkeypatch):
    """The service writes its row and then fails: the row rolls back with the change."""
    real = intake_services.audit_change

    def write_then_fail(**kwargs):
        real(**kwargs)
        raise ValidationError("failed after the row was written")

    monkeypatch.setattr(intake_services, "audit_change", write_then_fail)


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def household(make_household, generalist):
    return make_household(residents=2, coordinator=generalist)


@pytest.fixture
def outsiders(make_application, consultant, household, other_area):
    """A consultant who may open the file but not work in it, and a generalist elsewhere."""
    make_application(household=household)
    return consultant, TeamMemberFactory(team=other_area["team"]).user


def melding_payload(**overrides):
    return {
        "received_on": TODAY.isoformat(),
        "channel": MeldingChannel.PHONE,
        "question": "Ik red het niet meer met de boodschappen.",
        **overrides,
    }


def conversation_payload(**overrides):
    return {
        "held_on": TODAY.isoformat(),
        "place": "thuis",
        "resident_story": "We redden het niet meer met de rekeningen.",
        **assessment_post({LifeDomain.FINANCES: 1}),
        **overrides,
    }


# --- melding ----------------------------------------------------------------------------------


def test_a_melding_writes_one_change_row(client_as, generalist, household):
    before = mark()
    url = reverse("cases:melding_register", args=[household.uuid])
    assert client_as(generalist).post(url, melding_payload()).status_code == 302
    melding = household.meldingen.get()
    row = changes_after(before).get()
    assert (row.object_type, row.object_id, row.household_uuid) == (
        "melding",
        str(melding.uuid),
        household.uuid,
    )
    assert len(rows_after(before)) == 1


def test_a_failed_or_refused_melding_leaves_no_change_row(
    client_as, generalist, household, outsiders, monkeypatch
):
    consultant, stranger = outsiders
    url = reverse("cases:melding_register", args=[household.uuid])
    before = mark()
    assert client_as(generalist).post(url, melding_payload(question="")).status_code == 200
    assert client_as(consultant).post(url, melding_payload()).status_code == 403
    assert client_as(stranger).post(url, melding_payload()).status_code == 404
    assert rows_after(before) == [
        ("view", "allowed", household.uuid),  # the form shown again
        ("change", "denied", household.uuid),
        ("change", "not_found", household.uuid),
    ]
    fail_after_the_row(monkeypatch)
    assert client_as(generalist).post(url, melding_payload()).status_code == 200
    assert not changes_after(before).exists()
    assert not household.meldingen.exists()


# --- kitchen-table conversation ---------------------------------------------------------------


def test_recording_and_amending_a_conversation_write_one_change_row_each(
    client_as, generalist, household
):
    client = client_as(generalist)
    before = mark()
    response = client.post(
        reverse("cases:conversation_create", args=[household.uuid]), conversation_payload()
    )
    assert response.status_code == 302
    conversation = KitchenTableConversation.objects.get()
    response = client.post(
        reverse("cases:conversation_remarks", args=[conversation.uuid]),
        {"resident_remarks": "Het klopt, maar de huur is al betaald."},
    )
    assert response.status_code == 302
    rows = changes_after(before).order_by("pk")
    assert [(r.object_type, r.object_id, r.household_uuid) for r in rows] == [
        ("conversation", str(conversation.uuid), household.uuid),
    ] * 2
    assert len(rows_after(before)) == 2


def test_a_failed_or_refused_conversation_leaves_no_change_row(
    client_as, generalist, household, outsiders, monkeypatch
):
    consultant, stranger = outsiders
    conversation = ConversationFactory(household=household, conducted_by=generalist)
    create = reverse("cases:conversation_create", args=[household.uuid])
    remarks = reverse("cases:conversation_remarks", args=[conversation.uuid])
    before = mark()
    invalid = conversation_payload(resident_story="")
    assert client_as(generalist).post(create, invalid).status_code == 200
    assert client_as(consultant).post(create, conversation_payload()).status_code == 403
    assert client_as(stranger).post(create, conversation_payload()).status_code == 404
    assert client_as(consultant).post(remarks, {"resident_remarks": "x"}).status_code == 403
    assert client_as(stranger).post(remarks, {"resident_remarks": "x"}).status_code == 404
    assert [(a, r) for a, r, _h in rows_after(before)] == [
        ("view", "allowed"),
        ("change", "denied"),
        ("change", "not_found"),
        ("change", "denied"),
        ("change", "not_found"),
    ]
    fail_after_the_row(monkeypatch)
    assert client_as(generalist).post(create, conversation_payload()).status_code == 200
    assert client_as(generalist).post(remarks, {"resident_remarks": "Nee"}).status_code == 200
    assert not changes_after(before).exists()
    assert KitchenTableConversation.objects.get() == conversation
    conversation.refresh_from_db()
    assert conversation.resident_remarks != "Nee"


# --- informal network -------------------------------------------------------------------------


def test_network_writes_log_once_and_not_when_they_fail(
    client_as, generalist, household, outsiders
):
    consultant, _stranger = outsiders
    url = reverse("cases:network_member_add", args=[household.uuid])
    data = {
        "kind": "neighbour",
        "name": "Buurman Kees",
        "contact": "",
        "contribution": "Boodschappen",
    }
    before = mark()
    assert client_as(generalist).post(url, {**data, "name": ""}).status_code == 200
    assert client_as(consultant).post(url, data).status_code == 403
    assert not changes_after(before).exists()
    assert client_as(generalist).post(url, data).status_code == 302
    member = InformalNetworkMember.objects.get()
    row = changes_after(before).get()
    assert (row.object_type, row.object_id, row.household_uuid) == (
        "network_member",
        str(member.uuid),
        household.uuid,
    )


# --- signals ----------------------------------------------------------------------------------


def test_signal_triage_logs_once_and_not_when_it_fails(client_as, generalist, area, other_area):
    signal = SignalFactory(team=area["team"], subject_name="Jan de Vries")
    convert = reverse("cases:signal_convert", args=[signal.uuid])
    new_household = {
        "household": "new",
        "received_on": TODAY.isoformat(),
        "question": "Hulp in huis",
        "new-postcode": "5611 AB",
        "new-house_number": "4",
        "new-street": "Dorpsstraat",
        "new-city": "Dommelstede",
        "person-first_name": "Jan",
        "person-last_name": "Vries",
        "person-role": "parent",
    }
    stranger = TeamMemberFactory(team=other_area["team"]).user
    before = mark()
    assert client_as(stranger).post(convert, new_household).status_code == 404
    # no household chosen: the service refuses
    response = client_as(generalist).post(
        convert, {"received_on": TODAY.isoformat(), "question": "Hulp"}
    )
    assert response.status_code == 200
    assert not changes_after(before).exists()
    assert [(a, r) for a, r, _h in rows_after(before)] == [
        ("change", "not_found"),
        ("view", "allowed"),
    ]
    # a new household, a melding and the signal handled: one write, one row
    assert client_as(generalist).post(convert, new_household).status_code == 302
    household = Household.objects.get()
    row = changes_after(before).get()
    assert (row.object_type, row.object_id, row.household_uuid) == (
        "signal",
        str(signal.uuid),
        household.uuid,
    )
    signal.refresh_from_db()
    assert signal.status == SignalStatus.CONVERTED


def test_closing_a_signal_logs_once(client_as, generalist, area):
    signal = SignalFactory(team=area["team"])
    url = reverse("cases:signal_close", args=[signal.uuid])
    before = mark()
    assert client_as(generalist).post(url, {"reason": ""}).status_code == 200
    assert not changes_after(before).exists()
    assert client_as(generalist).post(url, {"reason": "Zoon zorgt al"}).status_code == 302
    assert changes_after(before).get().object_id == str(signal.uuid)
