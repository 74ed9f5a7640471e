"""Admin for intake: signals and kitchen-table conversations (read-only overviews)."""

from django.contrib import admin

from cases.households.admin import ReadOnlyAdmin
from cases.intake.models import KitchenTableConversation, Signal


@admin.register(KitchenTableConversation)
class KitchenTableConversationAdmin(ReadOnlyAdmin):
    list_display = ["household", "held_on", "conducted_by"]
    list_select_related = ["household", "conducted_by"]
    date_hierarchy = "held_on"


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin):
    list_display = ["__str__", "team", "status", "received_on"]
    list_filter = ["status", "source_type", "team"]
    list_select_related = ["team"]
    readonly_fields = [field.name for field in Signal._meta.fields]

    def has_add_permission(self, request):
        return False  # signals are registered through the intake screens (a service)
