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

And with timestamps read by psycopg's own loader: Django registers a loader of its own for
`timestamptz`, written in Python, which parses each value and then sets the connection's time
zone on it; psycopg's (in C, with psycopg[binary]) reads the offset PostgreSQL sends, which is
UTC on a Django connection (`USE_TZ`, no `TIME_ZONE` of the database's own): the same values,
about twelve times faster (a page of 50 allocations reads 100). In any other zone, and for a
named (server-side) cursor, Django's loader and checks are used as before.
"""

import datetime
import select

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg import adapters, pq
from psycopg.postgres import types

_TIMESTAMPTZ = types["timestamptz"].oid
# psycopg's own (C) loader, as psycopg registers it before Django's replaces it
_NATIVE_TZ_LOADER = adapters.get_loader(_TIMESTAMPTZ, pq.Format.TEXT)


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

    def create_cursor(self, name=None):
        connection_adapters = self.connection.adapters
        loader = connection_adapters.get_loader(_TIMESTAMPTZ, pq.Format.TEXT)
        # the connection's zone: None without USE_TZ, UTC unless the database names its own
        if not name and self.timezone is datetime.UTC:
            if loader is not _NATIVE_TZ_LOADER:
                connection_adapters.register_loader(_TIMESTAMPTZ, _NATIVE_TZ_LOADER)
            return self.connection.cursor()
        if loader is _NATIVE_TZ_LOADER:  # Django's create_cursor reads its loader's zone
            register_tzloader(self.timezone, self.connection)
        return super().create_cursor(name)
