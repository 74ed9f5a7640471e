"""Read-only dashboard and export queries to a PostgreSQL replica (`DATABASE_REPLICA_URL`).

Only code that runs inside `replica_reads()` (or a view decorated with `@read_from_replica`)
reads from the replica; everything else, and every write, uses `default`. A replica lags a
little behind the primary: fine for aggregates and exports, wrong for a screen that shows what
was just saved, so the choice is per view and explicit. Without `DATABASE_REPLICA_URL` there is
no `replica` alias and the router sends nothing anywhere (Django's default).
"""

import contextvars
import functools
from contextlib import contextmanager

from django.conf import settings

REPLICA = "replica"
_reading_from_replica = contextvars.ContextVar("reading_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reading_from_replica() -> bool:
    """True inside `replica_reads()`, whether or not a replica is configured."""
    return _reading_from_replica.get()


@contextmanager
def replica_reads():
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def read_from_replica(view):
    """Run a read-only view's queries on the replica, when one is configured."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading_from_replica.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # the replica is a copy of default: objects from either may be related
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # the replica follows the primary; never migrate it directly
        return db != REPLICA
