"""Faults degrade, never crash: a database that dropped its connections, and Redis (cache,
broker, result backend) going away while the app runs.

Redis here is a private `redis-server` each test starts on a free port and stops; the shared
one (6379) is never touched."""

import importlib
import logging
import shutil
import socket
import subprocess
import time
from unittest import mock

import psycopg
import pytest
import redis
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from networks.api.views import MeView
from outcomes.models import JobStatus, SummaryRun
from socialdomain import cache as fail_open
from socialdomain.celery import app as celery_app
from socialdomain.tasks import dispatch, ping
from teams.roles import Role
from tests.factories import UserFactory

PASSWORD = "wijkwerk-test"
REDIS_SERVER = shutil.which("redis-server")


# --- a private Redis ----------------------------------------------------------------------------


class PrivateRedis:
    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv, a port of our own
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.05)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis():
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (scripts/services.sh installs it)")
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def on_private_redis(private_redis, settings):
    """Cache, broker and result backend on the private Redis, as in production (REDIS_URL)."""
    settings.REDIS_URL = private_redis.url
    settings.CACHES = {
        "default": {
            "BACKEND": "socialdomain.cache.FailOpenRedisCache",
            "LOCATION": private_redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    # the Celery app keeps its connection pools and result backend once made: set them aside
    conf, amqp = celery_app.conf, celery_app.amqp
    saved = (conf.broker_url, conf.result_backend, conf.task_always_eager)
    saved_pools = (celery_app._pool, amqp._producer_pool)
    saved_backends = (celery_app._backend_cache, getattr(celery_app._local, "backend", None))
    conf.broker_url = conf.result_backend = private_redis.url
    conf.task_always_eager = False
    celery_app._pool = amqp._producer_pool = None
    celery_app._backend_cache = celery_app._local.backend = None
    fail_open._down_until.clear()
    yield private_redis
    if amqp._producer_pool is not None:
        amqp._producer_pool.force_close_all()
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    conf.broker_url, conf.result_backend, conf.task_always_eager = saved
    celery_app._pool, amqp._producer_pool = saved_pools
    celery_app._backend_cache, celery_app._local.backend = saved_backends
    fail_open._down_until.clear()


# --- the cache fails open ---------------------------------------------------------------------


def test_the_cache_fails_open_when_redis_stops(on_private_redis, caplog):
    cache.set("k", "v")
    assert cache.get("k") == "v"
    on_private_redis.stop()
    with caplog.at_level(logging.WARNING, logger="wijkwerk.cache"):
        assert cache.get("k") is None
        assert cache.get("k", "default") == "default"
        assert cache.set("k", "w") is None
        assert cache.add("k", "w") is False
        assert cache.get_many(["k"]) == {}
        assert cache.get_or_set("generation", 7) == 7
        with pytest.raises(ValueError):
            cache.incr("counter")
        assert cache.delete("k") is False
    # one line for the outage, not one per call
    warnings = [r for r in caplog.records if r.name == "wijkwerk.cache"]
    assert len(warnings) == 1
    assert "failing open" in warnings[0].getMessage()


def test_a_cache_that_does_not_answer_is_skipped_for_a_few_seconds(on_private_redis):
    on_private_redis.stop()
    cache.get("k")  # fails: marks the cache down
    with mock.patch("django.core.cache.backends.redis.RedisCacheClient.get") as client_get:
        for _ in range(20):
            assert cache.get("k") is None
    client_get.assert_not_called()


# --- Redis down: login, pages and the API keep working ----------------------------------------


def test_login_pages_and_the_api_work_with_redis_down(
    on_private_redis, settings, generalist, make_household, provider, api_as, caplog
):
    # sessions in the database alone (Django's `db` engine, one read compiled once), not cached
    assert settings.SESSION_ENGINE == "socialdomain.sessions"
    engine = importlib.import_module(settings.SESSION_ENGINE).SessionStore
    assert engine.__mro__[1] is DatabaseSessionStore
    household = make_household()
    generalist.set_password(PASSWORD)
    generalist.save()
    api = api_as(provider)
    # everything works while Redis runs ...
    assert Client().post(
        reverse("login"), {"username": "generalist", "password": PASSWORD}
    ).status_code == 302  # fmt: skip
    on_private_redis.stop()
    # ... and after it stopped: a new login, the start page, a household file, the API
    browser = Client()
    response = browser.post(reverse("login"), {"username": "generalist", "password": PASSWORD})
    assert response.status_code == 302
    assert browser.get(reverse("home")).status_code == 200
    page = browser.get(reverse("cases:household_detail", args=[household.uuid]))
    assert page.status_code == 200
    assert household.street in page.content.decode()
    assert browser.post(reverse("cases:household_search"), {"q": "5611"}).status_code == 200
    me = api.get("/api/v1/me/")
    assert me.status_code == 200  # the throttle's counter is in Redis: it fails open
    assert any("failing open" in r.getMessage() for r in caplog.records)


def test_a_task_dispatched_with_the_broker_down_is_logged_not_a_500(
    on_private_redis, user_with_role, django_capture_on_commit_callbacks, caplog
):
    policy_officer = user_with_role(Role.POLICY_OFFICER)
    browser = Client()
    browser.force_login(policy_officer)
    on_private_redis.stop()
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(reverse("outcomes:recompute"))
    assert response.status_code == 302
    assert SummaryRun.objects.get().status == JobStatus.QUEUED  # the hourly run catches up
    dispatch_logs = [r for r in caplog.records if r.name == "wijkwerk.tasks"]
    assert dispatch_logs and "not dispatched" in dispatch_logs[0].getMessage()
    assert dispatch_logs[0].task == "outcomes.summaries_recompute"


def test_dispatch_goes_to_the_broker_when_it_is_up(on_private_redis):
    result = dispatch(ping)
    assert result is not None and result.id
    queued = redis.Redis.from_url(on_private_redis.url).llen("celery")
    assert queued == 1  # waiting for a worker


def test_dispatch_without_a_broker_runs_in_process(settings):
    assert celery_app.conf.task_always_eager
    assert dispatch(ping).get() == "pong"


# --- where Redis is truly needed: 503 with Retry-After, not 500 -------------------------------


def test_a_redis_failure_in_the_api_is_a_503_problem(api_as, provider):
    api = api_as(provider)
    with mock.patch.object(MeView, "get", side_effect=redis.ConnectionError("down")):
        response = api.get("/api/v1/me/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "30"
    problem = response.json()
    assert problem["status"] == 503
    assert problem["title"] == "Dienst niet beschikbaar"


def test_a_redis_failure_on_a_page_is_a_503_page(client, generalist):
    from kombu.exceptions import OperationalError

    client.force_login(generalist)
    with mock.patch("socialdomain.views.teams_of_user", side_effect=OperationalError("down")):
        response = client.get(reverse("home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Tijdelijk niet beschikbaar" in response.content.decode()


# --- the database drops its connections -------------------------------------------------------


def _terminate_other_backends() -> int:
    """From a connection of its own, kill every other backend of the test database, as a
    database restart or failover does, and wait until they are gone."""
    params = connection.settings_dict
    with psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"],
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        autocommit=True,
    ) as admin:
        others = "datname = current_database() AND pid <> pg_backend_pid()"
        killed = admin.execute(
            f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE {others}"  # noqa: S608
        ).fetchone()[0]
        deadline = time.monotonic() + 10
        while admin.execute(f"SELECT count(*) FROM pg_stat_activity WHERE {others}").fetchone()[0]:  # noqa: S608
            assert time.monotonic() < deadline, "backends did not go away"
            time.sleep(0.05)
    return killed


def _serve(handler, path: str, cookie: str) -> int:
    """One request through the production WSGI handler (which, unlike the test client, runs
    Django's per-request connection housekeeping), with the given session cookie."""
    environ = RequestFactory().get(path).environ
    environ["HTTP_COOKIE"] = cookie
    status = []
    response = handler(environ, lambda line, headers, exc_info=None: status.append(line))
    b"".join(response)
    response.close()  # request_finished, as a WSGI server sends it
    return int(status[0].split()[0])


@pytest.mark.django_db(transaction=True)
def test_the_next_page_after_the_database_killed_its_connections_answers_200(settings, caplog):
    user = UserFactory(username="anna")
    browser = Client()
    browser.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    handler = WSGIHandler()
    database = connection.settings_dict
    assert database["CONN_MAX_AGE"] > 0  # connections are kept between requests
    try:
        # without health checks (as before): the request after the kill fails on the dead one
        database["CONN_HEALTH_CHECKS"] = False
        connection.close()
        assert _serve(handler, "/", cookie) == 200
        assert _terminate_other_backends() >= 1
        with caplog.at_level(logging.CRITICAL, logger="django.request"):
            assert _serve(handler, "/", cookie) == 500
        # with CONN_HEALTH_CHECKS (the setting): the dead connection is replaced unnoticed
        database["CONN_HEALTH_CHECKS"] = True
        connection.close()
        assert _serve(handler, "/", cookie) == 200
        first = connection.connection.info.backend_pid
        assert _terminate_other_backends() >= 1
        assert _serve(handler, "/", cookie) == 200
        assert connection.connection.info.backend_pid != first
        assert _serve(handler, reverse("healthz"), cookie) == 200
    finally:
        database["CONN_HEALTH_CHECKS"] = settings.CONN_HEALTH_CHECKS


@pytest.mark.django_db(transaction=True)
def test_the_health_check_asks_the_socket_and_sends_no_statement(monkeypatch):
    """The check before a request's first query costs no round trip (socialdomain.postgresql):
    a live idle connection is usable without a statement, one the database terminated is not."""
    connection.ensure_connection()
    live = connection.connection

    def no_statement(*args, **kwargs):
        raise AssertionError("the health check sent a statement")

    monkeypatch.setattr(live, "execute", no_statement)
    monkeypatch.setattr(live, "cursor", no_statement)
    assert connection.is_usable()
    monkeypatch.undo()

    assert _terminate_other_backends() >= 1
    deadline = time.monotonic() + 5
    while connection.is_usable():  # the server's goodbye reaches the socket
        assert time.monotonic() < deadline, "a terminated connection still looks usable"
        time.sleep(0.01)
    connection.close()
    connection.ensure_connection()
    assert connection.is_usable()


def test_the_api_throttle_counts_in_redis_in_one_round_trip_and_fails_open(
    on_private_redis, settings, provider, api_as
):
    """On Redis the throttle is one counter per client whose window starts with its first
    request (INCR, EXPIRE NX and TTL in one Lua script; once the process keeps the client, the
    same script reads the client's generation along): the fourth request of three a minute is
    refused with the window's seconds left; with Redis gone it lets requests through."""
    settings.API_THROTTLE_RATE = "3/minute"
    api = api_as(provider)
    sent = []  # per request, the commands sent to Redis: one round trip each
    real_command, real_pipeline = redis.client.Redis.execute_command, redis.client.Pipeline.execute

    def command(client, *args, **kwargs):
        sent[-1].append(str(args[0]))
        return real_command(client, *args, **kwargs)

    def pipeline(pipe, *args, **kwargs):
        sent[-1].append(f"pipeline of {len(pipe.command_stack)}")
        return real_pipeline(pipe, *args, **kwargs)

    statuses = []
    with (
        mock.patch.object(redis.client.Redis, "execute_command", command),
        mock.patch.object(redis.client.Pipeline, "execute", pipeline),
    ):
        for _ in range(4):
            sent.append([])
            statuses.append(api.get("/api/v1/me/").status_code)
    assert statuses == [200, 200, 200, 429]
    # the process's first request reads the generation and keeps the client, then counts; a
    # new Redis answers the script's first EVALSHA with NOSCRIPT and redis-py loads it once
    assert sent[0][-1] == "EVALSHA" and "GET" in sent[0]
    assert sent[1:] == [["EVALSHA"]] * 3  # then one round trip a request
    refused = api.get("/api/v1/me/")
    assert 0 < int(refused["Retry-After"]) <= 60
    on_private_redis.stop()
    assert api.get("/api/v1/me/").status_code == 200
