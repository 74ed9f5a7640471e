"""The admin of areas, teams, users and roles.

Separation of duties (docs/privacy.md, "The admin"): the functional administrator manages users'
names, e-mail, password, active flag and team membership; only a superuser (created on the
command line with `createsuperuser`) gives roles, admin access, superuser status or permissions,
edits roles (groups), or edits a user who has admin access. The user form leaves those fields out
for everyone else (a crafted POST of them is ignored), and a superuser's changes go through
`teams.services.user_access_set` / `group_permissions_set`, which record them (`RoleChange`)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from teams import services
from teams.models import (
    AreaConsultant,
    AreaStatistics,
    ConsultantAbsence,
    District,
    MemberSpecialism,
    Municipality,
    Neighbourhood,
    Postcode,
    RoleChange,
    Team,
    TeamMandate,
    TeamMember,
)
from teams.roles import Role


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


# --- Users, roles and the record of their changes ----------------------------------------------

User = get_user_model()

# form field -> `services.user_access_set` argument: what only a superuser may set
ACCESS_FIELDS = {
    "is_staff": "is_staff",
    "is_superuser": "is_superuser",
    "groups": "roles",
    "user_permissions": "permissions",
}


class UserTeamMemberInline(admin.TabularInline):
    model = TeamMember
    fk_name = "user"
    fields = ["team", "profile", "contract_hours", "active"]
    extra = 0
    verbose_name_plural = _("team membership")


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    limited_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Permissions"), {"fields": ("is_active", "role_names", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    inlines = [UserTeamMemberInline]

    @admin.display(description=_("roles"))
    def role_names(self, obj):
        names = sorted(obj.groups.values_list("name", flat=True))
        return ", ".join(str(Role(n).label) if n in Role.values else n for n in names) or "–"

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.limited_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["role_names", "is_staff", "is_superuser", "last_login", "date_joined"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_change_permission(self, request, obj=None):
        """Users with admin access (staff, superusers) are changed by a superuser only, their
        password too (the password form asks this)."""
        if (
            obj is not None
            and (obj.is_staff or obj.is_superuser)
            and obj.pk != request.user.pk
            and not request.user.is_superuser
        ):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser  # others deactivate a user ("active")

    def save_model(self, request, obj, form, change):
        """Roles and rights are never saved with the form: the service sets them afterwards
        (`save_related`), records them, and refuses anyone but a superuser."""
        if change:
            stored = User.objects.filter(pk=obj.pk).values("is_staff", "is_superuser").get()
            obj.is_staff, obj.is_superuser = stored["is_staff"], stored["is_superuser"]
        else:
            obj.is_staff = obj.is_superuser = False
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        wanted = {
            argument: form.cleaned_data.pop(field)
            for field, argument in ACCESS_FIELDS.items()
            if field in form.cleaned_data
        }
        super().save_related(request, form, formsets, change)
        if wanted:
            services.user_access_set(user=form.instance, by=request.user, **wanted)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """Roles and their permissions: a superuser's only. A role's group cannot be deleted (the
    app asks for it by name); permission changes are recorded."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.name in Role.values:
            return False
        return request.user.is_superuser

    def save_related(self, request, form, formsets, change):
        permissions = form.cleaned_data.pop("permissions", None)
        super().save_related(request, form, formsets, change)
        if permissions is not None:
            services.group_permissions_set(
                group=form.instance, permissions=permissions, by=request.user
            )


@admin.register(RoleChange)
class RoleChangeAdmin(admin.ModelAdmin):
    """The record of role and rights changes: look, never touch (the privacy officer reads it
    at /privacy/rollen/)."""

    list_display = ["at", "by_username", "kind", "username", "group_name", "permission"]
    list_filter = ["kind"]
    search_fields = ["username", "by_username", "group_name"]
    date_hierarchy = "at"

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
