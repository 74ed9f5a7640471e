"""The admin of the `cases` app: each wing registers its own model admins; the table of days
equated with a holiday (art. 3(3) Algemene termijnenwet) is registered here, beside the shared
legal-terms engine. Django's admin records every addition, change and deletion of such a day in
its LogEntry table (who, when, what); saving or deleting one also clears the cached days, so
every worker uses the change at once, and, once committed, has a task recompute every open
clock that the day may move (`cases.tasks.open_clocks_recompute`)."""

from django.contrib import admin
from django.db import transaction

from cases import tasks
from cases.avg import admin as avg_admin
from cases.consent import admin as consent_admin
from cases.households import admin as households_admin
from cases.intake import admin as intake_admin
from cases.legal_terms import EquatedDay
from cases.network import admin as network_admin
from cases.objections import admin as objections_admin
from cases.plans import admin as plans_admin
from cases.privacy import admin as privacy_admin
from cases.provisions import admin as provisions_admin
from cases.volunteers import admin as volunteers_admin
from socialdomain.tasks import dispatch

__all__ = [
    "avg_admin",
    "consent_admin",
    "households_admin",
    "intake_admin",
    "network_admin",
    "objections_admin",
    "plans_admin",
    "privacy_admin",
    "provisions_admin",
    "volunteers_admin",
]


@admin.register(EquatedDay)
class EquatedDayAdmin(admin.ModelAdmin):
    list_display = ["day", "description"]
    search_fields = ["description"]
    date_hierarchy = "day"
    ordering = ["-day"]
    readonly_fields = ["created_at"]

    def _recompute_open_clocks(self, request, note: str) -> None:
        """After the commit (the cached days are bumped by then), recompute the open clocks in
        a task: every undecided application's deadline, the advances, running objection
        terms."""
        user_id = request.user.pk
        transaction.on_commit(lambda: dispatch(tasks.open_clocks_recompute, user_id, note[:300]))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._recompute_open_clocks(request, str(obj))

    def delete_model(self, request, obj):
        note = str(obj)
        super().delete_model(request, obj)
        self._recompute_open_clocks(request, note)

    def delete_queryset(self, request, queryset):
        note = ", ".join(str(day) for day in queryset)
        super().delete_queryset(request, queryset)
        self._recompute_open_clocks(request, note)
