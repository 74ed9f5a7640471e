"""The optional second factor: TOTP codes from an authenticator app."""

import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from teams.roles import Role
from tests.factories import UserFactory

PASSWORD = "wijkwerk-test"


def code_for(device, offset_steps=0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


@pytest.fixture(autouse=True)
def no_throttling(settings):
    """django-otp waits 2^(n-1) seconds after the n-th wrong code; tests type faster."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def user_with_app(db):
    user = UserFactory(username="anna")
    device = TOTPDevice.objects.create(user=user, name="wijkwerk", confirmed=True)
    return user, device


def password_step(client, username="anna", next_url=""):
    data = {"username": username, "password": PASSWORD}
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


def test_without_an_app_the_password_is_enough(client, db):
    UserFactory(username="bert")
    response = password_step(client, "bert")
    assert response["Location"] == reverse("home")
    assert "_auth_user_id" in client.session


def test_with_an_app_the_code_is_needed_before_login(client, user_with_app):
    user, device = user_with_app
    response = password_step(client, next_url="/huishoudens/")
    assert response["Location"] == reverse("two_factor_verify")
    assert "_auth_user_id" not in client.session  # not logged in after the password alone
    assert client.get(reverse("home")).status_code == 302

    response = client.post(reverse("two_factor_verify"), {"code": "000000"})
    assert "Deze code klopt niet" in response.content.decode()
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert response["Location"] == "/huishoudens/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session["otp_device_id"] == device.persistent_id


def test_a_right_code_right_after_a_wrong_one_is_throttled(client, settings, user_with_app):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    _user, device = user_with_app
    password_step(client)
    client.post(reverse("two_factor_verify"), {"code": "000000"})
    client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert "_auth_user_id" not in client.session


def test_a_code_cannot_be_used_twice(client, user_with_app):
    _user, device = user_with_app
    code = code_for(device)
    password_step(client)
    client.post(reverse("two_factor_verify"), {"code": code})
    client.logout()
    password_step(client)
    response = client.post(reverse("two_factor_verify"), {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_too_many_wrong_codes_send_back_to_the_password(client, user_with_app):
    password_step(client)
    for _ in range(4):
        assert client.post(reverse("two_factor_verify"), {"code": "12345x"}).status_code == 200
        client.post(reverse("two_factor_verify"), {"code": "000000"})
    assert client.post(reverse("two_factor_verify"), {"code": "000001"})["Location"] == reverse(
        "login"
    )
    assert client.get(reverse("two_factor_verify"))["Location"] == reverse("login")


def test_the_code_step_expires(client, user_with_app):
    _user, device = user_with_app
    password_step(client)
    session = client.session
    session["_wijkwerk_2fa_pending"]["since"] -= 10 * 60
    session.save()
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_an_offsite_next_url_is_not_followed(client, user_with_app):
    _user, device = user_with_app
    password_step(client, next_url="https://evil.example/")
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert response["Location"] == reverse("home")


def test_setting_up_an_app(client, db):
    user = UserFactory(username="carla")
    client.force_login(user)
    page = client.get(reverse("two_factor_setup")).content.decode()
    assert 'src="data:image/svg+xml' in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1)
    assert len(secret.replace(" ", "")) == 32

    response = client.post(reverse("two_factor_setup"), {"code": "000000"})
    assert "Deze code klopt niet" in response.content.decode()
    response = client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    assert response["Location"] == reverse("home")
    device.refresh_from_db()
    assert device.confirmed
    assert "staat aan" in client.get(reverse("two_factor_setup")).content.decode()
    client.logout()
    assert password_step(client, "carla")["Location"] == reverse("two_factor_verify")


def test_staff_must_set_up_an_app_when_required(client, settings, user_with_role):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    admin = user_with_role(Role.FUNCTIONAL_ADMIN, username="beheer")
    response = password_step(client, "beheer")
    assert response["Location"] == reverse("two_factor_setup")
    assert client.get(reverse("cases:household_search"))["Location"] == reverse("two_factor_setup")
    htmx = client.post(reverse("cases:household_search"), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == reverse("two_factor_setup")
    assert "verplicht" in client.get(reverse("two_factor_setup")).content.decode()
    device = TOTPDevice.objects.get(user=admin)
    client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    # past the setup: the admin's own pages (household files are not theirs: 403, not a redirect)
    assert client.get(reverse("teams:coverage")).status_code == 200
    assert client.get(reverse("cases:household_search")).status_code == 403


def test_other_roles_are_not_forced(client, settings, user_with_role):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    user_with_role(Role.GENERALIST, username="gerda")
    assert password_step(client, "gerda")["Location"] == reverse("home")
