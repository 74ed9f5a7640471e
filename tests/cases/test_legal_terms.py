"""Legal terms (`cases.legal_terms`): vectors checked by hand against the calendars of 2025 to 2028.

Holidays of art. 3 Atw in those years, with the shipped Crown days (weekday in brackets):

    2025  1 Jan (We), Good Friday 18 Apr, Easter Monday 21 Apr, King's Day 26 Apr (Sa, as
          27 Apr is a Sunday), 5 May (Mo), Ascension 29 May, Whit Monday 9 Jun,
          25 Dec (Th), 26 Dec (Fr)
    2026  1 Jan (Th), 2 Jan (Fr, Crown), Good Friday 3 Apr, Easter Monday 6 Apr, King's Day
          27 Apr (Mo), 5 May (Tu), Ascension 14 May, 15 May (Fr, Crown), Whit Monday 25 May,
          25 Dec (Fr), 26 Dec (Sa)
    2027  1 Jan (Fr), Good Friday 26 Mar, Easter Monday 29 Mar, King's Day 27 Apr (Tu),
          5 May (We), Ascension 6 May, 7 May (Fr, Crown), Whit Monday 17 May, 25 Dec (Sa),
          26 Dec (Su)
    2028  1 Jan (Sa), Good Friday 14 Apr, Easter Monday 17 Apr, King's Day 27 Apr (Th),
          28 Apr (Fr, Crown), 5 May (Fr), Ascension 25 May, 26 May (Fr, Crown),
          Whit Monday 5 Jun, 25 Dec (Mo), 26 Dec (Tu)

Tests without the `db` mark see an empty `EquatedDay` table (the fixture below); the tests
marked `django_db` use the real table.
"""

import datetime

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.db import ProgrammingError, connection

from cases import legal_terms
from cases.legal_terms import (
    CROWN_EQUATED_DAYS,
    EquatedDay,
    add_months,
    add_working_days,
    agreed_term_end,
    atw_holidays,
    avg_term_end,
    easter_sunday,
    is_non_working_day,
    next_working_day,
    table_equated_days,
    term_end,
    working_days_between,
)

D = datetime.date


@pytest.fixture(autouse=True)
def _empty_table_without_db(request, monkeypatch):
    """Outside `django_db` tests the table reads as empty (no database access), unless the
    test asks for `real_table`."""
    if request.node.get_closest_marker("django_db") or "real_table" in request.fixturenames:
        return
    monkeypatch.setattr(legal_terms, "_read_table", frozenset)


@pytest.fixture
def real_table():
    """Marker fixture: keep the real `_read_table`."""


# Holidays (art. 3 Atw) -------------------------------------------------------------------------

HOLIDAYS = {
    2025: {
        D(2025, 1, 1),
        D(2025, 4, 18),
        D(2025, 4, 21),
        D(2025, 4, 26),
        D(2025, 5, 5),
        D(2025, 5, 29),
        D(2025, 6, 9),
        D(2025, 12, 25),
        D(2025, 12, 26),
    },
    2026: {
        D(2026, 1, 1),
        D(2026, 1, 2),
        D(2026, 4, 3),
        D(2026, 4, 6),
        D(2026, 4, 27),
        D(2026, 5, 5),
        D(2026, 5, 14),
        D(2026, 5, 15),
        D(2026, 5, 25),
        D(2026, 12, 25),
        D(2026, 12, 26),
    },
    2027: {
        D(2027, 1, 1),
        D(2027, 3, 26),
        D(2027, 3, 29),
        D(2027, 4, 27),
        D(2027, 5, 5),
        D(2027, 5, 6),
        D(2027, 5, 7),
        D(2027, 5, 17),
        D(2027, 12, 25),
        D(2027, 12, 26),
    },
    2028: {
        D(2028, 1, 1),
        D(2028, 4, 14),
        D(2028, 4, 17),
        D(2028, 4, 27),
        D(2028, 4, 28),
        D(2028, 5, 5),
        D(2028, 5, 25),
        D(2028, 5, 26),
        D(2028, 6, 5),
        D(2028, 12, 25),
        D(2028, 12, 26),
    },
}


@pytest.mark.parametrize("year", sorted(HOLIDAYS))
def test_atw_holidays_of_a_year(year):
    assert atw_holidays(year) == HOLIDAYS[year]


def test_kings_day_moves_to_26_april_when_27_april_is_a_sunday():
    assert D(2025, 4, 27).weekday() == 6
    assert D(2025, 4, 26) in atw_holidays(2025)
    assert D(2025, 4, 27) not in atw_holidays(2025)
    assert D(2026, 4, 27) in atw_holidays(2026)
    assert D(2026, 4, 26) not in atw_holidays(2026)


@pytest.mark.parametrize("year", [2026, 2027, 2029, 2031])
def test_5_may_is_a_holiday_every_year_not_only_in_lustrum_years(year):
    assert D(year, 5, 5) in atw_holidays(year)


def test_every_shipped_crown_day_is_a_holiday():
    shipped = {D(2026, 1, 2), D(2026, 5, 15), D(2027, 5, 7), D(2028, 4, 28), D(2028, 5, 26)}
    assert shipped == CROWN_EQUATED_DAYS
    for day in CROWN_EQUATED_DAYS:
        assert day in atw_holidays(day.year)
        assert is_non_working_day(day)


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, D(2024, 3, 31)),
        (2025, D(2025, 4, 20)),
        (2026, D(2026, 4, 5)),
        (2027, D(2027, 3, 28)),
        (2028, D(2028, 4, 16)),
        (2038, D(2038, 4, 25)),
    ],
)
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


def test_easter_sunday_agrees_with_dateutil_over_centuries():
    dateutil_easter = pytest.importorskip("dateutil.easter")
    for year in range(1900, 2300):
        assert easter_sunday(year) == dateutil_easter.easter(year), year


def test_years_before_kings_day_are_refused():
    with pytest.raises(ValueError, match="2014"):
        atw_holidays(2013)


@pytest.mark.parametrize(
    ("day", "non_working"),
    [
        (D(2026, 5, 5), True),  # 5 May, not a lustrum year
        (D(2027, 5, 5), True),
        (D(2026, 4, 3), True),  # Good Friday
        (D(2026, 1, 2), True),  # Crown day
        (D(2026, 5, 16), True),  # Saturday
        (D(2026, 5, 17), True),  # Sunday
        (D(2026, 5, 18), False),  # Monday
        (D(2026, 5, 4), False),  # Remembrance Day is no holiday
        (D(2026, 12, 31), False),  # New Year's Eve neither
    ],
)
def test_is_non_working_day(day, non_working):
    assert is_non_working_day(day) is non_working


# Statutory terms (Atw) -------------------------------------------------------------------------

TERM_VECTORS = [
    # (start, term, expected end, why)
    (D(2026, 4, 3), {"weeks": 6}, D(2026, 5, 18), "Fr 3 Apr + 6 wk = Fr 15 May (Crown) -> Mo"),
    (D(2025, 12, 17), {"weeks": 2}, D(2025, 12, 31), "ordinary Wednesday, no correction"),
    (D(2025, 4, 4), {"weeks": 2}, D(2025, 4, 22), "Good Friday 18 Apr, weekend, Easter Mon"),
    (D(2025, 4, 7), {"weeks": 2}, D(2025, 4, 22), "Easter Monday 21 Apr -> Tu"),
    (D(2027, 3, 12), {"weeks": 2}, D(2027, 3, 30), "Good Friday 26 Mar 2027 -> Tu 30 Mar"),
    (D(2025, 5, 15), {"weeks": 2}, D(2025, 5, 30), "Ascension Th 29 May -> Fr"),
    (D(2025, 5, 26), {"weeks": 2}, D(2025, 6, 10), "Whit Monday 9 Jun -> Tu"),
    (D(2028, 5, 22), {"weeks": 2}, D(2028, 6, 6), "Whit Monday 5 Jun 2028 -> Tu"),
    (D(2026, 4, 13), {"weeks": 2}, D(2026, 4, 28), "King's Day Mo 27 Apr -> Tu"),
    (D(2027, 4, 13), {"weeks": 2}, D(2027, 4, 28), "King's Day Tu 27 Apr -> We"),
    (D(2025, 4, 25), {"days": 1}, D(2025, 4, 28), "King's Day Sa 26 Apr 2025 -> Mo 28"),
    (D(2026, 4, 21), {"weeks": 2}, D(2026, 5, 6), "5 May 2026 (Tu) -> We"),
    (D(2027, 4, 21), {"weeks": 2}, D(2027, 5, 10), "5 May, Ascension, Crown 7 May, weekend"),
    (D(2028, 4, 21), {"weeks": 2}, D(2028, 5, 8), "5 May 2028 (Fr) -> Mo"),
    (D(2025, 12, 11), {"weeks": 2}, D(2025, 12, 29), "Christmas Th, Boxing Day Fr -> Mo"),
    (D(2028, 12, 11), {"weeks": 2}, D(2028, 12, 27), "Christmas Mo, Boxing Day Tu -> We"),
    (D(2028, 12, 12), {"weeks": 2}, D(2028, 12, 27), "Boxing Day Tu 26 Dec -> We"),
    (D(2024, 12, 18), {"weeks": 2}, D(2025, 1, 2), "New Year's Day We 2025 -> Th"),
    (D(2025, 12, 18), {"weeks": 2}, D(2026, 1, 5), "New Year Th, Crown Fr 2 Jan -> Mo 5"),
    (D(2025, 12, 19), {"weeks": 2}, D(2026, 1, 5), "Crown day Fr 2 Jan 2026 -> Mo 5"),
    (D(2026, 4, 30), {"weeks": 2}, D(2026, 5, 18), "Ascension Th 14 May, Crown Fr 15 -> Mo"),
    (D(2027, 4, 23), {"weeks": 2}, D(2027, 5, 10), "Crown day Fr 7 May 2027 -> Mo"),
    (D(2028, 4, 14), {"weeks": 2}, D(2028, 5, 1), "Crown day Fr 28 Apr 2028 -> Mo 1 May"),
    (D(2028, 4, 13), {"weeks": 2}, D(2028, 5, 1), "King's Day Th 27 Apr, Crown Fr 28 -> Mo"),
    (D(2028, 5, 12), {"weeks": 2}, D(2028, 5, 29), "Crown day Fr 26 May 2028 -> Mo"),
    # art. 2: a term of three days or more holds at least two working days
    (D(2025, 12, 24), {"days": 3}, D(2025, 12, 30), "art. 2: 25, 26, Sa 27 -> Mo 29 holds 1"),
    (D(2026, 4, 2), {"days": 3}, D(2026, 4, 8), "art. 2: GF, Sa, Su -> EM -> Tu 7 holds 1"),
    (D(2026, 1, 8), {"days": 3}, D(2026, 1, 12), "art. 2 not needed: Fr 9 and Mo 12"),
    (D(2025, 12, 24), {"days": 2}, D(2025, 12, 29), "2 days: art. 1 only, no art. 2"),
    # art. 4: not for terms longer than 12 weeks, 3 months or 90 days
    (D(2026, 1, 9), {"weeks": 12}, D(2026, 4, 7), "12 weeks: corrected (GF, weekend, EM)"),
    (D(2026, 1, 2), {"weeks": 13}, D(2026, 4, 3), "13 weeks: not corrected (Good Friday)"),
    (D(2026, 2, 3), {"months": 3}, D(2026, 5, 4), "3 months: Su 3 May corrected -> Mo"),
    (D(2026, 1, 3), {"months": 4}, D(2026, 5, 3), "4 months: Su 3 May not corrected"),
    (D(2026, 1, 4), {"days": 90}, D(2026, 4, 7), "90 days: Sa 4 Apr corrected -> Tu 7"),
    (D(2026, 1, 3), {"days": 91}, D(2026, 4, 4), "91 days: Sa 4 Apr not corrected"),
    (D(2026, 1, 9), {"weeks": 12, "days": 1}, D(2026, 4, 4), "mixed, > 12 weeks: Sa stays"),
    (D(2026, 2, 2), {"months": 3, "days": 1}, D(2026, 5, 3), "mixed, > 3 months: Su stays"),
    (D(2026, 2, 4), {"months": 2, "weeks": 4}, D(2026, 5, 4), "mixed, < 3 months: Sa 2 May->Mo"),
    # months: same date, clamped to the month's end
    (D(2026, 1, 31), {"months": 1}, D(2026, 3, 2), "31 Jan + 1 month = Sa 28 Feb -> Mo 2 Mar"),
    (D(2028, 1, 31), {"months": 1}, D(2028, 2, 29), "leap year: Tu 29 Feb 2028 stays"),
    (D(2026, 3, 31), {"months": 1}, D(2026, 4, 30), "31 Mar + 1 month = Th 30 Apr"),
    (D(2026, 1, 31), {"months": 1, "days": 1}, D(2026, 3, 2), "months first: 28 Feb + 1 = Su"),
    # Awb 4:15 suspension moves the uncorrected end; the Atw is applied once, afterwards
    (D(2026, 4, 3), {"weeks": 6, "suspended_days": 3}, D(2026, 5, 18), "15 May + 3 = Mo 18"),
    (D(2026, 4, 20), {"weeks": 2, "suspended_days": 1}, D(2026, 5, 6), "4 May + 1 = 5 May->We"),
    (D(2026, 1, 2), {"weeks": 12, "suspended_days": 7}, D(2026, 4, 7), "12 wk + 7: GF->Tu 7"),
    (D(2026, 1, 2), {"weeks": 13, "suspended_days": 1}, D(2026, 4, 4), "13 wk + 1: Sa stays"),
]


@pytest.mark.parametrize(
    ("start", "term", "expected"),
    [vector[:3] for vector in TERM_VECTORS],
    ids=[vector[3] for vector in TERM_VECTORS],
)
def test_term_end(start, term, expected):
    assert term_end(start, **term) == expected


def test_six_weeks_after_friday_3_april_is_friday_15_may_before_correction():
    start = D(2026, 4, 3)
    assert agreed_term_end(start, weeks=6) == D(2026, 5, 15)
    assert agreed_term_end(start, weeks=6).weekday() == start.weekday() == 4
    assert term_end(start, weeks=6) == D(2026, 5, 18)  # 15 May 2026 is a Crown day


def test_suspension_before_correction_is_not_correction_before_suspension():
    """Awb 4:15 suspends the term itself: the suspended days come on the uncorrected end and
    the Atw corrects once. Correcting first and then adding would end three days later."""
    start = D(2026, 4, 3)
    correct_then_suspend = term_end(start, weeks=6) + datetime.timedelta(days=3)
    assert correct_then_suspend == D(2026, 5, 21)
    assert term_end(start, weeks=6, suspended_days=3) == D(2026, 5, 18)


@pytest.mark.parametrize(
    ("term", "error"),
    [
        ({}, ValueError),
        ({"days": 0, "suspended_days": 4}, ValueError),
        ({"weeks": -1}, ValueError),
        ({"weeks": 2, "suspended_days": -1}, ValueError),
    ],
)
def test_term_end_refuses_a_term_without_length_or_negative_counts(term, error):
    with pytest.raises(error):
        term_end(D(2026, 4, 3), **term)


def test_a_datetime_is_refused():
    with pytest.raises(TypeError):
        term_end(datetime.datetime(2026, 4, 3, 12, 0), weeks=6)
    with pytest.raises(TypeError):
        is_non_working_day("2026-05-05")


# AVG terms (Regulation 1182/71) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "months", "expected"),
    [
        (D(2026, 2, 10), 1, D(2026, 3, 10)),  # Tuesday: stays
        (D(2026, 3, 31), 1, D(2026, 4, 30)),  # no 31 April: Thursday 30 April, stays
        (D(2026, 1, 28), 1, D(2026, 3, 2)),  # Saturday 28 February -> Monday 2 March
        (D(2026, 1, 31), 1, D(2026, 3, 2)),  # 28 Feb 2026 is a Saturday -> Monday 2 March
        (D(2026, 4, 5), 1, D(2026, 5, 6)),  # 5 May (Tu) -> Wednesday
        (D(2026, 4, 15), 1, D(2026, 5, 18)),  # Crown day Fr 15 May -> Monday
        (D(2027, 4, 5), 1, D(2027, 5, 10)),  # 5 May, Ascension, Crown day, weekend
        (D(2026, 1, 15), 3, D(2026, 4, 15)),  # extended by 2 months: Wednesday, stays
        (D(2026, 2, 3), 3, D(2026, 5, 4)),  # extended, Sunday 3 May -> Monday
    ],
)
def test_avg_term_end(received, months, expected):
    assert avg_term_end(received, months=months) == expected


def test_avg_term_is_at_least_a_month():
    with pytest.raises(ValueError):
        avg_term_end(D(2026, 2, 10), months=0)


# Agreed terms: no correction -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "term", "expected"),
    [
        (D(2026, 4, 3), {"weeks": 6}, D(2026, 5, 15)),  # Crown day, not moved
        (D(2026, 1, 31), {"months": 1}, D(2026, 2, 28)),  # Saturday, not moved
        (D(2025, 12, 11), {"weeks": 2}, D(2025, 12, 25)),  # Christmas, not moved
        (D(2026, 1, 2), {"weeks": 13}, D(2026, 4, 3)),
        (D(2028, 2, 29), {"years": 1}, D(2029, 2, 28)),  # from 29 Feb: 28 Feb
        (D(2028, 2, 29), {"years": 4}, D(2032, 2, 29)),  # a leap year again
        (D(2026, 3, 15), {"years": 15}, D(2041, 3, 15)),  # retention
        (D(2026, 1, 31), {"years": 1, "months": 1}, D(2027, 2, 28)),
        (D(2026, 1, 31), {"months": 1, "days": 1}, D(2026, 3, 1)),  # months first
        (D(2026, 5, 5), {"days": 10}, D(2026, 5, 15)),
        (D(2026, 5, 5), {}, D(2026, 5, 5)),  # nothing agreed: the day itself
    ],
)
def test_agreed_term_end(start, term, expected):
    assert agreed_term_end(start, **term) == expected


def test_agreed_term_refuses_negative_counts():
    with pytest.raises(ValueError):
        agreed_term_end(D(2026, 5, 5), months=-1)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 8, 31), 1, D(2026, 9, 30)),
        (D(2026, 11, 15), 3, D(2027, 2, 15)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 1, 15), -13, D(2024, 12, 15)),
        (D(2026, 1, 15), 0, D(2026, 1, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


# Working days ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (D(2026, 4, 24), 5, D(2026, 5, 4)),  # King's Day Mo 27 Apr skipped; 1 May is working
        (D(2026, 5, 13), 5, D(2026, 5, 22)),  # Ascension and Crown day skipped
        (D(2025, 12, 24), 2, D(2025, 12, 30)),  # Christmas, Boxing Day, weekend
        (D(2025, 12, 31), 1, D(2026, 1, 5)),  # New Year's Day, Crown day, weekend
        (D(2026, 5, 16), 1, D(2026, 5, 18)),  # from a Saturday
        (D(2026, 5, 16), 0, D(2026, 5, 16)),  # zero: the day itself
    ],
)
def test_add_working_days(start, count, expected):
    assert add_working_days(start, count) == expected
    if count:
        assert working_days_between(start, expected) == count


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 4, 24), D(2026, 5, 4), 5),
        (D(2025, 12, 24), D(2026, 1, 5), 4),  # 29, 30, 31 Dec and 5 Jan
        (D(2026, 1, 5), D(2025, 12, 24), -4),  # backwards: negative
        (D(2026, 5, 18), D(2026, 5, 18), 0),
        (D(2026, 5, 15), D(2026, 5, 17), 0),  # Crown day Friday to Sunday: none after start
        (D(2026, 5, 14), D(2026, 5, 18), 1),  # start not counted, end counted
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


def test_add_working_days_refuses_a_negative_count():
    with pytest.raises(ValueError):
        add_working_days(D(2026, 5, 18), -1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [(D(2026, 5, 14), D(2026, 5, 18)), (D(2026, 5, 18), D(2026, 5, 18))],
)
def test_next_working_day(day, expected):
    assert next_working_day(day) == expected


# The EquatedDay table --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_day_in_the_table_is_skipped_like_a_holiday():
    start, friday = D(2026, 5, 29), D(2026, 6, 12)
    assert term_end(start, weeks=2) == friday
    assert not is_non_working_day(friday)

    equated = EquatedDay.objects.create(day=friday, description="Besluit van de Kroon")

    assert is_non_working_day(friday)
    assert term_end(start, weeks=2) == D(2026, 6, 15)
    assert avg_term_end(D(2026, 5, 12)) == D(2026, 6, 15)
    assert add_working_days(D(2026, 6, 11), 1) == D(2026, 6, 15)
    assert agreed_term_end(start, weeks=2) == friday  # agreed terms are never corrected
    assert friday not in atw_holidays(2026)  # the statutory table stays as shipped

    equated.delete()

    assert not is_non_working_day(friday)
    assert term_end(start, weeks=2) == friday


@pytest.mark.django_db
def test_the_table_is_read_once_and_a_change_is_seen_at_once(django_assert_num_queries):
    day = D(2026, 6, 12)
    assert table_equated_days() == frozenset()
    with django_assert_num_queries(0):
        assert not is_non_working_day(day)
        assert term_end(D(2026, 5, 29), weeks=2) == day

    equated = EquatedDay.objects.create(day=day, description="Besluit")  # bumps the generation
    assert table_equated_days() == {day}
    with django_assert_num_queries(0):
        assert is_non_working_day(day)

    equated.day = D(2026, 6, 19)
    equated.save()
    assert table_equated_days() == {D(2026, 6, 19)}


@pytest.mark.django_db
def test_a_shipped_day_in_the_table_is_harmless():
    EquatedDay.objects.create(day=D(2026, 5, 15), description="Ook in de code")
    assert term_end(D(2026, 4, 3), weeks=6) == D(2026, 5, 18)


@pytest.mark.django_db
def test_an_unreadable_table_falls_back_to_the_shipped_days(monkeypatch, caplog):
    """As before the table's migration ran: the query fails inside a savepoint, the engine uses
    the shipped days, nothing is cached, and the caller's transaction is still usable."""
    EquatedDay.objects.create(day=D(2026, 6, 12), description="Besluit")
    cache.clear()
    monkeypatch.setattr(EquatedDay._meta, "db_table", "cases_no_such_table")

    assert is_non_working_day(D(2026, 5, 15))  # shipped Crown day
    assert not is_non_working_day(D(2026, 6, 12))
    assert term_end(D(2026, 4, 3), weeks=6) == D(2026, 5, 18)
    assert "cases_no_such_table" in caplog.text  # logged as a warning, not raised

    monkeypatch.undo()
    assert connection.in_atomic_block
    assert EquatedDay.objects.count() == 1  # the outer transaction was not broken
    assert is_non_working_day(D(2026, 6, 12))  # the fallback was not cached


def test_while_apps_are_loading_the_shipped_days_are_used(real_table, monkeypatch):
    monkeypatch.setattr(legal_terms.apps, "ready", False)
    assert table_equated_days() == frozenset()
    assert term_end(D(2026, 4, 3), weeks=6) == D(2026, 5, 18)


def test_a_database_error_is_not_a_crash(real_table, monkeypatch):
    def broken(*args, **kwargs):
        raise ProgrammingError("relation does not exist")

    monkeypatch.setattr(legal_terms.transaction, "atomic", broken)
    assert table_equated_days() == frozenset()
    assert is_non_working_day(D(2027, 5, 7))


def test_the_admin_lists_day_and_description():
    model_admin = admin.site._registry[EquatedDay]
    assert list(model_admin.list_display) == ["day", "description"]
