from django.contrib import admin

from networks.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "agb_code", "kvk_number", "active"]
    list_filter = ["type", "active"]
    search_fields = ["name", "code", "agb_code", "kvk_number"]
    prepopulated_fields = {"code": ["name"]}
