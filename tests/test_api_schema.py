"""The partner API explains itself (issue 25, item 7): the generated OpenAPI schema walked
operation by operation. Each has a summary and a description, examples (a request example
where it takes a body, a response example for every 2xx with a body), the scopes it needs (the
bearer scheme's security requirement and `x-required-scopes`, and the views enforce exactly
those), and its error answers as problem+json referring to the one `Problem` component, each
with an example; every example conforms to its schema; the webhooks are described with the
Standard Webhooks headers."""

import copy
import uuid

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator

from networks.models import ApiScope, OrganisationType
from tests.factories import OrganisationFactory

METHODS = ("get", "post", "put", "patch", "delete")
PROBLEM = "application/problem+json"
ALWAYS = {"400", "401", "406", "429", "503"}
STANDARD_WEBHOOK_HEADERS = {"webhook-id", "webhook-timestamp", "webhook-signature"}


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    """The schema as served, in JSON."""
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", path, method, item[method]


def media_examples(media: dict) -> list:
    return [example["value"] for example in media.get("examples", {}).values()] + (
        [media["example"]] if "example" in media else []
    )


def validator(schema, fragment):
    """A JSON Schema 2020-12 validator for `fragment`, resolving #/components/... refs."""
    return Draft202012Validator({**fragment, "components": schema["components"]})


def test_openapi_schema_is_valid_and_complete(tmp_path, db):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    assert "openapi: 3.1.0" in schema
    assert "/api/v1/webhooks/" in schema
    assert "bearerAuth" in schema


def test_schema_is_served(client, db):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"openapi: 3" in response.content


def test_the_walk_covers_the_whole_partner_api(schema):
    walked = {name for name, *_ in operations(schema)}
    assert len(walked) >= 21
    assert {
        "GET /api/v1/allocations/",
        "POST /api/v1/allocations/{uuid}/start/",
        "POST /api/v1/allocation-requests/",
        "POST /api/v1/signals/",
        "GET /api/v1/area-contacts/",
        "DELETE /api/v1/webhooks/{uuid}/",
        "GET /api/v1/events/",
        "GET /api/v1/me/",
    } <= walked


def test_every_operation_has_a_summary_and_a_description(schema):
    missing = [
        name
        for name, _path, _method, operation in operations(schema)
        if not operation.get("summary", "").strip()
        # more than the scope line the hook appends
        or len(operation.get("description", "").split("**Scope:**")[0].strip()) < 40
    ]
    assert not missing, f"no summary or description: {missing}"


def test_every_operation_has_request_and_response_examples(schema):
    missing = []
    for name, _path, _method, operation in operations(schema):
        body = operation.get("requestBody")
        if body and not any(media_examples(media) for media in body["content"].values()):
            missing.append(f"{name}: request")
        for status, response in operation["responses"].items():
            content = response.get("content")
            if (
                status.startswith("2")
                and content
                and not any(media_examples(media) for media in content.values())
            ):
                missing.append(f"{name}: {status}")
        if not any(
            status.startswith("2") and response.get("content")
            for status, response in operation["responses"].items()
        ):
            assert name.startswith("DELETE"), f"{name}: a 2xx without a body"
    assert not missing, f"no example: {missing}"


def test_every_operation_lists_the_scopes_it_needs(schema):
    known = {scope.value for scope in ApiScope}
    for name, _path, _method, operation in operations(schema):
        bearer = [req["bearerAuth"] for req in operation.get("security", []) if "bearerAuth" in req]
        assert bearer, f"{name}: no bearer security requirement"
        assert "x-required-scopes" in operation, name
        assert operation["x-required-scopes"] == sorted(bearer[0]), name
        assert set(operation["x-required-scopes"]) <= known, name
        scope_line = operation["description"].split("**Scope:**")[-1]
        for scope in operation["x-required-scopes"]:
            assert f"`{scope}`" in scope_line, name
    scheme = schema["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["scheme"] == "bearer"
    assert all(f"`{scope}`" in scheme["description"] for scope in known)
    # every operation but "who am I" needs one
    unscoped = [name for name, *_, op in operations(schema) if not op["x-required-scopes"]]
    assert unscoped == ["GET /api/v1/me/"]


def test_every_operation_documents_its_errors_as_problem_details(schema):
    assert "Problem" in schema["components"]["schemas"]
    problem = validator(schema, {"$ref": "#/components/schemas/Problem"})
    for name, path, method, operation in operations(schema):
        responses = operation["responses"]
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        expected = set(ALWAYS)
        if operation["x-required-scopes"]:
            expected.add("403")
        if "{" in path or (
            method == "get" and any(p["name"] == "cursor" for p in operation.get("parameters", []))
        ):
            expected.add("404")
        if "If-Match" in headers:
            expected.add("412")
        if "requestBody" in operation:
            expected.add("415")
        if "Idempotency-Key" in headers:
            expected.add("422")
        assert expected <= set(responses), f"{name}: missing {expected - set(responses)}"
        for status, response in responses.items():
            if not status.startswith(("4", "5")):
                continue
            assert set(response["content"]) == {PROBLEM}, f"{name} {status}"
            media = response["content"][PROBLEM]
            assert media["schema"] == {"$ref": "#/components/schemas/Problem"}, f"{name} {status}"
            values = media_examples(media)
            assert values, f"{name} {status}: no example"
            for value in values:
                problem.validate(value)
                assert value["status"] == int(status), f"{name} {status}"
                assert value["instance"].startswith("/api/v1/"), f"{name} {status}"
        for status in ("429", "503"):
            assert "Retry-After" in responses[status]["headers"], name
    start = schema["paths"]["/api/v1/allocations/{uuid}/start/"]["post"]["responses"]
    assert "409" in start
    conflict = media_examples(start["409"]["content"][PROBLEM])[0]
    assert conflict["title"] == "Conflict"
    assert conflict["detail"] == "De zorg op deze toewijzing is al gestart."


def test_error_examples_are_the_real_answers_in_dutch(schema):
    """The examples are built by the code that builds the answers: Dutch titles and details,
    and the 403 names the scope the operation needs."""
    allocations = schema["paths"]["/api/v1/allocations/"]["get"]["responses"]
    [forbidden] = media_examples(allocations["403"]["content"][PROBLEM])
    assert forbidden["title"] == "Niet toegestaan"
    assert "allocations:read" in forbidden["detail"]
    [throttled] = media_examples(allocations["429"]["content"][PROBLEM])
    assert throttled["title"] == "Te veel verzoeken"
    assert "30 seconden" in throttled["detail"]
    signal = schema["paths"]["/api/v1/signals/"]["post"]["responses"]["400"]
    invalid = media_examples(signal["content"][PROBLEM])
    assert any(e["errors"][0]["field"] == "birth_date" for e in invalid)
    assert all(e["detail"] == "Het verzoek heeft 1 ongeldig(e) veld(en)." for e in invalid)


def test_every_example_conforms_to_its_schema(schema):
    checked = 0
    for name, _path, _method, operation in operations(schema):
        bodies = [("request", operation.get("requestBody", {}).get("content", {}))]
        bodies += [(status, r.get("content", {})) for status, r in operation["responses"].items()]
        for where, content in bodies:
            for media in content.values():
                check = validator(schema, media["schema"])
                for value in media_examples(media):
                    errors = [e.message for e in check.iter_errors(value)]
                    assert not errors, f"{name} {where}: {errors}"
                    checked += 1
    assert checked > 100


def test_the_webhooks_are_described(schema):
    webhooks = schema["webhooks"]
    assert set(webhooks) == {"allocation.created", "allocation.changed"}
    for event, item in webhooks.items():
        operation = item["post"]
        assert operation["summary"] and "Standard Webhooks" in operation["description"]
        headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
        assert set(headers) >= STANDARD_WEBHOOK_HEADERS, event
        assert all(headers[name]["required"] for name in STANDARD_WEBHOOK_HEADERS)
        media = operation["requestBody"]["content"]["application/json"]
        [example] = media_examples(media)
        validator(schema, media["schema"]).validate(example)
        assert example["type"] == event
        wrong = copy.deepcopy(example)
        wrong["type"] = "allocation.removed"
        assert not validator(schema, media["schema"]).is_valid(wrong)
        assert "2XX" in operation["responses"]


# The views enforce the scopes the schema lists --------------------------------------------


def _request(api, method: str, path: str):
    url = path.replace("{uuid}", str(uuid.uuid4()))
    if method in ("post", "put", "patch"):
        return getattr(api, method)(url, {}, format="json")
    return getattr(api, method)(url)


@pytest.mark.django_db
def test_the_documented_scopes_are_the_enforced_ones(schema, api_as, settings):
    settings.API_THROTTLE_RATE = "100000/minute"
    provider = OrganisationFactory(type=OrganisationType.CARE_PROVIDER)
    every = [scope.value for scope in ApiScope]
    for name, path, method, operation in operations(schema):
        needed = operation["x-required-scopes"]
        others = [scope for scope in every if scope not in needed]
        allowed = _request(api_as(provider, scopes=needed or others[:1]), method, path)
        assert allowed.status_code not in (401, 403), f"{name} with {needed}: {allowed.json()}"
        if needed:
            refused = _request(api_as(provider, scopes=others), method, path)
            assert refused.status_code == 403, f"{name} without {needed}"
            assert needed[0] in refused.json()["detail"], name
