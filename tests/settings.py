"""Settings for the test suite: the real ones, with test defaults for the environment."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "insecure-test-only-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wijkwerk")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from socialdomain.settings import *  # noqa: F403

# Fast password hashing: the tests create many users; production keeps the default hashers.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run over plain HTTP (live server); production keeps secure cookies.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in-process unless a test starts a real worker (see tests/test_health.py); the
# broker and result backend are the real Redis all the same.
# (a worker process started by a test sets TEST_CELERY_EAGER=false).
CELERY_TASK_ALWAYS_EAGER = os.environ.get("TEST_CELERY_EAGER", "true") == "true"
# Each test process keeps its own cache, so tests cannot see each other's entries.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A worker process a test starts shares that test's cache in Redis, under the test's own prefix
# (tests/test_health.py).
if os.environ.get("TEST_CACHE_KEY_PREFIX"):
    CACHES = {
        "default": {
            "BACKEND": "socialdomain.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,  # noqa: F405
            "KEY_PREFIX": os.environ["TEST_CACHE_KEY_PREFIX"],
        }
    }
# Count the requests being answered, so browser tests end only once the live server is idle
# (tests/inflight.py).
MIDDLEWARE = ["tests.inflight.InflightRequestsMiddleware", *MIDDLEWARE]  # noqa: F405
# Household documents go to a directory of this test process's own (cases/documents); the virus
# scanner is off unless a test starts the real clamd (tests/clamd.py, fixture `clamav`).
_DOCUMENT_DIR = tempfile.mkdtemp(prefix="wijkwerk-documents-")
atexit.register(shutil.rmtree, _DOCUMENT_DIR, ignore_errors=True)
STORAGES["documents"] = {  # noqa: F405
    "BACKEND": "cases.documents.storage.PrivateFileSystemStorage",
    "OPTIONS": {"location": _DOCUMENT_DIR, "base_url": None},
}
CLAMD_SOCKET = ""
CLAMD_HOST = ""
SMS_BACKEND = "cases.network.sms.LocmemSmsBackend"
