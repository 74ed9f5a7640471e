"""Ask once (issue #16, point 9): what the file already knows is picked or pre-filled, not
typed again. Conversation participants from the residents and the informal network; a signal's
address for a new household; a provider's 315 request for an application; the aftercare's
"agreed with" from the network. Each through its service or selector and one screen."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.intake import services as intake_services
from cases.intake.selectors import signal_household_initial
from cases.partners.models import AllocationRequest, AllocationRequestKind
from cases.partners.selectors import (
    allocation_requests_to_apply_for,
    application_initial_from_request,
)
from cases.plans.forms import aftercare_agreed_with_text
from networks.models import Frequency, Unit
from tests.cases.intake_factories import SignalFactory, assessment_post
from tests.factories import NetworkMemberFactory, SupportPlanFactory

TODAY = timezone.localdate()


@pytest.fixture
def household(make_household, generalist):
    return make_household(residents=2, coordinator=generalist)


# --- conversation participants ----------------------------------------------------------------


def test_conversation_takes_network_members_of_its_own_household_only(
    household, make_household, generalist
):
    sister = NetworkMemberFactory(household=household, name="Sanne de Vries")
    stranger = NetworkMemberFactory(household=make_household(), name="Piet Jansen")
    conversation = intake_services.conversation_record(
        household=household, by=generalist, resident_story="x", network_participants=[sister]
    )
    assert list(conversation.network_participants.all()) == [sister]
    with pytest.raises(ValidationError):
        intake_services.conversation_record(
            household=household, by=generalist, resident_story="x", network_participants=[stranger]
        )


def test_conversation_form_offers_residents_with_role_and_birth_year_and_the_network(
    household, generalist, client
):
    sister = NetworkMemberFactory(household=household, name="Sanne de Vries")
    membership = household.memberships.select_related("resident").first()
    resident = membership.resident
    client.force_login(generalist)
    url = reverse("cases:conversation_create", args=[household.uuid])
    content = client.get(url).content.decode()
    label = f"{resident.full_name} ({membership.get_role_display().lower()}, geboren"
    assert label.replace("'", "&#x27;") in content
    assert f"{resident.birth_date.year})" in content
    assert "Sanne de Vries (Buurtbewoner)" in content and 'name="other_participants"' in content

    response = client.post(
        url,
        {
            "held_on": TODAY.isoformat(),
            "place": "thuis",
            "resident_story": "Het gaat niet goed met de post.",
            "participants": [str(resident.uuid)],
            "network_participants": [str(sister.uuid)],
            "other_participants": "Wijkagent",
            **assessment_post(),
        },
    )
    assert response.status_code == 302
    conversation = household.conversations.get()
    assert list(conversation.network_participants.all()) == [sister]
    detail = client.get(reverse("cases:conversation_detail", args=[conversation.uuid]))
    assert "Sanne de Vries (Buurtbewoner); Wijkagent" in detail.content.decode()


# --- a signal's address pre-fills a new household ---------------------------------------------


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (
            "Molenstraat 12A",
            {"street": "Molenstraat", "house_number": 12, "house_number_addition": "A"},
        ),
        (
            "Lange Nieuwstraat 3 - 2",
            {"street": "Lange Nieuwstraat", "house_number": 3, "house_number_addition": "2"},
        ),
        (
            "Kerkplein 7, Dommelstede",
            {"street": "Kerkplein", "house_number": 7, "city": "Dommelstede"},
        ),
        ("achter de kerk", {"street": "achter de kerk"}),
        ("", {}),
    ],
)
def test_signal_address_reads_as_a_household_address(area, address, expected):
    signal = SignalFactory.build(
        team=area["team"], subject_address=address, subject_postcode="5611AB"
    )
    assert signal_household_initial(signal=signal) == {"postcode": "5611 AB", **expected}


def test_signal_links_to_a_prefilled_household_form(area, other_area, generalist, client):
    signal = SignalFactory(
        team=area["team"],
        subject_name="Jan Bakker",
        subject_address="Molenstraat 12A",
        subject_postcode="5611AB",
    )
    client.force_login(generalist)
    page = client.get(reverse("cases:signal_detail", args=[signal.uuid])).content.decode()
    link = f"{reverse('cases:household_create')}?signaal={signal.uuid}"
    assert link in page

    form = client.get(link).content.decode()
    assert 'value="5611 AB"' in form
    assert 'value="Molenstraat"' in form and 'value="12"' in form and 'value="A"' in form
    assert 'value="Bakker"' in form
    # personal data never in the URL: only the signal's UUID
    assert "Molenstraat" not in link

    elsewhere = SignalFactory(team=other_area["team"], subject_address="Dorpsstraat 1")
    refused = client.get(f"{reverse('cases:household_create')}?signaal={elsewhere.uuid}")
    assert refused.status_code == 404
    assert client.get(f"{reverse('cases:household_create')}?signaal=nope").status_code == 404


# --- a 315 request pre-fills the application --------------------------------------------------


@pytest.fixture
def request_315(household, provider, product):
    """A 315 request registered when the person was not known: BSN and date of birth match a
    resident now."""
    resident = household.memberships.first().resident
    return AllocationRequest.objects.create(
        organisation=provider,
        kind=AllocationRequestKind.NEW,
        bsn=resident.bsn,
        birth_date=resident.birth_date,
        product=product,
        volume=4,
        unit=Unit.HOUR,
        frequency=Frequency.PER_WEEK,
        start_date=TODAY + datetime.timedelta(days=7),
        motivation="Structuur in de week nodig.",
    )


def test_open_315_requests_match_the_households_residents(household, request_315, make_household):
    [found] = allocation_requests_to_apply_for(household=household)
    assert found == request_315
    assert found.applicant.bsn == request_315.bsn
    initial = application_initial_from_request(found)
    assert initial["product"] == request_315.product_id
    assert initial["resident"] == found.applicant.pk
    assert "4 uur" in initial["motivation"] or "4 " in initial["motivation"]
    assert "Structuur in de week nodig." in initial["motivation"]
    assert allocation_requests_to_apply_for(household=make_household()) == []


def test_make_an_application_from_a_315_request(household, request_315, generalist, client):
    client.force_login(generalist)
    section = client.get(reverse("provisions:household_provisions", args=[household.uuid]))
    create = reverse("provisions:application_create", args=[household.uuid])
    link = f"{create}?verzoek={request_315.uuid}"
    assert link in section.content.decode()

    form = client.get(link).context["form"]
    assert form.initial["product"] == request_315.product_id
    assert form.initial["resident"] == form.fields["resident"].queryset.get(bsn=request_315.bsn).pk
    assert "Structuur in de week nodig." in form.initial["motivation"]
    assert client.get(f"{create}?verzoek={household.uuid}").status_code == 404


# --- aftercare "agreed with" from the network -------------------------------------------------


def test_agreed_with_text_names_picked_members_then_the_rest(household):
    sister = NetworkMemberFactory(household=household, name="Sanne de Vries")
    text = aftercare_agreed_with_text(members=[sister], others="  Welzijn Dommelstede ")
    assert text == "Sanne de Vries (Buurtbewoner); Welzijn Dommelstede"
    assert aftercare_agreed_with_text(members=[], others="") == ""


def test_plan_form_picks_agreed_with_from_the_network(household, generalist, client):
    sister = NetworkMemberFactory(household=household, name="Sanne de Vries")
    NetworkMemberFactory(household=household, name="Kees Smit")
    plan = SupportPlanFactory(household=household)
    client.force_login(generalist)
    url = reverse("cases:plan_edit", args=[plan.uuid])
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name != "aftercare_network"
    }
    data.update(
        {
            "aftercare_in_place": "Waakvlam",
            "aftercare_network": [str(sister.uuid)],
            "aftercare_agreed_with": "Welzijn Dommelstede",
        }
    )
    data = {k: v for k, v in data.items() if not isinstance(v, list) or k == "aftercare_network"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    plan.refresh_from_db()
    assert plan.aftercare_agreed_with == "Sanne de Vries (Buurtbewoner); Welzijn Dommelstede"

    again = client.get(url).context["form"]
    assert again.initial["aftercare_network"] == [sister.uuid]
    assert again.initial["aftercare_agreed_with"] == "Welzijn Dommelstede"
