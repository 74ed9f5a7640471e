"""Writes for network links: create (the coordinator), revoke, check the one-time code, and a
network member's report on one of their actions. Each write records its access-log row in its
transaction; the messages to the member go out after the commit."""

import hmac
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from cases import permissions
from cases.audit import RequestContext, audit_change
from cases.intake.models import InformalNetworkMember
from cases.network import sms
from cases.network.models import NOTE_MAX_LENGTH, NetworkActionReport, NetworkLink, ReportStatus
from cases.network.selectors import network_link_expiry_default, token_hash
from cases.plans.models import ActionOwnerKind, PlanAction, SupportPlan

CODE_SALT = "cases.network.code"


def code_hash(link: NetworkLink, code: str) -> str:
    """The stored form of a one-time code: an HMAC with the site's secret key and the link's
    id, so a copy of the database alone does not give the codes away."""
    return salted_hmac(CODE_SALT, f"{link.uuid}:{code}").hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _send_messages(*, link: NetworkLink, url: str, code: str, expires_on) -> None:
    """After the commit: the link and the code each in a message of their own. With a phone
    number the code goes by SMS (and the link by e-mail when there is an address); with only an
    e-mail address both go by e-mail, separately. Without contact details nothing is sent: the
    coordinator hands the link over."""
    day = expires_on.strftime("%d-%m-%Y")
    link_text = _(
        "You can tick off your actions in the support plan here, until %(day)s: %(url)s"
    ) % {"day": day, "url": url}
    subject = _("Your actions in the support plan")
    if link.email:
        send_mail(subject, link_text, None, [link.email])
    elif link.phone:
        sms.send_sms(to=link.phone, text=link_text)
    if code:
        _send_code(link=link, code=code)


def _send_code(*, link: NetworkLink, code: str) -> None:
    """The code alone: by SMS when there is a phone number, else by e-mail."""
    code_text = _("Your code for wijkwerk: %(code)s. Never share this code.") % {"code": code}
    if link.phone:
        sms.send_sms(to=link.phone, text=code_text)
    else:
        send_mail(_("Your code for wijkwerk"), code_text, None, [link.email])


@transaction.atomic
def network_link_create(
    *,
    plan: SupportPlan,
    member: InformalNetworkMember,
    by,
    email: str = "",
    phone: str = "",
    url_for: Callable[[str], str],
    context: RequestContext | None = None,
) -> tuple[NetworkLink, str]:
    """Give a network member a link to their own actions of the plan (the coordinator only).
    With an e-mail address or phone number the member also gets a 6-digit one-time code (a
    second factor) and the link works `NETWORK_LINK_DAYS` days; without one, the link alone is
    the key and it works `NETWORK_LINK_DAYS_WITHOUT_CODE` days. Returns the link and its URL
    (`url_for(secret)`), which is shown only now: the secret is stored as a hash."""
    plan = SupportPlan.objects.select_for_update().select_related("household").get(pk=plan.pk)
    if not permissions.can_manage_network_links(by, plan):
        raise PermissionDenied(_("Only the coordinator of an open plan may give out links."))
    if member.household_id != plan.household_id:
        raise ValidationError({"member": _("This person is not in the household's network.")})
    if not PlanAction.objects.filter(
        plan=plan, owner_kind=ActionOwnerKind.NETWORK, owner_network_member=member
    ).exists():
        raise ValidationError({"member": _("This person has no actions in the plan.")})
    email, phone = (email or "").strip(), (phone or "").strip()
    with_code = bool(email or phone)
    token = secrets.token_urlsafe(32)
    link = NetworkLink(
        plan=plan,
        member=member,
        email=email,
        phone=phone,
        token_hash=token_hash(token),
        expires_on=network_link_expiry_default(timezone.localdate(), with_code=with_code),
        created_by=by,
    )
    code = _new_code() if with_code else ""
    if code:
        link.code_hash = code_hash(link, code)
    link.full_clean()
    link.save()
    url = url_for(token)
    audit_change(
        by=by,
        context=context,
        object_type="network_link",
        object_id=link.uuid,
        household_uuid=plan.household.uuid,
        reason=_("Link given to a network member"),
    )
    transaction.on_commit(
        lambda: _send_messages(link=link, url=url, code=code, expires_on=link.expires_on)
    )
    return link, url


@transaction.atomic
def network_link_revoke(
    *, link: NetworkLink, by, context: RequestContext | None = None
) -> NetworkLink:
    """Stop a link at once (the coordinator only). Revoking a revoked link changes nothing."""
    link = (
        NetworkLink.objects.select_for_update(of=("self",))
        .select_related("plan__household")
        .get(pk=link.pk)
    )
    if not permissions.can_manage_network_links(by, link.plan):
        raise PermissionDenied(_("Only the coordinator of an open plan may revoke links."))
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = by
        link.save(update_fields=["revoked_at", "revoked_by"])
        audit_change(
            by=by,
            context=context,
            object_type="network_link",
            object_id=link.uuid,
            household_uuid=link.plan.household.uuid,
            reason=_("Link revoked"),
        )
    return link


@transaction.atomic
def network_link_code_resend(*, link: NetworkLink, context: RequestContext) -> bool:
    """The member asks for a new code (another device, the code used or lost): a new code goes
    to the contact details the coordinator entered, never to an address the visitor types. At
    most `NETWORK_LINK_CODE_RESENDS` a day per link (the day's counter in the database, the row
    locked); wrong codes keep counting towards the lock. Returns whether a code was sent."""
    link = (
        NetworkLink.objects.select_for_update(of=("self",))
        .select_related("plan__household")
        .get(pk=link.pk)
    )
    today = timezone.localdate()
    if not link.code_hash or not link.is_usable(today):
        return False
    if link.code_resent_on != today:
        link.code_resent_on, link.code_resends = today, 0
    if link.code_resends >= settings.NETWORK_LINK_CODE_RESENDS:
        return False
    link.code_resends += 1
    code = _new_code()
    link.code_hash = code_hash(link, code)
    link.code_used_at = None
    link.save(update_fields=["code_hash", "code_used_at", "code_resent_on", "code_resends"])
    audit_change(
        by=None,
        context=context,
        object_type="network_link",
        object_id=link.uuid,
        household_uuid=link.plan.household.uuid,
        reason=_("New code sent"),
    )
    transaction.on_commit(lambda: _send_code(link=link, code=code))
    return True


class CodeResult:
    RIGHT = "right"
    WRONG = "wrong"
    LOCKED = "locked"
    USED = "used"


@transaction.atomic
def network_link_code_verify(*, link: NetworkLink, code: str, context: RequestContext) -> str:
    """Check the one-time code entered on the link's page (`CodeResult`). A right code is
    used up; a wrong one counts, and `NETWORK_LINK_CODE_ATTEMPTS` wrong codes lock the link (the
    coordinator gives a new one). Locked against a second check of the same link at the same
    moment. Every check is in the access log with the link's id."""
    link = (
        NetworkLink.objects.select_for_update(of=("self",))
        .select_related("plan__household")
        .get(pk=link.pk)
    )
    now = timezone.now()
    code = (code or "").strip()
    if link.is_locked:
        result = CodeResult.LOCKED
    elif link.code_used_at is not None or not link.code_hash:
        result = CodeResult.USED
    elif code.isdigit() and hmac.compare_digest(code_hash(link, code), link.code_hash):
        result = CodeResult.RIGHT
        link.code_used_at = link.last_used_at = now
        link.save(update_fields=["code_used_at", "last_used_at"])
    else:
        link.code_attempts += 1
        fields = ["code_attempts"]
        result = CodeResult.WRONG
        if link.code_attempts >= settings.NETWORK_LINK_CODE_ATTEMPTS:
            link.code_locked_at = now
            fields.append("code_locked_at")
            result = CodeResult.LOCKED
        link.save(update_fields=fields)
    audit_change(
        by=None,
        context=context,
        object_type="network_link",
        object_id=link.uuid,
        household_uuid=link.plan.household.uuid,
        reason={
            CodeResult.RIGHT: _("Right code entered"),
            CodeResult.WRONG: _("Wrong code entered"),
            CodeResult.LOCKED: _("Link locked after wrong codes"),
            CodeResult.USED: _("Code entered again after use"),
        }[result],
    )
    return result


@transaction.atomic
def network_action_report(
    *, link: NetworkLink, action: PlanAction, status: str, note: str, context: RequestContext
) -> NetworkActionReport:
    """A network member reports on one of their own actions through their link: done, or
    "needs help", with a short note. Only a usable link, only the member's own action."""
    link = (
        NetworkLink.objects.select_for_update(of=("self",))
        .select_related("plan__household")
        .get(pk=link.pk)
    )
    if not link.is_usable() or link.plan.is_closed:
        raise PermissionDenied(_("This link no longer works."))
    if (
        action.plan_id != link.plan_id
        or action.owner_kind != ActionOwnerKind.NETWORK
        or action.owner_network_member_id != link.member_id
    ):
        raise PermissionDenied(_("This is not one of your actions."))
    if status not in ReportStatus.values:
        raise ValidationError({"status": _("Choose done or needs help.")})
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": _("At most %(count)d characters.") % {"count": NOTE_MAX_LENGTH}}
        )
    report = NetworkActionReport.objects.create(link=link, action=action, status=status, note=note)
    link.last_used_at = report.at
    link.save(update_fields=["last_used_at"])
    audit_change(
        by=None,
        context=context,
        object_type="network_report",
        object_id=report.uuid,
        household_uuid=link.plan.household.uuid,
        reason=str(ReportStatus(status).label),
    )
    return report
