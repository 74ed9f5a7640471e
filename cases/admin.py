"""The admin of the `cases` app: each wing registers its own model admins; the table of days
equated with a holiday (art. 3(3) Algemene termijnenwet) is registered here, beside the shared
legal-terms engine. Django's admin records every addition, change and deletion of such a day in
its LogEntry table (who, when, what); saving or deleting one also clears the cached days, so
every worker uses the change at once."""

from django.contrib import admin

from cases.avg import admin as avg_admin
from cases.consent import admin as consent_admin
from cases.households import admin as households_admin
from cases.intake import admin as intake_admin
from cases.legal_terms import EquatedDay
from cases.plans import admin as plans_admin
from cases.privacy import admin as privacy_admin

__all__ = [
    "avg_admin",
    "consent_admin",
    "households_admin",
    "intake_admin",
    "plans_admin",
    "privacy_admin",
]


@admin.register(EquatedDay)
class EquatedDayAdmin(admin.ModelAdmin):
    list_display = ["day", "description"]
    search_fields = ["description"]
    date_hierarchy = "day"
    ordering = ["-day"]
    readonly_fields = ["created_at"]
