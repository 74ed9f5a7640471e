import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from cases.households import services as household_services
from cases.households.models import Household, HouseholdMembership, Resident
from cases.intake import services as intake_services
from tests.factories import HouseholdMembershipFactory, ResidentFactory

VALID_BSN = "111222333"
OTHER_VALID_BSN = "123456782"


def new_resident(**kwargs):
    data = {"first_name": "Anna", "last_name": "Jansen", "role": "parent", "bsn": VALID_BSN}
    data.update(kwargs)
    return household_services.NewResident(**data)


def create(generalist, **kwargs):
    fields = {
        "by": generalist,
        "street": "Kerkstraat",
        "house_number": 12,
        "postcode": "5611 ab",
        "city": "Dommelstede",
        "residents": [new_resident()],
    }
    fields.update(kwargs)
    return household_services.household_create(**fields)


def test_create_derives_neighbourhood_and_makes_the_generalist_coordinator(generalist, area):
    household = create(generalist)
    assert household.postcode == "5611AB"
    assert household.neighbourhood == area["neighbourhood"]
    assert household.coordinator == generalist
    membership = household.memberships.get()
    assert membership.resident.bsn == VALID_BSN
    assert membership.end_date is None


def test_postcode_outside_the_municipality_has_no_neighbourhood(generalist):
    household = create(generalist, postcode="9999 ZZ")
    assert household.neighbourhood is None


@pytest.mark.parametrize(
    ("bsn", "message"),
    [("111222334", "elfproef"), ("12345", "9 cijfers"), ("abcdefghi", "9 cijfers")],
)
def test_invalid_bsn_saves_nothing(generalist, bsn, message):
    with pytest.raises(ValidationError) as excinfo:
        create(generalist, residents=[new_resident(bsn=bsn)])
    assert message in str(excinfo.value)
    assert not Household.objects.exists()
    assert not Resident.objects.exists()


def test_a_bsn_living_elsewhere_saves_nothing(generalist):
    # a registered BSN is the person moving in (#16); one who still lives elsewhere is refused
    HouseholdMembershipFactory(resident=ResidentFactory(bsn=VALID_BSN))
    households = Household.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        create(generalist, residents=[new_resident(bsn=OTHER_VALID_BSN), new_resident()])
    assert "woont nog in een ander huishouden" in str(excinfo.value)
    assert Household.objects.count() == households
    assert Resident.objects.count() == 1


def test_a_registered_bsn_without_a_household_moves_in_with_its_record(generalist):
    person = ResidentFactory(bsn=VALID_BSN)
    household = create(generalist, residents=[new_resident()])
    assert household.memberships.get().resident == person


def test_malformed_postcode_saves_nothing(generalist):
    with pytest.raises(ValidationError) as excinfo:
        create(generalist, postcode="1234 SA")
    assert "postcode" in str(excinfo.value)
    assert not Household.objects.exists()


def test_database_enforces_bsn_uniqueness_and_format(db):
    ResidentFactory(bsn=VALID_BSN)
    with pytest.raises(IntegrityError):
        Resident.objects.create(first_name="A", last_name="B", bsn=VALID_BSN)


def test_residents_without_bsn_may_coexist(db):
    Resident.objects.create(first_name="A", last_name="B", bsn=None)
    Resident.objects.create(first_name="C", last_name="D", bsn=None)
    assert Resident.objects.filter(bsn__isnull=True).count() == 2


def test_update_detects_a_concurrent_edit(generalist):
    household = create(generalist)
    stale_version = household.version
    household_services.household_update(
        household=household, by=generalist, expected_version=stale_version, street="Molenweg"
    )
    stale_copy = Household.objects.get(pk=household.pk)
    with pytest.raises(household_services.ConcurrentEditError):
        household_services.household_update(
            household=stale_copy,
            by=generalist,
            expected_version=stale_version,
            street="Dorpsstraat",
        )
    household.refresh_from_db()
    assert household.street == "Molenweg"
    assert household.version == stale_version + 1


def test_moving_out_keeps_history_and_allows_a_new_household(generalist):
    household = create(generalist, moved_in_on=datetime.date(2020, 1, 1))
    membership = household.memberships.get()
    household_services.membership_end(
        membership=membership, by=generalist, end_date=datetime.date(2026, 1, 31)
    )
    new_home = create(generalist, street="Molenweg", residents=[])
    HouseholdMembership.objects.create(
        household=new_home,
        resident=membership.resident,
        role="other",
        start_date=datetime.date(2026, 2, 1),
    )
    assert household.memberships.count() == 1
    assert list(HouseholdMembership.objects.current().filter(resident=membership.resident)) == [
        HouseholdMembership.objects.get(household=new_home)
    ]


def test_a_resident_cannot_live_in_two_households_at_once(generalist):
    household = create(generalist)
    resident = household.memberships.get().resident
    other = create(generalist, street="Molenweg", residents=[])
    with pytest.raises(IntegrityError):
        HouseholdMembership.objects.create(household=other, resident=resident, role="other")


def test_ending_a_membership_twice_is_refused(generalist):
    membership = create(generalist).memberships.get()
    household_services.membership_end(membership=membership, by=generalist)
    with pytest.raises(ValidationError):
        household_services.membership_end(membership=membership, by=generalist)


def test_melding_starts_the_six_week_investigation_clock(generalist):
    household = create(generalist)
    melding = intake_services.melding_register(
        household=household,
        by=generalist,
        channel="phone",
        question="Ik red het niet meer met de administratie.",
        received_on=datetime.date(2026, 11, 2),
    )
    assert melding.investigation_deadline == datetime.date(2026, 12, 14)
    assert melding.status == "open"
