"""Writes on the consent register, and the daily notice of consents that expired. Recording and
withdrawing a consent each write their `change` row in the access log (object type `consents`,
the household the resident lives in) as the last step of their transaction."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.audit import RequestContext, audit_change
from cases.consent.models import Consent
from cases.consent.selectors import resident_household
from cases.households.models import HouseholdMembership
from cases.provisions.models import Notification, NotificationKind

logger = logging.getLogger(__name__)


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
    yesterday: in-app, naming the household (its address line) and linking to its file, and
    by e-mail (after the commit, one per coordinator with an address) with the absolute link
    (`settings.SITE_URL`) and no name or address (docs/privacy.md). Withdrawn consents are
    skipped. Returns the number of in-app notifications."""
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
    households: dict[int, list] = {}
    for membership in memberships:
        households.setdefault(membership.resident_id, []).append(membership.household)
    notifications = []
    links: dict[int, tuple] = {}  # coordinator id -> (coordinator, household paths)
    for consent in expired:
        for household in households.get(consent.resident_id, ()):
            coordinator = household.coordinator
            path = reverse("cases:household_detail", kwargs={"household_uuid": household.uuid})
            message = _(
                "%(household)s: the consent for %(organisation)s was valid until %(date)s and "
                "has expired."
            ) % {
                "household": household.address_line,
                "organisation": consent.organisation.name,
                "date": yesterday.strftime("%d-%m-%Y"),
            }
            notifications.append(
                Notification(
                    user=coordinator,
                    kind=NotificationKind.CONSENT_EXPIRED,
                    message=message[:300],
                    url=path,
                )
            )
            entry = links.setdefault(coordinator.pk, (coordinator, []))
            if path not in entry[1]:
                entry[1].append(path)
    Notification.objects.bulk_create(notifications)
    mails = [
        (coordinator.email, paths) for coordinator, paths in links.values() if coordinator.email
    ]
    if mails:
        transaction.on_commit(lambda: _expired_mails_send(mails))
    return len(notifications)


def _expired_mails_send(mails: list[tuple[str, list[str]]]) -> None:
    """One e-mail per coordinator: what happened and the absolute links, no names or
    addresses. A failed e-mail is logged; the in-app notification stays."""
    for email, paths in mails:
        body = "\n".join(
            [
                _("A consent expired in a household you coordinate. Look at the file:"),
                "",
                *(f"- {settings.SITE_URL}{path}" for path in paths),
            ]
        )
        try:
            send_mail(
                subject=_("wijkwerk: a consent expired"),
                message=body,
                from_email=None,
                recipient_list=[email],
            )
        except Exception:  # SMTP down, address refused: the in-app notification stays
            logger.exception("consent expiry e-mail failed")
