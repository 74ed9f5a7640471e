"""The benchmark's request types in-process, for `profile_requests.py` and `memory_growth.py`:
Django's test client signed in as the benchmark's users (and the partner and practice systems'
bearer tokens), and one request of a type. Call after `django.setup()`; DEBUG off, as the
benchmark's server runs, with login lockout off and the API throttle's rate raised by the
caller's environment."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from cases.demo.benchmark import gather_inputs

USERS = {"generalist": "generalist", "consultant": "consultant", "gp": "huisarts"}
USERS["policy"] = "beleid"


def clients_and_inputs(*, seed: int):
    """The benchmark's inputs, and a test client per session of its request types."""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    settings.AXES_ENABLED = False
    inputs = gather_inputs(seed=seed)
    clients = {}
    for session, username in USERS.items():
        clients[session] = Client()
        clients[session].force_login(get_user_model().objects.get(username=username))
    clients[None] = Client()
    clients["partner"] = Client(headers={"Authorization": f"Bearer {inputs.token}"})
    clients["gp_token"] = Client(headers={"Authorization": f"Bearer {inputs.gp_token}"})
    return clients, inputs


def send(client, request_type, rng) -> None:
    """One request of the type, with its next input; stops on anything but 200."""
    method, path, body, headers = request_type.make(rng)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    content_type = extra.pop("HTTP_CONTENT_TYPE", "application/octet-stream")
    if method == "POST":
        response = client.post(path, body, content_type=content_type, **extra)
    else:
        response = client.get(path, **extra)
    if response.status_code != 200:
        raise SystemExit(f"{request_type.name}: {response.status_code} for {path}")
