from django.urls import path
from rest_framework.routers import SimpleRouter

from networks.api import views

router = SimpleRouter()
router.register("webhooks", views.WebhookViewSet, basename="webhook")
router.register("events", views.EventViewSet, basename="event")
router.register("general-provisions", views.GeneralProvisionViewSet, basename="general-provision")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    *router.urls,
]
