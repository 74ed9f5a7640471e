import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection
from django.utils import timezone

from cases.households import services as household_services
from cases.households.models import HouseholdMembership, Resident, ResidentMergeRecord
from cases.intake import services as intake_services
from cases.intake.models import Melding, MeldingChannel, Signal, SignalSource, SignalStatus
from cases.intake.selectors import melding_investigation_deadline
from teams.roles import Role
from tests.cases.intake_factories import MeldingFactory, SignalFactory
from tests.factories import HouseholdMembershipFactory, ResidentFactory, TeamMemberFactory


def register(by, **kwargs):
    fields = {
        "by": by,
        "source_type": SignalSource.GP,
        "reporter_name": "Dr. Bakker",
        "observation": "Mevrouw vergeet haar medicijnen.",
    }
    fields.update(kwargs)
    return intake_services.signal_register(**fields)


@pytest.fixture
def admin_user(user_with_role):
    return user_with_role(Role.FUNCTIONAL_ADMIN)


# signal_register -----------------------------------------------------------------------------


def test_signal_about_a_household_lands_with_the_team_of_its_area(
    generalist, area, other_area, make_household
):
    household = make_household(residents=2)
    resident = household.memberships.first().resident
    signal = register(generalist, household=household, resident=resident)
    assert signal.team == area["team"]
    assert signal.status == SignalStatus.OPEN
    assert signal.registered_by == generalist


def test_signal_about_a_resident_finds_the_household(generalist, area, make_household):
    household = make_household()
    resident = household.memberships.get().resident
    signal = register(generalist, resident=resident)
    assert signal.household == household


def test_signal_about_an_unknown_person_lands_by_postcode(generalist, area, other_area):
    signal = register(
        generalist,
        subject_name="Jan de Vries",
        subject_birth_date=datetime.date(1950, 3, 1),
        subject_address="Dorpsstraat 4",
        subject_postcode="5641 aa",
    )
    assert signal.team == other_area["team"]
    assert signal.subject_postcode == "5641AA"
    assert signal.household is None


def test_signal_outside_the_areas_needs_a_chosen_team(generalist, area):
    with pytest.raises(ValidationError) as excinfo:
        register(generalist, subject_name="Jan de Vries", subject_postcode="9999 ZZ")
    assert "team" in excinfo.value.error_dict
    signal = register(
        generalist, subject_name="Jan de Vries", subject_postcode="9999 ZZ", team=area["team"]
    )
    assert signal.team == area["team"]


def test_signal_needs_a_subject(generalist, area):
    with pytest.raises(ValidationError, match="naam van de persoon"):
        register(generalist, team=area["team"])
    assert not Signal.objects.exists()


def test_signal_resident_must_live_in_the_household(generalist, area, make_household):
    household, elsewhere = make_household(), make_household()
    with pytest.raises(ValidationError):
        register(
            generalist,
            household=household,
            resident=elsewhere.memberships.get().resident,
        )


def test_signal_without_subject_is_refused_by_the_database(area):
    with pytest.raises(IntegrityError):
        SignalFactory(team=area["team"], subject_name="")


# signal_convert_to_melding / signal_close ----------------------------------------------------


def test_convert_a_signal_about_a_household(generalist, area, make_household):
    household = make_household()
    signal = SignalFactory(team=area["team"], household=household)
    melding = intake_services.signal_convert_to_melding(
        signal=signal, by=generalist, question="Hulp bij de administratie"
    )
    signal.refresh_from_db()
    assert signal.status == SignalStatus.CONVERTED
    assert signal.melding == melding
    assert signal.handled_by == generalist
    assert melding.household == household
    assert melding.channel == MeldingChannel.SIGNAL
    assert melding.investigation_deadline == melding_investigation_deadline(
        received_on=timezone.localdate()
    )


def test_convert_an_unknown_person_with_a_chosen_household(generalist, area, make_household):
    household = make_household()
    signal = SignalFactory(team=area["team"])
    intake_services.signal_convert_to_melding(
        signal=signal, by=generalist, question="?", household=household
    )
    signal.refresh_from_db()
    assert signal.household == household


def test_convert_registers_a_new_household(generalist, area):
    signal = SignalFactory(team=area["team"], subject_name="Jan de Vries")
    melding = intake_services.signal_convert_to_melding(
        signal=signal,
        by=generalist,
        question="Eenzaam",
        new_household={
            "street": "Dorpsstraat",
            "house_number": 4,
            "postcode": "5611AB",
            "city": "Dommelstede",
            "residents": [household_services.NewResident(first_name="Jan", last_name="de Vries")],
        },
    )
    assert melding.household.memberships.get().resident.last_name == "de Vries"
    assert melding.household.neighbourhood == area["neighbourhood"]


def test_convert_needs_a_household(generalist, area):
    signal = SignalFactory(team=area["team"])
    with pytest.raises(ValidationError):
        intake_services.signal_convert_to_melding(signal=signal, by=generalist, question="?")
    signal.refresh_from_db()
    assert signal.status == SignalStatus.OPEN
    assert not Melding.objects.exists()


def test_a_handled_signal_cannot_be_handled_again(generalist, area, make_household):
    signal = SignalFactory(team=area["team"], household=make_household())
    intake_services.signal_close(signal=signal, by=generalist, reason="Zorg is al geregeld")
    with pytest.raises(ValidationError, match="al afgehandeld"):
        intake_services.signal_convert_to_melding(signal=signal, by=generalist, question="?")
    with pytest.raises(ValidationError, match="al afgehandeld"):
        intake_services.signal_close(signal=signal, by=generalist, reason="nog eens")
    assert not Melding.objects.exists()


def test_close_needs_a_reason(generalist, area):
    signal = SignalFactory(team=area["team"])
    with pytest.raises(ValidationError, match="reden"):
        intake_services.signal_close(signal=signal, by=generalist, reason="  ")
    signal.refresh_from_db()
    assert signal.status == SignalStatus.OPEN


def test_only_the_team_of_the_area_may_triage(area, other_area, user_with_role):
    signal = SignalFactory(team=area["team"])
    other_team_member = TeamMemberFactory(team=other_area["team"]).user
    consultant = user_with_role(Role.CONSULTANT)
    inactive = TeamMemberFactory(team=area["team"], active=False).user
    for user in (other_team_member, consultant, inactive):
        with pytest.raises(PermissionDenied):
            intake_services.signal_close(signal=signal, by=user, reason="weg")
    team_lead = TeamMemberFactory(team=area["team"], user__roles=[Role.TEAM_LEAD]).user
    intake_services.signal_close(signal=signal, by=team_lead, reason="Geen zorgen")
    signal.refresh_from_db()
    assert signal.status == SignalStatus.CLOSED


# resident_merge ------------------------------------------------------------------------------


def test_merge_moves_every_relation_and_records_it(admin_user, area, make_household):
    household = make_household()
    keep = household.memberships.get().resident
    remove = ResidentFactory(bsn=None, last_name=keep.last_name, phone="0612345678")
    old_household = make_household(residents=0)
    HouseholdMembershipFactory(
        household=old_household,
        resident=remove,
        start_date=datetime.date(2010, 1, 1),
        end_date=datetime.date(2015, 1, 1),
    )
    signal = SignalFactory(team=area["team"], household=old_household, resident=remove)
    MeldingFactory(household=old_household)

    record = household_services.resident_merge(keep=keep, remove=remove, by=admin_user)

    assert not Resident.objects.filter(pk=remove.pk).exists()
    assert set(keep.memberships.values_list("household_id", flat=True)) == {
        household.pk,
        old_household.pk,
    }
    signal.refresh_from_db()
    assert signal.resident == keep
    keep.refresh_from_db()
    assert keep.phone == "0612345678"  # filled in from the removed record
    assert record.kept == keep
    assert record.removed_uuid == remove.uuid
    assert record.removed_name == remove.full_name
    assert record.merged_by == admin_user
    assert record.moved == {"cases.HouseholdMembership": 1, "cases.Signal": 1}


def test_merge_moves_earlier_merge_records_too(admin_user, area):
    first, second, third = (ResidentFactory(bsn=None) for _ in range(3))
    earlier = household_services.resident_merge(keep=second, remove=first, by=admin_user)
    household_services.resident_merge(keep=third, remove=second, by=admin_user)
    earlier.refresh_from_db()
    assert earlier.kept == third
    assert ResidentMergeRecord.objects.filter(kept=third).count() == 2


def test_merge_takes_over_the_bsn_of_the_removed_record(admin_user):
    keep = ResidentFactory(bsn=None, birth_date=None)
    remove = ResidentFactory()
    bsn, birth_date = remove.bsn, remove.birth_date
    record = household_services.resident_merge(keep=keep, remove=remove, by=admin_user)
    keep.refresh_from_db()
    assert keep.bsn == bsn
    assert keep.birth_date == birth_date
    assert record.removed_bsn == bsn


def test_merge_refuses_two_different_bsns(admin_user, make_household):
    keep = make_household().memberships.get().resident
    remove = make_household().memberships.get().resident
    with pytest.raises(ValidationError, match="verschillende BSN"):
        household_services.resident_merge(keep=keep, remove=remove, by=admin_user)
    assert Resident.objects.filter(pk=remove.pk).exists()
    assert not ResidentMergeRecord.objects.exists()


def test_merge_combines_open_memberships_of_the_same_household(admin_user, make_household):
    household = make_household()
    keep = household.memberships.get().resident
    remove = ResidentFactory(bsn=None)
    HouseholdMembershipFactory(
        household=household, resident=remove, start_date=datetime.date(2001, 1, 1)
    )
    household_services.resident_merge(keep=keep, remove=remove, by=admin_user)
    membership = HouseholdMembership.objects.get(resident=keep, end_date__isnull=True)
    assert membership.start_date == datetime.date(2001, 1, 1)
    assert household.memberships.count() == 1


def test_merge_refuses_open_memberships_in_two_households(admin_user, make_household):
    keep = make_household().memberships.get().resident
    remove = ResidentFactory(bsn=None)
    HouseholdMembershipFactory(household=make_household(residents=0), resident=remove)
    with pytest.raises(ValidationError, match="ander huishouden"):
        household_services.resident_merge(keep=keep, remove=remove, by=admin_user)
    assert remove.memberships.count() == 1


def test_merge_refuses_the_same_record_and_non_admins(admin_user, generalist):
    resident = ResidentFactory()
    with pytest.raises(ValidationError):
        household_services.resident_merge(keep=resident, remove=resident, by=admin_user)
    with pytest.raises(PermissionDenied):
        household_services.resident_merge(
            keep=resident, remove=ResidentFactory(bsn=None), by=generalist
        )


def test_merge_covers_every_relation_to_resident():
    """A model added later with a foreign key to Resident is picked up without code changes:
    the merge walks Resident's relations. This lists what it finds today."""
    found = {rel.related_model._meta.label for rel in household_services._relations_to_resident()}
    assert {"cases.HouseholdMembership", "cases.Signal", "cases.ResidentMergeRecord"} <= found


@pytest.mark.django_db(transaction=True)
def test_two_people_converting_the_same_signal_at_once_make_one_melding(area, make_household):
    household = make_household()
    signal = SignalFactory(team=area["team"], household=household)
    members = [TeamMemberFactory(team=area["team"]).user for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def convert(user):
        try:
            barrier.wait()
            intake_services.signal_convert_to_melding(signal=signal, by=user, question="Hulp")
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=convert, args=(user,)) for user in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Melding.objects.filter(household=household).count() == 1
