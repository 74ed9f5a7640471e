"""Optional login through the municipality's OpenID Connect provider (mozilla-django-oidc).

Off unless OIDC_ENABLED is set. Accounts are not created on the fly: the functional
administrator creates them and assigns roles; the provider only proves who someone is. A login
is matched on the username claim (OIDC_USERNAME_CLAIM, e.g. preferred_username), exactly.
"""

from django.conf import settings
from django.http import Http404
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from socialdomain.landing import landing_url


class OIDCBackend(OIDCAuthenticationBackend):
    def _username(self, claims) -> str:
        return str(claims.get(settings.OIDC_USERNAME_CLAIM) or "").strip()

    def verify_claims(self, claims) -> bool:
        return bool(self._username(claims))

    def describe_user_by_claims(self, claims) -> str:
        return "the username claim"  # no personal data in the log

    def filter_users_by_claims(self, claims):
        username = self._username(claims)
        if not username:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(username=username, is_active=True)

    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED:
            return None
        return super().authenticate(request, **kwargs)


class _OnlyWhenEnabled:
    def dispatch(self, request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404("OpenID Connect login is not enabled")
        return super().dispatch(request, *args, **kwargs)


class OIDCLoginView(_OnlyWhenEnabled, OIDCAuthenticationRequestView):
    """Redirects to the provider's login page."""


class OIDCCallbackView(_OnlyWhenEnabled, OIDCAuthenticationCallbackView):
    """The provider sends the user back here with a code; a match logs them in."""

    @property
    def success_url(self):
        next_url = self.request.session.get("oidc_login_next")
        user = getattr(self, "user", None)
        return next_url or (landing_url(user) if user else super().success_url)
