from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from socialdomain import two_factor
from socialdomain.health import healthz, livez
from socialdomain.oidc import OIDCCallbackView, OIDCLoginView
from socialdomain.views import LoginView, favicon, floor, home, session_extend

# The API under one prefix, near the top: a partner's request is resolved without trying
# every page's pattern first (docs/performance.md).
api_patterns = [
    path("", include("teams.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        # the split view serves its init script from a URL: no inline script (CSP)
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("", include("networks.api.urls")),
    path("", include("cases.partners.api.urls")),
]

urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("api/v1/", include(api_patterns)),
    path(
        "accounts/login/",
        LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("oidc/authenticate/", OIDCLoginView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", OIDCCallbackView.as_view(), name="oidc_authentication_callback"),
    path("accounts/tweestaps/", two_factor.two_factor_verify, name="two_factor_verify"),
    path("accounts/tweestaps/instellen/", two_factor.two_factor_setup, name="two_factor_setup"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/sessie/verlengen/", session_extend, name="session_extend"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("huishoudens/", include("cases.urls")),
    path("", include("teams.urls")),
    path("wijkcontact/", include("cases.intake.urls")),
    path("voorzieningen/", include("cases.provisions.urls")),
    path("avg/", include("cases.avg.urls")),
    path("agenda/", include("cases.agenda.urls")),
    path("vrijwilligers/", include("cases.volunteers.urls")),
    path("netwerk/", include("cases.network.urls")),
    path("uitkomsten/", include("outcomes.urls")),
    path("privacy/", include("cases.privacy.urls")),
    path("beheer/", admin.site.urls),
]
if settings.BENCHMARK_FLOOR_PAGE:  # only in the benchmark's server (docs/performance.md)
    urlpatterns.append(path("vloer/", floor, name="floor"))

handler404 = "socialdomain.api.problems.api_aware_page_not_found"
