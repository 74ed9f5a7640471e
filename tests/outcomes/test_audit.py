"""The access-log row of a bottleneck (issue #14). A bottleneck holds no personal data; linked
to a household it adds that link to the household's file, and `bottleneck_record` logs that as
a `change` in its transaction. Without a household no file is touched and nothing is logged. A
failed or refused post leaves no allowed `change` row."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.privacy.models import AccessAction, AccessLogEntry, AccessResult
from outcomes.models import Bottleneck
from outcomes.services import bottleneck_record
from tests.factories import ResidentFactory

DATA = {
    "rule_kind": "wmo_regulation",
    "rule": "Verordening Wmo art. 4.2",
    "blocked": "Een bewoner kon geen traplift krijgen omdat de woning huur is.",
    "would_have_helped": "Ruimte voor maatwerk bij huurwoningen.",
}
URL = "outcomes:bottleneck_create"


def allowed_changes():
    return AccessLogEntry.objects.filter(action=AccessAction.CHANGE, result=AccessResult.ALLOWED)


@pytest.fixture
def household(make_household):
    household = make_household(residents=0)
    resident = ResidentFactory(first_name="Annelies", last_name="Verhoeven")
    household.memberships.create(resident=resident, role="parent")
    return household


def test_a_bottleneck_for_a_household_writes_one_change_row(client, generalist, household):
    client.force_login(generalist)
    response = client.post(reverse(URL), {**DATA, "huishouden": str(household.uuid)})
    assert response.status_code == 302 and Bottleneck.objects.exists()
    [row] = AccessLogEntry.objects.all()  # the request's only row, from the service
    assert (row.action, row.result, row.object_type) == (
        AccessAction.CHANGE,
        AccessResult.ALLOWED,
        "bottleneck",
    )
    # the household's UUID, not the bottleneck's: the log does not tie the two together
    assert row.household_uuid == household.uuid and row.object_id == str(household.uuid)
    assert row.user == generalist and row.ip_address


def test_a_bottleneck_without_a_household_touches_no_file(client, generalist):
    client.force_login(generalist)
    assert client.post(reverse(URL), DATA).status_code == 302
    assert Bottleneck.objects.exists()
    assert not AccessLogEntry.objects.exists()


def test_a_refused_bottleneck_writes_no_allowed_change(
    client, generalist, make_household, other_area
):
    foreign = make_household(neighbourhood=other_area["neighbourhood"])
    client.force_login(generalist)
    response = client.post(reverse(URL), {**DATA, "huishouden": str(foreign.uuid)})
    assert response.status_code == 404
    assert not Bottleneck.objects.exists()
    assert not allowed_changes().exists()
    [row] = AccessLogEntry.objects.all()
    assert (row.action, row.result) == (AccessAction.CHANGE, AccessResult.NOT_FOUND)
    # not a UUID at all: 404 too
    assert client.post(reverse(URL), {**DATA, "huishouden": "abc"}).status_code == 404


def test_a_failed_bottleneck_writes_a_view_and_no_change(client, generalist, household):
    client.force_login(generalist)
    data = {**DATA, "huishouden": str(household.uuid), "blocked": "Mevrouw Verhoeven."}
    response = client.post(reverse(URL), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not Bottleneck.objects.exists()
    assert not allowed_changes().exists()
    [row] = AccessLogEntry.objects.all()  # the form, with the address, shown again
    assert (row.action, row.result, row.household_uuid) == (
        AccessAction.VIEW,
        AccessResult.ALLOWED,
        household.uuid,
    )
    with pytest.raises(ValidationError):
        bottleneck_record(by=generalist, household=household, **{**DATA, "blocked": "5611 AB"})
    assert AccessLogEntry.objects.count() == 1


def test_the_row_is_part_of_the_recording(generalist, household):
    with (
        mock.patch("outcomes.services.audit_change", side_effect=RuntimeError("log down")),
        pytest.raises(RuntimeError),
    ):
        bottleneck_record(by=generalist, household=household, **DATA)
    assert not Bottleneck.objects.exists()
