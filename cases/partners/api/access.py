"""Partner API access to household data in the access log: one row per file touched, context
`api_client` (set by `access_log_record` from the token's principal). docs/privacy.md.

This is the API's access helper: it logs reads, refusals and misses. A change is logged by its
service (`cases.audit.audit_change`, with `context=request_context(request)`), never here; a
write that was allowed but changed nothing (a conflict, a rule broken) is logged here as a
`view` of the object, as the household-file mark does for the web pages."""

from django.http import Http404

from cases.audit import access_log_record, access_log_record_many
from cases.privacy.models import AccessAction, AccessResult


class AccessLoggedMixin:
    """For partner viewsets: a list logs one row per object on the page (one INSERT), a read
    one row, a refused read or write a `denied` or `not_found` row. `log_item(obj)` says whose
    file an object is."""

    log_object_type = ""

    def log_item(self, obj) -> tuple:
        raise NotImplementedError

    def log_objects(self, objects, action=AccessAction.VIEW) -> None:
        access_log_record_many(
            request_or_user=self.request,
            action=action,
            object_type=self.log_object_type,
            items=[self.log_item(obj) for obj in objects],
        )

    def log_object(
        self, obj, action=AccessAction.VIEW, object_type="", result=AccessResult.ALLOWED
    ) -> None:
        if action == AccessAction.CHANGE and result == AccessResult.ALLOWED:
            raise ValueError("an allowed change is logged by its service (audit_change)")
        object_id, household_uuid, resident_uuids = self.log_item(obj)
        access_log_record(
            request_or_user=self.request,
            action=action,
            object_type=object_type or self.log_object_type,
            object_id=object_id,
            household_uuid=household_uuid,
            resident_uuids=resident_uuids,
            result=result,
        )

    def log_not_found(self, object_id, action=AccessAction.VIEW, object_type="") -> None:
        access_log_record(
            request_or_user=self.request,
            action=action,
            object_type=object_type or self.log_object_type,
            object_id=object_id,
            result=AccessResult.NOT_FOUND,
        )

    def paginate_queryset(self, queryset):
        self.logged_page = super().paginate_queryset(queryset)
        return self.logged_page

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        self.log_objects(getattr(self, "logged_page", None) or [])
        return response

    def get_object(self):
        try:
            self.logged_object = super().get_object()
        except Http404:
            self.log_not_found(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))
            raise
        return self.logged_object

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        self.log_object(self.logged_object)
        return response
