"""The resident's agreement (akkoord) bound to a plan version (issue #16, point 4): who agreed,
how and on which version; a change to goals or actions after it marks the plan changed since
the agreement until it is agreed again; activation needs an agreement or a recorded reason."""

import datetime
import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases.households.selectors import current_residents
from cases.plans import selectors as plan_selectors
from cases.plans import services as plan_services
from cases.plans.models import (
    ActionOwnerKind,
    AgreementMethod,
    PlanAgreement,
    PlanStatus,
    SupportPlan,
)
from cases.privacy.models import AccessLogEntry
from tests.factories import SupportPlanFactory

TODAY = timezone.localdate()
migration = importlib.import_module("cases.migrations.0032_plan_agreement")


@pytest.fixture
def household(make_household, generalist):
    return make_household(residents=2, coordinator=generalist)


@pytest.fixture
def resident(household):
    return current_residents(household=household).first()


@pytest.fixture
def draft(household, generalist):
    return SupportPlanFactory(household=household, ready=True, coordinator=generalist, agreed=False)


def agree(plan, by, resident=None, **fields):
    fields.setdefault("method", AgreementMethod.PAPER)
    fields.setdefault("agreed_on", TODAY)
    return plan_services.plan_agreement_record(
        plan=plan,
        by=by,
        version_seen=plan_selectors.plan_current_version(plan=plan),
        resident=resident,
        **fields,
    )


def state(plan):
    return plan_selectors.plan_agreement_state(plan=plan)


# --- recording an agreement -------------------------------------------------------------------


def test_an_agreement_names_who_how_and_the_version_it_keeps(draft, generalist, resident):
    assert state(draft).agreement is None
    agreement = agree(draft, generalist, resident)
    assert agreement.version == 1
    assert agreement.agreed_by_name == resident.full_name
    assert agreement.who == resident.full_name
    assert agreement.recorded_by == generalist
    version = draft.versions.get(number=1)  # a draft keeps the version that was agreed
    assert version.snapshot["goals"][0]["description"] == "Rust in de financiën"
    assert not version.content_changed
    assert state(draft).agreed
    # the change is in the access log, in the same transaction
    row = AccessLogEntry.objects.filter(object_type="agreement").get()
    assert row.object_id == str(agreement.uuid)


def test_a_representative_agrees_with_name_and_capacity(draft, generalist, resident):
    agreement = agree(
        draft,
        generalist,
        resident,
        method=AgreementMethod.REPRESENTATIVE,
        representative_name="Mr. P. Bakker",
        representative_capacity="curator",
    )
    assert agreement.who == "Mr. P. Bakker"
    assert agreement.resident == resident  # on whose behalf
    with pytest.raises(ValidationError):
        agree(draft, generalist, method=AgreementMethod.REPRESENTATIVE, representative_name="X")


def test_refused_without_a_resident_a_resident_of_elsewhere_or_a_future_date(
    draft, generalist, make_household
):
    stranger = current_residents(household=make_household()).first()
    with pytest.raises(ValidationError):
        agree(draft, generalist)  # signed on paper, by nobody
    with pytest.raises(ValidationError):
        agree(draft, generalist, stranger)
    resident = current_residents(household=draft.household).first()
    with pytest.raises(ValidationError):
        agree(draft, generalist, resident, agreed_on=TODAY + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        agree(draft, generalist, resident, method=AgreementMethod.DATE_ONLY)
    assert not PlanAgreement.objects.exists()


def test_the_database_keeps_who_agreed(draft):
    fields = {"plan": draft, "version": 0, "agreed_on": TODAY}
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanAgreement.objects.create(method="paper", agreed_by_name="A", **fields)  # no resident
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanAgreement.objects.create(method="representative", agreed_by_name="A", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanAgreement.objects.create(
            method="representative", representative_capacity="mentor", **fields
        )  # no name
    PlanAgreement.objects.create(method="date_only", **fields)  # migrated: a bare date


def test_an_agreement_with_a_version_nobody_showed_is_refused(draft, generalist, resident):
    agree(draft, generalist, resident)  # version 1
    plan_services.goal_add(plan=draft, by=generalist, domain="housing", description="Huur")
    with pytest.raises(ValidationError, match="gewijzigd terwijl"):
        plan_services.plan_agreement_record(
            plan=draft,
            by=generalist,
            version_seen=1,  # the screen showed version 1; the plan is at 2 now
            method=AgreementMethod.DEVICE,
            resident=resident,
            agreed_on=TODAY,
        )


# --- changed since agreement ------------------------------------------------------------------


def test_a_change_to_goals_after_the_agreement_shows_until_agreed_again(
    draft, generalist, resident
):
    agree(draft, generalist, resident)
    goal = plan_services.goal_add(plan=draft, by=generalist, domain="housing", description="Huur")
    assert draft.versions.get(number=2).content_changed  # a draft agreed to keeps versions
    assert state(draft).changed_since
    assert not state(draft).agreed
    agreement = agree(draft, generalist, resident, method=AgreementMethod.DEVICE)
    assert agreement.version == 3
    assert state(draft).agreed
    plan_services.goal_remove(goal=goal, by=generalist)
    assert state(draft).changed_since


def test_a_change_to_actions_counts_but_done_dates_and_plan_details_do_not(
    draft, generalist, resident
):
    action = plan_services.action_add(
        plan=draft,
        by=generalist,
        description="Post openen",
        owner_kind=ActionOwnerKind.OTHER,
        owner_text="Buurvrouw",
        due_on=TODAY + datetime.timedelta(days=7),
    )
    agree(draft, generalist, resident)
    plan = plan_services.plan_activate(plan=draft, by=generalist)
    plan_services.action_update(action=action, by=generalist, done_on=TODAY)
    plan_services.plan_update(
        plan=plan, by=generalist, evaluation_date=TODAY + datetime.timedelta(days=60)
    )
    assert state(plan).agreed  # activation, a done date, an evaluation date: same plan
    plan_services.action_update(
        action=action, by=generalist, due_on=TODAY + datetime.timedelta(days=14)
    )
    assert state(plan).changed_since  # who does what by when: the resident agrees again


# --- activation -------------------------------------------------------------------------------


def test_activation_needs_an_agreement_or_a_reason(draft, generalist, resident):
    with pytest.raises(ValidationError, match="Leg het akkoord"):
        plan_services.plan_activate(plan=draft, by=generalist)
    assert SupportPlan.objects.get().status == PlanStatus.DRAFT
    plan = plan_services.plan_activate(
        plan=draft, by=generalist, no_agreement_reason="  Crisis: inwoner opgenomen.  "
    )
    assert plan.status == PlanStatus.ACTIVE
    plan.refresh_from_db()
    assert plan.no_agreement_reason == "Crisis: inwoner opgenomen."


def test_activation_refuses_a_plan_changed_since_its_agreement(draft, generalist, resident):
    agree(draft, generalist, resident)
    plan_services.goal_add(plan=draft, by=generalist, domain="housing", description="Huur")
    with pytest.raises(ValidationError, match="gewijzigd sinds"):
        plan_services.plan_activate(plan=draft, by=generalist)
    agree(draft, generalist, resident)
    assert plan_services.plan_activate(plan=draft, by=generalist).is_active


# --- the data migration -----------------------------------------------------------------------


def test_the_migration_and_the_services_share_the_content_rule():
    snapshot = {
        "coordinator": "A",
        "goals": [{"id": "1", "domain": "finances", "description": "Rust"}],
        "actions": [
            {
                "id": "2",
                "goal": "1",
                "description": "Bellen",
                "owner_kind": "other",
                "owner": "Buurvrouw",
                "due_on": "2026-01-05",
                "done_on": "",
            }
        ],
    }
    done = {**snapshot, "actions": [{**snapshot["actions"][0], "done_on": "2026-01-04"}]}
    assert migration.plan_content(snapshot) == plan_services.plan_content(snapshot)
    assert plan_services.plan_content(done) == plan_services.plan_content(snapshot)
    moved = {**snapshot, "actions": [{**snapshot["actions"][0], "due_on": "2026-02-01"}]}
    assert plan_services.plan_content(moved) != plan_services.plan_content(snapshot)


@pytest.mark.parametrize(
    ("agreed_on", "expected"),
    [
        (datetime.date(2026, 3, 1), 1),  # agreed as a draft, then activated as agreed
        (datetime.date(2026, 3, 10), 1),
        (datetime.date(2026, 3, 20), 2),
        (datetime.date(2026, 5, 1), 3),
    ],
)
def test_the_migration_binds_a_bare_date_to_the_version_of_that_day(agreed_on, expected):
    def at(day):
        return datetime.datetime(2026, 3, day, 12, tzinfo=datetime.UTC)

    versions = [(1, at(10)), (2, at(15)), (3, at(25))]
    assert migration.agreed_version(versions, agreed_on) == expected
    assert migration.agreed_version([], agreed_on) == 0


# --- the screen -------------------------------------------------------------------------------


def test_agreeing_on_the_plan_page_with_method_and_version(client, generalist, draft, resident):
    client.force_login(generalist)
    url = reverse("cases:plan_detail", args=[draft.uuid])
    page = client.get(url).content.decode()
    assert 'action="{}"'.format(reverse("cases:plan_agree", args=[draft.uuid])) in page
    assert 'name="version" value="0"' in page
    agree_url = reverse("cases:plan_agree", args=[draft.uuid])
    payload = {
        "version": "0",
        "method": "device",
        "resident": str(resident.uuid),
        "agreed_on": TODAY.isoformat(),
    }
    response = client.post(agree_url, payload)
    assert response.status_code == 302
    agreement = PlanAgreement.objects.get()
    assert (agreement.method, agreement.version, agreement.resident) == ("device", 1, resident)
    page = client.get(url).content.decode()
    assert f"Versie 1 akkoord op {agreement.agreed_on.day}" in page
    assert "changed-since-agreement" not in page
    # the same screen again (version 0) after the plan moved on: refused, nothing recorded
    response = client.post(agree_url, payload)
    assert response.status_code == 200
    assert PlanAgreement.objects.count() == 1
    plan_services.goal_add(plan=draft, by=generalist, domain="housing", description="Huur")
    assert 'id="changed-since-agreement"' in client.get(url).content.decode()


def test_the_plan_page_refuses_an_agreement_with_a_draft_changed_since_it_was_shown(
    client, generalist, draft, resident
):
    """A draft nobody agreed to keeps no versions: the page posts the content's fingerprint, so
    a goal added after the page opened still refuses the agreement."""
    client.force_login(generalist)
    page = client.get(reverse("cases:plan_detail", args=[draft.uuid])).content.decode()
    digest = plan_services.plan_content_digest(plan=draft)
    assert f'name="content" value="{digest}"' in page
    plan_services.goal_add(plan=draft, by=generalist, domain="housing", description="Huur")
    assert plan_selectors.plan_current_version(plan=draft) == 0  # the version did not move
    payload = {
        "version": "0",
        "content": digest,
        "method": "paper",
        "resident": str(resident.uuid),
        "agreed_on": TODAY.isoformat(),
    }
    response = client.post(reverse("cases:plan_agree", args=[draft.uuid]), payload)
    assert response.status_code == 200
    assert "Het plan is gewijzigd terwijl" in response.content.decode()
    assert not PlanAgreement.objects.exists()
    payload["content"] = plan_services.plan_content_digest(plan=draft)
    response = client.post(reverse("cases:plan_agree", args=[draft.uuid]), payload)
    assert response.status_code == 302
    assert PlanAgreement.objects.get().version == 1


def test_activating_on_the_plan_page_asks_for_a_reason_without_agreement(client, generalist, draft):
    client.force_login(generalist)
    url = reverse("cases:plan_activate", args=[draft.uuid])
    assert (
        'id="activate-without-agreement"'
        in client.get(reverse("cases:plan_detail", args=[draft.uuid])).content.decode()
    )
    client.post(url)
    assert SupportPlan.objects.get().status == PlanStatus.DRAFT
    client.post(url, {"no_agreement_reason": "Inwoner in crisis, akkoord volgt."})
    plan = SupportPlan.objects.get()
    assert plan.status == PlanStatus.ACTIVE
    assert plan.no_agreement_reason == "Inwoner in crisis, akkoord volgt."
