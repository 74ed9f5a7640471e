from django.urls import path
from rest_framework.routers import SimpleRouter

from cases.api import views
from cases.api.allocations import AllocationViewSet

router = SimpleRouter()
router.register("allocations", AllocationViewSet, basename="allocation")

urlpatterns = [
    path("signals/", views.PartnerSignalView.as_view(), name="api-signals"),
    *router.urls,
]
