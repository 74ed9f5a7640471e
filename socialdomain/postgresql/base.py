"""Django's PostgreSQL backend, with a health check that costs no round trip.

With `CONN_HEALTH_CHECKS` Django checks a kept connection before its first use in each request,
and its PostgreSQL backend does so with a `SELECT 1`: one round trip on every request that
touches the database, which on the GP lookup API is a tenth of the request
(docs/performance.md). Here the check asks the connection and its socket instead. Between
requests an idle connection receives nothing, so a socket with something to read means the
server has said goodbye: a restart, a failover, an idle timeout or `pg_terminate_backend` send
`FATAL` and close it. Such a connection, or one psycopg already knows to be closed or broken,
is not usable and Django opens a new one, as with `SELECT 1`. A harmless message (a parameter
the server reports after a reload) only costs a new connection.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


def _has_input(fileno: int) -> bool:
    """Whether the socket has something to read (or is closed), without waiting."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fileno, select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))
    readable, _, _ = select.select([fileno], [], [], 0)  # Windows: no poll
    return bool(readable)


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.pgconn.status != pq.ConnStatus.OK:
            return False
        if connection.info.transaction_status in (
            pq.TransactionStatus.ACTIVE,
            pq.TransactionStatus.UNKNOWN,
        ):
            return False
        try:
            return not _has_input(connection.fileno())
        except (OSError, ValueError):
            return False
