"""Login through an OpenID Connect provider: a real (tiny) provider on the loopback address
answers the token and userinfo requests, so the whole code flow runs."""

import base64
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from django.urls import reverse

from teams.roles import Role
from tests.factories import UserFactory
from tests.test_settings import PRODUCTION_ENV, run_manage

CLIENT_SECRET = "test-client-secret-that-is-long-enough-for-hs256"


class FakeProvider(ThreadingHTTPServer):
    """Token and userinfo endpoints of an OpenID Connect provider."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), FakeProviderHandler)
        self.nonce = ""
        self.claims = {}
        self.token_requests = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class FakeProviderHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _json(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # the token endpoint
        length = int(self.headers["Content-Length"])
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.server.token_requests.append(form)
        id_token = jwt.encode(
            {"sub": "abc", "nonce": self.server.nonce}, CLIENT_SECRET, algorithm="HS256"
        )
        self._json({"id_token": id_token, "access_token": "access-token"})

    def do_GET(self):  # the userinfo endpoint
        assert self.headers["Authorization"] == "Bearer access-token"
        self._json(self.server.claims)


@pytest.fixture
def provider(settings):
    server = FakeProvider()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "wijkwerk"
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{server.url}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{server.url}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{server.url}/userinfo"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "socialdomain.oidc.OIDCBackend",
    ]
    yield server
    server.shutdown()
    server.server_close()


def start_login(client, provider) -> dict:
    response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 302
    location = urlparse(response["Location"])
    assert f"http://{location.netloc}{location.path}" == f"{provider.url}/authorize"
    params = {k: v[0] for k, v in parse_qs(location.query).items()}
    provider.nonce = params["nonce"]
    return params


def test_a_known_user_logs_in_through_the_provider(client, provider, db):
    user = UserFactory(username="a.jansen")
    provider.claims = {"sub": "abc", "preferred_username": "a.jansen"}
    params = start_login(client, provider)
    assert params["client_id"] == "wijkwerk"
    assert params["code_challenge_method"] == "S256"

    response = client.get(
        reverse("oidc_authentication_callback"), {"code": "the-code", "state": params["state"]}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)
    token_request = provider.token_requests[0]
    assert token_request["code"] == "the-code"
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(token_request["code_verifier"].encode()).digest()
    ).rstrip(b"=")
    assert challenge.decode() == params["code_challenge"]  # PKCE


def test_a_gp_lands_on_the_postcode_lookup(client, provider, db):
    UserFactory(username="h.arts", roles=[Role.GP])
    provider.claims = {"sub": "gp", "preferred_username": "h.arts"}
    params = start_login(client, provider)
    response = client.get(
        reverse("oidc_authentication_callback"), {"code": "c", "state": params["state"]}
    )
    assert response["Location"] == reverse("teams:area_contacts")


def test_an_unknown_user_is_not_created_and_sees_a_dutch_message(client, provider, db):
    provider.claims = {"sub": "abc", "preferred_username": "stranger"}
    params = start_login(client, provider)
    response = client.get(
        reverse("oidc_authentication_callback"), {"code": "c", "state": params["state"]}
    )
    assert response["Location"] == "/accounts/login/?oidc=failed"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "Inloggen via uw organisatie is niet gelukt" in page


def test_a_forged_state_is_refused(client, provider, db):
    UserFactory(username="a.jansen")
    provider.claims = {"sub": "abc", "preferred_username": "a.jansen"}
    start_login(client, provider)
    response = client.get(reverse("oidc_authentication_callback"), {"code": "c", "state": "forged"})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_the_login_page_offers_the_provider_only_when_enabled(client, provider, settings, db):
    assert "Inloggen met uw organisatie-account" in client.get(reverse("login")).content.decode()
    settings.OIDC_ENABLED = False
    assert "organisatie-account" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404


def test_enabling_without_the_provider_settings_refuses_to_start():
    result = run_manage("check", env={**PRODUCTION_ENV, "OIDC_ENABLED": "true"})
    assert result.returncode != 0
    assert "OIDC_ENABLED needs OIDC_RP_CLIENT_ID" in result.stderr
