from django.urls import path

from teams import views

app_name = "teams"

urlpatterns = [
    path("wijkcontact/", views.area_contacts, name="area_contacts"),
    path("wijkteams/dekking/", views.coverage, name="coverage"),
    path("wijkteams/<str:district_code>/", views.team_detail, name="team_detail"),
]
