"""Admin for objections (bezwaar): read-only, for a superuser. They are written by their
services (`cases.objections.services`), which store the decision term and log the change; and
they are the content of a household's file."""

from django.contrib import admin

from cases.households.admin import ReadOnlyAdmin
from cases.objections.models import Objection


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    access_object_type = "objection"
    access_household_lookup = "household__uuid"
    list_display = [
        "__str__",
        "decision",
        "received_on",
        "late",
        "decision_due",
        "outcome",
        "handled_by",
    ]
    list_filter = ["outcome", "late", "advisory_committee"]
    list_select_related = ["decision__application__product", "handled_by"]
    date_hierarchy = "received_on"
