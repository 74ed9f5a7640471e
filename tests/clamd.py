"""A real ClamAV daemon for the tests of household documents (cases/documents).

One clamd per test process (xdist worker), on a unix socket in a temporary directory, with a
database directory holding only our own signature file: the EICAR test string as a ClamAV
`.ndb` body signature (ClamAV reads custom `.ndb`/`.hdb` databases). No internet, so no
freshclam and no official signatures: Debian's `clamav-daemon` (scripts/services.sh installs
it) starts from this file in about a second.

The EICAR string is put together here from two halves, so that no file in the repository is
itself an EICAR test file that a developer's virus scanner would quarantine.

Use the fixture `clamav` in a test: it points `settings.CLAMD_SOCKET` at the daemon."""

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

EICAR = (
    b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$"
    + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"  # the second half: see the module docstring
)
SIGNATURE_NAME = "Wijkwerk.Test.EICAR"
DETECTED_AS = f"{SIGNATURE_NAME}.UNOFFICIAL"  # clamd's name for a signature of a custom database
CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"


def _ping(path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1)
            sock.connect(path)
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def clamd_socket():
    """Start clamd for this test process; yields the path of its socket. Fails (never skips)
    when clamd is missing: CI must test the real scanner."""
    if not Path(CLAMD).exists():
        pytest.fail("clamd is not installed: run scripts/services.sh (apt: clamav-daemon)")
    # a short path: a unix socket's path has a limit of about 100 bytes
    workdir = Path(tempfile.mkdtemp(prefix="wk-clamd-"))
    database = workdir / "db"
    database.mkdir()
    body = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE".hex()
    (database / "wijkwerk-test.ndb").write_text(f"{SIGNATURE_NAME}:0:*:{body}\n")
    sock = workdir / "clamd.sock"
    config = workdir / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                f"LocalSocket {sock}",
                f"DatabaseDirectory {database}",
                f"TemporaryDirectory {workdir}",
                f"LogFile {workdir / 'clamd.log'}",
                "Foreground yes",
                "SelfCheck 0",
                "StreamMaxLength 50M",
                "",
            ]
        )
    )
    process = subprocess.Popen(  # noqa: S603 - our own fixed arguments
        [CLAMD, "--config-file", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not _ping(str(sock)):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (
                    (workdir / "clamd.log").read_text() if (workdir / "clamd.log").exists() else ""
                )
                pytest.fail(f"clamd did not start:\n{log[-2000:]}")
            time.sleep(0.1)
        yield str(sock)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def clamav(settings, clamd_socket):
    """The real scanner for this test: settings.CLAMD_SOCKET points at the running clamd."""
    settings.CLAMD_SOCKET = clamd_socket
    settings.CLAMD_HOST = ""
    return clamd_socket
