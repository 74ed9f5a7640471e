from django.contrib import admin

from teams.models import (
    AreaConsultant,
    AreaStatistics,
    ConsultantAbsence,
    District,
    MemberSpecialism,
    Municipality,
    Neighbourhood,
    Postcode,
    Team,
    TeamMandate,
    TeamMember,
)


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


class MemberSpecialismInline(admin.TabularInline):
    model = MemberSpecialism
    extra = 1


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "profile", "contract_hours", "active"]
    list_select_related = ["user", "team"]
    list_filter = ["team", "profile", "active"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    inlines = [MemberSpecialismInline]


@admin.register(AreaStatistics)
class AreaStatisticsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "year", "residents", "households", "share_single_parent"]
    list_select_related = ["district", "neighbourhood"]


class ConsultantAbsenceInline(admin.TabularInline):
    model = ConsultantAbsence
    extra = 0
    autocomplete_fields = ["substitute"]


@admin.register(AreaConsultant)
class AreaConsultantAdmin(admin.ModelAdmin):
    list_display = ["district", "law_domain", "user", "phone", "email", "reachable_hours"]
    list_select_related = ["district", "user"]
    list_filter = ["law_domain", "district"]
    autocomplete_fields = ["user"]
    inlines = [ConsultantAbsenceInline]


@admin.register(TeamMandate)
class TeamMandateAdmin(admin.ModelAdmin):
    list_display = ["team", "year", "budget", "per_case_limit"]
    list_select_related = ["team"]
    list_filter = ["year"]
