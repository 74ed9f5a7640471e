"""OpenAPI post-processing: every operation documents its problem-details error answers."""

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 7807 problem details, in the language of Accept-Language (nl, en).",
    "properties": {
        "type": {"type": "string", "example": "about:blank"},
        "title": {"type": "string", "example": "Ongeldig verzoek"},
        "status": {"type": "integer", "example": 400},
        "detail": {"type": "string"},
        "instance": {"type": "string", "nullable": True},
        "code": {"type": "string", "nullable": True},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "nullable": True},
                    "message": {"type": "string"},
                    "code": {"type": "string", "nullable": True},
                },
            },
        },
    },
    "required": ["type", "title", "status"],
}
ERRORS = {
    "400": "Invalid request: see `errors` per field.",
    "401": "No, an invalid, an expired or a revoked token.",
    "403": "The token lacks the scope for this operation.",
    "404": "Not found, or not yours (never a 403 that confirms it exists).",
    "406": "Not acceptable.",
    "409": "Conflict with the resource's current state.",
    "412": "If-Match does not match the current ETag.",
    "415": "Unsupported media type: send application/json.",
    "422": "The Idempotency-Key was used for a different request.",
    "429": "Too many requests: wait for Retry-After seconds.",
    "503": "A service the request needs (Redis) is unavailable: retry after Retry-After seconds.",
}


def add_problem_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/") or path.endswith("/schema/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(status, {"description": description, "content": problem})
            for with_retry_after in ("429", "503"):
                if with_retry_after in responses:
                    responses[with_retry_after].setdefault(
                        "headers",
                        {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}},
                    )
    return result
