from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.household_search, name="household_search"),
    path("nieuw/", views.household_create, name="household_create"),
    path("nieuw/persoon/", views.resident_form_row, name="resident_form_row"),
    path("caseload/<str:district_code>/", views.caseload_reassign, name="caseload_reassign"),
    path("controleer/<str:kind>/", views.validate_field, name="validate_field"),
    path("<uuid:household_uuid>/", views.household_detail, name="household_detail"),
    path("<uuid:household_uuid>/adres/", views.household_edit, name="household_edit"),
    path("<uuid:household_uuid>/personen/nieuw/", views.resident_add, name="resident_add"),
    path(
        "<uuid:household_uuid>/personen/<uuid:resident_uuid>/",
        views.resident_edit,
        name="resident_edit",
    ),
    path(
        "<uuid:household_uuid>/personen/<uuid:resident_uuid>/vertrokken/",
        views.membership_end,
        name="membership_end",
    ),
]
