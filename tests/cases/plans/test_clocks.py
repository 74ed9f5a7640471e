"""The agreed terms of a support plan (no law sets them, so no Algemene termijnenwet): the
default evaluation date and the aftercare check-ins after closure, one function each, computed
by `cases.legal_terms.agreed_term_end`."""

import datetime

from cases.plans.selectors import aftercare_check_in_dates_default, plan_evaluation_date_default

D = datetime.date


def test_evaluation_three_months_after_the_start_uncorrected():
    assert plan_evaluation_date_default(start=D(2026, 2, 2)) == D(2026, 5, 2)  # a Saturday
    assert plan_evaluation_date_default(start=D(2025, 11, 30)) == D(2026, 2, 28)  # month end
    # on Ascension Day: an agreed date is not moved
    assert plan_evaluation_date_default(start=D(2026, 2, 14)) == D(2026, 5, 14)


def test_check_ins_six_and_thirteen_weeks_after_closure_uncorrected():
    # closed Friday 20 March 2026: Friday 1 May and Friday 19 June
    assert aftercare_check_in_dates_default(closed_on=D(2026, 3, 20)) == [
        D(2026, 5, 1),
        D(2026, 6, 19),
    ]
    # closed on Friday 3 April 2026 (Good Friday): 6 weeks is the Crown day 15 May, kept
    assert aftercare_check_in_dates_default(closed_on=D(2026, 4, 3)) == [
        D(2026, 5, 15),
        D(2026, 7, 3),
    ]
