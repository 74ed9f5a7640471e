"""Instructions counted by valgrind's callgrind, for the scripts that measure a request's cost
in the app's process (`request_cost.py --instructions`, `profile_requests.py --instructions`):
the script runs again under callgrind with counting off, and turns it on only around the
requests it measures (`counting()`), so the count is the same whatever else the machine does."""

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

from _django import BASE_DIR


def _control(state: str) -> None:
    command = ["callgrind_control", f"--instr={state}", str(os.getpid())]
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603 - our own arguments


@contextlib.contextmanager
def counting():
    """Count the instructions of what runs inside (under `instructions`)."""
    _control("on")
    try:
        yield
    finally:
        _control("off")


def instructions(script: str, arguments: list[str]) -> int:
    """The instructions `scripts/<script>` with `arguments` counted while `counting()`."""
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is missing: apt-get install valgrind")
    with tempfile.TemporaryDirectory() as folder:
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={folder}/callgrind.out",
            sys.executable,
            str(BASE_DIR / "scripts" / script),
            *arguments,
        ]
        done = subprocess.run(command, capture_output=True, text=True)  # noqa: S603 - ours
    collected = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or collected is None:
        raise SystemExit(done.stderr[-2000:])
    return int(collected.group(1))
