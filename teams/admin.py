from django.contrib import admin

from teams.models import District, Municipality, Neighbourhood, Postcode, Team, TeamMember


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "municipality"]
    list_select_related = ["municipality"]
    search_fields = ["code", "name"]


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "district"]
    list_select_related = ["district"]
    list_filter = ["district"]
    search_fields = ["code", "name"]


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin):
    list_display = ["postcode", "neighbourhood"]
    list_select_related = ["neighbourhood"]
    search_fields = ["postcode"]
    autocomplete_fields = ["neighbourhood"]


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "phone", "email"]
    list_select_related = ["district"]
    search_fields = ["name"]
    inlines = [TeamMemberInline]
