"""The Wmo clocks of a melding (Wmo 2015 art. 2.3.2), from the legal terms engine: the 6-week
investigation and the 7 days for a personal plan, stored when the melding is registered and
recomputed while it is open when the holiday table changes; and the withdrawal of a melding.

Vectors checked by hand against the 2026 calendar (tests/cases/test_legal_terms.py lists the
holidays): Good Friday 3 April, Easter Monday 6 April, King's Day 27 April, 5 May, Ascension
14 May, 15 May (Crown), Whit Monday 25 May."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from cases.intake import selectors as intake_selectors
from cases.intake import services as intake_services
from cases.intake.models import Melding, MeldingChannel, MeldingStatus
from cases.intake.selectors import melding_investigation_deadline, melding_personal_plan_deadline
from cases.legal_terms import EquatedDay
from cases.privacy.models import AccessAction, AccessLogEntry, AccessResult
from cases.tasks import open_clocks_recompute
from teams.roles import Role
from tests.cases.intake_factories import MeldingFactory
from tests.factories import TeamMemberFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = timezone.localdate()


# --- the terms --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received_on", "deadline"),
    [
        # Friday 27 March + 6 weeks = Friday 8 May: Good Friday, Easter Monday, King's Day and
        # 5 May lie inside the term and do not lengthen it (the Atw only moves a last day)
        (D(2026, 3, 27), D(2026, 5, 8)),
        # Thursday 2 April + 6 weeks = Ascension Day 14 May, then 15 May (Crown), the weekend:
        # Monday 18 May
        (D(2026, 4, 2), D(2026, 5, 18)),
        # Good Friday 3 April + 6 weeks = Friday 15 May (Crown): Monday 18 May
        (D(2026, 4, 3), D(2026, 5, 18)),
        # Tuesday 24 March + 6 weeks = 5 May (every year, not only every fifth): Wednesday 6 May
        (D(2026, 3, 24), D(2026, 5, 6)),
        # a melding on a Saturday: 6 weeks end on a Saturday, so the Monday after
        (D(2026, 10, 3), D(2026, 11, 16)),
        # no correction needed: Monday 2 November + 6 weeks = Monday 14 December
        (D(2026, 11, 2), D(2026, 12, 14)),
    ],
)
def test_investigation_deadline_is_six_weeks_under_the_atw(received_on, deadline):
    assert melding_investigation_deadline(received_on=received_on) == deadline


@pytest.mark.parametrize(
    ("received_on", "deadline"),
    [
        # Friday 27 March + 7 days = Good Friday 3 April, the weekend, Easter Monday:
        # Tuesday 7 April
        (D(2026, 3, 27), D(2026, 4, 7)),
        # Tuesday 24 March + 7 days = Tuesday 31 March
        (D(2026, 3, 24), D(2026, 3, 31)),
        # Thursday 7 May + 7 days = Ascension 14 May, 15 May (Crown), the weekend: Monday 18 May
        (D(2026, 5, 7), D(2026, 5, 18)),
        # Saturday 19 December + 7 days = Boxing Day, a Saturday: Monday 28 December
        (D(2026, 12, 19), D(2026, 12, 28)),
    ],
)
def test_personal_plan_window_is_seven_days_under_the_atw(received_on, deadline):
    assert melding_personal_plan_deadline(received_on=received_on) == deadline


def test_registering_a_melding_stores_both_deadlines(generalist, make_household):
    household = make_household()
    melding = intake_services.melding_register(
        household=household,
        by=generalist,
        channel=MeldingChannel.PHONE,
        question="Ik red het niet meer.",
        received_on=D(2026, 3, 27),
    )
    melding.refresh_from_db()
    assert melding.investigation_deadline == D(2026, 5, 8)
    assert melding.personal_plan_deadline == D(2026, 4, 7)


def test_a_converted_signal_stores_the_engines_deadlines(generalist, area, make_household):
    from tests.cases.intake_factories import SignalFactory

    signal = SignalFactory(team=area["team"], household=make_household())
    melding = intake_services.signal_convert_to_melding(
        signal=signal, by=generalist, question="Hulp", received_on=D(2026, 4, 2)
    )
    assert melding.investigation_deadline == D(2026, 5, 18)
    assert melding.personal_plan_deadline == D(2026, 4, 9)


def test_saving_a_melding_computes_nothing(make_household):
    """The model holds no term: a deadline is whatever the service stored."""
    melding = MeldingFactory(household=make_household(), received_on=D(2026, 3, 27))
    melding.received_on = D(2026, 3, 20)
    melding.save()
    melding.refresh_from_db()
    assert melding.investigation_deadline == D(2026, 5, 8)
    assert not hasattr(Melding, "deadline_for")


def test_the_melding_shows_both_terms(client, generalist, make_household):
    household = make_household()
    received = TODAY - datetime.timedelta(days=2)
    MeldingFactory(household=household, received_on=received)
    client.force_login(generalist)
    content = client.get(reverse("cases:household_detail", args=[household.uuid])).content.decode()
    with translation.override("nl"):
        plan_day = date_format(melding_personal_plan_deadline(received_on=received), "j M Y")
    assert f"Persoonlijk plan: de inwoner mag het indienen tot en met {plan_day}." in content
    # the Wmo hints on the registration form
    assert "binnen 7 dagen na de melding een persoonlijk plan" in content


def test_registration_tells_both_deadlines(client, generalist, make_household):
    household = make_household()
    client.force_login(generalist)
    response = client.post(
        reverse("cases:melding_register", args=[household.uuid]),
        {"received_on": "2026-03-27", "channel": MeldingChannel.PHONE, "question": "Hulp"},
        follow=True,
    )
    content = response.content.decode()
    assert "uiterlijk 08-05-2026 afgerond" in content
    assert "tot en met 07-04-2026 een persoonlijk plan" in content


# --- withdrawal -------------------------------------------------------------------------------


@pytest.fixture
def melding(make_household, generalist):
    household = make_household(residents=2, coordinator=generalist)
    return MeldingFactory(household=household, received_on=TODAY - datetime.timedelta(days=3))


def mark() -> int:
    return AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def rows_after(before: int):
    return list(
        AccessLogEntry.objects.filter(pk__gt=before)
        .order_by("pk")
        .values_list("action", "result", "object_type", "household_uuid")
    )


def test_withdraw_a_melding(generalist, melding):
    before = mark()
    intake_services.melding_withdraw(
        melding=melding, by=generalist, reason="  Hulp toch zelf geregeld.  "
    )
    melding.refresh_from_db()
    assert melding.status == MeldingStatus.WITHDRAWN
    assert melding.withdrawn_reason == "Hulp toch zelf geregeld."
    assert melding.withdrawn_on == TODAY
    assert melding.withdrawn_by == generalist
    row = AccessLogEntry.objects.get(pk__gt=before)
    assert (row.action, row.result, row.object_type, row.object_id, row.household_uuid) == (
        AccessAction.CHANGE,
        AccessResult.ALLOWED,
        "melding",
        str(melding.uuid),
        melding.household.uuid,
    )


def test_a_withdrawn_melding_runs_no_clock(generalist, melding):
    from cases.households import selectors as household_selectors

    intake_services.melding_withdraw(melding=melding, by=generalist, reason="Verhuisd.")
    [row] = household_selectors.caseload(user=generalist)
    assert row.melding_deadline is None


@pytest.mark.parametrize("reason", ["", "   "])
def test_withdrawal_needs_a_reason(generalist, melding, reason):
    before = mark()
    with pytest.raises(ValidationError) as error:
        intake_services.melding_withdraw(melding=melding, by=generalist, reason=reason)
    assert "reason" in error.value.message_dict
    melding.refresh_from_db()
    assert melding.status == MeldingStatus.OPEN
    assert rows_after(before) == []


def test_only_an_open_melding_can_be_withdrawn(generalist, melding):
    Melding.objects.filter(pk=melding.pk).update(status=MeldingStatus.COMPLETED)
    with pytest.raises(ValidationError):
        intake_services.melding_withdraw(melding=melding, by=generalist, reason="Te laat.")
    melding.refresh_from_db()
    assert melding.status == MeldingStatus.COMPLETED and melding.withdrawn_reason == ""


def test_a_consultant_may_not_withdraw(consultant, melding):
    with pytest.raises(PermissionDenied):
        intake_services.melding_withdraw(melding=melding, by=consultant, reason="Niet nodig.")
    melding.refresh_from_db()
    assert melding.status == MeldingStatus.OPEN


def test_withdraw_on_the_household_page(client, generalist, melding):
    client.force_login(generalist)
    household = melding.household
    page = client.get(reverse("cases:household_detail", args=[household.uuid])).content.decode()
    url = reverse("cases:melding_withdraw", args=[melding.uuid])
    assert url in page and "De inwoner trekt deze melding in" in page
    before = mark()
    response = client.post(url, {"reason": "Hulp toch zelf geregeld."})
    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("cases:household_detail", args=[household.uuid]) + "#meldingen"
    )
    assert rows_after(before) == [("change", "allowed", "melding", household.uuid)]
    page = client.get(response["Location"]).content.decode()
    assert "Ingetrokken op" in page and "Hulp toch zelf geregeld." in page
    assert url not in page  # nothing left to withdraw


def test_withdraw_by_htmx_redirects(client, generalist, melding):
    client.force_login(generalist)
    response = client.post(
        reverse("cases:melding_withdraw", args=[melding.uuid]),
        {"reason": "Niet meer nodig."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse(
        "cases:household_detail", args=[melding.household.uuid]
    )


def test_withdraw_without_a_reason_shows_the_form_again(client, generalist, melding):
    client.force_login(generalist)
    before = mark()
    response = client.post(reverse("cases:melding_withdraw", args=[melding.uuid]), {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors
    assert rows_after(before) == [("view", "allowed", "melding", melding.household.uuid)]
    melding.refresh_from_db()
    assert melding.status == MeldingStatus.OPEN


def test_withdraw_is_refused_to_a_consultant(client, consultant, make_application, melding):
    make_application(household=melding.household)  # the consultant may open the file
    client.force_login(consultant)
    page = client.get(reverse("cases:household_detail", args=[melding.household.uuid]))
    assert page.status_code == 200
    url = reverse("cases:melding_withdraw", args=[melding.uuid])
    assert url not in page.content.decode()
    before = mark()
    assert client.post(url, {"reason": "Niet nodig."}).status_code == 403
    assert rows_after(before) == [("change", "denied", "melding", melding.household.uuid)]
    melding.refresh_from_db()
    assert melding.status == MeldingStatus.OPEN


def test_withdraw_outside_need_to_know_is_404(client, other_area, melding):
    stranger = TeamMemberFactory(team=other_area["team"]).user
    client.force_login(stranger)
    url = reverse("cases:melding_withdraw", args=[melding.uuid])
    before = mark()
    assert client.post(url, {"reason": "Niet nodig."}).status_code == 404
    assert client.get(url).status_code == 404
    assert [row[:3] for row in rows_after(before)] == [
        ("change", "not_found", "melding"),
        ("view", "not_found", "melding"),
    ]
    melding.refresh_from_db()
    assert melding.status == MeldingStatus.OPEN


def test_melding_for_user_is_need_to_know(generalist, other_area, melding):
    assert intake_selectors.melding_for_user(user=generalist, melding_uuid=melding.uuid) == melding
    stranger = TeamMemberFactory(team=other_area["team"]).user
    from django.http import Http404

    with pytest.raises(Http404):
        intake_selectors.melding_for_user(user=stranger, melding_uuid=melding.uuid)


# --- recomputing open clocks when the holiday table changes -----------------------------------


def test_open_meldingen_follow_a_new_equated_day(make_household):
    household = make_household()
    received = D(2026, 3, 2)  # Monday: investigation until Monday 13 April, plan until 9 March
    open_one = MeldingFactory(household=household, received_on=received)
    completed = MeldingFactory(
        household=household, received_on=received, status=MeldingStatus.COMPLETED
    )
    untouched = MeldingFactory(household=household, received_on=D(2026, 3, 3))
    assert open_one.investigation_deadline == D(2026, 4, 13)
    assert intake_services.open_intake_clocks_recompute() == 0  # nothing changed yet

    EquatedDay.objects.create(day=D(2026, 4, 13), description="Besluit van de Kroon")
    before = mark()
    assert intake_services.open_intake_clocks_recompute() == 1
    open_one.refresh_from_db()
    completed.refresh_from_db()
    untouched.refresh_from_db()
    assert open_one.investigation_deadline == D(2026, 4, 14)
    assert open_one.personal_plan_deadline == D(2026, 3, 9)
    assert completed.investigation_deadline == D(2026, 4, 13)  # a closed clock keeps its day
    assert untouched.investigation_deadline == D(2026, 4, 14)  # 3 March: not affected
    row = AccessLogEntry.objects.get(pk__gt=before)
    assert (row.action, row.object_type, row.object_id, row.reason) == (
        AccessAction.CHANGE,
        "melding",
        str(open_one.uuid),
        "legal term recomputed",
    )
    assert intake_services.open_intake_clocks_recompute() == 0  # idempotent


def test_the_task_recomputes_every_open_clock(make_household, user_with_role):
    admin = user_with_role(Role.FUNCTIONAL_ADMIN, username="beheer")
    melding = MeldingFactory(household=make_household(), received_on=D(2026, 3, 2))
    EquatedDay.objects.create(day=D(2026, 4, 13), description="Besluit van de Kroon")
    before = mark()
    result = open_clocks_recompute.delay(user_id=admin.pk).get()
    assert (result["meldingen"], result["avg_requests"]) == (1, 0)
    melding.refresh_from_db()
    assert melding.investigation_deadline == D(2026, 4, 14)
    row = AccessLogEntry.objects.get(pk__gt=before)
    assert (row.user, row.object_id) == (admin, str(melding.uuid))


def test_a_clock_reads_its_kind_and_badge_in_the_language_of_the_request():
    """A clock's label, legal hint and badge are made once per process and language
    (`clocks._kind_texts`, `cases_extras._clock_deadline`): each language still reads its
    own, also after the other was made."""
    from cases.clocks import clock_from_row
    from cases.templatetags.cases_extras import deadline

    today = timezone.localdate()
    row = {
        "clock_kind": "melding",
        "clock_detail": "",
        "clock_due": today + datetime.timedelta(days=3),
        "clock_object": None,
        "clock_link": "8d5bd5a8-8d0c-4b9f-9a55-7f6cfb1b2f3e",
        "clock_household": None,
        "clock_household_uuid": None,
        "clock_responsible": None,
        "clock_district": None,
        "clock_law": "wmo",
    }
    seen = {}
    for language in ("nl", "en", "nl", "en"):
        with translation.override(language):
            clock = clock_from_row(row, today=today)
            seen.setdefault(language, set()).add(
                (clock.label, clock.law_hint, deadline(clock=clock))
            )
    assert all(len(texts) == 1 for texts in seen.values())
    [(label_nl, hint_nl, badge_nl)] = seen["nl"]
    [(label_en, hint_en, badge_en)] = seen["en"]
    assert "nog 3 dagen" in badge_nl and "3 days left" in badge_en
    assert label_nl != label_en and hint_nl != hint_en
    assert f'title="{hint_en}"' in badge_en
