"""Four eyes never stuck: the co-sign request can be sent again to any consultant of the team
(also one who joined after the decision), the letter can be previewed while it waits, the
assign list names people, and a provider's 315 request fills in the decision form."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.partners.models import AllocationRequest
from cases.privacy.models import AccessLogEntry
from cases.provisions import services as svc
from cases.provisions.models import DecisionOutcome, Delivery, Notification, NotificationKind
from cases.provisions.selectors import cosign_candidates
from networks.models import Frequency, Unit
from teams.roles import Role
from tests.factories import TeamMemberFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _grant(provider):
    return svc.DecisionInput(
        outcome=DecisionOutcome.GRANT,
        volume=3,
        unit=Unit.HOUR,
        frequency=Frequency.PER_WEEK,
        start_date=TODAY,
        end_date=TODAY + datetime.timedelta(days=181),
        delivery=Delivery.IN_KIND,
        provider=provider,
    )


@pytest.fixture
def awaiting(make_application, consultant, provider, area, settings):
    settings.FOUR_EYES_AMOUNT = 100
    application = make_application(household=None)
    decision = svc.decision_make(application=application, by=consultant, data=_grant(provider))
    assert decision.awaits_cosign
    return decision


def _new_team_consultant(area, username):
    return TeamMemberFactory(
        team=area["team"], user__username=username, user__roles=[Role.CONSULTANT]
    ).user


def test_the_request_goes_to_a_consultant_who_joined_the_team_later(
    awaiting, consultant, second_consultant, area
):
    newcomer = _new_team_consultant(area, "nieuw")  # joined after the decision
    assert list(cosign_candidates(application=awaiting.application)) == [newcomer]

    svc.decision_cosign_request(decision=awaiting, consultant=newcomer, by=consultant)

    note = Notification.objects.get(user=newcomer, kind=NotificationKind.COSIGN)
    assert note.application_id == awaiting.application_id and note.read_at is None
    # asked again after reading it: unread again, still one notification
    Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())
    svc.decision_cosign_request(decision=awaiting, consultant=newcomer, by=consultant)
    assert Notification.objects.get(pk=note.pk).read_at is None
    # not the decider, not a consultant outside the team
    for wrong in (consultant, second_consultant):
        with pytest.raises(ValidationError):
            svc.decision_cosign_request(decision=awaiting, consultant=wrong, by=consultant)
    svc.decision_cosign(decision=awaiting, by=newcomer)
    with pytest.raises(svc.DecisionConflictError):
        svc.decision_cosign_request(decision=awaiting, consultant=newcomer, by=consultant)


def test_only_a_consultant_may_send_the_request(awaiting, generalist, area):
    newcomer = _new_team_consultant(area, "nieuw")
    with pytest.raises(PermissionDenied):
        svc.decision_cosign_request(decision=awaiting, consultant=newcomer, by=generalist)


def test_the_application_page_resends_the_request_and_previews_the_letter(
    client, awaiting, consultant, area
):
    newcomer = _new_team_consultant(area, "nieuw")
    newcomer.first_name, newcomer.last_name = "Noor", "Nieuwkoop"
    newcomer.save()
    application = awaiting.application
    client.force_login(consultant)
    page = client.get(reverse("provisions:application_detail", args=[application.uuid]))
    html = page.content.decode()
    assert 'id="cosign-request-form"' in html and "Noor Nieuwkoop" in html
    assert 'id="letter-preview"' in html

    letter = client.get(reverse("provisions:decision_letter", args=[application.uuid]))
    assert letter.status_code == 200 and b'id="letter-draft"' in letter.content

    before = AccessLogEntry.objects.count()
    response = client.post(
        reverse("provisions:decision_cosign_request", args=[application.uuid]),
        {"consultant": newcomer.pk},
    )
    assert response.status_code == 302
    assert Notification.objects.filter(user=newcomer, kind=NotificationKind.COSIGN).exists()
    assert AccessLogEntry.objects.count() == before + 1  # the service's change row


def test_the_assign_list_shows_names_with_the_username_as_fallback(
    client, make_application, consultant, second_consultant
):
    consultant.first_name, consultant.last_name = "Carla", "Consulent"
    consultant.save()
    second_consultant.first_name = second_consultant.last_name = ""
    second_consultant.save()
    application = make_application()
    client.force_login(consultant)
    html = client.get(
        reverse("provisions:application_detail", args=[application.uuid])
    ).content.decode()
    assert f'<option value="{consultant.pk}">Carla Consulent</option>' in html
    assert f'<option value="{second_consultant.pk}">consultant2</option>' in html


def test_a_315_request_fills_in_the_decision_form(
    client, make_application, consultant, provider, product
):
    application = make_application()
    AllocationRequest.objects.create(
        organisation=provider,
        kind="new",
        product=product,
        volume=7,
        unit=Unit.HOUR,
        frequency=Frequency.PER_MONTH,
        start_date=datetime.date(2026, 2, 1),
        end_date=datetime.date(2026, 12, 31),
        motivation="Nodig.",
        application=application,
    )
    client.force_login(consultant)
    page = client.get(reverse("provisions:application_detail", args=[application.uuid]))
    form = page.context["form"]
    assert form["volume"].value() == 7
    assert form["frequency"].value() == Frequency.PER_MONTH
    assert form["start_date"].value() == datetime.date(2026, 2, 1)
    assert form["provider"].value() == provider.pk
    assert 'name="volume" value="7"' in page.content.decode()
