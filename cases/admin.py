from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cases import permissions
from cases.admin_intake import resident_merge_action
from cases.models import (
    AftercareCheckIn,
    CoordinatorChange,
    Household,
    HouseholdMembership,
    KitchenTableConversation,
    PlanGoal,
    Resident,
    SupportPlan,
)
from teams.selectors import neighbourhood_id_for_postcode
from teams.validators import normalise_postcode


class HouseholdAdminForm(forms.ModelForm):
    postcode = forms.CharField(label=_("postcode"), max_length=8)

    class Meta:
        model = Household
        fields = ["street", "house_number", "house_number_addition", "postcode", "city"]
        fields += ["coordinator"]

    def clean_postcode(self):
        return normalise_postcode(self.cleaned_data["postcode"])


class MembershipInline(admin.TabularInline):
    model = HouseholdMembership
    extra = 0
    autocomplete_fields = ["resident"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["__str__", "neighbourhood", "coordinator", "updated_at"]
    list_select_related = ["neighbourhood", "coordinator"]
    search_fields = ["postcode", "street"]
    readonly_fields = ["uuid", "neighbourhood", "version", "created_at", "updated_at"]
    autocomplete_fields = ["coordinator"]
    inlines = [MembershipInline]
    form = HouseholdAdminForm

    def save_model(self, request, obj, form, change):
        obj.neighbourhood_id = neighbourhood_id_for_postcode(obj.postcode)
        super().save_model(request, obj, form, change)


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["full_name", "birth_date", "created_at"]
    search_fields = ["bsn", "last_name", "first_name"]
    readonly_fields = ["uuid", "created_at", "updated_at"]
    actions = ["merge_residents"]

    @admin.action(description=_("Merge two person records"), permissions=["merge"])
    def merge_residents(self, request, queryset):
        return resident_merge_action(self, request, queryset)

    def has_merge_permission(self, request):
        return permissions.can_merge_residents(request.user)


@admin.register(CoordinatorChange)
class CoordinatorChangeAdmin(admin.ModelAdmin):
    list_display = ["household", "from_user", "to_user", "changed_by", "changed_at"]
    list_select_related = ["household", "from_user", "to_user", "changed_by"]
    readonly_fields = ["household", "from_user", "to_user", "changed_by", "changed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Conversations and plans change through their services (versions, constraints, messages);
    the admin only looks, and only a superuser: they are the content of a household's file, and
    the functional administrator maintains the register without opening files (need-to-know,
    docs/privacy.md)."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KitchenTableConversation)
class KitchenTableConversationAdmin(ReadOnlyAdmin):
    list_display = ["household", "held_on", "conducted_by"]
    list_select_related = ["household", "conducted_by"]
    date_hierarchy = "held_on"


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


# registers the read-only access log admin
import cases.access_log_admin  # noqa: E402
import cases.avg_admin  # noqa: E402
import cases.consent_admin  # noqa: E402, F401
from cases import legal_terms_admin  # noqa: E402, F401 - registers the equated days admin
