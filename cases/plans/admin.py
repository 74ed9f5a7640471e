"""Admin for plans and aftercare check-ins: read-only, a superuser's only, every read logged
(`cases.households.admin.ReadOnlyAdmin`)."""

from django.contrib import admin

from cases.households.admin import ReadOnlyAdmin
from cases.plans.models import AftercareCheckIn, PlanGoal, SupportPlan


class PlanGoalInline(admin.TabularInline):
    model = PlanGoal
    fields = ["domain", "description"]
    extra = 0


@admin.register(SupportPlan)
class SupportPlanAdmin(ReadOnlyAdmin):
    access_object_type = "plan"
    list_display = ["household", "status", "coordinator", "activated_at", "closed_at"]
    list_filter = ["status"]
    list_select_related = ["household__coordinator"]
    inlines = [PlanGoalInline]


@admin.register(AftercareCheckIn)
class AftercareCheckInAdmin(ReadOnlyAdmin):
    access_object_type = "check_in"
    access_household_lookup = "plan__household__uuid"
    list_display = ["plan", "due_on", "status"]
    list_filter = ["status"]
    list_select_related = ["plan__household"]
