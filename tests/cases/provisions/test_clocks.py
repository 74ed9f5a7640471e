"""The decision clocks of an application (issue #23): the decision term by law with the
suspensions and notices of the Awb (4:14, 4:15), the day a decision letter was made known and
the objection term counted from the day after it (Awb 6:7/6:8), the advance on algemene
bijstand (Participatiewet art. 52), and the recomputation of open clocks when the holiday table
changes. Dates are absolute: each vector was checked against the Algemene termijnenwet."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from cases.legal_terms import EquatedDay, term_end
from cases.privacy.models import AccessAction, AccessLogEntry, AccessResult
from cases.provisions import services as svc
from cases.provisions.models import (
    AdvanceException,
    AdvanceExceptionReason,
    AdvancePayment,
    ApplicationStatus,
    ApplicationTermEvent,
    DeadlineChangeReason,
    DecisionDeadlineChange,
    DecisionLetter,
    DecisionOutcome,
    LetterIssueReason,
    ProvisionDecision,
    TermEventKind,
)
from cases.provisions.selectors import (
    application_decision_deadline,
    decision_objection_deadline,
    suspended_days,
)
from networks.models import GENERAL_ASSISTANCE_CODE, Law, Unit
from teams.roles import Role
from tests.provision_factories import BudgetStreamFactory, ProductFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = timezone.localdate()


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def outsider(other_area):
    """A generalist of another district: the household does not exist for them (404)."""
    from tests.factories import TeamMemberFactory

    return TeamMemberFactory(team=other_area["team"], user__username="outsider").user


@pytest.fixture
def youth_product(db):
    return ProductFactory(youth=True)


@pytest.fixture
def general_assistance(db):
    return ProductFactory(
        name="Algemene bijstand",
        law=Law.PARTICIPATION,
        category="",
        code=GENERAL_ASSISTANCE_CODE,
        unit=Unit.EURO,
        tariff=Decimal("0.01"),
        budget_stream=BudgetStreamFactory(code="participatie", name="Participatie"),
    )


@pytest.fixture
def special_assistance(db):
    return ProductFactory(participation=True)  # bijzondere bijstand


def record(application, by, kind, **fields):
    return svc.application_term_event_record(
        application=application, by=by, data=svc.TermEventInput(kind=kind, **fields)
    )


def reject(application, consultant):
    return svc.decision_make(
        application=application,
        by=consultant,
        data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="Geen beperking."),
    )


def last_row() -> int:
    """The newest access-log row so far (the log is append-only): `changes(since=...)`."""
    return AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def changes(since: int = 0):
    return list(
        AccessLogEntry.objects.filter(
            pk__gt=since, action=AccessAction.CHANGE, result=AccessResult.ALLOWED
        )
    )


# 1. The decision term by law -------------------------------------------------------------------


def test_the_term_is_two_weeks_under_the_wmo_and_eight_under_the_awb(make_application):
    # Wmo 2015 art. 2.3.5: Monday 2 March 2026 + 2 weeks = Monday 16 March
    assert make_application(applied_on=D(2026, 3, 2)).decision_deadline == D(2026, 3, 16)
    # Awb 4:13: + 8 weeks = Monday 27 April 2026, King's Day: runs on to Tuesday 28 April
    youth = make_application(applied_on=D(2026, 3, 2), product=ProductFactory(youth=True))
    assert youth.decision_deadline == D(2026, 4, 28)


# 2. Suspension (Awb 4:15) ----------------------------------------------------------------------


def test_a_suspension_moves_the_deadline_by_exactly_its_days(make_application, consultant):
    application = make_application(applied_on=D(2026, 3, 2))
    assert application.decision_deadline == D(2026, 3, 16)
    event = record(
        application,
        consultant,
        TermEventKind.FORCE_MAJEURE,
        suspended_from=D(2026, 3, 4),
        suspended_until=D(2026, 3, 10),  # 7 days, first and last included
    )
    application.refresh_from_db()
    assert application.decision_deadline == D(2026, 3, 23)  # 16 March + 7 days
    [change] = DecisionDeadlineChange.objects.all()
    assert (change.previous_deadline, change.new_deadline) == (D(2026, 3, 16), D(2026, 3, 23))
    assert change.reason == DeadlineChangeReason.SUSPENSION
    assert change.event == event
    assert change.changed_by == consultant


def test_the_atw_is_applied_once_after_adding_the_suspension(make_application, consultant):
    """Applied on Friday 17 April 2026: 2 weeks end on Friday 1 May, a working day. Asked on
    Monday 20 April to complete it, completed on Saturday 25 April: suspended from 21 up to,
    not including, 25 April, 4 days. 1 May + 4 days = Tuesday 5 May, a holiday in every year
    (Atw art. 3), so the term runs on to Wednesday 6 May. Correcting first and adding the
    suspension after would give 5 May, a holiday."""
    application = make_application(applied_on=D(2026, 4, 17))
    assert application.decision_deadline == D(2026, 5, 1)
    record(
        application,
        consultant,
        TermEventKind.INCOMPLETE,
        asked_on=D(2026, 4, 20),
        period_days=14,
        completed_on=D(2026, 4, 25),
    )
    application.refresh_from_db()
    assert application.decision_deadline == D(2026, 5, 6)
    assert application.decision_deadline == term_end(D(2026, 4, 17), weeks=2, suspended_days=4)


def test_a_suspension_can_end_on_the_day_the_atw_had_moved_the_term_to(
    make_application, consultant
):
    """Applied on Saturday 7 March 2026: 2 weeks end on Saturday 21 March, run on to Monday
    23 March (Atw art. 1). Two days of suspension move the uncorrected end to Monday 23 March
    itself, a working day: still 23 March (not 25 March, the corrected end + 2 days)."""
    application = make_application(applied_on=D(2026, 3, 7))
    assert application.decision_deadline == D(2026, 3, 23)
    record(
        application,
        consultant,
        TermEventKind.APPLICANT_CONSENT,
        suspended_from=D(2026, 3, 10),
        suspended_until=D(2026, 3, 11),
    )
    application.refresh_from_db()
    assert application.decision_deadline == D(2026, 3, 23)
    # the history keeps the recomputation, though the day stayed
    [change] = DecisionDeadlineChange.objects.all()
    assert change.previous_deadline == change.new_deadline == D(2026, 3, 23)


def test_an_incomplete_application_without_a_period_is_refused(make_application, consultant):
    application = make_application(applied_on=D(2026, 3, 2))
    with pytest.raises(ValidationError) as refused:
        record(application, consultant, TermEventKind.INCOMPLETE, asked_on=D(2026, 3, 4))
    assert "period_days" in refused.value.error_dict
    assert "niet opgeschort" in " ".join(refused.value.messages)  # the Dutch UI
    application.refresh_from_db()
    assert application.decision_deadline == D(2026, 3, 16)
    assert not ApplicationTermEvent.objects.exists()
    assert not DecisionDeadlineChange.objects.exists()
    assert changes() == []


def test_a_period_passed_unused_suspends_the_whole_period(make_application, consultant):
    application = make_application(applied_on=D(2026, 3, 2))
    event = record(
        application, consultant, TermEventKind.INCOMPLETE, asked_on=D(2026, 3, 4), period_days=7
    )
    application.refresh_from_db()
    # suspended 5 up to and including 11 March (the period's last day): 7 days
    assert application.decision_deadline == D(2026, 3, 23)
    # completed on 9 March after all: suspended 5 up to, not including, 9 March
    svc.application_term_event_complete(event=event, by=consultant, completed_on=D(2026, 3, 9))
    application.refresh_from_db()
    assert application.decision_deadline == D(2026, 3, 20)
    reasons = list(DecisionDeadlineChange.objects.values_list("reason", flat=True))
    assert reasons == [DeadlineChangeReason.SUSPENSION, DeadlineChangeReason.COMPLETED]


def test_overlapping_suspensions_count_each_day_once(make_application, consultant):
    application = make_application(applied_on=D(2026, 3, 2))
    record(
        application,
        consultant,
        TermEventKind.APPLICANT_DELAY,
        suspended_from=D(2026, 3, 4),
        suspended_until=D(2026, 3, 6),
    )
    record(
        application,
        consultant,
        TermEventKind.FORCE_MAJEURE,
        suspended_from=D(2026, 3, 5),
        suspended_until=D(2026, 3, 8),
    )
    assert suspended_days(ApplicationTermEvent.objects.all()) == 5  # 4 up to and including 8
    application.refresh_from_db()
    assert application.decision_deadline == D(2026, 3, 23)  # Saturday 21 March: Monday 23


def test_a_suspension_after_the_term_ended_is_refused(make_application, consultant):
    application = make_application(applied_on=D(2026, 3, 2))
    with pytest.raises(ValidationError) as refused:
        record(
            application,
            consultant,
            TermEventKind.FORCE_MAJEURE,
            suspended_from=D(2026, 3, 17),
            suspended_until=D(2026, 3, 20),
        )
    assert "suspended_from" in refused.value.error_dict
    with pytest.raises(ValidationError):  # asked on the last day: would start after it
        record(
            application,
            consultant,
            TermEventKind.INCOMPLETE,
            asked_on=D(2026, 3, 16),
            period_days=7,
        )


def test_only_a_consultant_records_term_events(make_application, generalist):
    application = make_application(applied_on=D(2026, 3, 2))
    with pytest.raises(PermissionDenied):
        record(
            application,
            generalist,
            TermEventKind.FORCE_MAJEURE,
            suspended_from=D(2026, 3, 4),
            suspended_until=D(2026, 3, 5),
        )


def test_a_decided_application_takes_no_term_events(make_application, consultant):
    application = make_application(applied_on=D(2026, 3, 2))
    reject(application, consultant)
    with pytest.raises(ValidationError):
        record(
            application,
            consultant,
            TermEventKind.FORCE_MAJEURE,
            suspended_from=D(2026, 3, 4),
            suspended_until=D(2026, 3, 5),
        )


# 2. Notices (Awb 4:14) -------------------------------------------------------------------------


def test_a_notice_on_a_wmo_application_does_not_move_the_deadline(
    make_application, consultant, client_as
):
    application = make_application(applied_on=D(2026, 4, 17))
    record(
        application,
        consultant,
        TermEventKind.NOTICE,
        given_on=D(2026, 4, 28),
        expected_on=D(2026, 5, 20),
    )
    application.refresh_from_db()
    assert application.decision_deadline == D(2026, 5, 1)  # the statutory term stays
    [change] = DecisionDeadlineChange.objects.all()
    assert change.reason == DeadlineChangeReason.NOTICE
    assert change.previous_deadline == change.new_deadline == D(2026, 5, 1)
    # after the statutory day the case is late, whatever the notice said
    assert D(2026, 5, 1) < TODAY
    assert application.is_overdue
    html = client_as(consultant).get(
        reverse("provisions:application_detail", args=[application.uuid])
    )
    content = html.content.decode()
    assert 'class="badge overdue"' in content
    with translation.override("nl"):
        assert date_format(D(2026, 5, 20), "j F Y") in content  # the expected day is shown


def test_a_notice_within_eight_weeks_on_a_youth_application_sets_a_new_term(
    make_application, consultant, youth_product
):
    application = make_application(applied_on=D(2026, 3, 2), product=youth_product)
    assert application.decision_deadline == D(2026, 4, 28)
    record(
        application,
        consultant,
        TermEventKind.NOTICE,
        given_on=D(2026, 4, 20),
        expected_on=D(2026, 6, 15),
    )
    application.refresh_from_db()
    assert application.decision_deadline == D(2026, 6, 15)  # Awb 4:14(3)
    [change] = DecisionDeadlineChange.objects.all()
    assert (change.previous_deadline, change.new_deadline) == (D(2026, 4, 28), D(2026, 6, 15))


def test_a_notice_after_the_eight_weeks_does_not_move_the_term(
    make_application, consultant, youth_product
):
    application = make_application(applied_on=D(2026, 3, 2), product=youth_product)
    record(
        application,
        consultant,
        TermEventKind.NOTICE,
        given_on=D(2026, 4, 29),  # the term ended on Tuesday 28 April
        expected_on=D(2026, 6, 15),
    )
    application.refresh_from_db()
    assert application.decision_deadline == D(2026, 4, 28)
    assert application.is_overdue


def test_a_suspension_after_a_new_reasonable_term_moves_it_on(
    make_application, consultant, youth_product
):
    application = make_application(applied_on=D(2026, 3, 2), product=youth_product)
    record(
        application,
        consultant,
        TermEventKind.NOTICE,
        given_on=D(2026, 4, 20),
        expected_on=D(2026, 6, 15),
    )
    record(
        application,
        consultant,
        TermEventKind.APPLICANT_DELAY,
        suspended_from=D(2026, 5, 4),
        suspended_until=D(2026, 5, 8),
    )
    application.refresh_from_db()
    assert application.decision_deadline == D(2026, 6, 20)  # 15 June + 5 days
    events = list(ApplicationTermEvent.objects.all())
    assert application_decision_deadline(
        law=Law.YOUTH, applied_on=D(2026, 3, 2), events=events
    ) == D(2026, 6, 20)


# 3. The day made known and the objection term (Awb 6:7/6:8) -----------------------------------


def test_the_letter_is_issued_when_the_decision_is_final(make_application, consultant):
    application = make_application()
    decision = reject(application, consultant)
    assert decision.made_known_on == TODAY
    assert decision.objection_deadline == term_end(TODAY, weeks=6)
    assert decision.letter_version == 1
    [letter] = DecisionLetter.objects.all()
    assert (letter.version, letter.reason, letter.made_known_on) == (
        1,
        LetterIssueReason.ISSUED,
        TODAY,
    )


def test_the_letter_counts_the_objection_term_from_the_day_after_it_was_made_known(
    make_application, consultant, client_as
):
    application = make_application(applied_on=D(2026, 3, 16))
    decision = reject(application, consultant)
    decided = datetime.datetime(2026, 3, 30, 10, tzinfo=datetime.UTC)  # Monday 30 March
    ProvisionDecision.objects.filter(pk=decision.pk).update(decided_at=decided)
    client = client_as(consultant)
    response = client.post(
        reverse("provisions:decision_made_known", args=[application.uuid]),
        {"made_known_on": "2026-04-03"},  # sent on Friday 3 April
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    # 6 weeks from Saturday 4 April end on Friday 15 May 2026, a Crown day: Monday 18 May;
    # never counted from the day of the decision (that would be Monday 11 May)
    assert decision.made_known_on == D(2026, 4, 3)
    assert decision.objection_deadline == D(2026, 5, 18)
    assert decision_objection_deadline(made_known_on=D(2026, 4, 3)) == D(2026, 5, 18)
    assert decision.letter_version == 2  # re-issued
    letters = list(DecisionLetter.objects.order_by("version"))
    assert [(x.version, x.reason) for x in letters] == [
        (1, LetterIssueReason.ISSUED),
        (2, LetterIssueReason.MADE_KNOWN),
    ]
    assert letters[0].made_known_on == TODAY  # the history keeps what version 1 printed
    letter = client.get(reverse("provisions:decision_letter", args=[application.uuid]))
    content = letter.content.decode()
    with translation.override("nl"):
        assert date_format(D(2026, 5, 18), "j F Y") in content
        assert date_format(D(2026, 4, 3), "j F Y") in content
        assert date_format(D(2026, 5, 11), "j F Y") not in content
    assert "versie 2" in content


def test_changing_the_day_made_known_again_re_issues_and_the_same_day_is_refused(
    make_application, consultant
):
    application = make_application(applied_on=D(2026, 3, 16))
    decision = reject(application, consultant)
    ProvisionDecision.objects.filter(pk=decision.pk).update(
        decided_at=datetime.datetime(2026, 3, 30, 10, tzinfo=datetime.UTC)
    )
    svc.decision_made_known_record(decision=decision, by=consultant, made_known_on=D(2026, 4, 3))
    decision = svc.decision_made_known_record(
        decision=decision, by=consultant, made_known_on=D(2026, 4, 1)
    )
    assert decision.letter_version == 3
    assert decision.objection_deadline == term_end(D(2026, 4, 1), weeks=6)
    with pytest.raises(ValidationError):
        svc.decision_made_known_record(
            decision=decision, by=consultant, made_known_on=D(2026, 4, 1)
        )
    with pytest.raises(ValidationError):  # before the decision was made
        svc.decision_made_known_record(
            decision=decision, by=consultant, made_known_on=D(2026, 3, 27)
        )
    assert DecisionLetter.objects.count() == 3


def test_the_letter_prints_the_deadline_history(make_application, consultant, client_as):
    application = make_application(applied_on=D(2026, 3, 2))
    record(
        application,
        consultant,
        TermEventKind.FORCE_MAJEURE,
        suspended_from=D(2026, 3, 4),
        suspended_until=D(2026, 3, 10),
    )
    reject(application, consultant)
    content = (
        client_as(consultant)
        .get(reverse("provisions:decision_letter", args=[application.uuid]))
        .content.decode()
    )
    with translation.override("nl"):
        assert date_format(D(2026, 3, 16), "j F Y") in content
        assert date_format(D(2026, 3, 23), "j F Y") in content
    assert 'id="letter-deadline-history"' in content


# 4. The advance on algemene bijstand (Participatiewet art. 52) ----------------------------------


def test_the_advance_is_due_four_weeks_after_the_application_and_every_four_weeks_after(
    make_application, consultant, general_assistance
):
    application = make_application(applied_on=D(2026, 3, 2), product=general_assistance)
    assert application.advance_due_on is None  # the factory skips the service: submit it
    application = svc.application_submit(
        household=application.household,
        product=general_assistance,
        motivation="Geen inkomen na ontslag.",
        by=application.applied_by,
        applied_on=D(2026, 3, 2),
    )
    assert application.advance_due_on == D(2026, 3, 30)  # Monday 2 March + 4 weeks
    first = svc.advance_payment_record(
        application=application, by=consultant, amount=Decimal("600"), paid_on=D(2026, 3, 27)
    )
    assert first.due_on == D(2026, 3, 30)
    application.refresh_from_db()
    assert application.advance_due_on == D(2026, 4, 24)  # 4 weeks after the day it was paid
    svc.advance_payment_record(
        application=application, by=consultant, amount=Decimal("600"), paid_on=D(2026, 4, 30)
    )
    application.refresh_from_db()
    # paid late: counted from the day it was due (24 April), not from the late payment
    assert application.advance_due_on == D(2026, 5, 22)
    assert application.advance_due_on == term_end(D(2026, 4, 24), weeks=4)
    reject(application, consultant)
    application.refresh_from_db()
    assert application.advance_due_on is None  # stops at the decision
    with pytest.raises(ValidationError):
        svc.advance_payment_record(
            application=application, by=consultant, amount=Decimal("600"), paid_on=TODAY
        )


def test_the_advance_uses_the_atw(make_application, general_assistance, generalist):
    # Friday 3 April 2026 + 4 weeks = Friday 1 May: a working day; Tuesday 7 April 2026 + 4
    # weeks = Tuesday 5 May, a holiday: runs on to Wednesday 6 May
    household = make_application().household
    application = svc.application_submit(
        household=household,
        product=general_assistance,
        motivation="Geen inkomen.",
        by=generalist,
        applied_on=D(2026, 4, 7),
        resident=household.memberships.get().resident,
    )
    assert application.advance_due_on == D(2026, 5, 6)


def test_an_exception_stops_the_advance(make_application, consultant, general_assistance):
    household = make_application().household
    application = svc.application_submit(
        household=household,
        product=general_assistance,
        motivation="Aanvraag levensonderhoud.",
        by=household.provision_applications.get().applied_by,
        applied_on=D(2026, 3, 2),
    )
    with pytest.raises(ValidationError) as refused:
        svc.advance_exception_record(
            application=application,
            by=consultant,
            reason=AdvanceExceptionReason.NO_COOPERATION,
            explanation="  ",
        )
    assert "explanation" in refused.value.error_dict
    svc.advance_exception_record(
        application=application,
        by=consultant,
        reason=AdvanceExceptionReason.NO_COOPERATION,
        explanation="Geen bankafschriften ingeleverd na twee verzoeken.",
    )
    application.refresh_from_db()
    assert application.advance_due_on is None
    assert AdvanceException.objects.get().recorded_by == consultant
    with pytest.raises(ValidationError):
        svc.advance_payment_record(
            application=application, by=consultant, amount=Decimal("600"), paid_on=TODAY
        )


def test_no_advance_for_bijzondere_bijstand(make_application, consultant, special_assistance):
    household = make_application().household
    application = svc.application_submit(
        household=household,
        product=special_assistance,
        motivation="Wasmachine kapot.",
        by=household.provision_applications.get().applied_by,
        applied_on=D(2026, 3, 2),
    )
    assert not special_assistance.is_general_assistance
    assert application.advance_due_on is None
    with pytest.raises(ValidationError):
        svc.advance_payment_record(
            application=application, by=consultant, amount=Decimal("100"), paid_on=TODAY
        )
    with pytest.raises(ValidationError):
        svc.advance_exception_record(
            application=application,
            by=consultant,
            reason=AdvanceExceptionReason.CLEARLY_NO_RIGHT,
            explanation="x",
        )


def test_the_demo_catalogue_has_algemene_bijstand_with_an_advance_and_bijzondere_without():
    from cases.demo.provisions import PRODUCTS

    codes = {name: (law, code) for name, law, _category, code, *_rest in PRODUCTS}
    assert codes["Algemene bijstand"] == (Law.PARTICIPATION, GENERAL_ASSISTANCE_CODE)
    assert codes["Bijzondere bijstand"][1] != GENERAL_ASSISTANCE_CODE


# 5. Recompute open clocks when the holiday table changes ----------------------------------------


def test_an_equated_day_on_a_deadline_day_moves_open_deadlines_only(
    make_application, consultant, client_as, user_with_role, django_capture_on_commit_callbacks
):
    open_one = make_application(applied_on=D(2026, 11, 2))
    decided = make_application(applied_on=D(2026, 11, 2))
    assert open_one.decision_deadline == decided.decision_deadline == D(2026, 11, 16)
    reject(decided, consultant)
    admin_user = user_with_role(Role.FUNCTIONAL_ADMIN, username="beheer", is_superuser=True)
    admin_user.is_staff = True
    admin_user.save()
    client = client_as(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:cases_equatedday_add"),
            {"day": "2026-11-16", "description": "Besluit van de Kroon (test)"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert EquatedDay.objects.filter(day=D(2026, 11, 16)).exists()
    open_one.refresh_from_db()
    decided.refresh_from_db()
    assert open_one.decision_deadline == D(2026, 11, 17)  # runs on to Tuesday
    assert decided.decision_deadline == D(2026, 11, 16)  # a decided clock stays
    [change] = DecisionDeadlineChange.objects.filter(application=open_one)
    assert change.reason == DeadlineChangeReason.HOLIDAYS
    assert change.changed_by == admin_user
    assert "Besluit van de Kroon" in change.note
    assert not DecisionDeadlineChange.objects.filter(application=decided).exists()
    # removing the day moves it back
    day = EquatedDay.objects.get(day=D(2026, 11, 16))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:cases_equatedday_delete", args=[day.pk]), {"post": "yes"})
    open_one.refresh_from_db()
    assert open_one.decision_deadline == D(2026, 11, 16)


def test_the_recompute_moves_advances_and_running_objection_terms(
    make_application, consultant, general_assistance, generalist
):
    household = make_application().household
    application = svc.application_submit(
        household=household,
        product=general_assistance,
        motivation="Geen inkomen.",
        by=generalist,
        applied_on=D(2026, 11, 2),
        resident=household.memberships.get().resident,
    )
    assert application.advance_due_on == D(2026, 11, 30)
    decision = reject(make_application(), consultant)
    made_known_deadline = decision.objection_deadline
    EquatedDay.objects.create(day=D(2026, 11, 30), description="Besluit")
    EquatedDay.objects.create(day=made_known_deadline, description="Besluit")
    run = svc.open_decision_clocks_recompute(by=None, note="test")
    application.refresh_from_db()
    decision.refresh_from_db()
    assert application.advance_due_on == D(2026, 12, 1)
    assert decision.objection_deadline > made_known_deadline
    assert decision.letter_version == 2
    assert decision.letters.last().reason == LetterIssueReason.HOLIDAYS
    assert (run.advances, run.letters) == (1, 1)
    assert svc.open_decision_clocks_recompute().deadlines == 0  # nothing left to move


# Views: allowed and denied, one change row per write -------------------------------------------


FORMS = {
    "provisions:application_term_event": {
        "kind": TermEventKind.FORCE_MAJEURE,
        "suspended_from": "2026-03-04",
        "suspended_until": "2026-03-10",
    },
    "provisions:advance_payment": {"amount": "600.00", "paid_on": "2026-03-27"},
    "provisions:advance_exception": {
        "reason": AdvanceExceptionReason.CLEARLY_NO_RIGHT,
        "explanation": "Vermogen boven de grens.",
    },
}


@pytest.fixture
def running_application(make_application, general_assistance, generalist):
    household = make_application().household
    return svc.application_submit(
        household=household,
        product=general_assistance,
        motivation="Geen inkomen.",
        by=generalist,
        applied_on=D(2026, 3, 2),
        resident=household.memberships.get().resident,
    )


@pytest.mark.parametrize("name", sorted(FORMS))
def test_a_clock_form_writes_one_change_row(
    name, client_as, consultant, running_application, generalist, outsider
):
    url = reverse(name, args=[running_application.uuid])
    since = last_row()
    assert client_as(generalist).post(url, FORMS[name]).status_code == 403
    assert client_as(outsider).post(url, FORMS[name]).status_code == 404
    assert changes(since) == []
    response = client_as(consultant).post(url, FORMS[name])
    assert response.status_code == 302
    [row] = changes(since)
    assert row.household_uuid == running_application.household.uuid
    assert row.username == consultant.username
    assert row.ip_address == "127.0.0.1"


@pytest.mark.parametrize("name", sorted(FORMS))
def test_a_clock_form_with_errors_writes_no_change_row(
    name, client_as, consultant, running_application
):
    url = reverse(name, args=[running_application.uuid])
    since = last_row()
    response = client_as(consultant).post(url, {})
    assert response.status_code == 200
    assert changes(since) == []
    # HTMX gets the form's partial back
    response = client_as(consultant).post(url, {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()


def test_an_incomplete_request_without_period_is_refused_on_the_page(
    client_as, consultant, make_application
):
    application = make_application(applied_on=D(2026, 3, 2))
    since = last_row()
    response = client_as(consultant).post(
        reverse("provisions:application_term_event", args=[application.uuid]),
        {"kind": TermEventKind.INCOMPLETE, "asked_on": "2026-03-04"},
    )
    assert response.status_code == 200
    assert "niet opgeschort" in response.content.decode()
    assert changes(since) == []


def test_htmx_term_event_redirects_with_204(client_as, consultant, make_application):
    application = make_application(applied_on=D(2026, 3, 2))
    response = client_as(consultant).post(
        reverse("provisions:application_term_event", args=[application.uuid]),
        FORMS["provisions:application_term_event"],
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse(
        "provisions:application_detail", args=[application.uuid]
    )
    application.refresh_from_db()
    assert application.decision_deadline == D(2026, 3, 23)


def test_completing_an_incomplete_application_on_the_page(
    client_as, consultant, generalist, outsider, make_application
):
    application = make_application(applied_on=D(2026, 3, 2))
    event = record(
        application, consultant, TermEventKind.INCOMPLETE, asked_on=D(2026, 3, 4), period_days=7
    )
    since = last_row()
    url = reverse("provisions:term_event_complete", args=[application.uuid, event.uuid])
    assert client_as(generalist).post(url, {"completed_on": "2026-03-09"}).status_code == 403
    assert client_as(outsider).post(url, {"completed_on": "2026-03-09"}).status_code == 404
    assert changes(since) == []
    response = client_as(consultant).post(url, {"completed_on": "2026-03-09"})
    assert response.status_code == 302
    [row] = changes(since)
    assert row.object_id == str(event.uuid)
    application.refresh_from_db()
    assert application.decision_deadline == D(2026, 3, 20)


def test_the_day_made_known_form(client_as, consultant, generalist, outsider, make_application):
    application = make_application(applied_on=D(2026, 3, 16))
    decision = reject(application, consultant)
    ProvisionDecision.objects.filter(pk=decision.pk).update(
        decided_at=datetime.datetime(2026, 3, 30, 10, tzinfo=datetime.UTC)
    )
    since = last_row()
    url = reverse("provisions:decision_made_known", args=[application.uuid])
    assert client_as(generalist).post(url, {"made_known_on": "2026-04-03"}).status_code == 403
    assert client_as(outsider).post(url, {"made_known_on": "2026-04-03"}).status_code == 404
    assert changes(since) == []
    assert client_as(consultant).post(url, {"made_known_on": "2026-04-03"}).status_code == 302
    [row] = changes(since)
    assert (row.object_type, row.object_id) == ("decision", str(decision.uuid))


def test_the_made_known_form_waits_for_a_final_decision(client_as, consultant, make_application):
    application = make_application()
    url = reverse("provisions:decision_made_known", args=[application.uuid])
    assert client_as(consultant).post(url, {"made_known_on": "2026-04-03"}).status_code == 403


def test_the_application_page_shows_the_clocks(
    client_as, consultant, generalist, running_application, django_assert_max_num_queries
):
    record(
        running_application,
        consultant,
        TermEventKind.INCOMPLETE,
        asked_on=D(2026, 3, 4),
        period_days=7,
    )
    svc.advance_payment_record(
        application=running_application,
        by=consultant,
        amount=Decimal("600"),
        paid_on=D(2026, 3, 27),
    )
    url = reverse("provisions:application_detail", args=[running_application.uuid])
    # + the household around it on the decision screen (selectors.decision_context: fixed)
    with django_assert_max_num_queries(50):
        response = client_as(consultant).get(url)
    content = response.content.decode()
    for marker in ('id="decision-term"', 'id="term-events"', 'id="deadline-history"'):
        assert marker in content
    for marker in ('id="advance"', 'id="advance-payments"', 'id="term-event-form"'):
        assert marker in content
    # a generalist sees the clocks, not the forms
    content = client_as(generalist).get(url).content.decode()
    assert 'id="decision-term"' in content and 'id="term-event-form"' not in content
    assert 'id="advance-payment-form"' not in content
    assert AdvancePayment.objects.count() == 1
    assert running_application.status == ApplicationStatus.SUBMITTED


def test_the_backfill_makes_earlier_final_decisions_known_on_their_day(
    make_application, consultant
):
    """Migration 0019: decisions final before this change get the day of the decision as the
    day made known (what their letters printed), the objection term from the engine, and a
    letter version 1."""
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("cases.migrations.0022_decision_letters_made_known").backfill
    decision = reject(make_application(), consultant)
    DecisionLetter.objects.all().delete()
    ProvisionDecision.objects.filter(pk=decision.pk).update(
        decided_at=datetime.datetime(2026, 4, 3, 10, tzinfo=datetime.UTC),
        made_known_on=None,
        objection_deadline=None,
        letter_version=0,
        letter_issued_at=None,
    )
    backfill(apps, None)
    decision.refresh_from_db()
    assert decision.made_known_on == D(2026, 4, 3)
    assert decision.objection_deadline == D(2026, 5, 18)
    assert decision.letter_version == 1
    assert decision.letter_issued_at == datetime.datetime(2026, 4, 3, 10, tzinfo=datetime.UTC)
    [letter] = DecisionLetter.objects.all()
    assert (letter.version, letter.issued_by) == (1, consultant)
