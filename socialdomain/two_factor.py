"""Optional second factor: a TOTP code from an authenticator app (django-otp).

Whoever has set up an app logs in in two steps: the password (LoginView), then the code
(`two_factor_verify`); only after the code is the user logged in. With TWO_FACTOR_REQUIRED_FOR_STAFF
on, staff (Django staff, superusers and functional administrators) without an app are sent to
`two_factor_setup` after the password and can do nothing else until it is set up.
"""

import base64
import time

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from teams.roles import Role, has_role

PENDING_KEY = "_wijkwerk_2fa_pending"
MUST_ENROLL_KEY = "_wijkwerk_2fa_must_enroll"
PENDING_SECONDS = 5 * 60
MAX_ATTEMPTS = 5
DEVICE_NAME = "wijkwerk"


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": gettext_lazy("The code has 6 digits.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


def is_staff(user) -> bool:
    return user.is_staff or user.is_superuser or has_role(user, Role.FUNCTIONAL_ADMIN)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def start_login(request, user, next_url: str):
    """Called by LoginView once the password is right. Returns the response that continues the
    login, or None when no second step applies (the caller logs the user in)."""
    if confirmed_device(user):
        request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "next": next_url,
            "since": int(time.time()),
            "attempts": 0,
        }
        return redirect("two_factor_verify")
    if settings.TWO_FACTOR_REQUIRED_FOR_STAFF and is_staff(user):
        login(request, user)
        request.session[MUST_ENROLL_KEY] = True
        return redirect("two_factor_setup")
    return None


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["since"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return redirect("login")
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    device = confirmed_device(user) if user else None
    if device is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            verified = device.verify_token(form.cleaned_data["code"].strip())
        if verified:
            del request.session[PENDING_KEY]
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            next_url = pending["next"]
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                next_url = reverse(settings.LOGIN_REDIRECT_URL)
            return redirect(next_url)
        pending["attempts"] += 1
        if pending["attempts"] >= MAX_ATTEMPTS:
            del request.session[PENDING_KEY]
            messages.error(request, _("Too many wrong codes. Log in again."))
            return redirect("login")
        request.session[PENDING_KEY] = pending
        form.add_error("code", _("This code is not right, or it has expired. Try the new code."))
    return render(request, "registration/two_factor_verify.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Set up an authenticator app: scan the QR code, type a code to confirm."""
    active = confirmed_device(request.user)
    if active:
        return render(request, "registration/two_factor_setup.html", {"active": True})
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": DEVICE_NAME}
    )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            request.session.pop(MUST_ENROLL_KEY, None)
            messages.success(request, _("Two-step verification is on."))
            return redirect(settings.LOGIN_REDIRECT_URL)
        form.add_error("code", _("This code is not right, or it has expired. Try the new code."))
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr_data_uri": qr.svg_data_uri(scale=4),
        "secret": " ".join(_groups_of_four(_base32(device.bin_key))),
        "required": bool(request.session.get(MUST_ENROLL_KEY)),
    }
    return render(request, "registration/two_factor_setup.html", context)


def _base32(key: bytes) -> str:
    return base64.b32encode(key).decode().rstrip("=")


def _groups_of_four(text: str) -> list[str]:
    return [text[i : i + 4] for i in range(0, len(text), 4)]


class TwoFactorEnrollmentMiddleware:
    """While staff must still set up their app, every page leads to the setup page. Reads only
    the session flag set at login: no query on ordinary requests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(MUST_ENROLL_KEY):
            allowed = {reverse("two_factor_setup"), reverse("logout"), reverse("set_language")}
            if request.path not in allowed:
                response = redirect("two_factor_setup")
                if request.headers.get("HX-Request") == "true":
                    response.status_code = 204
                    response["HX-Redirect"] = response["Location"]
                return response
        return self.get_response(request)
