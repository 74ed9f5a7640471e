from django.urls import path

from outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("", views.policy_dashboard, name="policy_dashboard"),
    path("team/", views.team_dashboard, name="team_dashboard"),
    path("export/<str:table>/<str:file_format>/", views.export, name="export"),
    path("exports/", views.export_start, name="export_start"),
    path("exports/<uuid:job_uuid>/", views.export_status, name="export_status"),
    path("exports/<uuid:job_uuid>/bestand/", views.export_download, name="export_download"),
    path("herberekenen/", views.recompute, name="recompute"),
    path("herberekenen/<uuid:run_uuid>/", views.recompute_status, name="recompute_status"),
    path("knelpunten/", views.bottlenecks, name="bottlenecks"),
    path("knelpunten/nieuw/", views.bottleneck_create, name="bottleneck_create"),
    path(
        "knelpunten/export/<str:file_format>/",
        views.bottleneck_export,
        name="bottleneck_export",
    ),
]
