"""ETag on reads, If-Match on changes (412 when stale)."""

import hashlib
import json

from django.utils.translation import gettext as _
from rest_framework.response import Response

from socialdomain.api.problems import PreconditionFailed


def etag_for(data) -> str:
    body = json.dumps(data, sort_keys=True, default=str, separators=(",", ":")).encode()
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def check_if_match(request, current_etag: str) -> None:
    """Refuse a change based on a stale representation. Without If-Match the change goes
    through (integrators that do not track versions still work)."""
    header = request.headers.get("If-Match")
    if header is None:
        return
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if "*" not in candidates and current_etag not in candidates:
        raise PreconditionFailed(
            _("The resource was changed since you read it. Read it again and retry.")
        )


class ConditionalMixin:
    """For viewsets: ETag on retrieve (and 304 on If-None-Match), If-Match on update/delete.
    Call `self.check_precondition(instance)` after locking the row in update/destroy."""

    def etag_of(self, instance) -> str:
        return etag_for(self.get_serializer(instance).data)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.get_serializer(instance).data
        etag = etag_for(data)
        if etag in {t.strip() for t in request.headers.get("If-None-Match", "").split(",")}:
            return Response(status=304, headers={"ETag": etag})
        return Response(data, headers={"ETag": etag})

    def check_precondition(self, instance) -> None:
        check_if_match(self.request, self.etag_of(instance))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            request.method in ("PUT", "PATCH")
            and 200 <= response.status_code < 300
            and isinstance(response.data, dict)
            and "ETag" not in response
        ):
            response["ETag"] = etag_for(response.data)
        return response
