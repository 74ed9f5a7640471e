"""The household's journal: entries with kinds and visibility, the author's edit window with
the earlier text kept, one timeline with the system's own events, filtered and paginated, read
and written only within need-to-know and access-logged."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.avg import services as avg_services
from cases.avg.selectors import retention_facts
from cases.households.models import Household
from cases.journal import selectors, services
from cases.journal.models import JournalEntry, JournalKind, JournalVisibility
from cases.legal_terms import add_months
from cases.privacy.models import AccessAction, AccessLogEntry, AccessResult
from cases.provisions.models import DecisionOutcome, ProvisionDecision
from teams.roles import Role
from tests.cases.avg_factories import file_build
from tests.factories import (
    ConversationFactory,
    HouseholdFactory,
    SupportPlanFactory,
    TeamMemberFactory,
)
from tests.provision_factories import ApplicationFactory

TODAY = timezone.localdate()


@pytest.fixture
def household(make_household, generalist):
    household = make_household(residents=2)
    household.coordinator = generalist
    household.save(update_fields=["coordinator"])
    return household


@pytest.fixture
def colleague(area):
    """A generalist of the same team: sees the household, is not its coordinator."""
    return TeamMemberFactory(team=area["team"], user__username="colleague").user


def write(household, by, **fields):
    values = {"kind": JournalKind.PHONE_CALL, "text": "Verhuurder gebeld.", "visibility": "team"}
    return services.journal_entry_create(household=household, by=by, **(values | fields))


def changes():
    return list(AccessLogEntry.objects.filter(action=AccessAction.CHANGE))


# --- writing -------------------------------------------------------------------------------------


def test_an_entry_is_written_with_its_access_log_row(household, colleague):
    entry = write(household, colleague, kind=JournalKind.VISIT, text="  Huisbezoek, rustig.  ")

    assert (entry.kind, entry.text, entry.occurred_on) == ("visit", "Huisbezoek, rustig.", TODAY)
    assert entry.author == colleague
    [row] = changes()
    assert (row.object_type, row.object_id) == ("journal_entry", str(entry.uuid))
    assert row.household_uuid == household.uuid and row.user == colleague


def test_only_professionals_of_the_file_write_and_nothing_is_logged_on_refusal(
    household, user_with_role
):
    officer = user_with_role(Role.PRIVACY_OFFICER)
    with pytest.raises(PermissionDenied):
        write(household, officer)
    assert not JournalEntry.objects.exists() and changes() == []


def test_an_entry_names_only_its_own_households_file(household, colleague, make_household):
    other_plan = SupportPlanFactory(household=make_household())
    with pytest.raises(ValidationError):
        write(household, colleague, plan=other_plan)
    entry = write(household, colleague, plan=SupportPlanFactory(household=household))
    assert entry.plan.household == household


def test_an_entry_cannot_be_dated_in_the_future(household, colleague):
    with pytest.raises(ValidationError):
        write(household, colleague, occurred_on=TODAY + datetime.timedelta(days=1))
    assert not JournalEntry.objects.exists()


# --- editing: the author, within the window, keeping the earlier text ----------------------------


def test_the_author_edits_and_the_earlier_text_is_kept(household, colleague):
    entry = write(household, colleague, text="Eerste tekst")
    services.journal_entry_edit(
        entry=entry,
        by=colleague,
        kind=JournalKind.CONSULTATION,
        text="Verbeterde tekst",
        visibility=JournalVisibility.RESTRICTED,
        occurred_on=TODAY,
    )
    entry.refresh_from_db()
    assert (entry.text, entry.kind, entry.visibility) == (
        "Verbeterde tekst",
        "consultation",
        "restricted",
    )
    assert entry.edited_at is not None
    [revision] = entry.revisions.all()
    assert (revision.text, revision.kind, revision.visibility) == (
        "Eerste tekst",
        "phone_call",
        "team",
    )
    assert len(changes()) == 2


def test_an_edit_that_changes_nothing_keeps_no_revision(household, colleague):
    entry = write(household, colleague)
    services.journal_entry_edit(
        entry=entry, by=colleague, kind=entry.kind, text=entry.text, visibility="team",
        occurred_on=entry.occurred_on,
    )  # fmt: skip
    assert not entry.revisions.exists() and len(changes()) == 1


def test_after_the_window_the_journal_is_append_only(household, colleague, settings):
    entry = write(household, colleague)
    JournalEntry.objects.filter(pk=entry.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=settings.JOURNAL_EDIT_HOURS, minutes=1)
    )
    with pytest.raises(PermissionDenied, match="24"):
        services.journal_entry_edit(
            entry=entry, by=colleague, kind=entry.kind, text="later", visibility="team",
            occurred_on=TODAY,
        )  # fmt: skip
    entry.refresh_from_db()
    assert entry.text == "Verhuurder gebeld." and not entry.revisions.exists()


def test_nobody_but_the_author_edits(household, colleague, generalist):
    entry = write(household, colleague)
    with pytest.raises(PermissionDenied):
        services.journal_entry_edit(
            entry=entry, by=generalist, kind=entry.kind, text="anders", visibility="team",
            occurred_on=TODAY,
        )  # fmt: skip


# --- sensitive notes -----------------------------------------------------------------------------


def test_a_restricted_entry_is_read_by_its_author_and_the_coordinator_only(
    household, generalist, colleague, area
):
    third = TeamMemberFactory(team=area["team"], user__username="third").user
    secret = write(household, colleague, visibility=JournalVisibility.RESTRICTED, text="Geheim")
    shared = write(household, third, text="Gedeeld")

    def visible(user):
        return set(selectors.journal_entries_visible(household=household, user=user))

    assert visible(colleague) == {secret, shared}  # the author
    assert visible(generalist) == {secret, shared}  # the coordinator
    assert visible(third) == {shared}  # a team colleague


def test_a_colleague_never_sees_the_restricted_text_on_the_page(client, household, colleague, area):
    write(household, colleague, visibility=JournalVisibility.RESTRICTED, text="Schulden bij X")
    third = TeamMemberFactory(team=area["team"], user__username="third").user
    client.force_login(third)
    response = client.get(reverse("cases:household_journal", args=[household.uuid]))
    assert response.status_code == 200
    assert "Schulden bij X" not in response.content.decode()
    client.force_login(colleague)
    assert (
        "Schulden bij X"
        in client.get(reverse("cases:household_journal", args=[household.uuid])).content.decode()
    )


# --- the timeline --------------------------------------------------------------------------------


def test_the_timeline_holds_the_journal_and_the_systems_events_newest_first(
    household, colleague, consultant
):
    ConversationFactory(household=household, held_on=TODAY - datetime.timedelta(days=30))
    plan = SupportPlanFactory(household=household)
    plan.activated_at = timezone.now() - datetime.timedelta(days=20)
    plan.save(update_fields=["activated_at"])
    application = ApplicationFactory(household=household)
    ProvisionDecision.objects.create(
        application=application,
        outcome=DecisionOutcome.REJECT,
        product=application.product,
        reasons="Voorliggende voorziening",
        decided_by=consultant,
        decided_at=timezone.now() - datetime.timedelta(days=10),
    )
    write(household, colleague, occurred_on=TODAY - datetime.timedelta(days=5), text="Gebeld")

    page = selectors.household_timeline(household=household, user=colleague)

    assert [item.kind for item in page.items] == ["phone_call", "decision", "plan", "conversation"]
    assert page.items[0].detail == "Gebeld" and page.items[0].entry is not None
    assert application.product.name in page.items[1].detail
    only_decisions = selectors.household_timeline(
        household=household, user=colleague, kind="decision"
    )
    assert [item.kind for item in only_decisions.items] == ["decision"]
    only_calls = selectors.household_timeline(
        household=household, user=colleague, kind="phone_call"
    )
    assert [item.detail for item in only_calls.items] == ["Gebeld"]


def test_the_timeline_is_paginated(household, colleague):
    for day in range(selectors.PAGE_SIZE + 5):
        write(
            household, colleague, occurred_on=TODAY - datetime.timedelta(days=day), text=f"n{day}"
        )

    first = selectors.household_timeline(household=household, user=colleague)
    second = selectors.household_timeline(household=household, user=colleague, page=2)

    assert len(first.items) == selectors.PAGE_SIZE and first.has_next and not first.has_previous
    assert [item.detail for item in second.items] == [f"n{d}" for d in range(20, 25)]
    assert not second.has_next and second.has_previous


def test_the_timeline_reads_in_the_same_number_of_queries_whatever_its_length(
    client, household, colleague, django_assert_max_num_queries
):
    client.force_login(colleague)
    url = reverse("cases:household_journal", args=[household.uuid])
    write(household, colleague)
    client.get(url, HTTP_HX_REQUEST="true")  # warm: sessions, roles

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url, HTTP_HX_REQUEST="true")
    for day in range(30):
        write(household, colleague, occurred_on=TODAY - datetime.timedelta(days=day))
        ConversationFactory(household=household)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200


# --- the screens ---------------------------------------------------------------------------------


def test_the_household_page_loads_the_journal_section(client, household, colleague):
    client.force_login(colleague)
    response = client.get(reverse("cases:household_detail", args=[household.uuid]))
    assert reverse("cases:household_journal", args=[household.uuid]) in response.content.decode()


def test_reading_the_timeline_is_access_logged_like_the_household_page(
    client, household, colleague
):
    client.force_login(colleague)
    response = client.get(
        reverse("cases:household_journal", args=[household.uuid]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert '<section class="card" id="journal">' in response.content.decode()
    assert "<html" not in response.content.decode()  # the section only
    [row] = AccessLogEntry.objects.all()
    assert (row.action, row.result, row.object_type) == (
        AccessAction.VIEW,
        AccessResult.ALLOWED,
        "journal",
    )
    assert row.household_uuid == household.uuid


def test_a_household_outside_need_to_know_is_not_found_and_logged(client, colleague, other_area):
    stranger = HouseholdFactory(neighbourhood=other_area["neighbourhood"])
    client.force_login(colleague)
    url = reverse("cases:household_journal", args=[stranger.uuid])
    assert client.get(url).status_code == 404
    assert client.post(url, {"kind": "visit", "text": "x", "visibility": "team"}).status_code == 404
    assert not JournalEntry.objects.exists()
    results = list(AccessLogEntry.objects.order_by("pk").values_list("action", "result"))
    assert results == [
        (AccessAction.VIEW, AccessResult.NOT_FOUND),
        (AccessAction.CHANGE, AccessResult.NOT_FOUND),
    ]


def test_writing_an_entry_from_the_page(client, household, colleague):
    client.force_login(colleague)
    url = reverse("cases:household_journal", args=[household.uuid])
    response = client.post(
        url,
        {
            "kind": "visit",
            "occurred_on": TODAY.isoformat(),
            "text": "Huisbezoek",
            "visibility": "team",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Huisbezoek" in response.content.decode()
    [entry] = JournalEntry.objects.all()
    assert entry.author == colleague and entry.household == household
    [row] = AccessLogEntry.objects.all()
    assert (row.action, row.object_type) == (AccessAction.CHANGE, "journal_entry")


def test_an_empty_entry_gets_an_error_and_nothing_is_saved(client, household, colleague):
    client.force_login(colleague)
    url = reverse("cases:household_journal", args=[household.uuid])
    response = client.post(url, {"kind": "visit", "text": "", "visibility": "team"})
    assert response.status_code == 200
    assert not JournalEntry.objects.exists()
    assert (
        'aria-invalid="true"' in response.content.decode() or "error" in response.content.decode()
    )


def test_the_author_edits_from_the_page_and_others_get_403(
    client, household, colleague, generalist
):
    entry = write(household, colleague)
    url = reverse("cases:journal_entry_edit", args=[household.uuid, entry.uuid])
    client.force_login(generalist)
    assert client.get(url).status_code == 403
    client.force_login(colleague)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"kind": "visit", "occurred_on": TODAY.isoformat(), "text": "Beter", "visibility": "team"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.text == "Beter" and entry.revisions.get().text == "Verhuurder gebeld."


# --- retention -----------------------------------------------------------------------------------


def test_the_journal_is_destroyed_with_the_household_file(make_household, area, generalist):
    household = make_household(residents=1)
    file_build(household, on=add_months(TODAY, -16 * 12), team=area["team"], worker=generalist)
    entry = write(household, generalist)
    JournalEntry.objects.filter(pk=entry.pk).update(occurred_on=add_months(TODAY, -16 * 12))
    [facts] = retention_facts(households=Household.objects.filter(pk=household.pk), today=TODAY)
    assert facts.expired(TODAY)

    avg_services.household_destroy(
        facts=facts, run_id=facts.household_uuid, run_by="t", today=TODAY
    )

    assert not JournalEntry.objects.exists()
    assert not Household.objects.filter(pk=household.pk).exists()


def test_the_inzage_export_holds_the_journal(household, colleague):
    from io import BytesIO

    from pypdf import PdfReader

    from cases.avg.inzage import inzage_build, inzage_pdf

    write(household, colleague, text="Verhuurder gebeld over de regeling")
    resident = household.memberships.first().resident

    data = inzage_build(resident=resident)

    [journal_entry] = data["households"][0]["journal"]
    assert journal_entry["text"] == "Verhuurder gebeld over de regeling"
    assert journal_entry["kind"] == "phone_call" and journal_entry["author"]
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(inzage_pdf(data))).pages)
    # The line wraps at 90 characters, and the author's (generated) name sets where it breaks.
    assert "Verhuurder gebeld over de regeling" in " ".join(text.split())
