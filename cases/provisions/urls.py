from django.urls import path

from cases.provisions import views

app_name = "provisions"

urlpatterns = [
    path("aanvragen/", views.application_queue, name="application_queue"),
    path("aanvragen/<uuid:application_uuid>/", views.application_detail, name="application_detail"),
    path(
        "aanvragen/<uuid:application_uuid>/oppakken/",
        views.application_claim,
        name="application_claim",
    ),
    path(
        "aanvragen/<uuid:application_uuid>/toewijzen/",
        views.application_assign,
        name="application_assign",
    ),
    path(
        "aanvragen/<uuid:application_uuid>/intrekken/",
        views.application_withdraw,
        name="application_withdraw",
    ),
    path(
        "aanvragen/<uuid:application_uuid>/besluit/",
        views.application_decide,
        name="application_decide",
    ),
    path(
        "aanvragen/<uuid:application_uuid>/besluit/voorbeeld/",
        views.decision_preview,
        name="decision_preview",
    ),
    path(
        "aanvragen/<uuid:application_uuid>/medeondertekenen/",
        views.decision_cosign,
        name="decision_cosign",
    ),
    path("aanvragen/<uuid:application_uuid>/brief/", views.decision_letter, name="decision_letter"),
    path(
        "aanvragen/<uuid:application_uuid>/budget-overschrijding/",
        views.application_budget_override,
        name="application_budget_override",
    ),
    path(
        "aanvragen/<uuid:application_uuid>/medeondertekening/",
        views.decision_cosign_request,
        name="decision_cosign_request",
    ),
    path(
        "aanvragen/<uuid:application_uuid>/bekendmaking/",
        views.decision_made_known,
        name="decision_made_known",
    ),
    path(
        "aanvragen/<uuid:application_uuid>/termijn/",
        views.application_term_event,
        name="application_term_event",
    ),
    path(
        "aanvragen/<uuid:application_uuid>/termijn/<uuid:event_uuid>/aangevuld/",
        views.term_event_complete,
        name="term_event_complete",
    ),
    path(
        "aanvragen/<uuid:application_uuid>/voorschot/",
        views.advance_payment,
        name="advance_payment",
    ),
    path(
        "aanvragen/<uuid:application_uuid>/voorschot/uitzondering/",
        views.advance_exception,
        name="advance_exception",
    ),
    path(
        "huishouden/<uuid:household_uuid>/aanvraag/",
        views.application_create,
        name="application_create",
    ),
    path(
        "huishouden/<uuid:household_uuid>/verwijzing/",
        views.referral_create,
        name="referral_create",
    ),
    path(
        "huishouden/<uuid:household_uuid>/",
        views.household_provisions,
        name="household_provisions",
    ),
    path("huishouden/<uuid:household_uuid>/mandaat/", views.mandate_spend, name="mandate_spend"),
    path(
        "verwijzingen/<uuid:referral_uuid>/opvolging/",
        views.referral_follow_up,
        name="referral_follow_up",
    ),
    path("mandaat/", views.mandate_overview, name="mandate_overview"),
    path("budget/", views.budget_overview, name="budget_overview"),
    path("signalen/", views.subsidy_signals, name="subsidy_signals"),
    path(
        "berichten/<uuid:notification_uuid>/gelezen/",
        views.notification_read,
        name="notification_read",
    ),
]
