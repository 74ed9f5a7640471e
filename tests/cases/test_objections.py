"""Objections (bezwaar, issue #21 item 4): registered against a decision that was made known,
the term to decide on it under Awb 7:10 (6 weeks after the objection term ended, 12 with an
advisory committee, deferred by 6) stored on the row and recomputed when it changes, late
objections flagged, the outcome (a founded one opens a new application decided through the
provisions services), need-to-know and the deciding roles, the clock and its reminders, the
consultant's queue, the dashboards, the inzage export and retention.

Dates are absolute and were checked by hand against the Algemene termijnenwet."""

import datetime
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import clocks
from cases.avg.inzage import inzage_build
from cases.avg.services import _household_destroy
from cases.deadlines.models import ClockReminder
from cases.deadlines.services import clock_reminders_send
from cases.households.services import ConcurrentEditError
from cases.objections import selectors, services
from cases.objections.models import Objection, ObjectionOutcome, ObjectorKind
from cases.privacy.models import AccessAction, AccessLogEntry, AccessResult
from cases.provisions import services as psvc
from cases.provisions.models import ApplicationStatus, DecisionOutcome, ProvisionDecision
from cases.provisions.selectors import application_queue
from outcomes.selectors import Filters, objection_table
from teams.roles import Role
from tests.factories import TeamMemberFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def due(term_end, *, received=None, committee=False, deferred=False, consent=0):
    return selectors.objection_decision_due(
        objection_term_end=term_end,
        received_on=received or term_end,
        advisory_committee=committee,
        deferred=deferred,
        consent_deferral_weeks=consent,
    )


# 1. The term (Awb 6:7/6:8, 7:10) ---------------------------------------------------------------


def test_the_objection_term_and_the_decision_term_follow_the_awb_across_christmas():
    # made known Friday 21 August 2026: the objection term runs from Saturday 22 August for
    # 6 weeks, to Friday 2 October 2026 (no holiday)
    term_end = selectors.objection_term_end_of(
        decision=ProvisionDecision(made_known_on=D(2026, 8, 21))
    )
    assert term_end == D(2026, 10, 2)
    # Awb 7:10(1): 6 weeks from Saturday 3 October: Friday 13 November 2026
    assert due(term_end) == D(2026, 11, 13)
    # with an advisory committee, 12 weeks: Friday 25 December 2026, Christmas Day; Boxing Day
    # and the Sunday follow, so the term runs on to Monday 28 December (art. 1 Atw; a term of
    # 12 weeks is not longer than 12 weeks, art. 4)
    assert due(term_end, committee=True) == D(2026, 12, 28)
    # deferred by 6 weeks (7:10(3)): a new term from the day after 28 December, to Monday
    # 8 February 2027 (not 18 weeks from 2 October, which is Friday 5 February)
    assert due(term_end, committee=True, deferred=True) == D(2027, 2, 8)
    # a further deferral with the objector's consent (7:10(4)) is agreed: no correction
    assert due(term_end, committee=True, deferred=True, consent=4) == D(2027, 3, 8)


def test_a_deferral_that_ends_on_christmas_runs_on_to_the_next_working_day():
    # made known Friday 10 July 2026: objection term to Friday 21 August; with a committee
    # 12 weeks to Friday 13 November; deferred 6 weeks from Saturday 14 November: Friday
    # 25 December 2026, which runs on past Boxing Day and the Sunday to Monday 28 December
    term_end = D(2026, 8, 21)
    assert due(term_end, committee=True) == D(2026, 11, 13)
    assert due(term_end, committee=True, deferred=True) == D(2026, 12, 28)


def test_a_late_objection_is_counted_from_the_day_after_it_was_received():
    # received Monday 5 October 2026, three days after the term ended on Friday 2 October:
    # 6 weeks from Tuesday 6 October = Monday 16 November 2026
    assert due(D(2026, 10, 2), received=D(2026, 10, 5)) == D(2026, 11, 16)


# 2. The service ---------------------------------------------------------------------------------


@pytest.fixture
def household(make_household, generalist):
    household = make_household(residents=2)
    household.coordinator = generalist
    household.save(update_fields=["coordinator"])
    return household


@pytest.fixture
def decision(make_application, household, consultant):
    """A rejection made Thursday 20 August 2026 and made known (sent) Friday 21 August."""
    application = make_application(household=household, applied_on=D(2026, 8, 10))
    decision = psvc.decision_make(
        application=application,
        by=consultant,
        data=psvc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="Geen beperking."),
    )
    ProvisionDecision.objects.filter(pk=decision.pk).update(
        decided_at=datetime.datetime(2026, 8, 20, 10, tzinfo=datetime.UTC)
    )
    decision.refresh_from_db()
    return psvc.decision_made_known_record(
        decision=decision, by=consultant, made_known_on=D(2026, 8, 21)
    )


def register(decision, by, **fields):
    values = {
        "received_on": D(2026, 9, 20),
        "objector_kind": ObjectorKind.RESIDENT,
        "grounds": "Ik kan echt niet zelf koken.",
    }
    return services.objection_register(decision=decision, by=by, **(values | fields))


def changes(object_type="objection"):
    return list(
        AccessLogEntry.objects.filter(
            action=AccessAction.CHANGE, result=AccessResult.ALLOWED, object_type=object_type
        )
    )


def handling(objection, **fields):
    values = {
        "advisory_committee": objection.advisory_committee,
        "deferred_on": objection.deferred_on,
        "consent_deferral_weeks": objection.consent_deferral_weeks,
        "hearing_on": objection.hearing_on,
        "late_excusable": objection.late_excusable,
    }
    return services.HandlingInput(**(values | fields))


def test_registering_stores_the_terms_and_logs_the_change(decision, consultant, household):
    objection = register(decision, consultant)
    assert objection.objection_term_end == D(2026, 10, 2)
    assert objection.decision_due == D(2026, 11, 13)
    assert not objection.late
    assert objection.household == household and objection.handled_by == consultant
    [row] = changes()
    assert row.object_id == str(objection.uuid) and row.household_uuid == household.uuid


def test_the_committee_and_a_deferral_recompute_the_stored_due_date(decision, consultant):
    objection = register(decision, consultant)
    objection = services.objection_handle(
        objection=objection, by=consultant, data=handling(objection, advisory_committee=True)
    )
    assert objection.decision_due == D(2026, 12, 28)  # across Christmas
    objection = services.objection_handle(
        objection=objection,
        by=consultant,
        data=handling(objection, deferred_on=D(2026, 12, 1), hearing_on=D(2026, 11, 2)),
        expected_version=objection.version,
    )
    objection.refresh_from_db()
    assert objection.decision_due == D(2027, 2, 8)
    assert objection.hearing_on == D(2026, 11, 2)
    assert len(changes()) == 3
    # a deferral once sent stays; the committee can still go, and the term follows
    with pytest.raises(ValidationError):
        services.objection_handle(
            objection=objection, by=consultant, data=handling(objection, deferred_on=None)
        )
    objection = services.objection_handle(
        objection=objection, by=consultant, data=handling(objection, advisory_committee=False)
    )
    assert objection.decision_due == D(2026, 12, 28)  # 13 November + 6 weeks = Christmas


def test_a_deferral_after_the_term_ended_is_refused(decision, consultant):
    objection = register(decision, consultant)  # due 13 November 2026
    with pytest.raises(ValidationError) as error:
        services.objection_handle(
            objection=objection, by=consultant, data=handling(objection, deferred_on=D(2026, 12, 1))
        )
    assert "deferred_on" in error.value.error_dict
    objection.refresh_from_db()
    assert objection.deferred_on is None and objection.decision_due == D(2026, 11, 13)


def test_a_stale_version_is_refused(decision, consultant):
    objection = register(decision, consultant)
    with pytest.raises(ConcurrentEditError):
        services.objection_handle(
            objection=objection,
            by=consultant,
            data=handling(objection, advisory_committee=True),
            expected_version=objection.version + 1,
        )


def test_a_late_objection_is_registered_flagged_and_judged_before_its_outcome(decision, consultant):
    objection = register(decision, consultant, received_on=D(2026, 10, 5))
    assert objection.late and objection.late_excusable is None
    assert objection.decision_due == D(2026, 11, 16)
    with pytest.raises(ValidationError):  # not judged yet
        services.objection_decide(
            objection=objection, by=consultant, outcome=ObjectionOutcome.UNFOUNDED, reasons="x"
        )
    objection = services.objection_handle(
        objection=objection, by=consultant, data=handling(objection, late_excusable=False)
    )
    with pytest.raises(ValidationError):  # late without excuse: only inadmissible
        services.objection_decide(
            objection=objection, by=consultant, outcome=ObjectionOutcome.UNFOUNDED, reasons="x"
        )
    objection = services.objection_decide(
        objection=objection,
        by=consultant,
        outcome=ObjectionOutcome.INADMISSIBLE,
        reasons="Te laat, geen reden.",
    )
    assert objection.outcome == ObjectionOutcome.INADMISSIBLE


def test_only_the_deciding_roles_write_and_input_is_checked(
    decision, consultant, generalist, user_with_role
):
    with pytest.raises(PermissionDenied):
        register(decision, generalist)
    with pytest.raises(PermissionDenied):
        register(decision, user_with_role(Role.TEAM_LEAD))
    with pytest.raises(ValidationError):
        register(decision, consultant, received_on=D(2099, 1, 1))
    with pytest.raises(ValidationError):
        register(decision, consultant, objector_kind=ObjectorKind.REPRESENTATIVE)
    with pytest.raises(ValidationError):
        register(decision, consultant, grounds="  ")
    assert not Objection.objects.exists() and not changes()
    register(decision, consultant)
    with pytest.raises(ValidationError):  # one open objection per decision
        register(decision, consultant)


def test_a_decision_not_yet_final_cannot_be_objected_to(make_application, household, consultant):
    application = make_application(household=household)
    decision = ProvisionDecision.objects.create(
        application=application,
        outcome=DecisionOutcome.REJECT,
        reasons="x",
        decided_by=consultant,
    )
    with pytest.raises(ValidationError):
        register(decision, consultant)


def test_a_founded_objection_opens_a_new_application_decided_through_the_provisions_services(
    decision, consultant, household
):
    objection = register(decision, consultant)
    with pytest.raises(ValidationError):
        services.objection_decide(
            objection=objection, by=consultant, outcome=ObjectionOutcome.FOUNDED
        )  # no reasons
    objection = services.objection_decide(
        objection=objection,
        by=consultant,
        outcome=ObjectionOutcome.FOUNDED,
        reasons="De beperking is wel aangetoond.",
        new_decision=True,
    )
    redo = objection.new_application
    assert redo.household == household and redo.product == decision.application.product
    assert redo.status == ApplicationStatus.IN_REVIEW and redo.assigned_to == consultant
    new = psvc.decision_make(
        application=redo,
        by=consultant,
        data=psvc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="Toch voorliggend."),
    )
    assert new.application == redo
    assert selectors.decision_objections(decision=decision) == [objection]
    with pytest.raises(ValidationError):  # decided: closed
        services.objection_decide(
            objection=objection, by=consultant, outcome=ObjectionOutcome.WITHDRAWN
        )


def test_a_new_decision_only_follows_a_founded_objection(decision, consultant):
    objection = register(decision, consultant)
    with pytest.raises(ValidationError):
        services.objection_decide(
            objection=objection,
            by=consultant,
            outcome=ObjectionOutcome.UNFOUNDED,
            reasons="Besluit blijft.",
            new_decision=True,
        )
    assert Objection.objects.get().is_open


@pytest.mark.django_db(transaction=True)
def test_two_consultants_registering_at_once_make_one_objection(
    decision, consultant, second_consultant
):
    import threading

    from django.db import connection

    barrier = threading.Barrier(2)
    results = []

    def worker(by):
        try:
            barrier.wait(timeout=10)
            results.append(register(ProvisionDecision.objects.get(pk=decision.pk), by))
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(by,)) for by in (consultant, second_consultant)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(type(result).__name__ for result in results) == [
        "Objection",
        "ValidationError",
    ]
    assert Objection.objects.count() == 1 and len(changes()) == 1


# 3. The clock, its reminders and the queue ------------------------------------------------------


def test_an_open_objection_is_a_clock_until_it_is_decided(decision, consultant, area):
    objection = register(decision, consultant)
    rows = list(clocks.team_clock_rows(district=area["district"], kinds=["objection"]))
    [clock] = clocks.clocks_from_rows(rows, today=D(2026, 11, 10))
    assert clock.due_on == D(2026, 11, 13) and clock.days_left == 3
    assert clock.responsible_id == consultant.pk
    assert clock.url == reverse("cases:objection_detail", args=[objection.uuid])

    clock_reminders_send(today=D(2026, 11, 10))
    reminder = ClockReminder.objects.get(kind="objection")
    assert reminder.recipient == consultant and reminder.object_uuid == objection.uuid

    services.objection_decide(
        objection=objection, by=consultant, outcome=ObjectionOutcome.WITHDRAWN
    )
    assert not list(clocks.team_clock_rows(district=area["district"], kinds=["objection"]))


def test_the_holiday_table_recomputes_an_open_objection(decision, consultant):
    from cases.legal_terms import EquatedDay

    objection = register(decision, consultant)  # due Friday 13 November 2026
    EquatedDay.objects.create(day=D(2026, 11, 13), description="Besluit")
    assert services.open_objection_clocks_recompute() == 1
    objection.refresh_from_db()
    assert objection.decision_due == D(2026, 11, 16)


def test_the_queue_marks_a_household_with_an_open_objection(
    decision, consultant, make_application, household, make_household
):
    waiting = make_application(household=household)
    elsewhere = make_application(household=make_household())
    register(decision, consultant)
    marks = {a.pk: a.open_objection for a in application_queue(user=consultant)}
    assert marks[waiting.pk] is True and marks[elsewhere.pk] is False


# 4. The screens and their access rule -----------------------------------------------------------


@pytest.fixture
def outsider(other_area):
    return TeamMemberFactory(team=other_area["team"], user__username="outsider").user


def test_the_household_section_is_read_by_the_team_and_logged(
    client, decision, consultant, generalist, household
):
    objection = register(decision, consultant)
    client.force_login(generalist)
    before = AccessLogEntry.objects.count()
    url = reverse("cases:household_objections", args=[household.uuid])
    response = client.get(url, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert str(objection.uuid) in body and 'name="grounds"' not in body  # no form
    [row] = AccessLogEntry.objects.order_by("pk")[before:]
    assert (row.action, row.result, row.object_type) == ("view", "allowed", "objections")

    detail = client.get(reverse("cases:objection_detail", args=[objection.uuid]))
    assert detail.status_code == 200
    assert AccessLogEntry.objects.order_by("-pk").first().object_type == "objection"
    # a generalist reads but does not decide
    refused = client.post(
        reverse("cases:objection_decide", args=[objection.uuid]),
        {"version": objection.version, "outcome": "withdrawn"},
    )
    assert refused.status_code == 403
    assert Objection.objects.get().is_open


def test_outsiders_and_other_roles_get_nothing(
    client, decision, consultant, household, outsider, user_with_role
):
    objection = register(decision, consultant)
    for user, status in ((outsider, 404), (user_with_role(Role.POLICY_OFFICER), 403)):
        client.force_login(user)
        for url in (
            reverse("cases:household_objections", args=[household.uuid]),
            reverse("cases:objection_detail", args=[objection.uuid]),
        ):
            assert client.get(url).status_code == status
    assert AccessLogEntry.objects.filter(
        object_type="objection", result__in=[AccessResult.NOT_FOUND, AccessResult.DENIED]
    ).exists()


def test_the_consultant_registers_handles_and_decides_on_the_screens(
    client, decision, consultant, household
):
    client.force_login(consultant)
    url = reverse("cases:household_objections", args=[household.uuid])
    page = client.get(url, {"besluit": str(decision.uuid)})
    assert page.status_code == 200 and 'name="grounds"' in page.content.decode()
    bad = client.post(url, {"decision": decision.pk, "received_on": "niet", "grounds": ""})
    assert bad.status_code == 200 and not Objection.objects.exists()
    response = client.post(
        url,
        {
            "decision": decision.pk,
            "received_on": "2026-09-20",
            "objector_kind": "representative",
            "objector_name": "Mr. De Vries, advocaat",
            "grounds": "Onvoldoende onderzocht.",
        },
    )
    objection = Objection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:objection_detail", args=[objection.uuid])
    assert objection.decision_due == D(2026, 11, 13)

    handle = client.post(
        reverse("cases:objection_handle", args=[objection.uuid]),
        {
            "version": objection.version,
            "advisory_committee": "on",
            "consent_deferral_weeks": "0",
            "hearing_on": "2026-11-02",
        },
    )
    assert handle.status_code == 302
    objection.refresh_from_db()
    assert objection.decision_due == D(2026, 12, 28) and objection.advisory_committee
    stale = client.post(
        reverse("cases:objection_handle", args=[objection.uuid]),
        {"version": objection.version - 1, "consent_deferral_weeks": "0"},
    )
    assert stale.status_code == 200  # the form again, with the conflict
    objection.refresh_from_db()
    assert objection.advisory_committee

    decide = client.post(
        reverse("cases:objection_decide", args=[objection.uuid]),
        {
            "version": objection.version,
            "outcome": "founded",
            "reasons": "Alsnog onderzoek gedaan.",
            "new_decision": "on",
        },
    )
    objection.refresh_from_db()
    assert objection.outcome == ObjectionOutcome.FOUNDED
    assert decide["Location"] == reverse(
        "provisions:application_detail", args=[objection.new_application.uuid]
    )
    # visible on the decision's page
    decision_page = client.get(
        reverse("provisions:application_detail", args=[decision.application.uuid])
    )
    assert reverse("cases:objection_detail", args=[objection.uuid]) in (
        decision_page.content.decode()
    )
    assert len(changes()) == 3


def test_the_household_list_reads_in_constant_queries(
    client, make_application, household, consultant, generalist, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def objection_on_a_new_decision():
        application = make_application(household=household)
        decision = psvc.decision_make(
            application=application,
            by=consultant,
            data=psvc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="Nee."),
        )
        services.objection_register(
            decision=decision,
            by=consultant,
            received_on=decision.made_known_on,
            objector_kind=ObjectorKind.RESIDENT,
            grounds="Oneens.",
        )

    objection_on_a_new_decision()
    client.force_login(generalist)
    url = reverse("cases:household_objections", args=[household.uuid])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(8):
        objection_on_a_new_decision()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("/bezwaren/") >= 9


# 5. Dashboards, inzage, retention ----------------------------------------------------------------


def test_the_dashboard_counts_objections_per_product_and_outcome(decision, consultant):
    register(decision, consultant)
    table = objection_table(Filters(year=2026))
    [row] = table.rows
    assert row.label == decision.application.product.name
    assert row.cell("open").value == 1 and row.cell("founded").value == 0
    assert row.cell("open").status == "small"  # one household: suppressed as "<5"
    assert objection_table(Filters(year=2025)).rows == []


def test_the_inzage_holds_the_objection_and_retention_destroys_it(decision, consultant, household):
    objection = register(decision, consultant)
    resident = household.memberships.first().resident
    data = inzage_build(resident=resident)
    [entry] = next(h for h in data["households"] if h["uuid"] == str(household.uuid))["objections"]
    assert entry["uuid"] == str(objection.uuid) and entry["grounds"] == objection.grounds
    assert entry["decision_due"] == "2026-11-13"

    _household_destroy(household, Counter())
    assert not Objection.objects.exists()
    assert not ProvisionDecision.objects.filter(pk=decision.pk).exists()


def test_an_open_objection_keeps_the_file_from_destruction(decision, consultant, household):
    from cases.avg.selectors import retention_facts
    from cases.households.models import Household

    objection = register(decision, consultant)
    [facts] = retention_facts(households=Household.objects.filter(pk=household.pk))
    assert facts.running
    services.objection_decide(
        objection=objection, by=consultant, outcome=ObjectionOutcome.WITHDRAWN
    )
    [facts] = retention_facts(households=Household.objects.filter(pk=household.pk))
    assert facts.closed_on >= objection.received_on
