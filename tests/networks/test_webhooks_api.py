import base64
import threading
import uuid

import pytest
from django.db import connection
from rest_framework.test import APIClient

from networks.models import IdempotencyRecord, WebhookEndpoint

URL = "https://provider.example/hooks/wijkwerk"


def test_register_list_and_read_with_etag(provider, api_as):
    api = api_as(provider)
    created = api.post("/api/v1/webhooks/", {"url": URL}, format="json")
    assert created.status_code == 201
    assert created.json()["secret"].startswith("whsec_")  # shown once
    assert len(base64.b64decode(created.json()["secret"].removeprefix("whsec_"))) == 32
    webhook_id = created.json()["id"]
    detail = api.get(f"/api/v1/webhooks/{webhook_id}/")
    assert "secret" not in detail.json()
    assert detail["ETag"]
    assert (
        api.get(f"/api/v1/webhooks/{webhook_id}/", HTTP_IF_NONE_MATCH=detail["ETag"]).status_code
        == 304
    )
    listing = api.get("/api/v1/webhooks/").json()
    assert [item["id"] for item in listing["results"]] == [webhook_id]


def test_stale_if_match_is_412_and_changes_nothing(provider, api_as):
    api = api_as(provider)
    webhook_id = api.post("/api/v1/webhooks/", {"url": URL}, format="json").json()["id"]
    etag = api.get(f"/api/v1/webhooks/{webhook_id}/")["ETag"]
    first = api.patch(
        f"/api/v1/webhooks/{webhook_id}/", {"active": False}, format="json", HTTP_IF_MATCH=etag
    )
    assert first.status_code == 200
    stale = api.patch(
        f"/api/v1/webhooks/{webhook_id}/",
        {"url": URL + "/v2"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    assert WebhookEndpoint.objects.get().url == URL
    assert api.delete(f"/api/v1/webhooks/{webhook_id}/", HTTP_IF_MATCH=etag).status_code == 412
    assert (
        api.delete(f"/api/v1/webhooks/{webhook_id}/", HTTP_IF_MATCH=first["ETag"]).status_code
        == 204
    )


def test_another_organisations_webhook_is_a_404(provider, other_provider, api_as):
    mine = api_as(provider)
    theirs = api_as(other_provider)
    webhook_id = theirs.post("/api/v1/webhooks/", {"url": URL}, format="json").json()["id"]
    for response in (
        mine.get(f"/api/v1/webhooks/{webhook_id}/"),
        mine.patch(f"/api/v1/webhooks/{webhook_id}/", {"active": False}, format="json"),
        mine.delete(f"/api/v1/webhooks/{webhook_id}/"),
        mine.get(f"/api/v1/webhooks/{webhook_id}/deliveries/"),
    ):
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
    assert mine.get("/api/v1/webhooks/").json()["results"] == []
    assert WebhookEndpoint.objects.get().active is True


def test_missing_scope_is_403(provider, api_as):
    api = api_as(provider, scopes=["allocations:read"])
    response = api.get("/api/v1/webhooks/")
    assert response.status_code == 403
    assert response.json()["status"] == 403


def test_invalid_input_is_a_problem_with_field_errors(provider, api_as):
    response = api_as(provider).post("/api/v1/webhooks/", {"url": "not a url"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["title"] and body["status"] == 400
    assert body["errors"][0]["field"] == "url"


def test_idempotent_replay_returns_the_first_response(provider, api_as):
    api = api_as(provider)
    key = str(uuid.uuid4())
    first = api.post("/api/v1/webhooks/", {"url": URL}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = api.post("/api/v1/webhooks/", {"url": URL}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert WebhookEndpoint.objects.count() == 1
    other_body = api.post(
        "/api/v1/webhooks/", {"url": URL + "/x"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert other_body.status_code == 422


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_identical_posts_change_the_data_once(provider, api_as):
    token = api_as(provider).token
    key = str(uuid.uuid4())
    responses = []
    barrier = threading.Barrier(10)

    def post():
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        barrier.wait()
        try:
            responses.append(
                api.post("/api/v1/webhooks/", {"url": URL}, format="json", HTTP_IDEMPOTENCY_KEY=key)
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in responses] == [201] * 10
    assert len({r.json()["id"] for r in responses}) == 1
    assert WebhookEndpoint.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_throttle_answers_429_with_retry_after(provider, api_as, settings):
    settings.API_THROTTLE_RATE = "3/minute"
    api = api_as(provider)
    statuses = [api.get("/api/v1/me/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/v1/me/")
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"] == "application/problem+json"


def test_webhook_list_query_count_is_constant(provider, api_as, django_assert_max_num_queries):
    api = api_as(provider)
    for n in range(30):
        WebhookEndpoint.objects.create(organisation=provider, url=f"{URL}/{n}", secret="s" * 64)
    for page_size in (5, 30):
        with django_assert_max_num_queries(4):
            response = api.get(f"/api/v1/webhooks/?page_size={page_size}")
        assert len(response.json()["results"]) == page_size


def test_unknown_api_addresses_are_problems_too(provider, api_as):
    response = api_as(provider).get("/api/v1/webhooks/not-a-uuid/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_general_provisions_catalogue(provider, api_as, django_assert_max_num_queries):
    from tests.factories import DistrictFactory
    from tests.provision_factories import GeneralProvisionFactory

    district, elsewhere = DistrictFactory(), DistrictFactory()
    everywhere = GeneralProvisionFactory(name="Formulierenhulp")
    local = GeneralProvisionFactory(name="Buurtkamer")
    local.districts.set([district])
    remote = GeneralProvisionFactory(name="Wandelgroep")
    remote.districts.set([elsewhere])
    for n in range(8):
        GeneralProvisionFactory(name=f"Voorziening {n}")
    api = api_as(provider)
    with django_assert_max_num_queries(5):
        response = api.get("/api/v1/general-provisions/?page_size=20")
    assert len(response.json()["results"]) == 11
    served = api.get(f"/api/v1/general-provisions/?district={district.code}&page_size=20").json()
    names = {item["name"] for item in served["results"]}
    assert {"Formulierenhulp", "Buurtkamer"} <= names and "Wandelgroep" not in names
    assert everywhere.name in names
    denied = api_as(provider, scopes=["allocations:read"]).get("/api/v1/general-provisions/")
    assert denied.status_code == 403
