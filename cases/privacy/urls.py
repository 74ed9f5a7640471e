from django.urls import path

from cases.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.privacy_overview, name="overview"),
    path("logboek/", views.access_log, name="access_log"),
    path("logboek/export/", views.access_log_export, name="access_log_export"),
    path("doorbreken/", views.break_glass_reviews, name="break_glass_reviews"),
    path("rollen/", views.role_changes, name="role_changes"),
    path(
        "doorbreken/<uuid:grant_uuid>/beoordelen/",
        views.break_glass_review,
        name="break_glass_review",
    ),
]
