"""Admin for the access log: look, never touch. Imported by `cases/admin.py`."""

from django.contrib import admin

from cases.privacy.models import AccessLogEntry


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "action", "object_type", "result", "context", "ip_address"]
    list_filter = ["action", "result", "context"]
    search_fields = ["username", "=household_uuid", "=object_id"]
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
