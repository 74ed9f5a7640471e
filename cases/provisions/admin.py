"""Admin for the decision clocks of applications: term events (Awb 4:14/4:15), the deadline's
history, the letters issued and the advances of algemene bijstand. Read-only: they are written
by their services (`cases.provisions.services`), which recompute the stored dates and log the
change; and they are the content of a household's file, so only a superuser looks."""

from django.contrib import admin

from cases.households.admin import ReadOnlyAdmin
from cases.provisions.models import (
    AdvanceException,
    AdvancePayment,
    ApplicationTermEvent,
    DecisionDeadlineChange,
    DecisionLetter,
)


@admin.register(ApplicationTermEvent)
class ApplicationTermEventAdmin(ReadOnlyAdmin):
    access_object_type = "application_term_event"
    access_household_lookup = "application__household__uuid"
    list_display = ["application", "kind", "recorded_at", "recorded_by"]
    list_filter = ["kind"]
    list_select_related = ["application__product", "recorded_by"]


@admin.register(DecisionDeadlineChange)
class DecisionDeadlineChangeAdmin(ReadOnlyAdmin):
    access_object_type = "decision_deadline_change"
    access_household_lookup = "application__household__uuid"
    list_display = [
        "application",
        "previous_deadline",
        "new_deadline",
        "reason",
        "changed_at",
        "changed_by",
    ]
    list_filter = ["reason"]
    list_select_related = ["application__product", "changed_by"]


@admin.register(DecisionLetter)
class DecisionLetterAdmin(ReadOnlyAdmin):
    access_object_type = "decision_letter"
    access_household_lookup = "decision__application__household__uuid"
    list_display = [
        "decision",
        "version",
        "made_known_on",
        "objection_deadline",
        "reason",
        "issued_at",
    ]
    list_filter = ["reason"]
    list_select_related = ["decision__application__product"]


@admin.register(AdvancePayment)
class AdvancePaymentAdmin(ReadOnlyAdmin):
    access_object_type = "advance_payment"
    access_household_lookup = "application__household__uuid"
    list_display = ["application", "due_on", "paid_on", "amount", "recorded_by"]
    list_select_related = ["application__product", "recorded_by"]


@admin.register(AdvanceException)
class AdvanceExceptionAdmin(ReadOnlyAdmin):
    access_object_type = "advance_exception"
    access_household_lookup = "application__household__uuid"
    list_display = ["application", "reason", "recorded_at", "recorded_by"]
    list_select_related = ["application__product", "recorded_by"]
