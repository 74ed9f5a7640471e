"""Admin of network links: read only and a superuser's only, every read logged; links are given
and revoked on the plan page (`cases/network/services.py`). The hashes are not shown."""

from django.contrib import admin

from cases.households.admin import ReadOnlyAdmin
from cases.network.models import NetworkActionReport, NetworkLink


@admin.register(NetworkLink)
class NetworkLinkAdmin(ReadOnlyAdmin):
    access_object_type = "network_link"
    access_household_lookup = "plan__household__uuid"
    list_display = ["member", "plan", "expires_on", "revoked_at", "created_at"]
    list_select_related = ["member", "plan__household"]
    exclude = ["token_hash", "code_hash"]


@admin.register(NetworkActionReport)
class NetworkActionReportAdmin(ReadOnlyAdmin):
    access_object_type = "network_report"
    access_household_lookup = "link__plan__household__uuid"
    list_display = ["action", "status", "at"]
    list_select_related = ["action"]
