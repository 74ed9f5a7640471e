import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from teams import selectors
from teams.models import LawDomain, Specialism
from tests.factories import (
    AreaStatisticsFactory,
    ConsultantAbsenceFactory,
    DistrictFactory,
    HouseholdFactory,
    MemberSpecialismFactory,
    NeighbourhoodFactory,
    PostcodeFactory,
    TeamMemberFactory,
)

pytestmark = pytest.mark.django_db


def test_lookup_accepts_spaces_and_lower_case_and_lists_domains_in_order(area, consultants):
    result = selectors.area_contacts_for_postcode(postcode="5611 ab")
    assert result.district == area["district"]
    assert result.team == area["team"]
    assert [c.law_domain for c in result.contacts] == list(LawDomain.values)
    assert result.contacts[0].name == consultants[0].user.get_full_name()
    assert not any(c.is_substitute for c in result.contacts)


def test_lookup_malformed_raises_and_outside_is_none(area):
    with pytest.raises(ValidationError):
        selectors.area_contacts_for_postcode(postcode="56111AB")
    assert selectors.area_contacts_for_postcode(postcode="9999 ZZ") is None


def test_substitute_during_the_absence_and_consultant_after_it(area, consultants):
    wmo = consultants[0]
    absence = ConsultantAbsenceFactory(
        consultant=wmo,
        start_date=datetime.date(2026, 3, 2),
        end_date=datetime.date(2026, 3, 6),
        substitute__first_name="Vera",
        substitute__last_name="Vervanger",
    )
    before = selectors.area_contacts_for_postcode(postcode="5611AB", on=datetime.date(2026, 3, 1))
    assert before.contacts[0].name == wmo.user.get_full_name()

    for day in (datetime.date(2026, 3, 2), datetime.date(2026, 3, 6)):  # both ends inclusive
        during = selectors.area_contacts_for_postcode(postcode="5611AB", on=day)
        contact = during.contacts[0]
        assert contact.is_substitute
        assert (contact.name, contact.phone) == ("Vera Vervanger", absence.substitute_phone)
        assert contact.substitutes_for == wmo.user.get_full_name()
        assert contact.until == datetime.date(2026, 3, 6)
        assert not during.contacts[1].is_substitute  # the other domains are unaffected

    after = selectors.area_contacts_for_postcode(postcode="5611AB", on=datetime.date(2026, 3, 7))
    assert after.contacts[0].name == wmo.user.get_full_name()
    assert not after.contacts[0].is_substitute


def test_lookup_takes_three_queries_however_many_absences(area, consultants):
    for consultant in consultants:
        ConsultantAbsenceFactory.create_batch(2, consultant=consultant)
    with CaptureQueriesContext(connection) as queries:
        selectors.area_contacts_for_postcode(postcode="5611AB")
    assert len(queries) == 3


def test_cached_lookup_answers_a_repeated_postcode_without_queries(area, consultants):
    first = selectors.area_contacts_cached(postcode="5611 ab")
    with CaptureQueriesContext(connection) as queries:
        again = selectors.area_contacts_cached(postcode="5611AB")
        outside = selectors.area_contacts_cached(postcode="9999ZZ")
        outside_again = selectors.area_contacts_cached(postcode="9999 zz")
    assert [c.name for c in again.contacts] == [c.name for c in first.contacts]
    assert outside is None and outside_again is None
    assert len(queries) == 1  # only the first lookup of the unknown postcode
    with pytest.raises(ValidationError):
        selectors.area_contacts_cached(postcode="56111AB")


def test_cached_lookup_shows_a_new_absence_and_a_renamed_team_at_once(area, consultants):
    wmo = consultants[0]
    before = selectors.area_contacts_cached(postcode="5611AB")
    assert not before.contacts[0].is_substitute
    today = datetime.date.today()
    ConsultantAbsenceFactory(consultant=wmo, start_date=today, end_date=today)
    during = selectors.area_contacts_cached(postcode="5611AB")
    assert during.contacts[0].is_substitute
    team = area["team"]
    team.name = "Wijkteam Hernoemd"
    team.save()
    assert selectors.area_contacts_cached(postcode="5611AB").team.name == "Wijkteam Hernoemd"


def test_cached_lookup_follows_the_language(area, consultants):
    from django.utils import translation

    with translation.override("nl"):
        dutch = [
            c.law_domain_label for c in selectors.area_contacts_cached(postcode="5611AB").contacts
        ]
    with translation.override("en"):
        english = [
            c.law_domain_label for c in selectors.area_contacts_cached(postcode="5611AB").contacts
        ]
    assert dutch != english


def test_coverage_report_finds_districts_without_team_and_missing_consultants(
    area, consultants, django_assert_max_num_queries
):
    lonely = DistrictFactory(name="Zonder Team")
    for index in range(3):
        PostcodeFactory(
            postcode=f"570{index}AA", neighbourhood=NeighbourhoodFactory(district=lonely)
        )
    empty = NeighbourhoodFactory(district=area["district"], name="Leeg")
    with django_assert_max_num_queries(4):
        report = {row.district.code: row for row in selectors.coverage_report()}
    assert report[lonely.code].uncovered_postcodes == 3
    assert len(report[lonely.code].missing_domains) == 3
    covered = report[area["district"].code]
    assert covered.uncovered_postcodes == 0
    assert covered.missing_domains == []
    assert covered.empty_neighbourhoods == [empty]


def test_member_loads_count_coordinated_households(area, django_assert_max_num_queries):
    busy = TeamMemberFactory(team=area["team"], contract_hours=18)
    idle = TeamMemberFactory(team=area["team"], contract_hours=36)
    MemberSpecialismFactory(member=busy, specialism=Specialism.DEBTS)
    MemberSpecialismFactory(member=busy, specialism=Specialism.YOUTH)
    HouseholdFactory.create_batch(14, coordinator=busy.user, neighbourhood=area["neighbourhood"])
    TeamMemberFactory(team=area["team"], active=False)
    with django_assert_max_num_queries(2):
        loads = {load.member: load for load in selectors.team_member_loads(team=area["team"])}
        assert len(loads[busy].specialisms) == 2
    assert set(loads) == {busy, idle}
    assert loads[busy].caseload == 14
    assert loads[busy].per_fte == Decimal("28.0")
    assert loads[busy].overloaded
    assert (loads[idle].caseload, loads[idle].overloaded) == (0, False)


def test_composition_hints_follow_the_area_profile():
    statistics = AreaStatisticsFactory.build(share_single_parent=12, share_low_income=14)
    hints = selectors.composition_hints(statistics=statistics, specialisms={Specialism.GGZ})
    assert len(hints) == 2
    assert (
        selectors.composition_hints(
            statistics=statistics, specialisms={Specialism.YOUTH, Specialism.DEBTS}
        )
        == []
    )
    assert selectors.composition_hints(statistics=None, specialisms=set()) == []
