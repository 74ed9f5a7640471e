"""API conventions shared by every app's `api/` package: problem details (RFC 7807), ETag and
If-Match, Idempotency-Key replay. Infrastructure only; no domain rules here."""
