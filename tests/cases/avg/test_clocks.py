"""The answer term of an AVG request (art. 12(3) AVG), counted under Regulation 1182/71 by the
legal terms engine: one month after receipt, a last day on a Saturday, Sunday or holiday moving
to the next working day; extendable to three months for a complex request, only with a reason
told to the resident within the first month. Stored by the services, recomputed while open
when the holiday table changes, shown on the privacy officer's pages only.

Holidays used (tests/cases/test_legal_terms.py lists them): 2025 Good Friday 18 April, Easter
Monday 21 April; 2026 5 May, Ascension 14 May, 15 May (Crown)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.avg import services as avg_services
from cases.avg.inzage import inzage_build
from cases.avg.models import CorrectionRequest, CorrectionStatus
from cases.avg.selectors import avg_request_deadline
from cases.legal_terms import EquatedDay
from cases.privacy.models import AccessAction, AccessLogEntry, AccessResult
from cases.tasks import open_clocks_recompute
from teams.roles import Role

pytestmark = pytest.mark.django_db

D = datetime.date

# received Tuesday 18 March 2025: one month is Good Friday 18 April, then the weekend and Easter
# Monday: the first month ends on Tuesday 22 April 2025; three months on Wednesday 18 June
RECEIVED = D(2025, 3, 18)
FIRST_MONTH = D(2025, 4, 22)
THREE_MONTHS = D(2025, 6, 18)


@pytest.fixture
def officer(user_with_role):
    return user_with_role(Role.PRIVACY_OFFICER, username="privacy")


@pytest.fixture
def correction(officer, make_household):
    resident = make_household(residents=1).memberships.get().resident
    return avg_services.correction_request_record(
        resident=resident, what_is_wrong="Alle verslagen", received_on=RECEIVED, by=officer
    )


def mark() -> int:
    return AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# --- the term ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received_on", "extended", "deadline"),
    [
        (RECEIVED, False, FIRST_MONTH),  # Good Friday, weekend, Easter Monday
        (RECEIVED, True, THREE_MONTHS),
        # 31 January 2026: the last day of February is a Saturday: Monday 2 March
        (D(2026, 1, 31), False, D(2026, 3, 2)),
        # 5 April 2026 + 1 month = 5 May (a holiday every year): Wednesday 6 May
        (D(2026, 4, 5), False, D(2026, 5, 6)),
        # 14 April 2026 + 1 month = Ascension, then 15 May (Crown), the weekend: Monday 18 May
        (D(2026, 4, 14), False, D(2026, 5, 18)),
        # 14 February 2026 + 1 month = Saturday 14 March: Monday 16 March
        (D(2026, 2, 14), False, D(2026, 3, 16)),
        # 14 February 2026 + 3 months = Ascension 14 May: Monday 18 May
        (D(2026, 2, 14), True, D(2026, 5, 18)),
        # a month on a working day stays: 31 January 2024 + 1 month = Thursday 29 February
        (D(2024, 1, 31), False, D(2024, 2, 29)),
    ],
)
def test_answer_term_under_regulation_1182_71(received_on, extended, deadline):
    assert avg_request_deadline(received_on=received_on, extended=extended) == deadline


def test_recording_stores_the_engines_deadline(correction):
    correction.refresh_from_db()
    assert correction.deadline == FIRST_MONTH
    assert not correction.is_extended
    assert not hasattr(CorrectionRequest, "deadline_for")


def test_the_avg_wing_keeps_no_month_arithmetic_of_its_own():
    import cases.avg.models
    import cases.avg.selectors

    assert not hasattr(cases.avg.models, "add_months")
    assert not hasattr(cases.avg.selectors, "add_years")


# --- the extension ----------------------------------------------------------------------------


def test_extend_within_the_first_month(officer, correction):
    before = mark()
    extended = avg_services.avg_request_extend(
        request=correction, by=officer, reason="  Tientallen verslagen.  ", told_on=D(2025, 4, 10)
    )
    extended.refresh_from_db()
    assert extended.deadline == THREE_MONTHS
    assert extended.extension_reason == "Tientallen verslagen."
    assert extended.extension_told_on == D(2025, 4, 10)
    assert extended.extended_by == officer and extended.is_extended
    row = AccessLogEntry.objects.get(pk__gt=before)
    assert (row.action, row.result, row.object_type, row.object_id) == (
        AccessAction.CHANGE,
        AccessResult.ALLOWED,
        "correction_request",
        str(correction.uuid),
    )


def test_told_on_the_last_day_of_the_first_month_is_in_time(officer, correction):
    # 18 April is the calendar month, but the term runs on to 22 April (Regulation 1182/71)
    avg_services.avg_request_extend(
        request=correction, by=officer, reason="Complex.", told_on=FIRST_MONTH
    )
    correction.refresh_from_db()
    assert correction.deadline == THREE_MONTHS


@pytest.mark.parametrize(
    ("reason", "told_on", "field"),
    [
        ("Complex.", FIRST_MONTH + datetime.timedelta(days=1), "told_on"),  # after the month
        ("Complex.", D(2025, 6, 1), "told_on"),
        ("", D(2025, 4, 10), "reason"),
        ("   ", D(2025, 4, 10), "reason"),
        ("Complex.", None, "told_on"),
        ("Complex.", RECEIVED - datetime.timedelta(days=1), "told_on"),  # before receipt
    ],
)
def test_extension_is_refused(officer, correction, reason, told_on, field):
    before = mark()
    with pytest.raises(ValidationError) as error:
        avg_services.avg_request_extend(
            request=correction, by=officer, reason=reason, told_on=told_on
        )
    assert field in error.value.message_dict
    correction.refresh_from_db()
    assert correction.deadline == FIRST_MONTH and not correction.is_extended
    assert not AccessLogEntry.objects.filter(pk__gt=before).exists()


def test_told_on_cannot_lie_in_the_future(officer, make_household):
    from django.utils import timezone

    today = timezone.localdate()
    resident = make_household().memberships.get().resident
    fresh = avg_services.correction_request_record(
        resident=resident, what_is_wrong="x", received_on=today, by=officer
    )
    with pytest.raises(ValidationError) as error:
        avg_services.avg_request_extend(
            request=fresh, by=officer, reason="Complex.", told_on=today + datetime.timedelta(1)
        )
    assert "told_on" in error.value.message_dict


def test_extended_once_only_and_only_while_open(officer, correction):
    avg_services.avg_request_extend(
        request=correction, by=officer, reason="Complex.", told_on=D(2025, 4, 1)
    )
    with pytest.raises(ValidationError):
        avg_services.avg_request_extend(
            request=correction, by=officer, reason="Nog eens.", told_on=D(2025, 4, 2)
        )
    avg_services.correction_request_handle(
        correction=correction, status=CorrectionStatus.GRANTED, outcome="Aangepast", by=officer
    )
    correction.refresh_from_db()
    CorrectionRequest.objects.filter(pk=correction.pk).update(
        extension_told_on=None, extension_reason=""
    )
    with pytest.raises(ValidationError):
        avg_services.avg_request_extend(
            request=correction, by=officer, reason="Complex.", told_on=D(2025, 4, 1)
        )


def test_only_the_privacy_officer_extends(generalist, correction):
    with pytest.raises(PermissionDenied):
        avg_services.avg_request_extend(
            request=correction, by=generalist, reason="Complex.", told_on=D(2025, 4, 1)
        )


def test_the_database_keeps_an_extension_whole(correction):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CorrectionRequest.objects.filter(pk=correction.pk).update(extension_told_on=RECEIVED)


# --- the officer's pages ----------------------------------------------------------------------


def test_officer_extends_on_the_request_page(client, officer, correction):
    client.force_login(officer)
    detail = reverse("avg:correction_detail", args=[correction.uuid])
    page = client.get(detail).content.decode()
    url = reverse("avg:correction_extend", args=[correction.uuid])
    assert url in page and "Termijn verlengen" in page
    before = mark()
    response = client.post(
        url, {"extend-reason": "Tientallen verslagen.", "extend-told_on": "2025-04-10"}
    )
    assert response.status_code == 302 and response["Location"] == detail
    assert list(AccessLogEntry.objects.filter(pk__gt=before).values_list("action", "result")) == [
        ("change", "allowed")
    ]
    page = client.get(detail).content.decode()
    assert "Tientallen verslagen." in page
    assert "10 april 2025" in page  # told on
    assert "18 Jun 2025" in page  # the deadline now
    assert url not in page  # extended once only
    listing = client.get(reverse("avg:correction_list"), {"status": "open"}).content.decode()
    assert "verlengd met 2 maanden" in listing
    assert "Verlengd met 2 maanden; de inwoner hoorde dat op 10 Apr 2025:" in listing
    assert "Tientallen verslagen." in listing


def test_a_late_extension_is_shown_with_its_reason(client, officer, correction):
    client.force_login(officer)
    url = reverse("avg:correction_extend", args=[correction.uuid])
    before = mark()
    response = client.post(url, {"extend-reason": "Complex.", "extend-told_on": "2025-04-23"})
    assert response.status_code == 200
    assert "binnen de eerste maand" in response.content.decode()
    assert "told_on" in response.context["extend_form"].errors
    assert list(AccessLogEntry.objects.filter(pk__gt=before).values_list("action", "result")) == [
        ("view", "allowed")
    ]
    correction.refresh_from_db()
    assert not correction.is_extended


def test_the_extension_is_for_the_privacy_officer_only(client, generalist, correction):
    client.force_login(generalist)
    url = reverse("avg:correction_extend", args=[correction.uuid])
    before = mark()
    response = client.post(url, {"extend-reason": "Complex.", "extend-told_on": "2025-04-10"})
    assert response.status_code == 403
    assert list(AccessLogEntry.objects.filter(pk__gt=before).values_list("action", "result")) == [
        ("change", "denied")
    ]
    assert client.get(url).status_code == 405
    correction.refresh_from_db()
    assert not correction.is_extended


def test_the_inzage_shows_the_extension(officer, correction):
    avg_services.avg_request_extend(
        request=correction, by=officer, reason="Complex.", told_on=D(2025, 4, 10)
    )
    data = inzage_build(resident=correction.resident)
    [row] = data["correction_requests"]
    assert row["deadline"] == "2025-06-18"
    assert (row["extension_told_on"], row["extension_reason"]) == ("2025-04-10", "Complex.")


# --- recomputing open clocks when the holiday table changes -----------------------------------


def test_open_requests_follow_a_new_equated_day(officer, correction, make_household):
    resident = make_household().memberships.get().resident
    extended = avg_services.correction_request_record(
        resident=resident, what_is_wrong="y", received_on=RECEIVED, by=officer
    )
    avg_services.avg_request_extend(
        request=extended, by=officer, reason="Complex.", told_on=D(2025, 4, 1)
    )
    handled = avg_services.correction_request_record(
        resident=resident, what_is_wrong="z", received_on=RECEIVED, by=officer
    )
    avg_services.correction_request_handle(
        correction=handled, status=CorrectionStatus.REFUSED, outcome="Klopt wel.", by=officer
    )
    assert avg_services.open_avg_clocks_recompute() == 0

    EquatedDay.objects.create(day=FIRST_MONTH, description="Besluit")
    EquatedDay.objects.create(day=THREE_MONTHS, description="Besluit")
    before = mark()
    assert avg_services.open_avg_clocks_recompute() == 2
    for row in (correction, extended, handled):
        row.refresh_from_db()
    assert correction.deadline == FIRST_MONTH + datetime.timedelta(days=1)
    assert extended.deadline == THREE_MONTHS + datetime.timedelta(days=1)
    assert handled.deadline == FIRST_MONTH  # a handled request keeps the deadline that applied
    rows = AccessLogEntry.objects.filter(pk__gt=before)
    assert {row.object_id for row in rows} == {str(correction.uuid), str(extended.uuid)}
    assert {row.reason for row in rows} == {"legal term recomputed"}
    assert avg_services.open_avg_clocks_recompute() == 0
    result = open_clocks_recompute.delay().get()
    assert (result["meldingen"], result["avg_requests"]) == (0, 0)
