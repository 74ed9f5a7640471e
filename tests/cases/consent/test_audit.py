"""The access-log row of a consent write (issue #14): the service records the change in the
write's transaction, so a failed or refused write leaves no allowed `change` row and a
successful one exactly one, naming the household and the resident."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.consent.models import Consent
from cases.consent.services import consent_record, consent_withdraw
from cases.privacy.models import AccessAction, AccessLogEntry, AccessResult
from teams.roles import Role
from tests.factories import OrganisationFactory, TeamMemberFactory
from tests.provision_factories import ApplicationFactory

TODAY = timezone.localdate()
HTMX = {"HTTP_HX_REQUEST": "true"}


def allowed_changes():
    return AccessLogEntry.objects.filter(action=AccessAction.CHANGE, result=AccessResult.ALLOWED)


@pytest.fixture
def household(make_household, generalist):
    return make_household(residents=2, coordinator=generalist)


@pytest.fixture
def resident(household):
    return household.memberships.order_by("pk").first().resident


@pytest.fixture
def org(db):
    return OrganisationFactory(name="Zorggroep De Linde")


@pytest.fixture
def consultant(user_with_role, household, generalist):
    """May open the file (an application of the household is theirs) but not record consent."""
    user = user_with_role(Role.CONSULTANT)
    ApplicationFactory(household=household, applied_by=generalist, assigned_to=user)
    return user


@pytest.fixture
def outsider(other_area):
    return TeamMemberFactory(team=other_area["team"]).user


def _fields(resident, org, **extra):
    return {
        "resident": resident,
        "organisation": org,
        "categories": ["progress"],
        "purpose": "progress_reports",
        "given_by": "de inwoner",
        "given_on": TODAY - datetime.timedelta(days=3),
        **extra,
    }


def _post_data(resident, org, **extra):
    return {
        "resident": resident.pk,
        "organisation": org.pk,
        "categories": ["progress"],
        "purpose": "progress_reports",
        "given_by": "de inwoner",
        "given_on": TODAY.isoformat(),
        **extra,
    }


# --- record ------------------------------------------------------------------------------------


def test_recording_writes_one_change_row_with_household_and_resident(
    client, generalist, household, resident, org
):
    client.force_login(generalist)
    url = reverse("cases:consent_create", args=[household.uuid])
    response = client.post(url, _post_data(resident, org), **HTMX)
    assert response.status_code == 200
    consent = Consent.objects.get()
    row = allowed_changes().get()
    assert (row.object_type, row.object_id) == ("consents", str(consent.uuid))
    assert row.household_uuid == household.uuid
    assert row.resident_uuids == [str(resident.uuid)]
    assert row.user == generalist and row.ip_address  # the request's context reached the service
    assert AccessLogEntry.objects.count() == 1  # the request's only row


def test_recording_with_errors_writes_a_view_and_no_change(
    client, generalist, household, resident, org
):
    client.force_login(generalist)
    url = reverse("cases:consent_create", args=[household.uuid])
    response = client.post(url, _post_data(resident, org, legal_basis="on"), **HTMX)
    assert response.status_code == 200 and response.context["form"].errors
    assert not Consent.objects.exists()
    assert not allowed_changes().exists()
    [row] = AccessLogEntry.objects.all()
    assert (row.action, row.result, row.household_uuid) == (
        AccessAction.VIEW,
        AccessResult.ALLOWED,
        household.uuid,
    )


def test_a_refused_recording_writes_no_allowed_change(
    client, consultant, outsider, household, resident, org
):
    url = reverse("cases:consent_create", args=[household.uuid])
    client.force_login(consultant)
    assert client.post(url, _post_data(resident, org)).status_code == 403
    client.force_login(outsider)
    assert client.post(url, _post_data(resident, org)).status_code == 404
    assert not Consent.objects.exists()
    assert not allowed_changes().exists()
    assert sorted(AccessLogEntry.objects.values_list("action", "result")) == [
        (AccessAction.CHANGE, AccessResult.DENIED),
        (AccessAction.CHANGE, AccessResult.NOT_FOUND),
    ]


def test_the_service_refuses_and_fails_without_a_row(consultant, generalist, resident, org):
    with pytest.raises(PermissionDenied):
        consent_record(**_fields(resident, org), by=consultant)
    with pytest.raises(ValidationError):
        consent_record(
            **_fields(resident, org, expires_on=TODAY - datetime.timedelta(days=9)), by=generalist
        )
    assert not Consent.objects.exists()
    assert not AccessLogEntry.objects.exists()


def test_the_row_is_part_of_the_recording(generalist, resident, org):
    """The row is written in the write's transaction: when it cannot be written, the consent
    is not recorded either."""
    with (
        mock.patch("cases.consent.services.audit_change", side_effect=RuntimeError("log down")),
        pytest.raises(RuntimeError),
    ):
        consent_record(**_fields(resident, org), by=generalist)
    assert not Consent.objects.exists()


# --- withdraw ----------------------------------------------------------------------------------


@pytest.fixture
def consent(generalist, resident, org):
    return consent_record(**_fields(resident, org), by=generalist)


def test_withdrawing_writes_one_change_row(client, generalist, household, resident, consent):
    before = AccessLogEntry.objects.get().pk  # the recording's row
    client.force_login(generalist)
    url = reverse("cases:consent_withdraw", args=[household.uuid, consent.uuid])
    assert client.post(url, {"withdrawn_on": TODAY.isoformat()}, **HTMX).status_code == 200
    row = allowed_changes().get(pk__gt=before)
    assert (row.object_type, row.object_id) == ("consents", str(consent.uuid))
    assert row.household_uuid == household.uuid and row.resident_uuids == [str(resident.uuid)]
    assert AccessLogEntry.objects.filter(pk__gt=before).count() == 1


def test_a_failed_withdrawal_writes_a_view_and_no_change(client, generalist, household, consent):
    before = AccessLogEntry.objects.get().pk
    client.force_login(generalist)
    url = reverse("cases:consent_withdraw", args=[household.uuid, consent.uuid])
    too_early = (consent.given_on - datetime.timedelta(days=1)).isoformat()
    for data in ({"withdrawn_on": too_early}, {"withdrawn_on": "geen datum"}):
        response = client.post(url, data, **HTMX)
        assert response.status_code == 200 and response.context["error"]
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
    rows = AccessLogEntry.objects.filter(pk__gt=before)
    assert [(r.action, r.result) for r in rows] == [(AccessAction.VIEW, AccessResult.ALLOWED)] * 2
    consent_withdraw(consent=consent, on=TODAY, by=generalist)
    withdrawn = allowed_changes().get(pk__gt=before)
    with pytest.raises(ValidationError):  # not twice
        consent_withdraw(consent=consent, on=TODAY, by=generalist)
    assert not AccessLogEntry.objects.filter(pk__gt=withdrawn.pk).exists()


def test_a_refused_withdrawal_writes_no_allowed_change(
    client, consultant, outsider, household, consent
):
    before = AccessLogEntry.objects.get().pk
    url = reverse("cases:consent_withdraw", args=[household.uuid, consent.uuid])
    client.force_login(consultant)
    assert client.post(url, {"withdrawn_on": TODAY.isoformat()}).status_code == 403
    client.force_login(outsider)
    assert client.post(url, {"withdrawn_on": TODAY.isoformat()}).status_code == 404
    with pytest.raises(PermissionDenied):
        consent_withdraw(consent=consent, on=TODAY, by=consultant)
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
    assert not allowed_changes().filter(pk__gt=before).exists()
    assert sorted(AccessLogEntry.objects.filter(pk__gt=before).values_list("action", "result")) == [
        (AccessAction.CHANGE, AccessResult.DENIED),
        (AccessAction.CHANGE, AccessResult.NOT_FOUND),
    ]


def test_withdrawing_another_households_consent_here_is_not_found(
    client, generalist, household, make_household, org
):
    other = make_household()
    foreign = consent_record(**_fields(other.memberships.first().resident, org), by=generalist)
    before = AccessLogEntry.objects.get().pk
    client.force_login(generalist)
    url = reverse("cases:consent_withdraw", args=[household.uuid, foreign.uuid])
    assert client.post(url, {"withdrawn_on": TODAY.isoformat()}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.withdrawn_on is None
    [row] = AccessLogEntry.objects.filter(pk__gt=before)
    assert (row.action, row.result, row.household_uuid) == (
        AccessAction.CHANGE,
        AccessResult.NOT_FOUND,
        household.uuid,
    )
