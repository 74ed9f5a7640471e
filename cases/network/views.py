"""Screens of network links.

The coordinator's (signed in, under the plan): give a network member a link, revoke one; the
plan page shows the links and what came back through them (`plan_network_section`).

The network member's (no account, `/netwerk/<secret>/`): the one-time code when the link has
one, then only their own actions, each with "done" or "needs help" and a short note. After the
right code a signed cookie, valid only under the link's own path (HttpOnly, SameSite=Strict),
lets this browser back in until the link expires; nothing else in wijkwerk reads it. Every
request is counted per address (429 beyond the limit) and access-logged with the link's id."""

import datetime
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cases import permissions
from cases.access import access_object, household_file
from cases.audit import request_context
from cases.network import selectors, services
from cases.network.forms import CodeForm, NetworkLinkForm, ReportForm
from cases.network.models import NetworkLink
from cases.network.ratelimit import network_request_allowed
from cases.network.selectors import LinkRefused
from cases.plans import selectors as plan_selectors
from cases.privacy.models import AccessAction
from socialdomain.client_ip import client_ip
from socialdomain.forms import apply_validation_error

COOKIE_NAME = "wijkwerk_netwerk"
COOKIE_SALT = "cases.network.cookie"


# --- the coordinator's screens ---------------------------------------------------------------


def _plan(request, plan_uuid):
    return access_object(
        request,
        object_type="plan",
        object_id=plan_uuid,
        fetch=lambda: plan_selectors.plan_for_user(user=request.user, plan_uuid=plan_uuid),
        user_may=permissions.can_work_on_plans,
        may=permissions.can_manage_network_links,
        attempted_action=AccessAction.CHANGE,
    )


def _plan_url(plan, anchor="network-links") -> str:
    return reverse("cases:plan_detail", args=[plan.uuid]) + f"#{anchor}"


def _initial_contact(contact: str) -> dict:
    contact = (contact or "").strip()
    if "@" in contact:
        return {"email": contact}
    return {"phone": contact} if contact else {}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("network_link")
def network_link_create(request, plan_uuid):
    """Give a network member a link to their own actions; the link is shown once, here."""
    plan = _plan(request, plan_uuid)
    members = selectors.members_with_actions(plan=plan)
    initial = {}
    if request.method == "GET" and request.GET.get("lid"):
        member = (
            members.filter(uuid=request.GET["lid"]).first()
            if _is_uuid(request.GET["lid"])
            else None
        )
        if member is not None:
            initial = {"member": member.uuid, **_initial_contact(member.contact)}
    form = NetworkLinkForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            link, url = services.network_link_create(
                plan=plan,
                member=form.cleaned_data["member"],
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                by=request.user,
                url_for=lambda token: request.build_absolute_uri(
                    reverse("network:member_page", args=[token])
                ),
                context=request_context(request),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return render(
                request,
                "cases/network/link_created.html",
                {"plan": plan, "household": plan.household, "link": link, "url": url},
            )
    return render(
        request,
        "cases/network/link_form.html",
        {"plan": plan, "household": plan.household, "form": form},
        status=400 if form.errors else 200,
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@login_required
@require_POST
@household_file("network_link")
def network_link_revoke(request, plan_uuid, link_uuid):
    plan = _plan(request, plan_uuid)
    link = NetworkLink.objects.filter(plan=plan, uuid=link_uuid).first()
    if link is None:
        raise Http404("No link found")
    services.network_link_revoke(link=link, by=request.user, context=request_context(request))
    messages.success(request, _("The link has been revoked: it no longer works."))
    return redirect(_plan_url(plan))


# --- the network member's pages (no account) -------------------------------------------------


def _refused(request, status: int, reason: str):
    return render(request, "cases/network/link_refused.html", {"reason": reason}, status=status)


def _throttled(request):
    if network_request_allowed(client_ip(request)):
        return None
    response = _refused(
        request, 429, _("Too many requests from your address. Wait a minute and try again.")
    )
    response["Retry-After"] = "60"
    return response


def _link_path(link_token: str) -> str:
    return reverse("network:member_page", args=[link_token])


def _cookie_grants(request, link) -> bool:
    """Whether this browser entered the link's code: the signed cookie names this link."""
    value = request.get_signed_cookie(COOKIE_NAME, default=None, salt=COOKIE_SALT)
    return value == str(link.uuid)


def _member_may_see(request, link) -> bool:
    return not link.has_code or _cookie_grants(request, link)


def _member_page(request, token, link, forms=None, status=200):
    actions = list(selectors.link_actions(link=link))
    selectors.network_link_read_logged(link=link, action_count=len(actions))
    forms = forms or {}
    for action in actions:
        action.report_form = forms.get(action.pk) or ReportForm(prefix=str(action.uuid))
        action.latest_report = action.link_reports[0] if action.link_reports else None
    return render(
        request,
        "cases/network/member_page.html",
        {"link": link, "actions": actions, "token": token},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def member_page(request, token):
    """The network member's page: the code first (when the link has one), then their actions."""
    if (throttled := _throttled(request)) is not None:
        return throttled
    action = AccessAction.CHANGE if request.method == "POST" else AccessAction.VIEW
    try:
        link = selectors.access_network_link(request, token, action=action)
    except LinkRefused as exc:
        return _refused(request, exc.status, exc.reason)
    if _member_may_see(request, link):
        return _member_page(request, token, link)
    if request.method == "POST" and "resend" in request.POST:
        return _code_resend(request, token, link)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = services.network_link_code_verify(
            link=link, code=form.cleaned_data["code"], context=link.request_context
        )
        if result == services.CodeResult.RIGHT:
            response = redirect(_link_path(token))
            response.set_signed_cookie(
                COOKIE_NAME,
                str(link.uuid),
                salt=COOKIE_SALT,
                path=_link_path(token),
                expires=timezone.make_aware(
                    datetime.datetime.combine(link.expires_on, datetime.time.max)
                ),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Strict",
            )
            return response
        if result == services.CodeResult.LOCKED:
            return _refused(
                request, 429, _("Too many wrong codes were entered: this link is locked.")
            )
        if result == services.CodeResult.USED:
            form.add_error(
                None,
                _("This code has already been used. Ask the coordinator for a new link."),
            )
        else:
            left = settings.NETWORK_LINK_CODE_ATTEMPTS - link.code_attempts - 1
            form.add_error(
                "code",
                _("This code is not right. You can try %(count)d more times.") % {"count": left},
            )
    else:
        selectors.network_link_refusal_logged(link=link, reason=_("Code not entered yet"))
    return render(
        request,
        "cases/network/code_form.html",
        {"form": form, "token": token},
        status=400 if form.errors else 200,
    )


def _code_resend(request, token, link):
    """A new code to the link's own contact details, within the day's limit."""
    if services.network_link_code_resend(link=link, context=link.request_context):
        messages.success(request, _("A new code is on its way."))
    else:
        messages.error(
            request,
            _("No new code can be sent now. Try again tomorrow or ask the coordinator."),
        )
        selectors.network_link_refusal_logged(link=link, reason=_("No new code sent"))
    return redirect(_link_path(token))


@never_cache
@require_POST
def action_report(request, token, action_uuid):
    """The member marks one of their own actions done or "needs help", with a short note."""
    if (throttled := _throttled(request)) is not None:
        return throttled
    try:
        link = selectors.access_network_link(request, token, action=AccessAction.CHANGE)
    except LinkRefused as exc:
        return _refused(request, exc.status, exc.reason)
    if not _member_may_see(request, link):
        selectors.network_link_refusal_logged(link=link, reason=_("Code not entered yet"))
        return redirect(_link_path(token))
    plan_action = selectors.link_action(link=link, action_uuid=action_uuid)
    if plan_action is None:
        selectors.network_link_refusal_logged(link=link, reason=_("Not one of the link's actions"))
        return _refused(request, 404, _("This action is not on your list."))
    form = ReportForm(request.POST, prefix=str(plan_action.uuid))
    if form.is_valid():
        try:
            services.network_action_report(
                link=link,
                action=plan_action,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                context=link.request_context,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Thank you, the coordinator can see it now."))
            return redirect(_link_path(token) + f"#action-{plan_action.uuid}")
    return _member_page(request, token, link, forms={plan_action.pk: form}, status=400)
