"""Example requests and answers of the partner API's own endpoints (who am I, webhooks,
events, the provisions catalogue) for the OpenAPI schema: a care provider, Zorggroep De Linde
(AGB 12345678), in the demo municipality Dommelstede (GM0999)."""

from drf_spectacular.utils import OpenApiExample

ORGANISATION = {
    "code": "zorggroep-de-linde",
    "name": "Zorggroep De Linde",
    "type": "care_provider",
    "agb_code": "12345678",
}
ME = [
    OpenApiExample(
        "A care provider's token",
        value={
            "name": "ECD Zorggroep",
            "organisation": ORGANISATION,
            "scopes": [
                "allocations:read",
                "allocations:write",
                "signals:write",
                "contacts:read",
                "webhooks:manage",
            ],
            "expires_at": "2026-03-01T00:00:00+01:00",
        },
        response_only=True,
    ),
    OpenApiExample(
        "A GP practice's token, without expiry",
        value={
            "name": "HIS Huisartsenpraktijk Molenhoek",
            "organisation": {
                "code": "huisartsen-molenhoek",
                "name": "Huisartsenpraktijk Molenhoek",
                "type": "gp_practice",
                "agb_code": "01054321",
            },
            "scopes": ["signals:write", "contacts:read"],
            "expires_at": None,
        },
        response_only=True,
    ),
]

WEBHOOK_ID = "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d"
WEBHOOK_URL = "https://ecd.zorggroep-delinde.nl/wijkwerk/webhooks"
WEBHOOK = {
    "id": WEBHOOK_ID,
    "url": WEBHOOK_URL,
    "active": True,
    "failing": False,
    "failing_since": None,
    "created_at": "2025-02-20T13:45:10.000000+01:00",
}
WEBHOOK_FAILING = {
    **WEBHOOK,
    "id": "6d7e8f90-a1b2-4c3d-8e4f-5a6b7c8d9e0f",
    "url": "https://koppeling.zorggroep-delinde.nl/events",
    "failing": True,
    "failing_since": "2025-03-08T02:14:00.000000+01:00",
}
WEBHOOKS = [
    OpenApiExample("Delivering", value=WEBHOOK, response_only=True),
    OpenApiExample("Failing since the last retry", value=WEBHOOK_FAILING, response_only=True),
]
WEBHOOK_CREATE = [
    OpenApiExample("Your receiver", value={"url": WEBHOOK_URL}, request_only=True),
    OpenApiExample(
        "Registered: keep the secret, it is shown once",
        value={**WEBHOOK, "secret": "whsec_UNhY4JhezH9gQYqvDMWrWH9CwlcKiECVqejMrND2VFw="},
        response_only=True,
        status_codes=["201"],
    ),
]
WEBHOOK_READ = [OpenApiExample("Delivering", value=WEBHOOK, response_only=True)]
WEBHOOK_UPDATE = [
    OpenApiExample(
        "Move to a new receiver",
        value={"url": "https://ecd.zorggroep-delinde.nl/wijkwerk/v2/webhooks", "active": True},
        request_only=True,
    ),
    OpenApiExample(
        "Moved",
        value={**WEBHOOK, "url": "https://ecd.zorggroep-delinde.nl/wijkwerk/v2/webhooks"},
        response_only=True,
    ),
]
WEBHOOK_PAUSE = [
    OpenApiExample("Pause deliveries", value={"active": False}, request_only=True),
    OpenApiExample("Paused", value={**WEBHOOK, "active": False}, response_only=True),
]

DELIVERIES = [
    OpenApiExample(
        "Delivered at the first attempt",
        value={
            "id": "8b9c0d1e-2f3a-4b5c-9d6e-7f8091a2b3c4",
            "event": "allocation.changed",
            "event_id": "d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6",
            "status": "succeeded",
            "attempts": 1,
            "next_attempt_at": None,
            "last_status_code": 204,
            "last_error": "",
            "created_at": "2025-03-05T09:02:41.208000+01:00",
            "delivered_at": "2025-03-05T09:02:41.530000+01:00",
        },
        response_only=True,
    ),
    OpenApiExample(
        "Your receiver answered 503 three times: retried",
        value={
            "id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
            "event": "allocation.created",
            "event_id": "c0ffee00-1234-4abc-8def-0123456789ab",
            "status": "pending",
            "attempts": 3,
            "next_attempt_at": "2025-02-27T10:21:03.000000+01:00",
            "last_status_code": 503,
            "last_error": "HTTP 503",
            "created_at": "2025-02-27T10:14:03.512000+01:00",
            "delivered_at": None,
        },
        response_only=True,
    ),
]

EVENTS = [
    OpenApiExample(
        "A new allocation, then care started",
        value={
            "id": "c0ffee00-1234-4abc-8def-0123456789ab",
            "type": "allocation.created",
            "created_at": "2025-02-27T10:14:03.512000+01:00",
            "payload": {
                "id": "b7c1e2d4-5f6a-4b8c-9d0e-1f2a3b4c5d6e",
                "number": "00004711",
                "status": "not_started",
                "version": 1,
            },
        },
        response_only=True,
    ),
]

GENERAL_PROVISIONS = [
    OpenApiExample(
        "Walk-in debt desk, whole municipality",
        value={
            "id": "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b",
            "name": "Inloopspreekuur geldzaken",
            "organisation": {
                "code": "welzijn-dommel",
                "name": "Welzijn Dommelstede",
                "type": "welfare",
                "agb_code": "",
            },
            "offer": "Hulp bij post, betalingsachterstanden en het aanvragen van toeslagen.",
            "access": "Vrije inloop, dinsdag en donderdag 9.00-12.00 uur in buurthuis De Ster.",
            "waiting_weeks": 0,
            "districts": [],
        },
        response_only=True,
    ),
    OpenApiExample(
        "Buddy project in two districts",
        value={
            "id": "f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f",
            "name": "Maatjesproject Samen Op Pad",
            "organisation": {
                "code": "vrijwilligers-dommel",
                "name": "Vrijwilligerscentrale Dommelstede",
                "type": "volunteer_organisation",
                "agb_code": "",
            },
            "offer": "Een vrijwilliger die wekelijks langskomt of mee op pad gaat.",
            "access": "Aanmelden via de website of het wijkteam; een kennismaking volgt.",
            "waiting_weeks": 4,
            "districts": ["WK099902", "WK099903"],
        },
        response_only=True,
    ),
]
