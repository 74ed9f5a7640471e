"""Reads for network links: the link behind a secret, the member's own actions, the plan page's
section for the coordinator, and the link's agreed term."""

import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from cases.audit import access_log_record, network_link_context
from cases.legal_terms import agreed_term_end
from cases.network.models import NetworkActionReport, NetworkLink
from cases.plans.models import ActionOwnerKind, PlanAction, SupportPlan
from cases.privacy.models import AccessAction, AccessResult

# the coordinator's section shows this many links (the newest first)
PLAN_SECTION_LINKS = 20


def token_hash(token: str) -> str:
    """The stored form of a link's secret: SHA-256 (the secret is 32 random bytes, so a fast
    hash is enough; the secret itself is shown once and never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def network_link_expiry_default(start: datetime.date, *, with_code: bool) -> datetime.date:
    """The last day a new link works: an agreed term (`agreed_term_end`, not corrected) of
    `NETWORK_LINK_DAYS` days when the member gets a code as a second factor, of
    `NETWORK_LINK_DAYS_WITHOUT_CODE` days when the link alone is the key."""
    days = settings.NETWORK_LINK_DAYS if with_code else settings.NETWORK_LINK_DAYS_WITHOUT_CODE
    return agreed_term_end(start, days=days)


def link_for_token(token: str) -> NetworkLink | None:
    """The link behind a secret (whatever its state), or None. Malformed secrets are None."""
    if not token or len(token) > 100:
        return None
    return (
        NetworkLink.objects.select_related("plan__household", "member")
        .filter(token_hash=token_hash(token))
        .first()
    )


def link_actions(*, link: NetworkLink) -> QuerySet[PlanAction]:
    """The member's own actions in the link's plan, each with the reports made through this
    link (newest first, in `.link_reports`): nothing else of the plan."""
    return (
        PlanAction.objects.filter(
            plan_id=link.plan_id,
            owner_kind=ActionOwnerKind.NETWORK,
            owner_network_member_id=link.member_id,
        )
        .prefetch_related(
            Prefetch(
                "network_reports",
                queryset=NetworkActionReport.objects.filter(link=link),
                to_attr="link_reports",
            )
        )
        .order_by("due_on", "pk")
    )


def link_action(*, link: NetworkLink, action_uuid) -> PlanAction | None:
    """One of the member's own actions, or None (another action of the plan, of another plan
    or one that does not exist: indistinguishable)."""
    return (
        PlanAction.objects.filter(
            plan_id=link.plan_id,
            owner_kind=ActionOwnerKind.NETWORK,
            owner_network_member_id=link.member_id,
            uuid=action_uuid,
        )
        .select_related("plan")
        .first()
    )


def members_with_actions(*, plan: SupportPlan):
    """The network members of the plan's household who own at least one action of the plan."""
    return (
        plan.household.network_members.filter(actions__plan=plan).distinct().order_by("name", "pk")
    )


@dataclass
class PlanNetworkSection:
    links: list
    reports: list
    can_manage: bool


def plan_network_section(*, plan: SupportPlan, can_manage: bool) -> PlanNetworkSection:
    """The coordinator's section of the plan page: the newest links (with their member) and
    the reports made through them (with the action), in two queries (one without links)."""
    links = list(plan.network_links.select_related("member")[:PLAN_SECTION_LINKS])
    reports = []
    if links:  # no link, no report: a plan without links pays one query
        reports = list(
            NetworkActionReport.objects.filter(link__plan=plan)
            .select_related("action", "link__member")
            .order_by("-at", "-pk")[:PLAN_SECTION_LINKS]
        )
    return PlanNetworkSection(links=links, reports=reports, can_manage=can_manage)


class LinkRefused(Exception):
    """The link cannot be used: `status` (404 unknown, 410 revoked or expired or the plan
    closed, 429 locked after wrong codes) and the reason shown to the visitor."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def access_network_link(request, token: str, *, action: str = AccessAction.VIEW) -> NetworkLink:
    """Fetch the link behind a secret and check that it can be used, logging the outcome with
    the link's id (`network_link_context`): `view` allowed, or the refusal. An unknown secret
    is logged as `not_found` without an id. A change is logged by its service instead."""
    link = link_for_token(token)
    if link is None:
        access_log_record(
            request_or_user=request,
            action=action,
            object_type="network_link",
            result=AccessResult.NOT_FOUND,
        )
        raise LinkRefused(404, _("This link is not valid."))
    context = network_link_context(request, link_uuid=link.uuid)
    refusal = None
    if link.is_revoked:
        refusal = LinkRefused(410, _("This link has been withdrawn."))
    elif link.is_expired():
        refusal = LinkRefused(410, _("This link has expired."))
    elif link.plan.is_closed:
        refusal = LinkRefused(410, _("The support plan has been closed."))
    elif link.is_locked:
        refusal = LinkRefused(429, _("Too many wrong codes were entered: this link is locked."))
    if refusal is not None:
        access_log_record(
            request_or_user=context,
            action=action,
            object_type="network_link",
            object_id=link.uuid,
            household_uuid=link.plan.household.uuid,
            result=AccessResult.DENIED,
            reason=refusal.reason,
        )
        raise refusal
    link.request_context = context
    return link


def network_link_read_logged(*, link: NetworkLink, action_count: int) -> None:
    """Log that the member's page with their actions was shown (one row, the link's id)."""
    access_log_record(
        request_or_user=link.request_context,
        action=AccessAction.VIEW,
        object_type="network_link",
        object_id=link.uuid,
        household_uuid=link.plan.household.uuid,
        result_count=action_count,
    )


def network_link_refusal_logged(*, link: NetworkLink, reason: str) -> None:
    """Log a refused use of a valid link (no code entered yet, another link's cookie)."""
    access_log_record(
        request_or_user=link.request_context,
        action=AccessAction.VIEW,
        object_type="network_link",
        object_id=link.uuid,
        household_uuid=link.plan.household.uuid,
        result=AccessResult.DENIED,
        reason=reason,
    )
