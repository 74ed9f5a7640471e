"""A real Celery worker for end-to-end tests: a subprocess of this interpreter on the real Redis
broker, reading a queue of the test's own (so no other test run's worker picks its tasks up),
sharing the test's cache in Redis under the test's own prefix and, when asked, the test's
database (for a test marked `transactional_db`, whose rows the worker must see). The fixture
`shared_cache_and_own_queue` (tests/conftest.py) gives the queue and the prefix."""

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def current_database_url() -> str:
    """The database this test runs on (pytest-django's test database), as a DATABASE_URL."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(queue: str, cache_prefix: str, *, database: bool = False) -> subprocess.Popen:
    """Start a worker on `queue`; with `database` it uses the test's database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "TEST_CELERY_EAGER": "false",
        "TEST_CACHE_KEY_PREFIX": cache_prefix,
    }
    if database:
        env["DATABASE_URL"] = current_database_url()
        env["DATABASE_CONN_MAX_AGE"] = "0"
    return subprocess.Popen(  # noqa: S603 - fixed argv: this interpreter running celery
        [sys.executable, "-m", "celery", "-A", "socialdomain", "worker", "--pool=solo",
         "--concurrency=1", "-Q", queue, "--loglevel=WARNING", "--without-heartbeat",
         "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
