import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from cases.households.models import Household, Resident, ResidentMergeRecord
from cases.intake.forms import MeldingForm, melding_form_fields
from cases.intake.models import Melding, MeldingChannel, Signal, SignalStatus
from cases.intake.selectors import melding_investigation_deadline
from teams.roles import Role
from tests.cases.intake_factories import MeldingFactory, SignalFactory
from tests.factories import (
    HouseholdFactory,
    HouseholdMembershipFactory,
    ResidentFactory,
    TeamMemberFactory,
)


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def melding_payload(**overrides):
    data = {
        "received_on": timezone.localdate().isoformat(),
        "channel": MeldingChannel.PHONE,
        "question": "Ik red het niet meer met de boodschappen.",
    }
    data.update(overrides)
    return data


# Meldingen on the household page -------------------------------------------------------------


def test_household_page_shows_meldingen_with_deadline_and_wmo_hints(
    client_as, generalist, make_household
):
    household = make_household()
    today = timezone.localdate()
    late, recent = today - datetime.timedelta(50), today - datetime.timedelta(2)
    MeldingFactory(household=household, received_on=late)
    MeldingFactory(household=household, received_on=recent)
    content = (
        client_as(generalist)
        .get(reverse("cases:household_detail", args=[household.uuid]))
        .content.decode()
    )
    # 50 days ago: the deadline (about 8 days ago, later when it fell in a weekend) has passed
    overdue = (today - melding_investigation_deadline(received_on=late)).days
    assert f"{overdue} dagen te laat" in content
    days_left = (melding_investigation_deadline(received_on=recent) - today).days
    assert f"nog {days_left} dagen" in content
    assert "binnen 7 dagen na de melding een persoonlijk plan" in content
    assert "cliëntondersteuning" in content
    assert "mantelzorger" in content
    assert reverse("cases:melding_register", args=[household.uuid]) in content


def _melding_form_markup(content: str) -> str:
    start = content.index('id="melding-form"')
    return content[start : content.index("</form>", start)]


@pytest.mark.parametrize(("language", "label"), [("nl", "Datum van de melding"), ("en", "Date of")])
def test_household_page_shows_the_melding_form_as_the_form_renders_it(
    client_as, generalist, make_household, settings, language, label
):
    """The form's fields are rendered once per language and day (not per request): the same
    markup as the form rendered through `cases/_form_fields.html`, with today's date."""
    household = make_household()
    client = client_as(generalist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse("cases:household_detail", args=[household.uuid])
    with translation.override(language):
        expected = render_to_string("cases/_form_fields.html", {"form": MeldingForm()})
    for _ in range(2):  # built on the first request, from the cache on the second
        shown = _melding_form_markup(client.get(url).content.decode())
        assert expected.strip() in shown
        assert label in shown
        assert f'name="received_on" value="{timezone.localdate().isoformat()}"' in shown
        assert 'value="signal"' not in shown  # set by triage, never chosen by hand


def test_the_melding_form_fields_are_rendered_once_per_language_and_day(monkeypatch):
    with translation.override("nl"):
        dutch = melding_form_fields()
        assert melding_form_fields() is dutch  # from the cache
    with translation.override("en"):
        assert "Date of the request" in melding_form_fields()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    with translation.override("nl"):
        assert f'value="{tomorrow.isoformat()}"' in melding_form_fields()


def test_who_may_not_register_a_melding_gets_no_form(client_as, make_household, user_with_role):
    household = make_household()
    consultant = user_with_role(Role.CONSULTANT)
    TeamMemberFactory(team=household.neighbourhood.district.team, user=consultant)
    response = client_as(consultant).get(reverse("cases:household_detail", args=[household.uuid]))
    assert response.status_code == 200
    assert 'id="melding-form"' not in response.content.decode()


def test_register_melding_via_htmx(client_as, generalist, make_household):
    household = make_household()
    response = client_as(generalist).post(
        reverse("cases:melding_register", args=[household.uuid]),
        melding_payload(),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("cases:household_detail", args=[household.uuid])
    melding = household.meldingen.get()
    assert melding.registered_by == generalist
    assert melding.investigation_deadline == melding_investigation_deadline(
        received_on=timezone.localdate()
    )


def test_register_melding_error_keeps_input(client_as, generalist, make_household):
    household = make_household()
    response = client_as(generalist).post(
        reverse("cases:melding_register", args=[household.uuid]),
        melding_payload(received_on=""),
        headers={"HX-Request": "true"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert "Ik red het niet meer met de boodschappen." in content
    assert "Dit veld is vereist." in content
    assert not Melding.objects.exists()


def test_register_melding_without_js_falls_back_to_a_page(client_as, generalist, make_household):
    household = make_household()
    client = client_as(generalist)
    url = reverse("cases:melding_register", args=[household.uuid])
    assert "<html" in client.get(url).content.decode()
    response = client.post(url, melding_payload())
    assert response.status_code == 302


def test_register_melding_denied(
    client_as, user_with_role, other_area, make_household, consultant, make_application
):
    household = make_household()
    make_application(household=household)  # the consultant decides it: sees the household
    url = reverse("cases:melding_register", args=[household.uuid])
    outsider = TeamMemberFactory(team=other_area["team"]).user
    assert client_as(outsider).post(url, melding_payload()).status_code == 404
    assert client_as(consultant).post(url, melding_payload()).status_code == 403
    gp = user_with_role(Role.GP)
    assert client_as(gp).post(url, melding_payload()).status_code == 404
    assert not Melding.objects.exists()


# Signals -------------------------------------------------------------------------------------


def signal_payload(**overrides):
    data = {
        "source_type": "neighbour",
        "reporter_name": "Buurvrouw Els",
        "reporter_contact": "06 1234 5678",
        "received_on": timezone.localdate().isoformat(),
        "observation": "Meneer komt al een week niet buiten.",
        "subject_name": "Jan de Vries",
        "subject_birth_date": "",
        "subject_address": "Dorpsstraat 4",
        "subject_postcode": "5641 aa",
        "team": "",
    }
    data.update(overrides)
    return data


def test_register_signal_about_an_unknown_person(client_as, generalist, area, other_area):
    response = client_as(generalist).post(reverse("cases:signal_register"), signal_payload())
    assert response.status_code == 302
    signal = Signal.objects.get()
    assert signal.team == other_area["team"]
    assert signal.subject_postcode == "5641AA"


def test_register_signal_unknown_area_asks_for_the_team(client_as, generalist, area):
    response = client_as(generalist).post(
        reverse("cases:signal_register"),
        signal_payload(subject_postcode="9999 ZZ"),
        headers={"HX-Request": "true"},
    )
    content = response.content.decode()
    assert "kies het wijkteam" in content
    assert 'value="Buurvrouw Els"' in content
    assert not Signal.objects.exists()


def test_register_signal_for_a_household_member(
    client_as, area, make_household, consultant, make_application
):
    household = make_household(residents=2)
    resident = household.memberships.first().resident
    make_application(household=household)  # the consultant decides it: sees the household
    # a consultant may pass on a concern, not triage it
    response = client_as(consultant).post(
        reverse("cases:signal_register_for_household", args=[household.uuid]),
        signal_payload(resident=resident.pk),
    )
    assert response.status_code == 302
    signal = Signal.objects.get()
    assert (signal.household, signal.resident, signal.team) == (
        household,
        resident,
        area["team"],
    )


def test_register_signal_denied(client_as, user_with_role, other_area, make_household):
    household = make_household()
    gp = user_with_role(Role.GP)
    assert client_as(gp).post(reverse("cases:signal_register"), signal_payload()).status_code == 403
    outsider = TeamMemberFactory(team=other_area["team"]).user
    url = reverse("cases:signal_register_for_household", args=[household.uuid])
    assert client_as(outsider).post(url, signal_payload()).status_code == 404
    assert not Signal.objects.exists()


def test_triage_queue_lists_only_the_own_team_within_a_query_budget(
    client_as, generalist, area, other_area, make_household, django_assert_max_num_queries
):
    for _ in range(8):
        SignalFactory(team=area["team"], household=make_household())
    for _ in range(8):
        SignalFactory(team=area["team"], subject_name="Onbekende Buurman")
    foreign = SignalFactory(team=other_area["team"], subject_name="Elders Persoon")
    client = client_as(generalist)
    # 6: the first request also reads the user's access facts (version + one statement)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("cases:signal_queue"))
    content = response.content.decode()
    assert "16 openstaande signalen" in content
    assert "Elders Persoon" not in content
    assert str(foreign.uuid) not in content


def test_triage_queue_is_paginated(client_as, generalist, area):
    for _ in range(30):
        SignalFactory(team=area["team"])
    client = client_as(generalist)
    content = client.get(reverse("cases:signal_queue"), {"page": 2}).content.decode()
    assert "Pagina 2 van 2" in content
    partial = client.get(
        reverse("cases:signal_queue"), {"page": 2}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in partial
    assert content.count("<tr>") == partial.count("<tr>") == 6  # header + 5 rows


def test_triage_pages_denied(client_as, user_with_role, area, other_area):
    signal = SignalFactory(team=area["team"])
    consultant = user_with_role(Role.CONSULTANT)
    assert client_as(consultant).get(reverse("cases:signal_queue")).status_code == 403
    outsider = TeamMemberFactory(team=other_area["team"]).user
    client = client_as(outsider)
    assert client.get(reverse("cases:signal_detail", args=[signal.uuid])).status_code == 404
    close = reverse("cases:signal_close", args=[signal.uuid])
    assert client.post(close, {"reason": "weg"}).status_code == 404
    signal.refresh_from_db()
    assert signal.status == SignalStatus.OPEN


def test_convert_signal_to_melding_with_a_candidate_household(client_as, generalist, area):
    household_resident = ResidentFactory(first_name="Jan", last_name="Vries")
    client = client_as(generalist)
    household = HouseholdFactory(neighbourhood=area["neighbourhood"])
    HouseholdMembershipFactory(household=household, resident=household_resident)
    signal = SignalFactory(team=area["team"], subject_name="Jan Vries")
    page = client.get(reverse("cases:signal_detail", args=[signal.uuid])).content.decode()
    assert household.address_line in page
    assert household_resident.full_name in page  # who lives there helps to choose
    response = client.post(
        reverse("cases:signal_convert", args=[signal.uuid]),
        {
            "household": str(household.uuid),
            "received_on": timezone.localdate().isoformat(),
            "question": "Hulp in huis",
        },
    )
    assert response.status_code == 302
    signal.refresh_from_db()
    assert signal.status == SignalStatus.CONVERTED
    assert signal.melding.household == household


def test_convert_signal_registers_a_new_household(client_as, generalist, area):
    signal = SignalFactory(team=area["team"], subject_name="Jan de Vries")
    response = client_as(generalist).post(
        reverse("cases:signal_convert", args=[signal.uuid]),
        {
            "household": "new",
            "received_on": timezone.localdate().isoformat(),
            "question": "Hulp in huis",
            "new-postcode": "5611 AB",
            "new-house_number": "4",
            "new-street": "Dorpsstraat",
            "new-city": "Dommelstede",
            "person-first_name": "Jan",
            "person-name_prefix": "de",
            "person-last_name": "Vries",
            "person-role": "parent",
        },
    )
    assert response.status_code == 302
    household = Household.objects.get()
    assert household.memberships.get().resident.full_name == "Jan de Vries"
    assert household.meldingen.get().channel == MeldingChannel.SIGNAL


def test_convert_without_household_keeps_input(client_as, generalist, area):
    signal = SignalFactory(team=area["team"], subject_name="Piet Puk")
    response = client_as(generalist).post(
        reverse("cases:signal_convert", args=[signal.uuid]),
        {"received_on": timezone.localdate().isoformat(), "question": "Mijn eigen woorden"},
    )
    content = response.content.decode()
    assert "Kies het huishouden" in content
    assert "Mijn eigen woorden" in content
    assert not Melding.objects.exists()


def test_close_signal(client_as, area):
    team_lead = TeamMemberFactory(team=area["team"], user__roles=[Role.TEAM_LEAD]).user
    signal = SignalFactory(team=area["team"])
    client = client_as(team_lead)
    url = reverse("cases:signal_close", args=[signal.uuid])
    assert "reden" in client.post(url, {"reason": ""}).content.decode().lower()
    assert client.post(url, {"reason": "Zoon zorgt al voor hem"}).status_code == 302
    signal.refresh_from_db()
    assert (signal.status, signal.handled_by) == (SignalStatus.CLOSED, team_lead)


# Possible duplicates when registering a person without BSN ----------------------------------


def resident_payload(**overrides):
    data = {
        "bsn": "",
        "first_name": "Jan",
        "name_prefix": "de",
        "last_name": "Vries",
        "birth_date": "1961-04-09",
        "role": "partner",
    }
    data.update(overrides)
    return data


def test_adding_a_person_without_bsn_warns_about_duplicates(
    client_as, generalist, other_area, make_household
):
    household = make_household()
    visible = make_household(residents=0)
    HouseholdMembershipFactory(
        household=visible,
        resident=ResidentFactory(
            first_name="Johannes", last_name="Vries", birth_date=datetime.date(1961, 4, 9)
        ),
    )
    hidden = make_household(residents=0, neighbourhood=other_area["neighbourhood"])
    HouseholdMembershipFactory(
        household=hidden,
        resident=ResidentFactory(
            first_name="Geheim", last_name="Vries", birth_date=datetime.date(1961, 4, 9)
        ),
    )
    client = client_as(generalist)
    url = reverse("cases:resident_add", args=[household.uuid])
    response = client.post(url, resident_payload(), headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "mogelijk al geregistreerd" in content
    assert reverse("cases:household_detail", args=[visible.uuid]) in content
    assert "Elders bekend" in content
    assert "Geheim" not in content
    assert str(hidden.uuid) not in content
    assert 'value="Vries"' in content
    assert household.memberships.count() == 1

    response = client.post(url, resident_payload(duplicates_confirmed="1"))
    assert response.status_code == 302
    assert household.memberships.count() == 2


def test_a_bsn_skips_the_duplicate_check(client_as, generalist, make_household):
    household = make_household()
    ResidentFactory(last_name="Vries", birth_date=datetime.date(1961, 4, 9))
    response = client_as(generalist).post(
        reverse("cases:resident_add", args=[household.uuid]), resident_payload(bsn="111222333")
    )
    assert response.status_code == 302


def test_creating_a_household_warns_about_duplicates(client_as, generalist, area, make_household):
    existing = make_household(residents=0)
    HouseholdMembershipFactory(
        household=existing, resident=ResidentFactory(first_name="Anna", last_name="Jansen")
    )
    payload = {
        "postcode": existing.postcode,
        "house_number": "99",
        "house_number_addition": "",
        "street": "Kerkstraat",
        "city": "Dommelstede",
        "residents-TOTAL_FORMS": "1",
        "residents-INITIAL_FORMS": "0",
        "residents-MIN_NUM_FORMS": "0",
        "residents-MAX_NUM_FORMS": "12",
        "residents-0-bsn": "",
        "residents-0-first_name": "anna",
        "residents-0-name_prefix": "",
        "residents-0-last_name": "Jansen",
        "residents-0-birth_date": "",
        "residents-0-role": "parent",
    }
    client = client_as(generalist)
    content = client.post(reverse("cases:household_create"), payload).content.decode()
    assert "mogelijk al geregistreerd" in content
    assert reverse("cases:household_detail", args=[existing.uuid]) in content
    assert Household.objects.count() == 1
    payload["duplicates_confirmed"] = "1"
    assert client.post(reverse("cases:household_create"), payload).status_code == 302
    assert Household.objects.count() == 2


# Merging person records in the admin ---------------------------------------------------------


def test_admin_merge_action(client_as, user_with_role, make_household):
    admin_user = user_with_role(Role.FUNCTIONAL_ADMIN)
    keep = make_household().memberships.get().resident
    remove = ResidentFactory(bsn=None)
    client = client_as(admin_user)
    url = reverse("admin:cases_resident_changelist")
    selection = {"action": "merge_residents", "_selected_action": [keep.pk, remove.pk]}
    page = client.post(url, selection)
    assert page.status_code == 200
    assert "Records samenvoegen" in page.content.decode()
    response = client.post(url, {**selection, "confirm": "yes", "keep": str(keep.uuid)})
    assert response.status_code == 302
    assert not Resident.objects.filter(pk=remove.pk).exists()
    assert ResidentMergeRecord.objects.get().kept == keep


def test_admin_merge_action_refuses_two_bsns(client_as, user_with_role):
    admin_user = user_with_role(Role.FUNCTIONAL_ADMIN)
    first, second = ResidentFactory(), ResidentFactory()
    client = client_as(admin_user)
    response = client.post(
        reverse("admin:cases_resident_changelist"),
        {
            "action": "merge_residents",
            "_selected_action": [first.pk, second.pk],
            "confirm": "yes",
            "keep": str(first.uuid),
        },
        follow=True,
    )
    assert "verschillende BSN" in response.content.decode()
    assert Resident.objects.count() == 2


def test_admin_merge_action_is_for_functional_administrators_only(client_as, user_with_role):
    superuser_like = user_with_role(Role.CONSULTANT, is_staff=True, is_superuser=True)
    first, second = ResidentFactory(bsn=None), ResidentFactory(bsn=None)
    response = client_as(superuser_like).post(
        reverse("admin:cases_resident_changelist"),
        {
            "action": "merge_residents",
            "_selected_action": [first.pk, second.pk],
            "confirm": "yes",
            "keep": str(first.uuid),
        },
    )
    assert response.status_code in (200, 302)  # the action is not offered: nothing happens
    assert Resident.objects.count() == 2


def test_household_page_with_many_meldingen_within_a_query_budget(
    client_as, generalist, make_household, django_assert_max_num_queries
):
    household = make_household(residents=3)
    for days in range(0, 60, 5):
        MeldingFactory(
            household=household, received_on=timezone.localdate() - datetime.timedelta(days)
        )
    client = client_as(generalist)
    # 6 for any household page (tests/cases/households/test_views.py), +1 the user's access
    # facts (first request), +1 the meldingen, however many; empty sections are not read
    with django_assert_max_num_queries(8):
        response = client.get(reverse("cases:household_detail", args=[household.uuid]))
    assert response.content.decode().count('class="deadline"') == 12
