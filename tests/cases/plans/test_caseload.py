"""A team lead moves a departing member's households to a colleague."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.households import services as household_services
from cases.households.models import CoordinatorChange, Household
from teams.roles import Role
from tests.factories import HouseholdFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_setup(area):
    lead = TeamMemberFactory(team=area["team"], user__roles=[Role.TEAM_LEAD]).user
    leaving = TeamMemberFactory(team=area["team"], active=False).user
    staying = TeamMemberFactory(team=area["team"]).user
    return {"team": area["team"], "lead": lead, "leaving": leaving, "staying": staying}


def households_of(user, count, area):
    return HouseholdFactory.create_batch(
        count, coordinator=user, neighbourhood=area["neighbourhood"]
    )


def test_moves_households_and_records_each_move(team_setup, area):
    moved = households_of(team_setup["leaving"], 3, area)
    other = households_of(team_setup["staying"], 1, area)
    result = household_services.caseload_reassign(
        team=team_setup["team"],
        from_user=team_setup["leaving"],
        to_user=team_setup["staying"],
        by=team_setup["lead"],
    )
    assert (result.moved, result.remaining) == (3, 0)
    assert Household.objects.filter(coordinator=team_setup["staying"]).count() == 4
    changes = CoordinatorChange.objects.all()
    assert {c.household_id for c in changes} == {h.pk for h in moved}
    assert all(
        (c.from_user, c.to_user, c.changed_by)
        == (team_setup["leaving"], team_setup["staying"], team_setup["lead"])
        for c in changes
    )
    assert Household.objects.get(pk=moved[0].pk).version == moved[0].version + 1
    assert Household.objects.get(pk=other[0].pk).version == other[0].version


def test_at_most_100_per_action(team_setup, area):
    households_of(team_setup["leaving"], 101, area)
    result = household_services.caseload_reassign(
        team=team_setup["team"],
        from_user=team_setup["leaving"],
        to_user=team_setup["staying"],
        by=team_setup["lead"],
        limit=500,
    )
    assert (result.moved, result.remaining) == (100, 1)
    assert CoordinatorChange.objects.count() == 100


def test_refuses_outsiders_inactive_targets_and_other_leads(team_setup, area, other_area):
    households_of(team_setup["leaving"], 2, area)
    outsider = TeamMemberFactory(team=other_area["team"]).user
    kwargs = {"team": team_setup["team"], "from_user": team_setup["leaving"]}
    with pytest.raises(ValidationError):
        household_services.caseload_reassign(**kwargs, to_user=outsider, by=team_setup["lead"])
    with pytest.raises(ValidationError):  # a member who left cannot receive households
        household_services.caseload_reassign(
            team=team_setup["team"],
            from_user=team_setup["staying"],
            to_user=team_setup["leaving"],
            by=team_setup["lead"],
        )
    other_lead = TeamMemberFactory(team=other_area["team"], user__roles=[Role.TEAM_LEAD]).user
    with pytest.raises(PermissionDenied):
        household_services.caseload_reassign(**kwargs, to_user=team_setup["staying"], by=other_lead)
    with pytest.raises(PermissionDenied):  # a generalist in the team is not its lead
        household_services.caseload_reassign(
            **kwargs, to_user=team_setup["staying"], by=team_setup["staying"]
        )
    assert Household.objects.filter(coordinator=team_setup["leaving"]).count() == 2
    assert not CoordinatorChange.objects.exists()


def test_view_moves_for_the_lead_and_hides_from_others(client, team_setup, area, other_area):
    households_of(team_setup["leaving"], 2, area)
    url = reverse("cases:caseload_reassign", args=[area["district"].code])
    members = {m.user: m.pk for m in team_setup["team"].members.all()}
    client.force_login(team_setup["lead"])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "from_member": members[team_setup["leaving"]],
            "to_member": members[team_setup["staying"]],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("teams:team_detail", args=[area["district"].code])
    assert Household.objects.filter(coordinator=team_setup["staying"]).count() == 2

    same = client.post(
        url,
        {"from_member": members[team_setup["staying"]]}
        | {"to_member": members[team_setup["staying"]]},
    )
    assert "Kies twee verschillende teamleden." in same.content.decode()

    other_lead = TeamMemberFactory(team=other_area["team"], user__roles=[Role.TEAM_LEAD]).user
    client.force_login(other_lead)
    assert client.get(url).status_code == 404
