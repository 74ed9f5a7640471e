from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe

from cases import permissions as case_permissions
from cases.deadlines.selectors import unread_reminders_for
from cases.privacy.selectors import break_glass_pending_count
from cases.provisions.selectors import notifications_for
from socialdomain import two_factor
from socialdomain.forms import LoginForm
from socialdomain.landing import landing_url
from socialdomain.middleware import SessionIdleTimeoutMiddleware
from teams.selectors import teams_of_user

FAVICON = settings.BASE_DIR / "static" / "wijkwerk" / "img" / "favicon.ico"


@login_required
def home(request):
    """The start page: what this person's roles need first."""
    context = {
        "teams": teams_of_user(user=request.user),
        "notifications": notifications_for(user=request.user),
        "clock_reminders": unread_reminders_for(user=request.user),
    }
    if case_permissions.can_review_access(request.user):
        context["break_glass_pending"] = break_glass_pending_count()
    return render(request, "home.html", context)


@login_required
def floor(request):
    """The benchmark's floor page (`BENCHMARK_FLOOR_PAGE`, docs/performance.md): signed in,
    only the base template. What every signed-in page costs at least; the pages' targets are
    multiples of it."""
    return render(request, "base.html")


@require_POST
def session_extend(request):
    """ "Stay signed in": renew the session now and say how long it lives. A session that has
    already ended answers 401 (not a redirect to the login page), so the page can say so."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    SessionIdleTimeoutMiddleware.renew(request.session)
    return JsonResponse({"signed_in": True, "seconds_left": settings.SESSION_COOKIE_AGE})


def locked_out(request, original_response=None, credentials=None):
    """Answer to a login attempt while django-axes has locked the username at this address."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    """/favicon.ico, for browsers and tools that ask for it at the root (pages link the SVG)."""
    return HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")


class LoginView(auth_views.LoginView):
    """Django's login page, with the OpenID Connect button when that login is enabled. Users
    with an authenticator app continue to the code step before they are logged in."""

    authentication_form = LoginForm

    def form_valid(self, form):
        self.login_user = form.get_user()
        response = two_factor.start_login(self.request, self.login_user, self.get_success_url())
        return response or super().form_valid(form)

    def get_default_redirect_url(self):
        user = getattr(self, "login_user", None)
        return landing_url(user) if user else super().get_default_redirect_url()

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "oidc_enabled": settings.OIDC_ENABLED,
            "oidc_failed": self.request.GET.get("oidc") == "failed",
        }
