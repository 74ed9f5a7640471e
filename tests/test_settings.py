"""Settings behave as documented: run as separate processes with a controlled environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-check-0123456789abcdef",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/wijkwerk",
    "ALLOWED_HOSTS": "wijkwerk.example.nl",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def run_manage(*args, env):
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}}
    base["DJANGO_SETTINGS_MODULE"] = "socialdomain.settings"
    return subprocess.run(  # noqa: S603 - fixed argv: this interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", env={"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_check_deploy_is_clean_with_the_documented_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_development_runs_on_sqlite_without_database_url(tmp_path):
    result = run_manage(
        "migrate",
        "--noinput",
        env={"DEBUG": "true", "SQLITE_PATH": str(tmp_path / "dev.sqlite3")},
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "dev.sqlite3").exists()
