"""Idempotency-Key on POST: a retry with the same key gets the first response and changes
nothing again, also when the copies arrive at the same moment (the unique index makes the
later ones wait for the first to commit)."""

import hashlib

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.response import Response

from socialdomain.api.problems import Unprocessable

MAX_KEY_LENGTH = 255


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.path.encode())
    digest.update(request.body or b"")
    return digest.hexdigest()


def idempotent(record_model, handler, request) -> Response:
    """Run `handler()` once per (client, Idempotency-Key); replay its response for retries.

    `record_model` stores the responses (networks.IdempotencyRecord); `request.auth` is the
    API client."""
    key = request.headers.get("Idempotency-Key")
    client = request.auth
    if not key or client is None or not hasattr(client, "pk"):
        return handler()
    if len(key) > MAX_KEY_LENGTH:
        raise Unprocessable(_("An Idempotency-Key has at most 255 characters."))
    fingerprint = _fingerprint(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = record_model.objects.create(
                    client=client, key=key, request_fingerprint=fingerprint, status_code=0
                )
        except IntegrityError:
            first = record_model.objects.get(client=client, key=key)
            if first.request_fingerprint != fingerprint:
                raise Unprocessable(
                    _("This Idempotency-Key was used for a different request.")
                ) from None
            return Response(
                first.response_body,
                status=first.status_code,
                headers={**first.response_headers, "Idempotent-Replayed": "true"},
            )
        response = handler()
        if response.status_code >= 500:
            transaction.set_rollback(True)
            return response
        record.status_code = response.status_code
        record.response_body = response.data
        record.response_headers = {
            name: response[name] for name in ("Location", "ETag") if name in response
        }
        record.save(update_fields=["status_code", "response_body", "response_headers"])
        return response
