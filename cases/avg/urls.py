from django.urls import path

from cases.avg import views

app_name = "avg"

urlpatterns = [
    path("", views.avg_index, name="index"),
    path("personen/<uuid:resident_uuid>/", views.resident_avg, name="resident"),
    path(
        "personen/<uuid:resident_uuid>/inzage.json",
        views.inzage_export,
        {"fmt": "json"},
        name="inzage_json",
    ),
    path(
        "personen/<uuid:resident_uuid>/inzage.pdf",
        views.inzage_export,
        {"fmt": "pdf"},
        name="inzage_pdf",
    ),
    path(
        "personen/<uuid:resident_uuid>/inzage.zip",
        views.inzage_export,
        {"fmt": "zip"},
        name="inzage_zip",
    ),
    path("correcties/", views.correction_list, name="correction_list"),
    path("correcties/<uuid:correction_uuid>/", views.correction_detail, name="correction_detail"),
    path(
        "correcties/<uuid:correction_uuid>/verlengen/",
        views.correction_extend,
        name="correction_extend",
    ),
    path("vernietigd/", views.destruction_list, name="destruction_list"),
]
