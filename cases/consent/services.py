"""Writes on the consent register, and the daily notice of consents that expired. Recording and
withdrawing a consent each write their `change` row in the access log (object type `consents`,
the household the resident lives in) as the last step of their transaction."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.audit import RequestContext, audit_change
from cases.consent.models import Consent
from cases.consent.selectors import resident_household
from cases.households.models import HouseholdMembership
from cases.provisions.models import Notification, NotificationKind


@transaction.atomic
def consent_record(
    *,
    resident,
    organisation,
    categories: list[str],
    purpose: str,
    purpose_note: str = "",
    given_by: str,
    given_on: datetime.date,
    expires_on: datetime.date | None = None,
    legal_basis: bool = False,
    legal_basis_text: str = "",
    by,
    context: RequestContext | None = None,
) -> Consent:
    if not permissions.can_manage_consents(by):
        raise PermissionDenied
    consent = Consent(
        resident=resident,
        organisation=organisation,
        categories=sorted(set(categories)),
        purpose=purpose,
        purpose_note=purpose_note,
        given_by=given_by,
        given_on=given_on,
        expires_on=expires_on,
        legal_basis=legal_basis,
        legal_basis_text=legal_basis_text,
        recorded_by=by,
    )
    consent.full_clean()
    consent.save()
    _audit(consent, by=by, context=context)
    return consent


@transaction.atomic
def consent_withdraw(
    *,
    consent: Consent,
    on: datetime.date | None = None,
    by,
    context: RequestContext | None = None,
) -> Consent:
    if not permissions.can_manage_consents(by):
        raise PermissionDenied
    on = on or timezone.localdate()
    consent = (
        Consent.objects.select_for_update(of=("self",))
        .select_related("resident")
        .get(pk=consent.pk)
    )
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    if on < consent.given_on:
        raise ValidationError(_("Consent cannot be withdrawn before it was given."))
    consent.withdrawn_on = on
    consent.full_clean()
    consent.save(update_fields=["withdrawn_on"])
    _audit(consent, by=by, context=context)
    return consent


def _audit(consent: Consent, *, by, context: RequestContext | None) -> None:
    household = resident_household(resident=consent.resident)
    audit_change(
        by=by,
        context=context,
        object_type="consents",
        object_id=consent.uuid,
        household_uuid=household.uuid if household is not None else None,
        resident_uuids=[consent.resident.uuid],
    )


@transaction.atomic
def consents_expired_notify(*, today: datetime.date | None = None) -> int:
    """Tell the coordinator of each household a resident belongs to that a consent expired
    yesterday (in-app). Withdrawn consents are skipped. Returns the number of notifications."""
    today = today or timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    expired = list(
        Consent.objects.filter(expires_on=yesterday, withdrawn_on__isnull=True).select_related(
            "organisation"
        )
    )
    if not expired:
        return 0
    memberships = (
        HouseholdMembership.objects.current(today)
        .filter(resident_id__in={c.resident_id for c in expired})
        .exclude(household__coordinator__isnull=True)
        .select_related("household__coordinator")
    )
    coordinators: dict[int, set] = {}
    for membership in memberships:
        coordinators.setdefault(membership.resident_id, set()).add(membership.household.coordinator)
    notifications = []
    for consent in expired:
        for coordinator in coordinators.get(consent.resident_id, ()):
            message = _(
                "The consent for %(organisation)s was valid until %(date)s and has expired."
            ) % {
                "organisation": consent.organisation.name,
                "date": yesterday.strftime("%d-%m-%Y"),
            }
            notifications.append(
                Notification(
                    user=coordinator, kind=NotificationKind.CONSENT_EXPIRED, message=message[:300]
                )
            )
    Notification.objects.bulk_create(notifications)
    return len(notifications)
