"""The GP's warm hand-off, beside the GP's area-contacts lookup (`/wijkcontact/`):
docs/gp-handoff.md. The team's side (call-backs) is in `cases.urls`, with the signals."""

from django.urls import path

from cases.intake import views

app_name = "handoffs"

urlpatterns = [
    path("overdracht/", views.gp_handoff_create, name="create"),
    path("overdrachten/", views.gp_handoffs_mine, name="mine"),
]
