"""Admin for the AVG records: look, never touch (correction requests are handled on the privacy
officer's screens, destruction records are written only by the retention run), a superuser's
only; a correction request is a resident's data, so every read of one is logged. Imported by
`cases/admin.py`."""

from django.contrib import admin

from cases.avg.models import CorrectionRequest, DestructionRecord
from cases.households.admin import ReadOnlyAdmin


class LookOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(ReadOnlyAdmin):
    access_object_type = "correction_request"
    access_household_lookup = "resident__memberships__household__uuid"
    access_resident_lookup = "resident__uuid"
    list_display = ["resident", "received_on", "deadline", "status", "handled_on"]
    list_filter = ["status"]
    list_select_related = ["resident"]
    date_hierarchy = "received_on"


@admin.register(DestructionRecord)
class DestructionRecordAdmin(LookOnlyAdmin):
    list_display = ["destroyed_at", "household_uuid", "law", "retention_years", "run_by"]
    list_filter = ["law"]
    search_fields = ["=household_uuid", "=run_id"]
    date_hierarchy = "destroyed_at"
