"""Admin for the reciprocity register: read only and a superuser's only, every read logged;
volunteers are registered, stopped and linked through the screens and services
(`cases/volunteers/services.py`), which record the consent and the access log."""

from django.contrib import admin

from cases.households.admin import ReadOnlyAdmin
from cases.volunteers.models import Volunteer, Volunteering, VolunteerOffer


class VolunteerOfferInline(admin.TabularInline):
    model = VolunteerOffer
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyAdmin):
    access_object_type = "volunteer"
    access_household_lookup = "resident__memberships__household__uuid"
    access_resident_lookup = "resident__uuid"
    list_display = ["resident", "district", "started_on", "ended_on"]
    list_filter = ["district"]
    list_select_related = ["resident", "district"]
    inlines = [VolunteerOfferInline]


@admin.register(Volunteering)
class VolunteeringAdmin(ReadOnlyAdmin):
    access_object_type = "volunteering"
    access_household_lookup = "household__uuid"
    access_resident_lookup = "volunteer__resident__uuid"
    list_display = ["volunteer", "household", "category", "started_on", "ended_on"]
    list_filter = ["category"]
    list_select_related = ["volunteer__resident", "household"]
