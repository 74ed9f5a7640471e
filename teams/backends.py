"""The authentication backend for usernames and passwords (`settings.AUTHENTICATION_BACKENDS`).

Django's `ModelBackend`, with one difference: loading the signed-in user of a request also
reads their access version (`teams.models.AccessVersion`) in the same query, so the request's
access facts (`cases.access_facts`) need no query of their own to find their cache entry. The
version is used once, by the first facts read of the request (`teams.selectors.
access_version_for`); any later read asks the database again. The query is compiled once per
process (`socialdomain.precompiled`): every signed-in request runs it."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import F

from socialdomain.precompiled import precompiled_objects

# the version read along with the user; popped by its first use
ACCESS_VERSION_READ = "_wijkwerk_access_version_read"


class AccessVersionModelBackend(ModelBackend):
    def get_user(self, user_id):
        """The active user with this primary key, their access version read along (a left
        join: a user without a version row reads None, which is version 0); None when there
        is no such user or they may not sign in."""
        found = precompiled_objects(
            key=("signed-in user",),
            build=lambda bind: (
                get_user_model()
                ._default_manager.annotate(**{ACCESS_VERSION_READ: F("access_version__version")})
                .filter(pk=bind("pk"))
            ),
            values={"pk": user_id},
        )
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None
