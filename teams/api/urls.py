from django.urls import path

from teams.api import views

urlpatterns = [
    path("area-contacts/", views.AreaContactsView.as_view(), name="area-contacts"),
]
