"""The reciprocity register (`/vrijwilligers/`); a household's volunteers and a resident who
becomes one are under the household (`cases/urls.py`)."""

from django.urls import path

from cases.volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.volunteer_list, name="list"),
    path("nieuw/", views.volunteer_create, name="create"),
    path("<uuid:volunteer_uuid>/", views.volunteer_detail, name="detail"),
    path("<uuid:volunteer_uuid>/stoppen/", views.volunteer_stop, name="stop"),
]
