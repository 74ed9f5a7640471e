"""Admin for the days equated with a holiday (art. 3(3) Algemene termijnenwet): the functional
administrator adds a day when the Crown publishes a decree in the Staatscourant, and every
term computed after that skips it (`cases.legal_terms`). Imported by `cases/admin.py`.

Django's admin records every addition, change and deletion made here in its LogEntry table
(who, when, what), shown in each day's history; saving or deleting a day also clears the
cached days, so every worker uses the change at once."""

from django.contrib import admin

from cases.legal_terms import EquatedDay


@admin.register(EquatedDay)
class EquatedDayAdmin(admin.ModelAdmin):
    list_display = ["day", "description"]
    search_fields = ["description"]
    date_hierarchy = "day"
    ordering = ["-day"]
    readonly_fields = ["created_at"]
