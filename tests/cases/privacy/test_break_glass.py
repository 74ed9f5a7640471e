"""Known, not opened; break the glass; the privacy officer's access log and review list."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.audit import access_log_record
from cases.privacy import services as bgsvc
from cases.privacy.models import (
    AccessAction,
    AccessContext,
    AccessLogEntry,
    AccessResult,
    BreakGlassAccess,
    BreakGlassVerdict,
)
from teams.roles import Role
from tests.factories import TeamMemberFactory

REASON = "Acute crisis: de kinderen staan op straat en het wijkteam is niet bereikbaar."


@pytest.fixture
def foreign(make_household, other_area):
    household = make_household(
        neighbourhood=other_area["neighbourhood"], postcode="5641AA", house_number=12, residents=2
    )
    coordinator = TeamMemberFactory(
        team=other_area["team"], user__first_name="Olga", user__last_name="Oost"
    ).user
    household.coordinator = coordinator
    household.save()
    return household


@pytest.fixture
def privacy_officer(user_with_role):
    return user_with_role(Role.PRIVACY_OFFICER, username="privacy")


# --- known, not opened -------------------------------------------------------------------------


def test_known_by_bsn_shows_team_and_coordinator_and_nothing_else(client, generalist, foreign):
    resident = foreign.memberships.first().resident
    client.force_login(generalist)
    response = client.post(reverse("cases:household_known"), {"bsn": resident.bsn})
    content = response.content.decode()
    assert "Bekend, buiten uw kring" in content
    assert foreign.neighbourhood.district.team.name in content
    assert "Olga Oost" in content
    assert reverse("cases:break_glass", args=[foreign.uuid]) in content
    results = content.split('id="results"')[1]
    for secret in (resident.last_name, resident.first_name, foreign.street, resident.bsn):
        assert secret not in results
    assert content.count(resident.bsn) == 1  # only in the search field, as typed
    assert f'href="{reverse("cases:household_detail", args=[foreign.uuid])}"' not in content
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.search_kind, entry.result_count) == ("search", "bsn", 1)
    assert resident.bsn not in str(list(AccessLogEntry.objects.values()))


def test_known_by_address_links_a_household_in_the_circle(client, generalist, make_household):
    own = make_household(house_number=7)
    client.force_login(generalist)
    response = client.post(
        reverse("cases:household_known"), {"postcode": "5611 ab", "house_number": "7"}
    )
    content = response.content.decode()
    assert "Bekend, in uw kring" in content
    assert reverse("cases:household_detail", args=[own.uuid]) in content
    assert AccessLogEntry.objects.get().search_kind == "address"


def test_known_search_needs_a_bsn_or_an_address_and_is_not_for_other_roles(
    client, generalist, user_with_role
):
    client.force_login(generalist)
    response = client.post(reverse("cases:household_known"), {"postcode": "5611AB"})
    assert "samen met een huisnummer" in response.content.decode()
    assert not AccessLogEntry.objects.exists()
    response = client.post(reverse("cases:household_known"), {"bsn": "123456789"})
    assert "elfproef" in response.content.decode() or "BSN" in response.content.decode()
    for role in (Role.POLICY_OFFICER, Role.GP, Role.FUNCTIONAL_ADMIN, Role.PRIVACY_OFFICER):
        client.force_login(user_with_role(role))
        assert client.get(reverse("cases:household_known")).status_code == 403


def test_known_search_within_a_query_budget(
    client, generalist, make_household, django_assert_max_num_queries
):
    for _ in range(5):
        make_household(house_number=3)
    client.force_login(generalist)
    with django_assert_max_num_queries(8):
        response = client.post(
            reverse("cases:household_known"), {"postcode": "5611AB", "house_number": "3"}
        )
    assert response.content.decode().count("Bekend, in uw kring") == 5


# --- break the glass ---------------------------------------------------------------------------


def test_break_the_glass_opens_the_file_and_logs_every_access(client, generalist, foreign):
    url = reverse("cases:break_glass", args=[foreign.uuid])
    detail = reverse("cases:household_detail", args=[foreign.uuid])
    client.force_login(generalist)
    assert client.get(detail).status_code == 404
    assert "Olga Oost" in client.get(url).content.decode()

    response = client.post(url, {"reason": "te kort"})
    assert "minstens 20 tekens" in response.content.decode()
    assert not BreakGlassAccess.objects.exists()

    response = client.post(url, {"reason": REASON})
    assert response["Location"] == detail
    grant = BreakGlassAccess.objects.get()
    assert (grant.user, grant.household, grant.reason) == (generalist, foreign, REASON)
    assert grant.expires_at - grant.opened_at == datetime.timedelta(hours=24)

    page = client.get(detail)
    assert page.status_code == 200
    assert "door het glas te breken" in page.content.decode()
    client.get(reverse("provisions:household_provisions", args=[foreign.uuid]))
    rows = list(
        AccessLogEntry.objects.filter(household_uuid=foreign.uuid, result="allowed")
        .order_by("pk")
        .values_list("object_type", "context", "reason")
    )
    assert rows[-3:] == [
        ("break_glass", AccessContext.BREAK_GLASS, REASON),
        ("household", AccessContext.BREAK_GLASS, ""),
        ("provisions", AccessContext.BREAK_GLASS, ""),
    ]
    # a second break while the first lasts gives no second grant
    client.post(url, {"reason": REASON})
    assert BreakGlassAccess.objects.count() == 1


def test_after_expiry_the_file_closes_again(client, generalist, foreign, settings):
    settings.BREAK_GLASS_HOURS = 1
    grant = bgsvc.break_glass_open(household=foreign, by=generalist, reason=REASON)
    BreakGlassAccess.objects.filter(pk=grant.pk).update(
        opened_at=timezone.now() - datetime.timedelta(hours=2),
        expires_at=timezone.now() - datetime.timedelta(hours=1),
    )
    client.force_login(generalist)
    assert client.get(reverse("cases:household_detail", args=[foreign.uuid])).status_code == 404


def test_only_professionals_may_break_the_glass(client, user_with_role, foreign):
    for role in (Role.POLICY_OFFICER, Role.GP, Role.FUNCTIONAL_ADMIN, Role.PRIVACY_OFFICER):
        client.force_login(user_with_role(role))
        url = reverse("cases:break_glass", args=[foreign.uuid])
        assert client.post(url, {"reason": REASON}).status_code == 403
    assert not BreakGlassAccess.objects.exists()


def test_normal_access_is_not_flagged_as_break_glass(client, generalist, make_household):
    household = make_household()
    client.force_login(generalist)
    client.get(reverse("cases:household_detail", args=[household.uuid]))
    assert AccessLogEntry.objects.get().context == AccessContext.NORMAL


# --- the privacy officer -------------------------------------------------------------------------


def test_the_review_list_and_a_verdict(client, generalist, foreign, privacy_officer):
    grant = bgsvc.break_glass_open(household=foreign, by=generalist, reason=REASON)
    client.force_login(privacy_officer)
    page = client.get(reverse("privacy:break_glass_reviews")).content.decode()
    assert REASON in page and str(foreign.uuid) in page
    assert "1 toegang gelogd" in page
    review = reverse("privacy:break_glass_review", args=[grant.uuid])
    client.post(review, {"verdict": BreakGlassVerdict.NOT_JUSTIFIED})
    grant.refresh_from_db()
    assert grant.verdict == ""  # a 'not justified' needs a note
    client.post(review, {"verdict": BreakGlassVerdict.JUSTIFIED, "review_note": "Terecht."})
    grant.refresh_from_db()
    assert (grant.verdict, grant.reviewed_by) == (BreakGlassVerdict.JUSTIFIED, privacy_officer)
    assert REASON not in client.get(reverse("privacy:break_glass_reviews")).content.decode()
    reviewed = client.get(reverse("privacy:break_glass_reviews"), {"beoordeeld": "1"})
    assert "Terecht." in reviewed.content.decode()
    with pytest.raises(bgsvc.ReviewConflictError):
        bgsvc.break_glass_review(grant=grant, by=privacy_officer, verdict="justified")


def test_review_list_within_a_query_budget(
    generalist, make_household, other_area, privacy_officer, client, django_assert_max_num_queries
):
    for number in range(8):
        household = make_household(
            neighbourhood=other_area["neighbourhood"], postcode="5641AA", house_number=number + 1
        )
        bgsvc.break_glass_open(household=household, by=generalist, reason=REASON)
    client.force_login(privacy_officer)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("privacy:break_glass_reviews"))
    assert response.content.decode().count(REASON) == 8


def log_rows(user, household, count, **fields):
    for _ in range(count):
        access_log_record(
            request_or_user=user,
            action=fields.get("action", AccessAction.VIEW),
            object_type="household",
            household_uuid=household.uuid,
            result=fields.get("result", AccessResult.ALLOWED),
        )


def test_access_log_filters_and_keyset_pages(
    client, generalist, privacy_officer, make_household, settings, django_assert_max_num_queries
):
    settings.ACCESS_LOG_PAGE_SIZE = 5
    household, other = make_household(), make_household()
    log_rows(generalist, household, 7)
    log_rows(generalist, other, 3, result=AccessResult.NOT_FOUND)
    client.force_login(privacy_officer)
    url = reverse("privacy:access_log")
    with django_assert_max_num_queries(6):
        first = client.get(url, {"household": str(household.uuid)})
    content = first.content.decode()
    assert content.count(f'">{household.uuid}</a>') == 5
    assert str(other.uuid) not in content
    next_url = first.context["next_query"].urlencode()
    second = client.get(f"{url}?{next_url}").content.decode()
    assert second.count(f'">{household.uuid}</a>') == 2
    assert first.context["rows"][-1].pk > second.count("x") * 0  # ordered newest first
    not_found = client.get(url, {"result": "not_found"}).content.decode()
    assert not_found.count(f'">{other.uuid}</a>') == 3
    by_user = client.get(url, {"username": "nobody"}).content.decode()
    assert "Geen regels" in by_user


def test_access_log_is_for_the_privacy_officer_only(client, user_with_role):
    for role in (Role.GENERALIST, Role.FUNCTIONAL_ADMIN, Role.POLICY_OFFICER):
        client.force_login(user_with_role(role))
        assert client.get(reverse("privacy:access_log")).status_code == 403
        assert client.get(reverse("privacy:access_log_export")).status_code == 403


def test_csv_export_of_the_filtered_log_is_itself_logged(
    client, generalist, privacy_officer, make_household
):
    household = make_household()
    log_rows(generalist, household, 3)
    access_log_record(
        request_or_user=generalist,
        action=AccessAction.VIEW,
        object_type="household",
        household_uuid=household.uuid,
        reason="=HYPERLINK(1)",
        context=AccessContext.BREAK_GLASS,
    )
    client.force_login(privacy_officer)
    response = client.get(reverse("privacy:access_log_export"), {"household": str(household.uuid)})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["at", "username", "role_names", "action"]
    assert len(rows) == 5
    assert "'=HYPERLINK(1)" in [row[12] for row in rows[1:]]  # no formula in a spreadsheet
    export = AccessLogEntry.objects.get(action=AccessAction.EXPORT)
    assert (export.username, export.object_type, export.result_count) == (
        "privacy",
        "access_log",
        4,
    )


def test_privacy_officer_home_links_to_the_log(client, privacy_officer, generalist, foreign):
    bgsvc.break_glass_open(household=foreign, by=generalist, reason=REASON)
    client.force_login(privacy_officer)
    content = client.get(reverse("home")).content.decode()
    assert reverse("privacy:access_log") in content
    assert "(1)" in content
