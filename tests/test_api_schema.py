from django.core.management import call_command


def test_openapi_schema_is_valid_and_complete(tmp_path, db):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    assert "/api/v1/webhooks/" in schema
    assert "bearerAuth" in schema


def test_schema_is_served(client, db):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"openapi: 3" in response.content
