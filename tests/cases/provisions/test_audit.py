"""The access log of provision writes (issue #14): a write's `change` row is written by its
service, inside the write's transaction, as its last step. So a successful write leaves exactly
one allowed `change` row (with the household and, from a view, the request's address), and a
write that fails (a form or a rule broken, a conflict) or is refused (403, 404) leaves none: the
access helper logs the refusal, the household-file mark logs the page shown again as a view.

Also here: the four-eyes rule is one function (`services.decision_needs_cosign`), which the
view and the service both follow."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.households.services import ConcurrentEditError
from cases.privacy.models import AccessAction, AccessLogEntry, AccessResult
from cases.provisions import services as svc
from cases.provisions.models import (
    ApplicationStatus,
    DecisionOutcome,
    Delivery,
    GeneralProvisionReferral,
    MandateSpending,
    ProvisionApplication,
    ProvisionDecision,
    ReferralOutcome,
)
from networks.models import Frequency, Unit
from teams.roles import Role
from tests.provision_factories import GeneralProvisionFactory, ProductFactory

pytestmark = pytest.mark.django_db

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


def rows(**filters):
    return list(AccessLogEntry.objects.filter(**filters).order_by("pk"))


def allowed_changes():
    return rows(action=AccessAction.CHANGE, result=AccessResult.ALLOWED)


def assert_one_change(household, object_type, object_id, user, *, from_request=True):
    [row] = allowed_changes()
    assert (row.object_type, row.object_id) == (object_type, str(object_id))
    assert row.household_uuid == household.uuid
    assert row.username == user.username
    if from_request:  # the view passed the request's context on to the service
        assert row.ip_address == "127.0.0.1"
    return row


def assert_no_change():
    assert allowed_changes() == []


def grant_payload(application, provider, **overrides):
    data = {
        "outcome": DecisionOutcome.GRANT,
        "product": application.product.pk,
        "volume": "3",
        "unit": Unit.HOUR,
        "frequency": Frequency.PER_WEEK,
        "start_date": TODAY.isoformat(),
        "end_date": (TODAY + datetime.timedelta(weeks=12)).isoformat(),
        "delivery": Delivery.IN_KIND,
        "provider": provider.pk,
        "amount": "",
        "reasons": "",
        "version": application.version,
    }
    data.update(overrides)
    return data


def grant(provider, **overrides):
    data = {
        "outcome": DecisionOutcome.GRANT,
        "volume": 3,
        "unit": Unit.HOUR,
        "frequency": Frequency.PER_WEEK,
        "start_date": TODAY,
        "end_date": TODAY + datetime.timedelta(weeks=12),
        "delivery": Delivery.IN_KIND,
        "provider": provider,
    }
    data.update(overrides)
    return svc.DecisionInput(**data)


# Applications: submit --------------------------------------------------------------------------


def test_submitting_an_application_writes_one_change_row(
    client_as, generalist, make_household, product
):
    household = make_household()
    resident = household.memberships.get().resident
    response = client_as(generalist).post(
        reverse("provisions:application_create", args=[household.uuid]),
        {
            "product": product.pk,
            "motivation": "Financiën scoort 2.",
            "applied_on": TODAY.isoformat(),
            "resident": resident.pk,
        },
    )
    assert response.status_code == 302
    application = ProvisionApplication.objects.get()
    row = assert_one_change(household, "application", application.uuid, generalist)
    assert row.resident_uuids == [str(resident.uuid)]
    assert len(rows()) == 1  # the service's row is the request's row


def test_a_submit_with_errors_writes_no_change_row(client_as, generalist, make_household, product):
    household = make_household()
    response = client_as(generalist).post(
        reverse("provisions:application_create", args=[household.uuid]),
        {"product": product.pk, "motivation": "", "applied_on": TODAY.isoformat()},
    )
    assert response.status_code == 200
    assert not ProvisionApplication.objects.exists()
    assert_no_change()
    [row] = rows()  # the form shown again: a view of the household's file
    assert (row.action, row.result, row.household_uuid) == (
        AccessAction.VIEW,
        AccessResult.ALLOWED,
        household.uuid,
    )


def test_a_submit_the_service_refuses_writes_no_change_row(make_household, generalist):
    with pytest.raises(ValidationError):
        svc.application_submit(
            household=make_household(),
            product=ProductFactory(active=False),
            motivation="x",
            by=generalist,
        )
    assert_no_change()


@pytest.mark.parametrize(("who", "status"), [("consultant", 403), ("outsider", 404)])
def test_a_refused_submit_writes_no_change_row(
    request, client_as, make_application, product, who, status
):
    household = make_application().household  # the consultant decides it: sees the file
    response = client_as(request.getfixturevalue(who)).post(
        reverse("provisions:application_create", args=[household.uuid]),
        {"product": product.pk, "motivation": "x", "applied_on": TODAY.isoformat()},
    )
    assert response.status_code == status
    assert ProvisionApplication.objects.count() == 1
    assert_no_change()
    [row] = rows()
    assert row.action == AccessAction.CHANGE
    assert row.result == (AccessResult.DENIED if status == 403 else AccessResult.NOT_FOUND)


# Applications: claim, assign, withdraw ---------------------------------------------------------


def test_claiming_and_assigning_write_one_change_row_each(
    client_as, consultant, second_consultant, make_application
):
    application = make_application()
    client = client_as(consultant)
    client.post(
        reverse("provisions:application_claim", args=[application.uuid]),
        {"version": application.version},
    )
    assert_one_change(application.household, "application", application.uuid, consultant)
    before = AccessLogEntry.objects.count()
    client.post(
        reverse("provisions:application_assign", args=[application.uuid]),
        {"consultant": second_consultant.pk, "version": application.version + 1},
    )
    application.refresh_from_db()
    assert application.assigned_to == second_consultant
    [row] = AccessLogEntry.objects.order_by("pk")[before:]
    assert (row.action, row.result, row.object_type) == (
        AccessAction.CHANGE,
        AccessResult.ALLOWED,
        "application",
    )
    assert row.household_uuid == application.household.uuid


def test_a_stale_claim_or_assign_writes_no_change_row(
    client_as, consultant, second_consultant, make_application
):
    application = make_application()
    client = client_as(consultant)
    stale = application.version + 5
    claim = client.post(
        reverse("provisions:application_claim", args=[application.uuid]), {"version": stale}
    )
    assign = client.post(
        reverse("provisions:application_assign", args=[application.uuid]),
        {"consultant": second_consultant.pk, "version": stale},
    )
    not_a_consultant = client.post(
        reverse("provisions:application_assign", args=[application.uuid]),
        {"consultant": "", "version": application.version},
    )
    assert claim.status_code == assign.status_code == not_a_consultant.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert_no_change()
    # one row per request: the file was looked at, with its household
    assert [(r.action, r.household_uuid) for r in rows()] == [
        (AccessAction.VIEW, application.household.uuid)
    ] * 3


def test_assigning_to_a_non_consultant_is_refused_by_the_service(
    make_application, consultant, generalist
):
    with pytest.raises(ValidationError):
        svc.application_assign(application=make_application(), consultant=generalist, by=consultant)
    with pytest.raises(ConcurrentEditError):
        svc.application_claim(application=make_application(), by=consultant, expected_version=9)
    assert_no_change()


@pytest.mark.parametrize("url_name", ["application_claim", "application_assign"])
def test_a_refused_claim_or_assign_writes_no_change_row(
    client_as, generalist, user_with_role, make_application, url_name
):
    application = make_application()
    url = reverse(f"provisions:{url_name}", args=[application.uuid])
    assert client_as(generalist).post(url, {"version": 1}).status_code == 403
    stranger = user_with_role(Role.CONSULTANT)  # no work area here: the file is not there
    assert client_as(stranger).post(url, {"version": 1}).status_code == 404
    assert_no_change()
    assert [(r.action, r.result) for r in rows()] == [
        (AccessAction.CHANGE, AccessResult.DENIED),
        (AccessAction.CHANGE, AccessResult.NOT_FOUND),
    ]
    assert rows()[0].household_uuid == application.household.uuid


def test_withdrawing_writes_one_change_row_and_a_second_try_none(
    client_as, generalist, make_application
):
    application = make_application()
    url = reverse("provisions:application_withdraw", args=[application.uuid])
    client = client_as(generalist)
    client.post(url, {"version": application.version})
    assert_one_change(application.household, "application", application.uuid, generalist)
    client.post(url, {"version": application.version + 1})  # withdrawn already: refused rule
    assert len(allowed_changes()) == 1


# Decisions ---------------------------------------------------------------------------------------


def test_granting_writes_one_change_row(client_as, consultant, make_application, provider):
    application = make_application()
    response = client_as(consultant).post(
        reverse("provisions:application_decide", args=[application.uuid]),
        grant_payload(application, provider),
    )
    assert response.status_code == 302
    decision = ProvisionDecision.objects.get()
    assert decision.outcome == DecisionOutcome.GRANT
    assert_one_change(application.household, "decision", decision.uuid, consultant)


def test_rejecting_writes_one_change_row(client_as, consultant, make_application):
    application = make_application()
    client_as(consultant).post(
        reverse("provisions:application_decide", args=[application.uuid]),
        {"outcome": DecisionOutcome.REJECT, "reasons": "Geen beperking.", "version": 1},
    )
    decision = ProvisionDecision.objects.get()
    assert decision.outcome == DecisionOutcome.REJECT
    assert_one_change(application.household, "decision", decision.uuid, consultant)


def test_referring_back_writes_one_change_row_for_the_decision_and_its_referral(
    client_as, consultant, make_application
):
    application = make_application()
    client_as(consultant).post(
        reverse("provisions:application_decide", args=[application.uuid]),
        {
            "outcome": DecisionOutcome.REFER_BACK,
            "general_provision": GeneralProvisionFactory().pk,
            "reasons": "Probeer eerst het inloopspreekuur.",
            "version": application.version,
        },
    )
    assert GeneralProvisionReferral.objects.count() == 1
    decision = ProvisionDecision.objects.get()
    assert_one_change(application.household, "decision", decision.uuid, consultant)


@pytest.mark.parametrize(
    "payload",
    [
        {"outcome": DecisionOutcome.REJECT, "reasons": "  "},  # the service: no reasons
        {"outcome": DecisionOutcome.GRANT, "frequency": ""},  # the service: extent incomplete
        {"outcome": "", "reasons": "x"},  # the form
    ],
)
def test_a_decision_with_errors_writes_no_change_row(
    client_as, consultant, make_application, provider, payload
):
    application = make_application()
    response = client_as(consultant).post(
        reverse("provisions:application_decide", args=[application.uuid]),
        grant_payload(application, provider, **payload),
    )
    assert response.status_code == 200
    assert not ProvisionDecision.objects.exists()
    assert_no_change()
    [row] = rows()
    assert (row.action, row.object_type, row.household_uuid) == (
        AccessAction.VIEW,
        "decision",
        application.household.uuid,
    )


def test_a_second_decision_writes_no_change_row(
    client_as, consultant, second_consultant, make_application
):
    application = make_application()
    svc.decision_make(
        application=application,
        by=second_consultant,
        data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="Eerder besloten."),
    )
    before = len(allowed_changes())
    response = client_as(consultant).post(
        reverse("provisions:application_decide", args=[application.uuid]),
        {"outcome": DecisionOutcome.REJECT, "reasons": "Geen beperking.", "version": 1},
    )
    assert response.status_code == 200  # the conflict message
    assert len(allowed_changes()) == before == 1


def test_a_decision_the_service_refuses_writes_no_change_row(
    make_application, consultant, generalist
):
    with pytest.raises(PermissionDenied):
        svc.decision_make(
            application=make_application(),
            by=generalist,
            data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="x"),
        )
    with pytest.raises(ValidationError):
        svc.decision_make(
            application=make_application(),
            by=consultant,
            data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons=""),
        )
    assert_no_change()


@pytest.mark.parametrize(("who", "status"), [("generalist", 403), ("outsider", 404)])
def test_a_refused_decision_writes_no_change_row(
    request, client_as, make_application, provider, who, status
):
    application = make_application()
    response = client_as(request.getfixturevalue(who)).post(
        reverse("provisions:application_decide", args=[application.uuid]),
        grant_payload(application, provider),
    )
    assert response.status_code == status
    assert not ProvisionDecision.objects.exists()
    assert_no_change()
    [row] = rows()
    assert (row.action, row.object_type) == (AccessAction.CHANGE, "decision")


def test_a_service_without_a_request_names_the_user_only(make_application, consultant):
    application = make_application()
    decision = svc.decision_make(
        application=application,
        by=consultant,
        data=svc.DecisionInput(outcome=DecisionOutcome.REJECT, reasons="Geen beperking."),
    )
    row = assert_one_change(
        application.household, "decision", decision.uuid, consultant, from_request=False
    )
    assert row.ip_address is None


# Co-signing and the four-eyes rule -------------------------------------------------------------


def test_cosigning_writes_one_change_row_and_the_decider_cannot(
    client_as, consultant, second_consultant, make_application, provider, settings
):
    settings.FOUR_EYES_AMOUNT = 10
    application = make_application()
    decision = svc.decision_make(application=application, by=consultant, data=grant(provider))
    assert not decision.is_final
    before = len(allowed_changes())
    url = reverse("provisions:decision_cosign", args=[application.uuid])
    client_as(consultant).post(url)  # the one who decided: the service refuses
    assert len(allowed_changes()) == before
    client_as(second_consultant).post(url)
    decision.refresh_from_db()
    assert decision.cosigned_by == second_consultant
    changes = allowed_changes()
    assert len(changes) == before + 1
    assert (changes[-1].object_type, changes[-1].object_id, changes[-1].username) == (
        "decision",
        str(decision.uuid),
        second_consultant.username,
    )


def test_the_four_eyes_amount_holds_through_the_view_and_the_service(
    client_as, consultant, make_application, provider, settings
):
    settings.FOUR_EYES_AMOUNT = 100
    above = make_application()
    client_as(consultant).post(
        reverse("provisions:application_decide", args=[above.uuid]),
        grant_payload(above, provider, amount="100.01"),
    )
    above.refresh_from_db()
    assert above.status == ApplicationStatus.AWAITING_COSIGN
    assert above.decision.cosign_required

    at = make_application()
    decision = svc.decision_make(
        application=at, by=consultant, data=grant(provider, amount=Decimal("100.00"))
    )
    assert not decision.cosign_required and decision.is_final
    over = make_application()
    decision = svc.decision_make(
        application=over, by=consultant, data=grant(provider, amount=Decimal("100.01"))
    )
    assert decision.cosign_required and not decision.is_final
    assert svc.decision_needs_cosign(outcome=DecisionOutcome.GRANT, amount=Decimal("100.01"))
    assert not svc.decision_needs_cosign(outcome=DecisionOutcome.REJECT, amount=Decimal("1e6"))


def test_the_view_and_the_service_ask_the_one_four_eyes_function(
    client_as, consultant, make_application, provider, settings, monkeypatch
):
    """Replace the rule: both entry points follow, so neither holds a copy of it."""
    settings.FOUR_EYES_AMOUNT = 10**9
    asked = []

    def always(*, outcome, amount):
        asked.append((outcome, amount))
        return True

    monkeypatch.setattr(svc, "decision_needs_cosign", always)
    through_view = make_application()
    client_as(consultant).post(
        reverse("provisions:application_decide", args=[through_view.uuid]),
        grant_payload(through_view, provider, amount="5.00"),
    )
    through_view.refresh_from_db()
    assert through_view.status == ApplicationStatus.AWAITING_COSIGN

    through_service = make_application()
    decision = svc.decision_make(
        application=through_service, by=consultant, data=grant(provider, amount=Decimal("5"))
    )
    assert decision.cosign_required
    assert asked == [(DecisionOutcome.GRANT, Decimal("5.00")), (DecisionOutcome.GRANT, 5)]


def test_the_cosign_button_follows_the_services_rule(
    client_as, consultant, second_consultant, make_application, provider, settings, monkeypatch
):
    settings.FOUR_EYES_AMOUNT = 10
    application = make_application()
    svc.decision_make(application=application, by=consultant, data=grant(provider))
    detail = reverse("provisions:application_detail", args=[application.uuid])
    button = reverse("provisions:decision_cosign", args=[application.uuid])
    assert button in client_as(second_consultant).get(detail).content.decode()
    assert button not in client_as(consultant).get(detail).content.decode()  # who decided
    monkeypatch.setattr(svc, "decision_cosign_refusal", lambda *, decision, by: None)
    assert button in client_as(consultant).get(detail).content.decode()


# Referrals and the team mandate ----------------------------------------------------------------


def test_referral_and_follow_up_write_one_change_row_each(
    client_as, generalist, make_household, user_with_role
):
    household = make_household()
    provision = GeneralProvisionFactory()
    client = client_as(generalist)
    client.post(
        reverse("provisions:referral_create", args=[household.uuid]),
        {"provision": provision.pk, "reason": "Maatje"},
    )
    referral = GeneralProvisionReferral.objects.get()
    assert_one_change(household, "referral", referral.uuid, generalist)

    url = reverse("provisions:referral_follow_up", args=[referral.uuid])
    client.post(url, {"outcome": ReferralOutcome.PENDING})  # the form refuses "pending"
    assert client_as(user_with_role(Role.CONSULTANT)).post(url, {}).status_code == 403
    assert len(allowed_changes()) == 1
    client_as(generalist).post(url, {"outcome": ReferralOutcome.HELPED, "note": "Fijn"})
    referral.refresh_from_db()
    assert referral.outcome == ReferralOutcome.HELPED
    assert [(r.object_type, r.household_uuid) for r in allowed_changes()] == [
        ("referral", household.uuid),
        ("referral", household.uuid),
    ]


def test_mandate_spending_writes_one_change_row_and_an_overspend_none(
    client_as, generalist, make_household, mandate, product
):
    household = make_household()
    url = reverse("provisions:mandate_spend", args=[household.uuid])
    client = client_as(generalist)
    payload = {"amount": "250.00", "stream": product.budget_stream.pk, "reason": "Huurschuld"}
    too_much = client.post(url, {**payload, "amount": "99999.00"})
    assert too_much.status_code == 200 and not MandateSpending.objects.exists()
    assert_no_change()
    client.post(url, payload)
    spending = MandateSpending.objects.get()
    assert_one_change(household, "mandate_spending", spending.uuid, generalist)
