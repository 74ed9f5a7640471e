from django.urls import path

from cases.api import views

urlpatterns = [
    path("signals/", views.PartnerSignalView.as_view(), name="api-signals"),
]
