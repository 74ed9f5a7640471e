"""The session engine (`settings.SESSION_ENGINE`): Django's database sessions, with the one
read every signed-in request makes (the session by its key, if not expired) compiled once per
process and prepared once per connection (`socialdomain.precompiled`) instead of built by the
ORM on every request. Everything else, writes included, is Django's `db` engine: a session is
in the database alone, so a logout or an expiry ends it in every worker at once."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db.models import DateTimeField
from django.utils import timezone

from socialdomain.precompiled import precompiled_objects


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        """The session row of this key that has not expired, or None (the key then dropped,
        as Django's engine does)."""
        found = precompiled_objects(
            key=("session by key",),
            build=lambda bind: self.model.objects.filter(
                session_key=bind("key"), expire_date__gt=bind("now", DateTimeField())
            ),
            values={"key": self.session_key, "now": timezone.now()},
        )
        if not found:
            self._session_key = None
            return None
        return found[0]
