"""Data for `cases.legal_terms`: the days the Crown equated with a generally recognised holiday
by decree under art. 3(3) Algemene termijnenwet (Atw), as published in the Staatscourant.

They are shipped in code so term computations are right on a fresh database. The functional
administrator adds later decrees in the `EquatedDay` table (admin: "equated days"); a day in
that table only adds to these, it never removes one. When a new decree is published, add it
here too in the next release (and keep the table entry: a duplicate is harmless).
"""

import datetime

__all__ = ["CROWN_EQUATED_DAYS"]

CROWN_EQUATED_DAYS: frozenset[datetime.date] = frozenset(
    {
        datetime.date(2026, 1, 2),  # Friday after New Year's Day
        datetime.date(2026, 5, 15),  # Friday after Ascension Day
        datetime.date(2027, 5, 7),  # Friday after Ascension Day
        datetime.date(2028, 4, 28),  # Friday after King's Day
        datetime.date(2028, 5, 26),  # Friday after Ascension Day
    }
)
