"""The network member's pages (`/netwerk/`): no login, the secret in the URL is the key
(docs/network-links.md). The coordinator's screens are under the plan (`cases/urls.py`)."""

from django.urls import path

from cases.network import views

app_name = "network"

urlpatterns = [
    path("<str:token>/", views.member_page, name="member_page"),
    path("<str:token>/acties/<uuid:action_uuid>/", views.action_report, name="action_report"),
]
