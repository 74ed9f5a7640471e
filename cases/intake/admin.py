"""Admin for intake: signals and kitchen-table conversations (read-only, a superuser's only,
every read logged: `cases.households.admin.ReadOnlyAdmin`)."""

from django.contrib import admin

from cases.households.admin import ReadOnlyAdmin
from cases.intake.models import KitchenTableConversation, Signal


@admin.register(KitchenTableConversation)
class KitchenTableConversationAdmin(ReadOnlyAdmin):
    access_object_type = "conversation"
    list_display = ["household", "held_on", "conducted_by"]
    list_select_related = ["household", "conducted_by"]
    date_hierarchy = "held_on"


@admin.register(Signal)
class SignalAdmin(ReadOnlyAdmin):
    """Signals are registered and triaged through the intake screens (services)."""

    access_object_type = "signal"
    access_resident_lookup = "resident__uuid"
    list_display = ["__str__", "team", "status", "received_on"]
    list_filter = ["status", "source_type", "team"]
    list_select_related = ["team"]
    readonly_fields = [field.name for field in Signal._meta.fields]
