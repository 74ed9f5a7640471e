"""docker-compose.yml on paper (no Docker engine in CI): workers can be scaled, web processes
get their state from shared services, and the database runs with the documented settings."""

import re
from pathlib import Path

import yaml
from django.conf import settings

from socialdomain.health import parse_rate

COMPOSE = yaml.safe_load(
    (Path(__file__).resolve().parent.parent / "docker-compose.yml").read_text()
)


def test_workers_scale_with_docker_compose_scale():
    worker = COMPOSE["services"]["worker"]
    # a fixed container name or a published port would make `--scale worker=N` fail
    assert "container_name" not in worker
    assert "ports" not in worker


def test_web_is_stateless_and_sized_by_web_concurrency():
    web = COMPOSE["services"]["web"]
    environment = web["environment"]
    assert environment["REDIS_URL"].startswith("redis://")
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert "DATABASE_REPLICA_URL" in environment
    assert "WEB_CONCURRENCY" in environment
    assert "--workers" not in web["command"]  # gunicorn reads WEB_CONCURRENCY


def test_database_planner_settings():
    command = COMPOSE["services"]["db"]["command"]
    for setting in ("random_page_cost=1.1", "jit=off", "max_parallel_workers_per_gather=0"):
        assert setting in command


def test_the_web_healthcheck_stays_under_the_anonymous_healthz_rate():
    healthcheck = COMPOSE["services"]["web"]["healthcheck"]
    assert "/healthz" in " ".join(healthcheck["test"])
    seconds = int(re.fullmatch(r"(\d+)s", healthcheck["interval"]).group(1))
    limit, period = parse_rate(settings.HEALTHZ_ANONYMOUS_RATE)
    assert period / seconds <= limit / 2  # at most half the rate: room for an operator's checks


def test_documents_are_scanned_by_clamav_and_kept_on_a_private_volume():
    clamav = COMPOSE["services"]["clamav"]
    assert clamav["image"].startswith("clamav/clamav")  # runs freshclam and clamd
    assert "clamav-db" in COMPOSE["volumes"]
    for name in ("web", "worker"):  # the upload and the rescan task
        service = COMPOSE["services"][name]
        assert service["environment"]["CLAMD_HOST"].endswith("clamav}")
        assert "DOCUMENT_ROOT" in service["environment"]
        assert any(v.startswith("documents:") for v in service["volumes"])
    assert "ports" not in clamav  # reached by the app only
