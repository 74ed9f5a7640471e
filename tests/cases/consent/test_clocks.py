"""The default term of a consent: an agreed term of one year (`agreed_term_end`)."""

import datetime

from cases.consent.selectors import consent_expiry_default

D = datetime.date


def test_a_consent_runs_a_year_by_default():
    assert consent_expiry_default(given_on=D(2026, 3, 10)) == D(2027, 3, 10)
    assert consent_expiry_default(given_on=D(2028, 2, 29)) == D(2029, 2, 28)  # leap day
    assert consent_expiry_default(given_on=D(2026, 12, 26)) == D(2027, 12, 26)  # not moved
