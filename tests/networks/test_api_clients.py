import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from networks.models import ApiClient, ApiScope, OrganisationType
from networks.services import api_client_create, api_client_for_token, api_client_revoke
from tests.factories import OrganisationFactory


def test_token_is_stored_hashed_and_found_again(provider):
    client, token = api_client_create(organisation=provider, name="EPD")
    stored = ApiClient.objects.get(pk=client.pk)
    assert token not in (stored.token_hash, stored.token_prefix)
    assert stored.token_prefix in token
    assert api_client_for_token(token=token) == client


def test_a_wrong_token_with_a_real_prefix_is_refused(provider):
    _client, token = api_client_create(organisation=provider, name="EPD")
    assert api_client_for_token(token=token[:-2] + "xx") is None
    assert api_client_for_token(token="garbage") is None


def test_revoked_and_expired_tokens_are_refused(provider):
    revoked, revoked_token = api_client_create(organisation=provider, name="old")
    api_client_revoke(client=revoked)
    _expired, expired_token = api_client_create(
        organisation=provider, name="x", expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert api_client_for_token(token=revoked_token) is None
    assert api_client_for_token(token=expired_token) is None


@pytest.mark.parametrize(
    ("org_type", "expected"),
    [
        (
            OrganisationType.CARE_PROVIDER,
            {"allocations:read", "allocations:write", "signals:write", "contacts:read"},
        ),
        (OrganisationType.GP_PRACTICE, {"signals:write", "contacts:read"}),
        (OrganisationType.SCHOOL, {"signals:write", "contacts:read"}),
    ],
)
def test_default_scopes_follow_the_organisation_type(db, org_type, expected):
    client, _token = api_client_create(organisation=OrganisationFactory(type=org_type), name="x")
    assert expected <= set(client.scopes)
    if org_type != OrganisationType.CARE_PROVIDER:
        assert ApiScope.ALLOCATIONS_READ not in client.scopes


def test_command_prints_the_token_as_its_last_line(provider, capsys):
    call_command("create_api_token", "12345678", "--scopes", "allocations:read", "--name", "EPD")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    client = api_client_for_token(token=token)
    assert client.organisation == provider
    assert client.scopes == ["allocations:read"]


def test_command_refuses_an_unknown_organisation(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No organisation"):
        call_command("create_api_token", "nope")


def test_me_endpoint_and_problem_details_for_bad_tokens(provider, api_as, client):
    api = api_as(provider)
    response = api.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["organisation"]["agb_code"] == "12345678"

    api.credentials(HTTP_AUTHORIZATION="Bearer ww_deadbeef_nope", HTTP_ACCEPT_LANGUAGE="en")
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"] == "The token is invalid, expired or revoked."

    api.credentials(HTTP_AUTHORIZATION="Bearer ww_deadbeef_nope", HTTP_ACCEPT_LANGUAGE="nl")
    assert "ongeldig" in api.get("/api/v1/me/").json()["detail"]


def test_session_users_are_not_partner_clients(client, user_with_role):
    from teams.roles import Role

    client.force_login(user_with_role(Role.GENERALIST))
    assert client.get("/api/v1/me/").status_code in (401, 403)
