"""Hostile input on the household screens: markup, oversized posts, forged CSRF tokens and
guessed UUIDs are all refused or rendered harmless."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cases.households.models import Household, Resident
from cases.privacy.models import AccessAction, AccessLogEntry

SCRIPT = '<script>alert("xss")</script>'
HOSTILE = {
    "street": SCRIPT,
    "city": '"><img src=x onerror=alert(1)>',
    "house_number_addition": "<i>x</i>",
    "first_name": "<svg onload=alert(1)>",
    "name_prefix": "<b onclick=x>",
    "last_name": "</title><script>1</script>",
    "phone": "<a href=javascript:x>",
}


def create_payload(**overrides):
    data = {
        "postcode": "5611 AB",
        "house_number": "12",
        "house_number_addition": HOSTILE["house_number_addition"],
        "street": HOSTILE["street"],
        "city": HOSTILE["city"],
        "residents-TOTAL_FORMS": "1",
        "residents-INITIAL_FORMS": "0",
        "residents-MIN_NUM_FORMS": "0",
        "residents-MAX_NUM_FORMS": "12",
        "residents-0-bsn": "",
        "residents-0-first_name": HOSTILE["first_name"],
        "residents-0-name_prefix": HOSTILE["name_prefix"],
        "residents-0-last_name": HOSTILE["last_name"],
        "residents-0-phone": HOSTILE["phone"],
        "residents-0-role": "parent",
    }
    data.update(overrides)
    return data


def assert_harmless(content: str, values) -> None:
    for value in values:
        assert value not in content, f"unescaped: {value}"
        assert escape(value) in content, f"missing: {value}"


@pytest.fixture
def hostile_household(client, generalist, area):
    generalist.first_name = "<script>coordinator()</script>"
    generalist.save()
    client.force_login(generalist)
    response = client.post(reverse("cases:household_create"), create_payload())
    assert response.status_code == 302, response.content.decode()
    return Household.objects.get()


def test_markup_in_every_free_text_field_is_shown_escaped(client, hostile_household):
    household = hostile_household
    resident = household.memberships.get().resident
    address_values = [HOSTILE["street"], HOSTILE["city"], HOSTILE["house_number_addition"]]
    person_values = [HOSTILE[name] for name in ("first_name", "name_prefix", "last_name")]

    detail = client.get(reverse("cases:household_detail", args=[household.uuid]))
    assert_harmless(
        detail.content.decode(),
        [*address_values, *person_values, HOSTILE["phone"], "<script>coordinator()</script>"],
    )

    for headers in ({}, {"HX-Request": "true"}):
        results = client.post(reverse("cases:household_search"), {"q": "5611"}, headers=headers)
        assert_harmless(results.content.decode(), [*address_values, *person_values])

    edit = client.get(reverse("cases:household_edit", args=[household.uuid]))
    assert_harmless(edit.content.decode(), address_values)

    resident_edit = client.get(reverse("cases:resident_edit", args=[household.uuid, resident.uuid]))
    assert_harmless(resident_edit.content.decode(), [*person_values, HOSTILE["phone"]])


def test_markup_in_the_search_query_and_in_a_rejected_form_is_escaped(client, generalist, area):
    client.force_login(generalist)
    query = '"><script>alert(1)</script>'
    response = client.post(reverse("cases:household_search"), {"q": query})
    assert_harmless(response.content.decode(), [query])

    response = client.post(
        reverse("cases:household_create"),
        create_payload(postcode="<script>pc</script>"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert_harmless(response.content.decode(), ["<script>pc</script>", SCRIPT])
    assert not Household.objects.exists()


def test_a_ten_megabyte_post_is_refused_cleanly(client, generalist, area):
    client.force_login(generalist)
    response = client.post(
        reverse("cases:household_create"), create_payload(street="x" * 10 * 1024 * 1024)
    )
    assert response.status_code == 400
    assert not Household.objects.exists()


def test_a_post_with_thousands_of_fields_is_refused_cleanly(client, generalist, area):
    client.force_login(generalist)
    fields = {f"field{i}": "x" for i in range(5000)}
    response = client.post(reverse("cases:household_create"), create_payload(**fields))
    assert response.status_code == 400
    assert not Household.objects.exists()


def test_overlong_names_get_a_dutch_message_and_save_nothing(client, generalist, area):
    client.force_login(generalist)
    response = client.post(
        reverse("cases:household_create"),
        create_payload(
            **{"residents-0-last_name": "J" * 10_000, "street": "S" * 10_000, "city": "Eindhoven"}
        ),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Zorg dat deze waarde niet meer dan 100 tekens bevat (het zijn er nu 10000)." in content
    assert "Zorg dat deze waarde niet meer dan 150 tekens bevat (het zijn er nu 10000)." in content
    assert not Household.objects.exists()
    assert not Resident.objects.exists()


def test_an_overlong_search_is_answered_without_an_error(client, generalist, make_household):
    make_household()
    client.force_login(generalist)
    for query in ("a" * 10_000, "ab " * 3_000):
        response = client.post(reverse("cases:household_search"), {"q": query})
        assert response.status_code == 200
        assert "Geen huishouden gevonden." in response.content.decode()


# --- CSRF ----------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(generalist):
    client = Client(enforce_csrf_checks=True)
    client.force_login(generalist)
    client.get(reverse("cases:household_search"))  # sets the CSRF cookie, as the page does
    return client


def test_a_forged_csrf_token_on_an_htmx_post_is_refused(csrf_client, make_household):
    household = make_household()
    bsn = household.memberships.get().resident.bsn
    url = reverse("cases:household_search")
    forged = {"HX-Request": "true", "X-CSRFToken": "a" * 64}
    response = csrf_client.post(url, {"q": bsn}, headers=forged)
    assert response.status_code == 403
    assert household.address_line not in response.content.decode()
    # the same request with the real token from the cookie works
    token = csrf_client.cookies["csrftoken"].value
    real = {"HX-Request": "true", "X-CSRFToken": token}
    assert (
        household.address_line in csrf_client.post(url, {"q": bsn}, headers=real).content.decode()
    )


def test_a_forged_csrf_token_cannot_change_a_household(csrf_client, make_household):
    household = make_household()
    response = csrf_client.post(
        reverse("cases:household_edit", args=[household.uuid]),
        {
            "postcode": "5611AB",
            "house_number": "1",
            "street": "Gekaapt",
            "city": "X",
            "version": household.version,
        },
        headers={"HX-Request": "true", "X-CSRFToken": "b" * 64},
    )
    assert response.status_code == 403
    household.refresh_from_db()
    assert household.street != "Gekaapt"
    assert not AccessLogEntry.objects.filter(action=AccessAction.CHANGE).exists()


# --- guessed UUIDs -------------------------------------------------------------------------


def test_guessed_or_foreign_uuids_give_404(client, generalist, make_household, other_area):
    own = make_household()
    own_resident = own.memberships.get().resident
    foreign = make_household(neighbourhood=other_area["neighbourhood"])
    foreign_resident = foreign.memberships.get().resident
    client.force_login(generalist)
    today = {"end_date": timezone.localdate().isoformat()}
    for household_uuid, resident_uuid in (
        (uuid.uuid4(), uuid.uuid4()),
        (foreign.uuid, foreign_resident.uuid),
        (uuid.uuid4(), own_resident.uuid),
    ):
        for name in ("household_detail", "household_edit", "resident_add"):
            assert client.get(reverse(f"cases:{name}", args=[household_uuid])).status_code == 404
        resident_url = reverse("cases:resident_edit", args=[household_uuid, resident_uuid])
        assert client.get(resident_url).status_code == 404
        end_url = reverse("cases:membership_end", args=[household_uuid, resident_uuid])
        assert client.post(end_url, today).status_code == 404
    # a resident of another household under one's own household's address is not found either
    mixed = reverse("cases:resident_edit", args=[own.uuid, foreign_resident.uuid])
    assert client.get(mixed).status_code == 404
    mixed_end = reverse("cases:membership_end", args=[own.uuid, foreign_resident.uuid])
    assert client.post(mixed_end, today).status_code == 404
    assert client.get(f"/huishoudens/{foreign.pk}/").status_code == 404  # database ids: no
    foreign_resident.refresh_from_db()
    assert foreign_resident.memberships.get().end_date is None
