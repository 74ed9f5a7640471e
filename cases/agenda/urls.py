"""The professional's own agenda, the team page's section and the subscription feed
(`/agenda/`); a household's appointments are under the household (`cases/urls.py`)."""

from django.urls import path

from cases.agenda import views

app_name = "agenda"

urlpatterns = [
    path("", views.my_agenda, name="mine"),
    path("team/<str:district_code>/", views.team_agenda_section, name="team_section"),
    path("feed/<str:token>.ics", views.calendar_feed, name="feed"),
]
