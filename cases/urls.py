from django.urls import path

from cases.agenda import views as agenda_views
from cases.consent import views as consent_views
from cases.deadlines import views as deadline_views
from cases.documents import views as document_views
from cases.households import views as household_views
from cases.intake import views as intake_views
from cases.journal import views as journal_views
from cases.network import views as network_views
from cases.objections import views as objection_views
from cases.plans import views as plan_views
from cases.privacy import views as privacy_views
from cases.search import views as search_views
from cases.volunteers import views as volunteer_views

app_name = "cases"

urlpatterns = [
    path("", household_views.household_search, name="household_search"),
    path("nieuw/", household_views.household_create, name="household_create"),
    path("nieuw/persoon/", household_views.resident_form_row, name="resident_form_row"),
    path(
        "caseload/<str:district_code>/", household_views.caseload_reassign, name="caseload_reassign"
    ),
    path("controleer/<str:kind>/", household_views.validate_field, name="validate_field"),
    # moves: the receiving team's handovers (a section of the team page) and accepting one
    path(
        "overdrachten/<str:district_code>/",
        household_views.team_handovers_section,
        name="team_handovers_section",
    ),
    path(
        "overdracht/<uuid:handover_uuid>/accepteren/",
        household_views.handover_accept,
        name="handover_accept",
    ),
    # the one search box in the header: BSN, postcode, name or a number (docs/search.md)
    path("zoeken/", search_views.search, name="search"),
    # known, not opened: is a household known elsewhere in the municipality (docs/privacy.md)
    path("bekend/", privacy_views.household_known, name="household_known"),
    path("<uuid:household_uuid>/doorbreken/", privacy_views.break_glass, name="break_glass"),
    path("<uuid:household_uuid>/", household_views.household_detail, name="household_detail"),
    path("<uuid:household_uuid>/adres/", household_views.household_edit, name="household_edit"),
    # appointments with the household (cases/agenda)
    path(
        "<uuid:household_uuid>/afspraken/",
        agenda_views.household_appointments,
        name="household_appointments",
    ),
    path(
        "<uuid:household_uuid>/afspraken/<uuid:appointment_uuid>/annuleren/",
        agenda_views.appointment_cancel,
        name="appointment_cancel",
    ),
    # objections (bezwaar) against the household's decisions (cases/objections)
    path(
        "<uuid:household_uuid>/bezwaren/",
        objection_views.household_objections,
        name="household_objections",
    ),
    path(
        "bezwaren/<uuid:objection_uuid>/",
        objection_views.objection_detail,
        name="objection_detail",
    ),
    path(
        "bezwaren/<uuid:objection_uuid>/behandeling/",
        objection_views.objection_handle,
        name="objection_handle",
    ),
    path(
        "bezwaren/<uuid:objection_uuid>/beslissing/",
        objection_views.objection_decide,
        name="objection_decide",
    ),
    # the journal and timeline of the household file (cases/journal)
    path(
        "<uuid:household_uuid>/journaal/",
        journal_views.household_journal,
        name="household_journal",
    ),
    path(
        "<uuid:household_uuid>/journaal/<uuid:entry_uuid>/",
        journal_views.journal_entry_edit,
        name="journal_entry_edit",
    ),
    # the documents of the household file (cases/documents): downloads only through the view
    path(
        "<uuid:household_uuid>/documenten/",
        document_views.household_documents,
        name="household_documents",
    ),
    path(
        "<uuid:household_uuid>/documenten/<uuid:document_uuid>/downloaden/",
        document_views.document_download,
        name="document_download",
    ),
    # the household's volunteers and a resident who becomes one (cases/volunteers)
    path(
        "<uuid:household_uuid>/vrijwilligers/",
        volunteer_views.household_volunteering_add,
        name="household_volunteering_add",
    ),
    path(
        "<uuid:household_uuid>/vrijwilligers/<uuid:volunteering_uuid>/beeindigen/",
        volunteer_views.household_volunteering_end,
        name="household_volunteering_end",
    ),
    path(
        "<uuid:household_uuid>/personen/<uuid:resident_uuid>/vrijwilliger/",
        volunteer_views.resident_volunteer_register,
        name="resident_volunteer_register",
    ),
    path(
        "<uuid:household_uuid>/personen/nieuw/", household_views.resident_add, name="resident_add"
    ),
    path(
        "<uuid:household_uuid>/personen/bekend/",
        household_views.resident_join,
        name="resident_join",
    ),
    path(
        "<uuid:household_uuid>/personen/<uuid:resident_uuid>/",
        household_views.resident_edit,
        name="resident_edit",
    ),
    path(
        "<uuid:household_uuid>/personen/<uuid:resident_uuid>/vertrokken/",
        household_views.membership_end,
        name="membership_end",
    ),
    # the generalist's journey: conversation, network, plan, evaluation, aftercare
    path("mijn/", plan_views.caseload, name="caseload"),
    path(
        "<uuid:household_uuid>/gesprekken/nieuw/",
        intake_views.conversation_create,
        name="conversation_create",
    ),
    path(
        "gesprekken/<uuid:conversation_uuid>/",
        intake_views.conversation_detail,
        name="conversation_detail",
    ),
    path(
        "gesprekken/<uuid:conversation_uuid>/opmerkingen/",
        intake_views.conversation_remarks,
        name="conversation_remarks",
    ),
    path(
        "gesprekken/<uuid:conversation_uuid>/plan/",
        plan_views.plan_create_from_conversation,
        name="plan_create_from_conversation",
    ),
    path(
        "<uuid:household_uuid>/netwerk/nieuw/",
        intake_views.network_member_edit,
        name="network_member_add",
    ),
    path(
        "<uuid:household_uuid>/netwerk/<uuid:member_uuid>/",
        intake_views.network_member_edit,
        name="network_member_edit",
    ),
    path("<uuid:household_uuid>/plan/nieuw/", plan_views.plan_create, name="plan_create"),
    path("plannen/<uuid:plan_uuid>/", plan_views.plan_detail, name="plan_detail"),
    path("plannen/<uuid:plan_uuid>/gegevens/", plan_views.plan_edit, name="plan_edit"),
    path("plannen/<uuid:plan_uuid>/doelen/nieuw/", plan_views.goal_add, name="goal_add"),
    path(
        "plannen/<uuid:plan_uuid>/doelen/<uuid:goal_uuid>/",
        plan_views.goal_edit,
        name="goal_edit",
    ),
    path(
        "plannen/<uuid:plan_uuid>/doelen/<uuid:goal_uuid>/verwijderen/",
        plan_views.goal_remove,
        name="goal_remove",
    ),
    path("plannen/<uuid:plan_uuid>/acties/nieuw/", plan_views.action_add, name="action_add"),
    path(
        "plannen/<uuid:plan_uuid>/acties/<uuid:action_uuid>/",
        plan_views.action_edit,
        name="action_edit",
    ),
    path(
        "plannen/<uuid:plan_uuid>/acties/<uuid:action_uuid>/verwijderen/",
        plan_views.action_remove,
        name="action_remove",
    ),
    path(
        "plannen/<uuid:plan_uuid>/deelnemers/nieuw/",
        plan_views.participant_invite,
        name="participant_invite",
    ),
    path(
        "plannen/<uuid:plan_uuid>/deelnemers/<uuid:participant_uuid>/",
        plan_views.participant_respond,
        name="participant_respond",
    ),
    # a network member's link to their own actions (cases/network, docs/network-links.md)
    path(
        "plannen/<uuid:plan_uuid>/netwerklinks/nieuw/",
        network_views.network_link_create,
        name="network_link_create",
    ),
    path(
        "plannen/<uuid:plan_uuid>/netwerklinks/<uuid:link_uuid>/intrekken/",
        network_views.network_link_revoke,
        name="network_link_revoke",
    ),
    path("plannen/<uuid:plan_uuid>/activeren/", plan_views.plan_activate, name="plan_activate"),
    path("plannen/<uuid:plan_uuid>/akkoord/", plan_views.plan_agree, name="plan_agree"),
    path("plannen/<uuid:plan_uuid>/afsluiten/", plan_views.plan_close, name="plan_close"),
    path(
        "plannen/<uuid:plan_uuid>/inwoner/",
        plan_views.plan_resident_view,
        name="plan_resident_view",
    ),
    path(
        "plannen/<uuid:plan_uuid>/inwoner/akkoord/",
        plan_views.plan_resident_agree,
        name="plan_resident_agree",
    ),
    path(
        "plannen/<uuid:plan_uuid>/inwoner/niet-akkoord/",
        plan_views.plan_resident_decline,
        name="plan_resident_decline",
    ),
    path(
        "plannen/<uuid:plan_uuid>/versies/<int:number>/",
        plan_views.plan_version,
        name="plan_version",
    ),
    path(
        "plannen/<uuid:plan_uuid>/evaluatie/",
        plan_views.evaluation_create,
        name="evaluation_create",
    ),
    path(
        "evaluaties/<uuid:evaluation_uuid>/",
        plan_views.evaluation_detail,
        name="evaluation_detail",
    ),
    path(
        "nazorg/<uuid:check_in_uuid>/",
        plan_views.check_in_complete,
        name="check_in_complete",
    ),
]

# Intake: meldingen and signals (cases/intake/views.py)
urlpatterns += [
    path(
        "<uuid:household_uuid>/meldingen/nieuw/",
        intake_views.melding_register,
        name="melding_register",
    ),
    path(
        "meldingen/<uuid:melding_uuid>/intrekken/",
        intake_views.melding_withdraw,
        name="melding_withdraw",
    ),
    path(
        "<uuid:household_uuid>/signalen/nieuw/",
        intake_views.signal_register_for_household,
        name="signal_register_for_household",
    ),
    path("signalen/", intake_views.signal_queue, name="signal_queue"),
    path("signalen/nieuw/", intake_views.signal_register, name="signal_register"),
    path("signalen/<uuid:signal_uuid>/", intake_views.signal_detail, name="signal_detail"),
    path(
        "signalen/<uuid:signal_uuid>/melding/",
        intake_views.signal_convert,
        name="signal_convert",
    ),
    path("signalen/<uuid:signal_uuid>/sluiten/", intake_views.signal_close, name="signal_close"),
    # the call-backs of GP hand-offs (docs/gp-handoff.md)
    path("signalen/terugbellen/", intake_views.callback_list, name="callback_list"),
    path(
        "signalen/terugbellen/<uuid:handoff_uuid>/poging/",
        intake_views.callback_attempt,
        name="callback_attempt",
    ),
]

# The consent register in the household file (cases/consent/views.py)
urlpatterns += [
    path(
        "<uuid:household_uuid>/toestemmingen/",
        consent_views.household_consents,
        name="household_consents",
    ),
    path(
        "<uuid:household_uuid>/toestemmingen/nieuw/",
        consent_views.consent_create,
        name="consent_create",
    ),
    path(
        "<uuid:household_uuid>/toestemmingen/<uuid:consent_uuid>/intrekken/",
        consent_views.consent_withdraw,
        name="consent_withdraw",
    ),
]

# Legal clocks: a team's running deadlines, and reminders (cases/deadlines/views.py)
urlpatterns += [
    path("termijnen/<str:district_code>/", deadline_views.team_clocks, name="team_clocks"),
    path(
        "termijnen/<str:district_code>/team/",
        deadline_views.team_clocks_section,
        name="team_clocks_section",
    ),
    path(
        "herinneringen/<uuid:reminder_uuid>/gelezen/",
        deadline_views.reminder_read,
        name="reminder_read",
    ),
]
