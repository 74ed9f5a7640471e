import pytest
from django.core.management import call_command
from django.urls import reverse

from cases.households.models import Household

DEMO_LOGINS = {
    "generalist": "Huishoudens",
    "consultant": "Huishoudens",
    "teamleider": "Huishoudens",
    "beleid": "Beleid",
    "huisarts": "Wie is mijn contactpersoon?",  # lands on the postcode lookup
    "beheer": "Functioneel beheer",
    "privacy": "Toegangslogboek",
}


@pytest.fixture
def demo(db):
    call_command("seed_demo", households=12, verbosity=0)


def test_seed_demo_is_idempotent(demo):
    from networks.models import Contract, Subsidy

    households = Household.objects.count()
    contracts, subsidies = Contract.objects.count(), Subsidy.objects.count()
    call_command("seed_demo", households=12, verbosity=0)
    assert Household.objects.count() == households >= 12  # and the demo moves' households
    assert Contract.objects.count() == contracts > 0
    assert Subsidy.objects.count() == subsidies > 0


@pytest.mark.parametrize(("username", "expected"), DEMO_LOGINS.items())
def test_each_demo_role_logs_in_and_sees_its_start_page(client, demo, username, expected):
    response = client.post(
        reverse("login"), {"username": username, "password": "wijkwerk-demo"}, follow=True
    )
    assert response.status_code == 200
    assert response.wsgi_request.user.username == username
    assert expected in response.content.decode()


def test_a_gp_lands_on_the_postcode_lookup_and_others_on_the_start_page(client, demo):
    for username, landing in (("huisarts", "/wijkcontact/"), ("consultant", "/")):
        response = client.post(
            reverse("login"), {"username": username, "password": "wijkwerk-demo"}
        )
        assert response["Location"] == landing, username
        client.logout()
    # a page asked for still wins
    response = client.post(
        reverse("login") + "?next=/accounts/tweestaps/instellen/",
        {"username": "huisarts", "password": "wijkwerk-demo"},
    )
    assert response["Location"] == "/accounts/tweestaps/instellen/"


def test_the_favicon_answers_at_the_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response)[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_roles_without_files_do_not_get_the_household_search(client, demo):
    for username in ("beleid", "huisarts", "beheer", "privacy"):
        client.post(reverse("login"), {"username": username, "password": "wijkwerk-demo"})
        content = client.get(reverse("home")).content.decode()
        assert 'name="q"' not in content


def test_language_switch_to_english(client, demo):
    client.post(reverse("login"), {"username": "generalist", "password": "wijkwerk-demo"})
    assert "Huishouden zoeken" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Find a household" in client.get(reverse("home")).content.decode()


def test_dutch_by_default_even_for_an_english_browser(client, demo):
    client.post(reverse("login"), {"username": "generalist", "password": "wijkwerk-demo"})
    response = client.get(reverse("home"), headers={"accept-language": "en-US,en;q=0.9"})
    assert "Huishouden zoeken" in response.content.decode()
