"""The read replica router: only reads inside `replica_reads()` go to the replica, only when one
is configured; writes and migrations never."""

import pytest
from django.test import override_settings
from django.urls import reverse

from cases.households.models import Household
from cases.provisions import selectors as provision_selectors
from socialdomain import db_router
from teams.roles import Role

router = db_router.ReplicaRouter()


def _with_replica(settings_dict):
    # a second alias pointing at the same server: enough to test the routing
    return {**settings_dict, "replica": dict(settings_dict["default"])}


def test_reads_go_to_the_replica_only_inside_replica_reads(settings):
    with override_settings(DATABASES=_with_replica(settings.DATABASES)):
        assert router.db_for_read(Household) is None
        with db_router.replica_reads():
            assert router.db_for_read(Household) == "replica"
            assert router.db_for_write(Household) == "default"
        assert router.db_for_read(Household) is None


def test_without_a_replica_everything_stays_on_default():
    with db_router.replica_reads():
        assert router.db_for_read(Household) is None
        assert db_router.reading_from_replica()
    assert not db_router.reading_from_replica()


def test_the_replica_is_never_migrated():
    assert router.allow_migrate("default", "cases")
    assert not router.allow_migrate("replica", "cases")


def test_the_replica_url_adds_the_alias(monkeypatch):
    import importlib

    from socialdomain import settings as project_settings

    monkeypatch.setenv("DATABASE_URL", "postgres://u@db:5432/wijkwerk")
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://u@replica:5432/wijkwerk")
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    try:
        reloaded = importlib.reload(project_settings)
        assert reloaded.DATABASES["replica"]["HOST"] == "replica"
        assert reloaded.DATABASES["default"]["HOST"] == "db"
        assert "socialdomain.db_router.ReplicaRouter" in reloaded.DATABASE_ROUTERS
    finally:
        monkeypatch.delenv("DATABASE_REPLICA_URL")
        importlib.reload(project_settings)


@pytest.mark.django_db
def test_the_budget_page_reads_from_the_replica(client, user_with_role, monkeypatch):
    seen = []
    original = provision_selectors.budget_overview

    def spy(**kwargs):
        seen.append(db_router.reading_from_replica())
        return original(**kwargs)

    monkeypatch.setattr(provision_selectors, "budget_overview", spy)
    client.force_login(user_with_role(Role.POLICY_OFFICER))
    assert client.get(reverse("provisions:budget_overview")).status_code == 200
    assert seen == [True]
    assert not db_router.reading_from_replica()
