"""The per-user access facts (`cases.access_facts`): cached per user under a version kept in
the database, so a change to roles, teams or grants shows on the next request in every web
process, whatever its cache (docs/performance.md). Two "workers" are two separate
local-memory caches here, as two gunicorn workers without Redis have."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import access_facts as facts_module
from cases.access import households_visible_to
from cases.access_facts import access_facts, access_facts_prime
from cases.privacy.models import AccessLogEntry, BreakGlassAccess
from socialdomain.precompiled import prepared_text
from teams.models import AccessVersion, AreaConsultant, ConsultantAbsence
from teams.roles import Role
from tests.factories import TeamMemberFactory, UserFactory


@pytest.fixture
def workers():
    """Run a request "in" worker a or b: each has its own cache, like two processes."""
    caches = {name: LocMemCache(f"access-facts-worker-{name}", {}) for name in ("a", "b")}
    for cache in caches.values():  # a location's storage outlives the instance: start empty
        cache.clear()

    def in_worker(name, call):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(facts_module, "cache", caches[name])
            return call()

    in_worker.caches = caches
    return in_worker


@pytest.fixture
def foreign(make_household, other_area):
    return make_household(neighbourhood=other_area["neighbourhood"], postcode="5641AA")


def _version(user) -> int:
    return AccessVersion.objects.filter(user=user).values_list("version", flat=True).first() or 0


def test_a_role_taken_in_the_admin_shows_on_the_next_request_in_every_worker(
    client, admin_user, consultant, workers
):
    queue = reverse("provisions:application_queue")
    client.force_login(consultant)
    for worker in "ab":  # both workers hold the consultant's facts
        assert workers(worker, lambda: client.get(queue)).status_code == 200
    assert all(len(cache._cache) for cache in workers.caches.values())

    root = client_for(admin_user)
    response = root.post(
        reverse("admin:auth_user_change", args=[consultant.pk]),
        {
            "username": consultant.username,
            "first_name": consultant.first_name,
            "last_name": consultant.last_name,
            "email": consultant.email,
            "is_active": "on",
            "groups": [],  # the consultant's role taken away
            "date_joined_0": "01-01-2026",
            "date_joined_1": "09:00:00",
            "team_memberships-TOTAL_FORMS": "0",
            "team_memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not consultant.groups.exists()

    for worker in "ab":
        assert workers(worker, lambda: client.get(queue)).status_code == 403


def client_for(user):
    from django.test import Client

    other = Client()
    other.force_login(user)
    return other


def test_a_role_given_from_the_groups_side_and_a_team_membership_show_at_once(
    client, user_with_role, make_household, area, workers
):
    household = make_household()
    detail = reverse("cases:household_detail", args=[household.uuid])
    colleague = UserFactory(username="nieuw")
    client.force_login(colleague)
    for worker in "ab":
        assert workers(worker, lambda: client.get(detail)).status_code in (403, 404)

    Group.objects.get(name=Role.GENERALIST).user_set.add(colleague)  # the group's side
    TeamMemberFactory(team=area["team"], user=colleague)
    for worker in "ab":
        assert workers(worker, lambda: client.get(detail)).status_code == 200

    colleague.team_memberships.get().delete()
    for worker in "ab":
        assert workers(worker, lambda: client.get(detail)).status_code == 404


def test_an_expired_break_glass_grant_closes_the_file_on_the_next_request_in_every_worker(
    client, generalist, foreign, workers, monkeypatch
):
    detail = reverse("cases:household_detail", args=[foreign.uuid])
    now = timezone.now()
    BreakGlassAccess.objects.create(
        user=generalist,
        household=foreign,
        household_uuid=foreign.uuid,
        reason="Acute crisis: de kinderen staan op straat en niemand is bereikbaar.",
        opened_at=now,
        expires_at=now + datetime.timedelta(seconds=30),
    )
    client.force_login(generalist)
    for worker in "ab":
        assert workers(worker, lambda: client.get(detail)).status_code == 200
        # never cached past the grant's expiry
        expiries = workers.caches[worker]._expire_info.values()
        assert expiries and max(expiries) <= (now + datetime.timedelta(seconds=31)).timestamp()

    later = now + datetime.timedelta(seconds=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    for worker in "ab":
        assert workers(worker, lambda: client.get(detail)).status_code == 404


def test_the_services_and_the_rows_that_decide_visibility_raise_the_version(
    consultant, second_consultant, generalist, area
):
    before = _version(second_consultant)
    area_consultant = AreaConsultant.objects.filter(user=consultant).first()
    ConsultantAbsence.objects.create(
        consultant=area_consultant,
        substitute=second_consultant,
        start_date=timezone.localdate(),
        end_date=timezone.localdate(),
        substitute_phone="0201234567",
        substitute_email="vervanger@example.org",
    )
    assert _version(second_consultant) > before
    facts = access_facts(second_consultant)
    assert (area["district"].pk, area_consultant.law_domain) in facts.work_area

    before = _version(generalist)
    generalist.groups.clear()
    assert _version(generalist) > before
    assert access_facts(generalist).roles == frozenset()


def test_facts_are_one_query_on_a_miss_and_none_but_the_version_on_a_hit(generalist):
    with CaptureQueriesContext(connection) as miss:
        access_facts(generalist)
    with CaptureQueriesContext(connection) as hit:
        facts = access_facts(generalist)
    assert len(miss) == 2  # the version, then every fact in one statement
    assert len(hit) == 1  # the version
    assert facts.roles == {Role.GENERALIST}
    assert facts.district_ids


def test_a_primed_request_builds_the_visibility_filter_once(generalist, make_household):
    make_household()
    access_facts_prime(generalist)
    first = list(households_visible_to(generalist))
    with CaptureQueriesContext(connection) as queries:
        assert list(households_visible_to(generalist)) == first
    assert len(queries) == 1  # the households only: no roles, districts or grants read


def test_the_access_log_row_is_one_insert(client, generalist, make_household):
    household = make_household()
    client.force_login(generalist)
    client.get(reverse("cases:household_detail", args=[household.uuid]))  # warm
    url = reverse("cases:household_detail", args=[household.uuid])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    inserts = [q["sql"] for q in queries if "cases_accesslogentry" in q["sql"]]
    assert len(inserts) == 1 and inserts[0].startswith("INSERT")
    entry = AccessLogEntry.objects.latest("pk")
    assert (entry.user, entry.household_uuid) == (generalist, household.uuid)


# --- the consultant's queue -----------------------------------------------------------------


def test_the_queue_and_its_count_read_the_applications_without_households(
    client, consultant, make_application, settings
):
    settings.APPLICATION_QUEUE_PAGE_SIZE = 2
    for _ in range(3):  # more than a page: the count is needed
        make_application()
    client.force_login(consultant)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("provisions:application_queue"))
    assert response.status_code == 200
    ran = [prepared_text(q["sql"]) for q in queries]  # the SQL behind an EXECUTE
    counts = [sql for sql in ran if "COUNT(" in sql and "provisionapplication" in sql]
    assert len(counts) == 1
    assert "cases_household" not in counts[0]
    assert "teams_neighbourhood" not in counts[0]
    assert "3 aanvragen" in response.content.decode()


def test_a_queue_whose_first_page_is_not_full_is_not_counted(client, consultant, make_application):
    make_application()
    client.force_login(consultant)
    client.get(reverse("provisions:application_queue"))  # warm the user's facts
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("provisions:application_queue"))
    ran = [prepared_text(q["sql"]) for q in queries]
    assert not [sql for sql in ran if "COUNT(" in sql and "provisionapplication" in sql]
    assert "1 aanvraag" in response.content.decode()


def test_a_move_keeps_the_applications_district(make_application, other_area, generalist):
    from cases.households import services as household_services

    application = make_application()
    household = application.household
    assert application.district_id == household.neighbourhood.district_id
    household_services.applications_district_follow(household=household)
    household.neighbourhood = other_area["neighbourhood"]
    household.save()
    household_services.applications_district_follow(household=household)
    application.refresh_from_db()
    assert application.district_id == other_area["district"].pk


def test_a_request_uses_the_primed_facts_through_the_lazy_user(client, generalist, make_household):
    """`request.user` is Django's lazy wrapper: the facts primed on the user behind it must be
    what need-to-know uses (the fallback outside requests always has a grant subquery)."""
    make_household(postcode="5611AB")
    client.force_login(generalist)
    url = reverse("cases:household_search")
    client.post(url, {"q": "5611AB"})  # warm
    with CaptureQueriesContext(connection) as queries:
        assert client.post(url, {"q": "5611AB"}).status_code == 200
    sql = " ".join(prepared_text(q["sql"]) for q in queries)
    assert "cases_breakglassaccess" not in sql
