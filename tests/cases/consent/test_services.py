import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.consent.models import Consent
from cases.consent.selectors import consent_covers
from cases.consent.services import consent_record, consent_withdraw, consents_expired_notify
from cases.provisions.models import Notification, NotificationKind
from cases.tasks import consents_expire
from networks.models import OrganisationType
from tests.factories import OrganisationFactory, UserFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def org(db):
    return OrganisationFactory(type=OrganisationType.CARE_PROVIDER, name="Zorg Oost")


@pytest.fixture
def household(make_household, generalist):
    return make_household(coordinator=generalist)


@pytest.fixture
def resident(household):
    return household.memberships.first().resident


@pytest.fixture
def record(resident, org, generalist):
    def make(**fields):
        data = {
            "resident": resident,
            "organisation": org,
            "categories": ["progress"],
            "purpose": "progress_reports",
            "given_by": "de inwoner",
            "given_on": TODAY - 30 * DAY,
            "by": generalist,
        }
        return consent_record(**{**data, **fields})

    return make


def covers(resident, org, category="progress", on=TODAY):
    return consent_covers(resident=resident, organisation=org, category=category, on=on)


def test_nothing_recorded_covers_nothing(resident, org):
    assert not covers(resident, org)


def test_active_consent_covers_its_categories_for_its_organisation(record, resident, org):
    record(categories=["progress", "plan"], expires_on=TODAY)
    assert covers(resident, org, "progress")
    assert covers(resident, org, "plan")
    assert not covers(resident, org, "health")
    assert not covers(resident, OrganisationFactory(), "progress")
    assert not covers(resident, org, on=TODAY - 31 * DAY)  # before it was given


def test_expired_consent_covers_nothing(record, resident, org):
    record(expires_on=TODAY - DAY)
    assert covers(resident, org, on=TODAY - DAY)
    assert not covers(resident, org)


def test_withdrawn_consent_covers_nothing_from_the_withdrawal(record, resident, org, generalist):
    consent = record()
    consent_withdraw(consent=consent, on=TODAY, by=generalist)
    assert covers(resident, org, on=TODAY - DAY)
    assert not covers(resident, org)
    with pytest.raises(ValidationError):
        consent_withdraw(consent=consent, on=TODAY, by=generalist)


def test_legal_basis_covers_without_consent(record, resident, org):
    record(categories=["health"], legal_basis=True, legal_basis_text="Jeugdwet art. 7.4.0")
    assert covers(resident, org, "health")
    assert Consent.objects.get().legal_basis


def test_record_refuses_bad_input(record):
    with pytest.raises(ValidationError):
        record(categories=["shoe_size"])
    with pytest.raises(ValidationError):
        record(categories=[])
    with pytest.raises(ValidationError):
        record(legal_basis=True, legal_basis_text="")
    with pytest.raises(ValidationError):
        record(expires_on=TODAY - 31 * DAY)
    assert not Consent.objects.exists()


def test_withdraw_before_given_is_refused(record, generalist):
    consent = record()
    with pytest.raises(ValidationError):
        consent_withdraw(consent=consent, on=TODAY - 31 * DAY, by=generalist)


def test_expired_yesterday_notifies_the_coordinator_once(record, generalist, org, resident):
    record(expires_on=TODAY - DAY)
    record(expires_on=TODAY - 2 * DAY)  # expired earlier: told then
    record(expires_on=TODAY)  # still valid today
    withdrawn = record(expires_on=TODAY - DAY)
    consent_withdraw(consent=withdrawn, on=TODAY - 5 * DAY, by=generalist)

    assert consents_expired_notify(today=TODAY) == 1
    notification = Notification.objects.get()
    assert notification.user == generalist
    assert notification.kind == NotificationKind.CONSENT_EXPIRED
    assert "Zorg Oost" in notification.message
    assert resident.last_name not in notification.message


def test_no_coordinator_no_notification(record, household):
    household.coordinator = None
    household.save(update_fields=["coordinator"])
    record(expires_on=TODAY - DAY)
    assert consents_expired_notify(today=TODAY) == 0


def test_task_calls_the_service(db):
    UserFactory()
    assert consents_expire() == 0
