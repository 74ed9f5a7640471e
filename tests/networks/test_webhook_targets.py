"""Where a webhook may be sent: checked on save (model, API, admin) and again before every
attempt (networks.validators.webhook_target_check)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from networks.models import DeliveryStatus, WebhookAttempt, WebhookEndpoint
from networks.services import webhook_enqueue, webhook_register
from networks.validators import webhook_target_check
from networks.webhooks import webhook_deliveries_due


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://127.0.0.1/hook", "loopback"),
        ("https://127.1.2.3:8443/hook", "loopback"),
        ("https://[::1]/hook", "loopback"),
        ("https://[::ffff:127.0.0.1]/hook", "loopback"),
        ("https://localhost/hook", "loopback"),
        ("https://169.254.169.254/latest/meta-data/", "metadata"),
        ("https://169.254.10.1/hook", "link-local"),
        ("https://[fe80::1]/hook", "link-local"),
        ("https://10.1.2.3/hook", "private"),
        ("https://172.16.0.1/hook", "private"),
        ("https://192.168.1.10/hook", "private"),
        ("https://[fd12:3456::1]/hook", "private"),
        ("https://100.64.0.1/hook", "private"),
        ("https://0.0.0.0/hook", "unspecified"),
        ("https://[::]/hook", "unspecified"),
        ("https://224.0.0.1/hook", "multicast"),
    ],
)
def test_internal_addresses_are_refused(url, reason, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ValidationError) as refused:
        webhook_target_check(url)
    assert refused.value.code == "webhook_internal_address"
    assert reason in refused.value.messages[0]


def test_https_is_required_unless_debug_or_allowed(settings):
    with pytest.raises(ValidationError) as refused:
        webhook_target_check("http://partner.example/hook")
    assert refused.value.code == "webhook_https"
    with pytest.raises(ValidationError):
        webhook_target_check("ftp://partner.example/hook")
    # a name that does not resolve (yet) passes on save; it is checked again at send time
    assert webhook_target_check("https://partner.example/hook").host == "partner.example"
    settings.DEBUG = True
    assert webhook_target_check("http://partner.example/hook").scheme == "http"


def test_an_allowed_host_may_be_internal_and_plain_http(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    target = webhook_target_check("http://127.0.0.1:8080/hook?x=1")
    assert (target.host, target.port, target.path, target.addresses) == (
        "127.0.0.1",
        8080,
        "/hook?x=1",
        ("127.0.0.1",),
    )
    # the list names hosts, not addresses: another name for the same address is still refused
    with pytest.raises(ValidationError):
        webhook_target_check("http://localhost:8080/hook")


def test_loopback_without_the_allow_list_and_the_metadata_address_are_refused_on_save(
    provider, receiver, api_as, settings
):
    settings.LANGUAGE_CODE = "en"
    for url in (receiver.url, "https://127.0.0.1/hook", "http://169.254.169.254/latest/"):
        with pytest.raises(ValidationError) as refused:
            webhook_register(organisation=provider, url=url)
        assert "url" in refused.value.message_dict
    response = api_as(provider).post(
        "/api/v1/webhooks/",
        {"url": "https://169.254.169.254/latest/meta-data/"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "url"
    assert "cloud metadata address (169.254.169.254)" in error["message"]
    dutch = api_as(provider).post(
        "/api/v1/webhooks/", {"url": receiver.url}, format="json", HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert dutch.status_code == 400
    assert "https" in dutch.json()["errors"][0]["message"]
    assert "moet" in dutch.json()["errors"][0]["message"]
    assert not WebhookEndpoint.objects.exists()


def test_the_admin_refuses_an_internal_address(provider, admin_client):
    response = admin_client.post(
        reverse("admin:networks_webhookendpoint_add"),
        {
            "organisation": provider.pk,
            "url": "https://169.254.169.254/",
            "active": "on",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert "169.254.169.254" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_an_address_allowed_on_save_is_checked_again_at_send_time(
    provider, receiver, allow_local, django_capture_on_commit_callbacks
):
    endpoint = webhook_register(organisation=provider, url=receiver.url)
    receiver.secret = endpoint.secret
    allow_local.WEBHOOK_ALLOWED_HOSTS = []  # the allow-list changed since
    with django_capture_on_commit_callbacks(execute=True):
        webhook_enqueue(organisation_id=provider.pk, event="allocation.created", payload={})
    assert receiver.requests == []
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None
    assert attempt.error.startswith(("Refused", "Geweigerd"))
    assert attempt.delivery.status == DeliveryStatus.PENDING  # retried: the list may change back


def test_the_metadata_address_and_a_name_for_loopback_are_refused_at_send_time(
    provider, receiver, allow_local
):
    """Rows that bypassed validation (or a name that now resolves inward) are not sent."""
    metadata = WebhookEndpoint.objects.create(
        organisation=provider, url="https://169.254.169.254/latest/meta-data/"
    )
    by_name = WebhookEndpoint.objects.create(
        organisation=provider, url=f"https://localhost:{receiver.port}/hook"
    )
    webhook_enqueue(organisation_id=provider.pk, event="allocation.created", payload={})
    assert webhook_deliveries_due() == 2
    errors = dict(WebhookAttempt.objects.values_list("delivery__endpoint", "error"))
    assert "169.254.169.254" in errors[metadata.pk]
    assert "127.0.0.1" in errors[by_name.pk] or "::1" in errors[by_name.pk]
    assert receiver.requests == []
