"""Writes for break the glass: opening a file outside one's circle, and the privacy officer's
review of it. Each in one transaction, with its access-log row as the last step: the opening
a `view` with context `break_glass` and the reason (the file is opened, nothing in it changes),
the review a `change` of the grant (object type `break_glass_review`)."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.access_facts import access_facts_forget
from cases.audit import RequestContext, access_log_record, audit_change
from cases.households.models import Household
from cases.privacy.models import AccessAction, AccessContext, BreakGlassAccess, BreakGlassVerdict


class ReviewConflictError(Exception):
    """The grant was reviewed already (by someone else, or in another tab)."""


@transaction.atomic
def break_glass_open(
    *, household: Household, by, reason: str, context: RequestContext | None = None
) -> BreakGlassAccess:
    """Give `by` access to the household's file for `BREAK_GLASS_HOURS`, for the reason given.
    An active grant for the same household is returned as it is (no second grant). Writes the
    access log row (context break_glass, with the reason) inside the transaction; pass the
    request's context from a view."""
    if not permissions.can_break_the_glass(by):
        raise PermissionDenied
    reason = " ".join((reason or "").split())
    minimum = settings.BREAK_GLASS_REASON_MIN_LENGTH
    if len(reason) < minimum:
        raise ValidationError(
            {
                "reason": _(
                    "Explain the emergency in at least %(count)s characters: the privacy "
                    "officer reviews every emergency access."
                )
                % {"count": minimum}
            }
        )
    now = timezone.now()
    grant = (
        BreakGlassAccess.objects.select_for_update()
        .active(now)
        .filter(user=by, household=household)
        .first()
    )
    if grant is None:
        grant = BreakGlassAccess(
            user=by,
            household=household,
            household_uuid=household.uuid,
            reason=reason,
            opened_at=now,
            expires_at=now + datetime.timedelta(hours=settings.BREAK_GLASS_HOURS),
        )
        grant.full_clean()
        grant.save()
    access_facts_forget(by)  # this request sees the new grant
    access_log_record(
        request_or_user=context if context is not None else by,
        action=AccessAction.VIEW,
        object_type="break_glass",
        object_id=grant.uuid,
        household_uuid=household.uuid,
        context=AccessContext.BREAK_GLASS,
        reason=reason,
    )
    return grant


@transaction.atomic
def break_glass_review(
    *,
    grant: BreakGlassAccess,
    by,
    verdict: str,
    note: str = "",
    context: RequestContext | None = None,
) -> BreakGlassAccess:
    """The privacy officer's verdict on an emergency access. Reviewing twice is a conflict."""
    if not permissions.can_review_access(by):
        raise PermissionDenied
    grant = BreakGlassAccess.objects.select_for_update().get(pk=grant.pk)
    if grant.reviewed_at is not None:
        raise ReviewConflictError(_("This emergency access has been reviewed already."))
    if verdict not in BreakGlassVerdict.values:
        raise ValidationError({"verdict": _("Choose a verdict.")})
    note = (note or "").strip()
    if verdict == BreakGlassVerdict.NOT_JUSTIFIED and not note:
        raise ValidationError(
            {"review_note": _("Say why the access was not justified and what follows.")}
        )
    grant.reviewed_by = by
    grant.reviewed_at = timezone.now()
    grant.verdict = verdict
    grant.review_note = note
    grant.full_clean()
    grant.save(update_fields=["reviewed_by", "reviewed_at", "verdict", "review_note"])
    audit_change(
        by=by,
        context=context,
        object_type="break_glass_review",
        object_id=grant.uuid,
        household_uuid=grant.household_uuid,
        reason=verdict,
    )
    return grant
