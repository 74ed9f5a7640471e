"""Admin for intake: signals (read-only overview), merge records, and the action that merges
two person records (functional administrators only; the rule is in `cases.intake`)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from cases import intake, permissions
from cases.models import ResidentMergeRecord, Signal


def resident_merge_action(model_admin, request, queryset):
    """Intermediate page: show both records, choose the one to keep, confirm."""
    if not permissions.can_merge_residents(request.user):
        raise PermissionDenied
    residents = list(queryset.order_by("pk")[:3])
    if len(residents) != 2:
        model_admin.message_user(
            request, _("Select exactly two person records to merge."), messages.ERROR
        )
        return None
    if request.POST.get("confirm"):
        keep_uuid = request.POST.get("keep")
        keep = next((r for r in residents if str(r.uuid) == keep_uuid), None)
        if keep is None:
            model_admin.message_user(request, _("Choose the record to keep."), messages.ERROR)
        else:
            remove = residents[1] if keep.pk == residents[0].pk else residents[0]
            try:
                intake.resident_merge(keep=keep, remove=remove, by=request.user)
            except ValidationError as exc:
                model_admin.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                model_admin.message_user(
                    request,
                    _("%(removed)s was merged into %(kept)s.")
                    % {"removed": remove.full_name, "kept": keep.full_name},
                    messages.SUCCESS,
                )
                return redirect("admin:cases_resident_change", keep.pk)
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Merge two person records"),
        "opts": model_admin.model._meta,
        "residents": [
            (resident, resident.memberships.select_related("household")) for resident in residents
        ],
        "moves": intake.merge_relation_names(),
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/cases/resident/merge.html", context)


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin):
    list_display = ["__str__", "team", "status", "received_on"]
    list_filter = ["status", "source_type", "team"]
    list_select_related = ["team"]
    readonly_fields = [field.name for field in Signal._meta.fields]

    def has_add_permission(self, request):
        return False  # signals are registered through the intake screens (a service)


@admin.register(ResidentMergeRecord)
class ResidentMergeRecordAdmin(admin.ModelAdmin):
    list_display = ["removed_name", "kept", "merged_by", "merged_at"]
    list_select_related = ["kept", "merged_by"]
    readonly_fields = [field.name for field in ResidentMergeRecord._meta.fields]
    search_fields = ["removed_name", "removed_bsn"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
