from django.contrib import admin

from cases.households.admin import ReadOnlyAdmin
from cases.plans.models import AftercareCheckIn, PlanGoal, SupportPlan


class PlanGoalInline(admin.TabularInline):
    model = PlanGoal
    fields = ["domain", "description"]
    extra = 0


@admin.register(SupportPlan)
class SupportPlanAdmin(ReadOnlyAdmin):
    list_display = ["household", "status", "coordinator", "activated_at", "closed_at"]
    list_filter = ["status"]
    list_select_related = ["household", "coordinator"]
    inlines = [PlanGoalInline]


@admin.register(AftercareCheckIn)
class AftercareCheckInAdmin(ReadOnlyAdmin):
    list_display = ["plan", "due_on", "status"]
    list_filter = ["status"]
    list_select_related = ["plan__household"]
