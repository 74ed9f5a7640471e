"""Example requests and answers of the partner API, for the OpenAPI schema (`extend_schema`):
one care provider (Zorggroep De Linde, AGB 12345678) in the demo municipality Dommelstede
(GM0999), with iWmo/iJw 3.2 codes. The BSN 999993653 is a test number (it passes the
elfproef; no resident has it)."""

from drf_spectacular.utils import OpenApiExample

ALLOCATION_ID = "b7c1e2d4-5f6a-4b8c-9d0e-1f2a3b4c5d6e"
REQUEST_ID = "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a"
BSN = "999993653"

CLIENT = {
    "bsn": BSN,
    "first_name": "Henk",
    "name_prefix": "van",
    "last_name": "Dijk",
    "birth_date": "1951-06-14",
}
ADDRESS = {
    "street": "Molenstraat",
    "house_number": 12,
    "house_number_addition": "A",
    "postcode": "5611 AB",
    "city": "Dommelstede",
}
BEGELEIDING = {
    "law": "wmo",
    "category": "02",
    "code": "02A01",
    "name": "Begeleiding individueel",
}
ALLOCATION_NOT_STARTED = {
    "id": ALLOCATION_ID,
    "number": "00004711",
    "status": "not_started",
    "product": BEGELEIDING,
    # 4 hours a week: volume 4, unit 04 (uur), frequency 2 (per week)
    "extent": {"volume": 4, "unit": "04", "frequency": "2"},
    "start_date": "2025-03-03",
    "end_date": "2026-03-02",
    "care_started_on": None,
    "care_stopped_on": None,
    "end_reason": "",
    "delivered_by": None,
    "client": CLIENT,
    "address": ADDRESS,
    "personal_data_withheld": False,
    "withheld_reason": None,
    "created_at": "2025-02-27T10:14:03.512000+01:00",
    "updated_at": "2025-02-27T10:14:03.512000+01:00",
}
ALLOCATION_STARTED = {
    **ALLOCATION_NOT_STARTED,
    "status": "started",
    "care_started_on": "2025-03-05",
    "updated_at": "2025-03-05T09:02:41.208000+01:00",
}
ALLOCATION_STOPPED = {
    **ALLOCATION_STARTED,
    "status": "stopped",
    "care_stopped_on": "2025-09-30",
    "end_reason": "19",
    "updated_at": "2025-10-01T08:45:12.004000+02:00",
}
ALLOCATION_YOUTH = {
    **ALLOCATION_STARTED,
    "id": "5e4d3c2b-1a09-4f8e-b7d6-c5b4a3928170",
    "number": "00004712",
    "product": {
        "law": "jeugd",
        "category": "45",
        "code": "45A01",
        "name": "Jeugdhulp ambulant",
    },
    # 6 hours a month
    "extent": {"volume": 6, "unit": "04", "frequency": "4"},
    "client": {
        "bsn": "999990317",
        "first_name": "Noor",
        "name_prefix": "",
        "last_name": "Bakker",
        "birth_date": "2012-09-02",
    },
    "address": {**ADDRESS, "street": "Vlinderlaan", "house_number": 3, "postcode": "5621 AC"},
}

ALLOCATIONS = [
    OpenApiExample(
        "Begeleiding individueel (Wmo), care started",
        value=ALLOCATION_STARTED,
        response_only=True,
    ),
    OpenApiExample(
        "Jeugdhulp ambulant (Jeugdwet), 6 hours a month",
        value=ALLOCATION_YOUTH,
        response_only=True,
    ),
]
ALLOCATION_WITHHELD = {
    **ALLOCATION_NOT_STARTED,
    "client": {
        **CLIENT,
        "first_name": None,
        "name_prefix": None,
        "last_name": None,
        "birth_date": None,
    },
    "address": None,
    "personal_data_withheld": True,
    "withheld_reason": "No consent or legal basis with the purpose provider_allocation is "
    "recorded for your organisation: the client's name, birth date and address are withheld. "
    "Ask the client's neighbourhood team.",
}
ALLOCATION = [
    OpenApiExample("Not started yet", value=ALLOCATION_NOT_STARTED, response_only=True),
    OpenApiExample(
        "No consent for provider sharing: name, birth date and address withheld",
        value=ALLOCATION_WITHHELD,
        response_only=True,
    ),
    OpenApiExample("Care started (305 reported)", value=ALLOCATION_STARTED, response_only=True),
]
START = [
    OpenApiExample(
        "Care started on 5 March (305)", value={"date": "2025-03-05"}, request_only=True
    ),
    OpenApiExample("The allocation, started", value=ALLOCATION_STARTED, response_only=True),
]
DELIVERED_BY = [
    OpenApiExample(
        "A member of the cooperative delivers",
        value={"delivered_by": "thuiszorg-dommel"},
        request_only=True,
    ),
    OpenApiExample(
        "The cooperative itself delivers", value={"delivered_by": None}, request_only=True
    ),
    OpenApiExample(
        "The allocation, with the member",
        value={
            **ALLOCATION_STARTED,
            "delivered_by": {
                "code": "thuiszorg-dommel",
                "name": "Thuiszorg Dommelstede",
                "agb_code": "87654321",
            },
        },
        response_only=True,
    ),
]
STOP = [
    OpenApiExample(
        "Ended according to plan (WMO588 19)",
        value={"date": "2025-09-30", "reason": "19"},
        request_only=True,
    ),
    OpenApiExample(
        "Ended because of a change request (37)",
        value={"date": "2025-06-30", "reason": "37"},
        request_only=True,
    ),
    OpenApiExample("The allocation, stopped", value=ALLOCATION_STOPPED, response_only=True),
]

PROGRESS_REPORT = {
    "period_start": "2025-03-05",
    "period_end": "2025-05-31",
    "text": "Meneer van Dijk houdt zijn post en betalingen weer zelf bij, met wekelijkse "
    "ondersteuning. De dagstructuur is nog kwetsbaar; we oefenen met een weekplanning.",
    "goal_attainment": 3,
}
PROGRESS_REPORTS = [
    OpenApiExample(
        "Progress over the first quarter",
        value={"id": 381, **PROGRESS_REPORT, "created_at": "2025-06-03T14:20:00.000000+02:00"},
        response_only=True,
    ),
]
PROGRESS_REPORT_CREATE = [
    OpenApiExample("Progress over the first quarter", value=PROGRESS_REPORT, request_only=True),
    OpenApiExample(
        "The report as stored",
        value={"id": 381, **PROGRESS_REPORT, "created_at": "2025-06-03T14:20:00.000000+02:00"},
        response_only=True,
        status_codes=["201"],
    ),
]

REQUEST_NEW = {
    "kind": "new",
    "bsn": BSN,
    "birth_date": "1951-06-14",
    "product": {"category": "02", "code": "02A01"},
    "extent": {"volume": 4, "unit": "04", "frequency": "2"},
    "start_date": "2025-04-01",
    "end_date": "2026-03-31",
    "motivation": "Meneer is na een heupoperatie thuis en redt zijn administratie en "
    "dagstructuur niet zelf. Zijn dochter woont ver weg. Wij vragen 4 uur begeleiding per "
    "week voor een jaar.",
}
REQUEST_CHANGE = {
    "kind": "change",
    "allocation": ALLOCATION_ID,
    "change_reason": "04",
    "product": {"category": "02", "code": "02A01"},
    "extent": {"volume": 6, "unit": "04", "frequency": "2"},
    "start_date": "2025-06-01",
    "end_date": "2026-05-31",
    "motivation": "Herbeoordeling: de begeleiding blijft nodig na de geplande einddatum en de "
    "ondersteuning bij de financiën kost meer tijd dan voorzien (6 in plaats van 4 uur).",
}
ALLOCATION_REQUEST_CREATE = [
    OpenApiExample("New allocation (315), Wmo begeleiding", value=REQUEST_NEW, request_only=True),
    OpenApiExample(
        "Changed allocation (317), reassessment (WMO002 04)",
        value=REQUEST_CHANGE,
        request_only=True,
    ),
    OpenApiExample(
        "Receipt, the same whether or not the client is known",
        value={"id": REQUEST_ID, "status": "received"},
        response_only=True,
        status_codes=["202"],
    ),
]
REQUEST_GRANTED = {
    "id": REQUEST_ID,
    "kind": "change",
    "status": "granted",
    "allocation": ALLOCATION_ID,
    "change_reason": "04",
    "product": {"category": "02", "code": "02A01"},
    "extent": {"volume": 6, "unit": "04", "frequency": "2"},
    "start_date": "2025-06-01",
    "end_date": "2026-05-31",
    "answer": "Toegekend: toewijzing 00004790.",
    "answered_at": "2025-05-12T11:03:27.000000+02:00",
    "granted_allocation": {"id": "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d", "number": "00004790"},
    "created_at": "2025-05-02T09:30:00.000000+02:00",
}
REQUEST_RECEIVED = {
    **REQUEST_NEW,
    "id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
    "status": "received",
    "allocation": None,
    "change_reason": "",
    "answer": "",
    "answered_at": None,
    "granted_allocation": None,
    "created_at": "2025-03-20T16:12:45.000000+01:00",
}
del REQUEST_RECEIVED["bsn"], REQUEST_RECEIVED["birth_date"], REQUEST_RECEIVED["motivation"]
REQUEST_REJECTED = {
    **REQUEST_RECEIVED,
    "id": "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
    "status": "rejected",
    "answer": "Afgewezen: de ondersteuning kan via de algemene voorziening "
    "Administratiespreekuur (Welzijn Dommelstede).",
    "answered_at": "2025-04-01T10:00:00.000000+02:00",
}
ALLOCATION_REQUESTS = [
    OpenApiExample("Change granted (317)", value=REQUEST_GRANTED, response_only=True),
    OpenApiExample("New, not yet answered (315)", value=REQUEST_RECEIVED, response_only=True),
    OpenApiExample("Rejected", value=REQUEST_REJECTED, response_only=True),
]
ALLOCATION_REQUEST = [
    OpenApiExample("Change granted (317)", value=REQUEST_GRANTED, response_only=True),
    OpenApiExample("Rejected", value=REQUEST_REJECTED, response_only=True),
]

SIGNALS = [
    OpenApiExample(
        "By name and address (a housing corporation)",
        value={
            "name": "mevrouw J. de Graaf",
            "address": "Molenstraat 14",
            "postcode": "5611 AB",
            "observation": "De huur is drie maanden niet betaald en de buren zien mevrouw "
            "nauwelijks nog buiten. Ze reageert niet op brieven.",
            "reporter_name": "Sanne Peters, woonconsulent Woonbron Dommel",
            "reporter_contact": "040 234 5678",
        },
        request_only=True,
    ),
    OpenApiExample(
        "By BSN and date of birth (a GP practice)",
        value={
            "bsn": BSN,
            "birth_date": "1951-06-14",
            "postcode": "5611AB",
            "observation": "Patiënt vergeet afspraken en medicatie sinds het overlijden van "
            "zijn vrouw; mantelzorg ontbreekt.",
            "reporter_name": "E. Claassen, huisarts",
        },
        request_only=True,
    ),
    OpenApiExample(
        "Receipt, the same whether or not the person is known",
        value={
            "id": "2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901",
            "received_on": "2025-03-12",
            "status": "received",
        },
        response_only=True,
        status_codes=["202"],
    ),
]

# the body of a webhook POST (networks.webhooks.webhook_body) and its `data`
# (cases.partners.services.allocation_payload)
EVENT_CREATED = {
    "id": "c0ffee00-1234-4abc-8def-0123456789ab",
    "type": "allocation.created",
    "timestamp": "2025-02-27T09:14:03.512000Z",
    "data": {"id": ALLOCATION_ID, "number": "00004711", "status": "not_started", "version": 1},
}
EVENT_CHANGED = {
    "id": "d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6",
    "type": "allocation.changed",
    "timestamp": "2025-03-05T08:02:41.208000Z",
    "data": {"id": ALLOCATION_ID, "number": "00004711", "status": "started", "version": 2},
}
