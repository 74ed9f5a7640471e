"""The GP's warm hand-off (docs/gp-handoff.md): the GP sends a concern with the patient's
consent; it becomes a signal for the team of the patient's district and a call-back clock; the
team records its attempts; the practice gets the status back (e-mail and "Mijn overdrachten")
and never anything of the file."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases import clocks
from cases.intake import services as intake_services
from cases.intake.models import (
    CallbackAttempt,
    CallbackOutcome,
    GpHandoff,
    HandoffStatus,
    HandoffUrgency,
    Signal,
    SignalSource,
    SignalStatus,
)
from cases.legal_terms import add_working_days, callback_due
from cases.privacy.models import AccessAction, AccessLogEntry, AccessResult
from teams.roles import Role
from tests.factories import ResidentFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db

PATIENT = "Jannie Verhoeven"
BIRTH = datetime.date(1948, 3, 9)


@pytest.fixture
def gp(user_with_role):
    return user_with_role(
        Role.GP, username="dokter", first_name="Anna", last_name="Huisman", email="dr@praktijk.nl"
    )


@pytest.fixture
def team_lead(area):
    return TeamMemberFactory(
        team=area["team"], user__username="lead", user__roles=[Role.TEAM_LEAD]
    ).user


def send(gp, **kwargs):
    fields = {
        "by": gp,
        "patient_name": PATIENT,
        "patient_birth_date": BIRTH,
        "postcode": "5611 ab",
        "house_number": "12A",
        "consent_confirmed": True,
        "concern": "Vergeetachtig, eet slecht, dochter woont ver weg.",
        "reply_email": "assistente@praktijk.nl",
        "practice_name": "Praktijk Centrum",
        "urgency": HandoffUrgency.NORMAL,
    }
    fields.update(kwargs)
    return intake_services.gp_handoff_send(**fields)


def form_data(**kwargs):
    data = {
        "patient_name": PATIENT,
        "patient_birth_date": "1948-03-09",
        "postcode": "5611 AB",
        "house_number": "12A",
        "concern": "Vergeetachtig, eet slecht.",
        "urgency": "urgent",
        "practice_name": "Praktijk Centrum",
        "reply_email": "assistente@praktijk.nl",
        "consent_confirmed": "on",
    }
    data.update(kwargs)
    return data


# Services ------------------------------------------------------------------------------------


def test_a_hand_off_is_a_signal_for_the_team_of_the_district_with_a_call_back_clock(gp, area):
    handoff = send(gp)
    signal = handoff.signal
    assert signal.team == area["team"]
    assert signal.source_type == SignalSource.GP
    assert signal.status == SignalStatus.OPEN
    assert signal.subject_name == PATIENT
    assert signal.subject_birth_date == BIRTH
    assert signal.subject_postcode == "5611AB"
    assert signal.reporter_contact == "assistente@praktijk.nl"
    assert signal.household is None  # the patient is not looked up: the team links in triage
    assert handoff.district == area["district"]
    assert handoff.status == HandoffStatus.OPEN
    assert handoff.callback_due == add_working_days(signal.received_on, 3)
    rows = clocks.team_clock_rows(district=area["district"], kinds=["callback"])
    assert [row["clock_object"] for row in rows] == [handoff.uuid]
    clock = clocks.clocks_from_rows(rows)[0]
    assert clock.district_id == area["district"].pk
    assert clock.url == reverse("cases:signal_detail", args=[signal.uuid])


def test_an_urgent_hand_off_is_called_back_within_one_working_day(gp, area):
    handoff = send(gp, urgency=HandoffUrgency.URGENT)
    assert handoff.callback_due == callback_due(handoff.signal.received_on, urgency="urgent")
    assert handoff.callback_due == add_working_days(handoff.signal.received_on, 1)


@pytest.mark.parametrize(
    ("sent_on", "urgency", "due"),
    [
        (datetime.date(2026, 12, 4), "urgent", datetime.date(2026, 12, 7)),  # Friday -> Monday
        (datetime.date(2026, 12, 4), "normal", datetime.date(2026, 12, 9)),
        (datetime.date(2026, 4, 2), "urgent", datetime.date(2026, 4, 7)),  # Good Friday, Easter
        (datetime.date(2026, 12, 24), "normal", datetime.date(2026, 12, 30)),  # Christmas
    ],
)
def test_the_call_back_term_counts_working_days(sent_on, urgency, due):
    assert callback_due(sent_on, urgency=urgency) == due


def test_the_call_back_clock_is_not_shown_to_another_district(gp, area, other_area):
    send(gp)
    assert not list(clocks.team_clock_rows(district=other_area["district"], kinds=["callback"]))


def test_no_hand_off_without_consent_or_outside_the_municipality(gp, area):
    with pytest.raises(ValidationError) as error:
        send(gp, consent_confirmed=False)
    assert "consent_confirmed" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        send(gp, postcode="9999 ZZ")
    assert "postcode" in error.value.message_dict
    assert not Signal.objects.exists()
    assert not GpHandoff.objects.exists()


def test_only_a_gp_sends_a_hand_off(generalist, area):
    with pytest.raises(PermissionDenied):
        send(generalist)


def test_the_database_refuses_a_hand_off_without_consent(gp, area):
    handoff = send(gp)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        GpHandoff.objects.filter(pk=handoff.pk).update(consent_confirmed=False)


def test_the_hand_off_and_its_signal_are_access_logged(gp, area):
    handoff = send(gp)
    logged = set(
        AccessLogEntry.objects.filter(action=AccessAction.CHANGE, user=gp).values_list(
            "object_type", "object_id"
        )
    )
    assert ("gp_handoff", str(handoff.uuid)) in logged
    assert ("signal", str(handoff.signal.uuid)) in logged


def test_reached_makes_contact_and_mails_the_practice_without_content(
    gp, area, generalist, django_capture_on_commit_callbacks
):
    handoff = send(gp)
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.callback_attempt_record(
            handoff=handoff,
            by=generalist,
            outcome=CallbackOutcome.NOT_REACHED,
            note="Voicemail ingesproken",
        )
    assert not mail.outbox  # no status change yet
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.callback_attempt_record(
            handoff=handoff, by=generalist, outcome=CallbackOutcome.REACHED, note="Bezoek gepland"
        )
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.CONTACT_MADE
    assert handoff.status_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["assistente@praktijk.nl"]
    text = message.subject + message.body
    assert handoff.reference in text
    for secret in (PATIENT, "Verhoeven", "1948", "5611", "12A", "Voicemail", "Bezoek", "eet"):
        assert secret not in text
    assert not list(clocks.team_clock_rows(district=area["district"], kinds=["callback"]))


def test_the_third_failed_attempt_is_no_contact_and_then_it_is_finished(
    gp, area, generalist, django_capture_on_commit_callbacks
):
    handoff = send(gp)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            intake_services.callback_attempt_record(
                handoff=handoff, by=generalist, outcome=CallbackOutcome.NOT_REACHED
            )
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.NO_CONTACT
    assert list(handoff.attempts.values_list("number", flat=True)) == [1, 2, 3]
    assert len(mail.outbox) == 1
    assert "3" in mail.outbox[0].body
    with pytest.raises(ValidationError):
        intake_services.callback_attempt_record(
            handoff=handoff, by=generalist, outcome=CallbackOutcome.REACHED
        )
    assert handoff.attempts.count() == 3


def test_only_the_team_of_the_district_calls_back(gp, area, other_area, user_with_role):
    handoff = send(gp)
    stranger = TeamMemberFactory(team=other_area["team"]).user
    for user in (stranger, gp, user_with_role(Role.CONSULTANT)):
        with pytest.raises(PermissionDenied):
            intake_services.callback_attempt_record(
                handoff=handoff, by=user, outcome=CallbackOutcome.REACHED
            )
    assert not CallbackAttempt.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_colleagues_recording_at_once_get_numbers_one_and_two(gp, area, generalist):
    handoff = send(gp)
    colleague = TeamMemberFactory(team=area["team"]).user
    errors = []

    def record(user):
        try:
            intake_services.callback_attempt_record(
                handoff=handoff, by=user, outcome=CallbackOutcome.NOT_REACHED
            )
        except Exception as exc:  # collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(user,)) for user in (generalist, colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(handoff.attempts.values_list("number", flat=True)) == [1, 2]


# Views ---------------------------------------------------------------------------------------


def test_the_lookup_result_offers_the_hand_off_with_the_postcode(client, gp, area):
    client.force_login(gp)
    response = client.post(reverse("teams:area_contacts"), {"postcode": "5611AB"})
    assert reverse("handoffs:create") in response.content.decode()
    response = client.post(reverse("handoffs:create"), {"start": "1", "postcode": "5611AB"})
    assert response.status_code == 200
    assert 'value="5611AB"' in response.content.decode()
    assert not Signal.objects.exists()  # opening the form sends nothing


def test_the_gp_sends_a_hand_off_and_sees_nothing_of_the_file(client, gp, area, make_household):
    # the patient lives here and has a file; the GP learns nothing of it
    household = make_household(postcode="5611AB", street="Geheimstraat", house_number=12)
    resident = household.memberships.first().resident
    resident.first_name, resident.last_name, resident.birth_date = "Jannie", "Verhoeven", BIRTH
    resident.save()
    client.force_login(gp)
    response = client.post(reverse("handoffs:create"), form_data(), follow=True)
    assert response.status_code == 200
    handoff = GpHandoff.objects.get()
    assert handoff.signal.household is None
    body = response.content.decode()
    assert handoff.reference in body
    assert "Geheimstraat" not in body
    assert str(household.uuid) not in body
    assert str(handoff.signal.uuid) not in body
    assert "Vergeetachtig" not in body  # not even the concern comes back


def test_form_errors_are_shown_not_raised(client, gp, area):
    client.force_login(gp)
    response = client.post(reverse("handoffs:create"), form_data(consent_confirmed=""))
    assert response.status_code == 200
    assert response.context["form"].errors["consent_confirmed"]
    response = client.post(reverse("handoffs:create"), form_data(postcode="9999 ZZ"))
    assert response.context["form"].errors["postcode"]
    response = client.post(reverse("handoffs:create"), form_data(postcode="nonsense"))
    assert response.context["form"].errors["postcode"]
    assert not GpHandoff.objects.exists()


def test_a_gp_is_rate_limited(client, gp, area, settings):
    settings.GP_HANDOFF_RATE = "2/hour"
    client.force_login(gp)
    for _ in range(2):
        assert client.post(reverse("handoffs:create"), form_data()).status_code == 302
    response = client.post(reverse("handoffs:create"), form_data())
    assert response.status_code == 429
    assert GpHandoff.objects.count() == 2


def test_others_are_refused_and_the_refusal_is_logged(client, generalist, area):
    client.force_login(generalist)
    assert client.get(reverse("handoffs:create")).status_code == 403
    assert client.post(reverse("handoffs:create"), form_data()).status_code == 403
    assert client.get(reverse("handoffs:mine")).status_code == 403
    assert AccessLogEntry.objects.filter(
        user=generalist, object_type="gp_handoff", result=AccessResult.DENIED
    ).exists()
    assert not GpHandoff.objects.exists()


def test_my_hand_offs_show_the_status_only_paginated_and_logged(
    client, gp, area, generalist, user_with_role, django_assert_max_num_queries
):
    handoffs = [send(gp, patient_name=f"Patiënt {n}") for n in range(4)]
    send(user_with_role(Role.GP, username="andere-dokter"), patient_name="Niet van mij")
    intake_services.callback_attempt_record(
        handoff=handoffs[0], by=generalist, outcome=CallbackOutcome.REACHED, note="Thuisbezoek"
    )
    client.force_login(gp)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("handoffs:mine"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Patiënt 3" in body
    assert "Niet van mij" not in body
    assert str(HandoffStatus.CONTACT_MADE.label) in body or "Contact gelegd" in body
    assert "Thuisbezoek" not in body
    assert "Vergeetachtig" not in body
    assert AccessLogEntry.objects.filter(
        user=gp, object_type="gp_handoffs", action=AccessAction.VIEW, result_count=4
    ).exists()


def test_the_team_records_attempts_on_the_call_back_list_with_htmx(
    client, gp, area, generalist, django_assert_max_num_queries
):
    handoffs = [send(gp, patient_name=f"Patiënt {n}") for n in range(3)]
    intake_services.callback_attempt_record(
        handoff=handoffs[1], by=generalist, outcome=CallbackOutcome.NOT_REACHED
    )
    client.force_login(generalist)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cases:callback_list"))
    body = response.content.decode()
    for n in range(3):
        assert f"Patiënt {n}" in body
    url = reverse("cases:callback_attempt", args=[handoffs[2].uuid])
    response = client.post(url, {"outcome": "reached"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f"callback-{handoffs[2].uuid}" in response.content.decode()
    handoffs[2].refresh_from_db()
    assert handoffs[2].status == HandoffStatus.CONTACT_MADE
    response = client.post(url, {"outcome": "reached"}, HTTP_HX_REQUEST="true")
    # finished: the block again with the reason (htmx swaps only a 2xx), not a 500
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert handoffs[2].attempts.count() == 1
    response = client.post(url, {"outcome": "reached"})
    assert response.status_code == 400
    response = client.post(
        reverse("cases:callback_attempt", args=[handoffs[0].uuid]), {"outcome": "maybe"}
    )
    assert response.status_code == 400


def test_the_signal_page_shows_the_call_back(client, gp, area, generalist):
    handoff = send(gp)
    client.force_login(generalist)
    response = client.get(reverse("cases:signal_detail", args=[handoff.signal.uuid]))
    body = response.content.decode()
    assert f"callback-{handoff.uuid}" in body
    assert reverse("cases:callback_attempt", args=[handoff.uuid]) in body


def test_another_team_cannot_see_or_record_a_call_back(client, gp, area, other_area):
    handoff = send(gp)
    stranger = TeamMemberFactory(team=other_area["team"]).user
    client.force_login(stranger)
    assert PATIENT not in client.get(reverse("cases:callback_list")).content.decode()
    url = reverse("cases:callback_attempt", args=[handoff.uuid])
    assert client.post(url, {"outcome": "reached"}).status_code == 404
    assert not CallbackAttempt.objects.exists()


def test_the_mail_goes_out_in_dutch(gp, area, generalist, django_capture_on_commit_callbacks):
    from django.utils import translation

    handoff = send(gp)
    with translation.override("nl"), django_capture_on_commit_callbacks(execute=True):
        intake_services.callback_attempt_record(
            handoff=handoff, by=generalist, outcome=CallbackOutcome.REACHED
        )
    assert "contact gelegd" in mail.outbox[0].body
    assert timezone.localdate().year  # the mail names no date of the case either


def test_a_resident_with_the_same_name_is_not_linked(gp, area):
    ResidentFactory(first_name="Jannie", last_name="Verhoeven", birth_date=BIRTH)
    handoff = send(gp)
    assert handoff.signal.resident is None


def test_the_call_back_is_on_the_teams_clock_overview_and_reminded(client, gp, area, generalist):
    from cases.deadlines.selectors import team_clock_counts

    handoff = send(gp)
    client.force_login(generalist)
    url = reverse("cases:team_clocks", args=[area["district"].code])
    body = client.get(url, {"soort": "callback"}).content.decode()
    assert reverse("cases:signal_detail", args=[handoff.signal.uuid]) in body
    counts = {count.kind.code: count for count in team_clock_counts(team=area["team"])}
    assert counts["callback"].total == 1
