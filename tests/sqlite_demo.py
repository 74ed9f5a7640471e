"""The SQLite demo in a subprocess, for tests that compare it with PostgreSQL: `manage.py` run
by this interpreter with the demo's settings on a database file of the test's own."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def demo_env(tmp_path, *, keep=(), **extra) -> dict[str, str]:
    """The environment of a demo process: PATH, HOME, LANG and the virtualenv (and `keep`) from
    this one, DEBUG on and a SQLite file in `tmp_path`; `extra` on top."""
    names = {"PATH", "HOME", "LANG", "VIRTUAL_ENV", *keep}
    env = {name: value for name, value in os.environ.items() if name in names}
    return env | {
        "DJANGO_SETTINGS_MODULE": "socialdomain.settings",
        "DEBUG": "true",
        "SECRET_KEY": "x",
        "SQLITE_PATH": str(tmp_path / "demo.sqlite3"),
        **extra,
    }


def manage(*args, env, timeout=180) -> subprocess.CompletedProcess:
    """`manage.py *args` in the demo's environment; the caller checks the return code."""
    return subprocess.run(  # noqa: S603 - fixed argv: this interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
