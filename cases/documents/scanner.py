"""A small client for ClamAV's daemon (clamd): the INSTREAM command over its unix socket
(`settings.CLAMD_SOCKET`) or TCP (`settings.CLAMD_HOST`, `settings.CLAMD_PORT`).

INSTREAM (clamd(8)): send `zINSTREAM\\0`, then the data in chunks, each preceded by its length
as a 4-byte big-endian unsigned integer, and a zero-length chunk to end; clamd answers
`stream: OK`, `stream: <name> FOUND` or `... ERROR`, ended by a NUL byte.

`scan(stream)` returns a `ScanResult`: clean, infected (with the signature's name), or
unavailable (no scanner configured, not reachable, or it reported an error). The caller keeps
an unscanned file in quarantine; it never treats "unavailable" as clean."""

import logging
import socket
import struct
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024


@dataclass(frozen=True)
class ScanResult:
    status: str  # "clean", "infected" or "unavailable"
    virus: str = ""
    detail: str = ""

    @property
    def clean(self) -> bool:
        return self.status == "clean"

    @property
    def infected(self) -> bool:
        return self.status == "infected"


UNAVAILABLE = "unavailable"


def configured() -> bool:
    return bool(settings.CLAMD_SOCKET or settings.CLAMD_HOST)


def _connect() -> socket.socket:
    timeout = settings.CLAMD_TIMEOUT
    if settings.CLAMD_SOCKET:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(settings.CLAMD_SOCKET)
        except OSError:
            sock.close()
            raise
        return sock
    return socket.create_connection((settings.CLAMD_HOST, settings.CLAMD_PORT), timeout=timeout)


def _read_reply(sock: socket.socket) -> str:
    reply = b""
    while not reply.endswith(b"\0"):
        part = sock.recv(4096)
        if not part:
            break
        reply += part
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def parse_reply(reply: str) -> ScanResult:
    """`stream: OK`, `stream: Eicar-Signature FOUND`, or an error."""
    _name, _sep, verdict = reply.partition(": ")
    if verdict == "OK":
        return ScanResult("clean")
    if verdict.endswith(" FOUND"):
        return ScanResult("infected", virus=verdict.removesuffix(" FOUND").strip())
    return ScanResult(UNAVAILABLE, detail=reply[:200] or "no answer")


def ping() -> bool:
    """Whether a configured clamd answers PING."""
    if not configured():
        return False
    try:
        with _connect() as sock:
            sock.sendall(b"zPING\0")
            return _read_reply(sock) == "PONG"
    except OSError:
        return False


def scan(stream: BinaryIO) -> ScanResult:
    """Scan the stream from its current position to its end with clamd's INSTREAM."""
    if not configured():
        return ScanResult(UNAVAILABLE, detail="no scanner configured")
    try:
        with _connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            while chunk := stream.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            result = parse_reply(_read_reply(sock))
    except OSError as exc:
        result = ScanResult(UNAVAILABLE, detail=f"{type(exc).__name__}: {exc}"[:200])
    if result.status == UNAVAILABLE:
        logger.warning("virus scanner unavailable: %s", result.detail)
    return result
