from django.urls import path

from cases import views, views_intake

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

# Intake: meldingen and signals (cases/views_intake.py)
urlpatterns += [
    path(
        "<uuid:household_uuid>/meldingen/nieuw/",
        views_intake.melding_register,
        name="melding_register",
    ),
    path(
        "<uuid:household_uuid>/signalen/nieuw/",
        views_intake.signal_register_for_household,
        name="signal_register_for_household",
    ),
    path("signalen/", views_intake.signal_queue, name="signal_queue"),
    path("signalen/nieuw/", views_intake.signal_register, name="signal_register"),
    path("signalen/<uuid:signal_uuid>/", views_intake.signal_detail, name="signal_detail"),
    path(
        "signalen/<uuid:signal_uuid>/melding/",
        views_intake.signal_convert,
        name="signal_convert",
    ),
    path("signalen/<uuid:signal_uuid>/sluiten/", views_intake.signal_close, name="signal_close"),
]
