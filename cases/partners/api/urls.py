from django.urls import path
from rest_framework.routers import SimpleRouter

from cases.partners.api import views
from cases.partners.api.allocation_requests import AllocationRequestViewSet
from cases.partners.api.allocations import AllocationViewSet

router = SimpleRouter()
router.register("allocations", AllocationViewSet, basename="allocation")
router.register("allocation-requests", AllocationRequestViewSet, basename="allocation-request")

urlpatterns = [
    path("signals/", views.PartnerSignalView.as_view(), name="api-signals"),
    *router.urls,
]
