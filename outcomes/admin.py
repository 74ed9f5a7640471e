from django.contrib import admin

from outcomes.models import Bottleneck, SummaryRun


@admin.register(Bottleneck)
class BottleneckAdmin(admin.ModelAdmin):
    list_display = ["occurred_on", "rule_kind", "rule", "district"]
    list_filter = ["rule_kind", "district"]
    list_select_related = ["district"]
    exclude = ["reported_by"]
    readonly_fields = ["occurred_on"]

    def has_add_permission(self, request):
        return False


@admin.register(SummaryRun)
class SummaryRunAdmin(admin.ModelAdmin):
    list_display = ["created_at", "status", "progress", "step", "finished_at"]
    readonly_fields = ["requested_by", "status", "progress", "step", "error", "finished_at"]

    def has_add_permission(self, request):
        return False
