"""Writes for the household's journal. Each function is one transaction and records its change
in the access log (`cases.audit.audit_change`) as its last step."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.audit import RequestContext, audit_change
from cases.households.models import Household
from cases.journal.models import JournalEntry, JournalEntryRevision


def edit_refused() -> str:
    return _(
        "Only its author can change a journal entry, within %(hours)s hours of writing it; "
        "add a new entry to correct it."
    ) % {"hours": settings.JOURNAL_EDIT_HOURS}


def _check_links(*, household: Household, plan, application, allocation) -> None:
    """An entry can name a plan, application or allocation of its own household only."""
    for linked in (plan, application, allocation):
        if linked is not None and linked.household_id != household.pk:
            raise ValidationError(_("The journal entry can only refer to this household's file."))


def _audit(*, entry: JournalEntry, by, context) -> None:
    audit_change(
        by=by,
        context=context,
        object_type="journal_entry",
        object_id=entry.uuid,
        household_uuid=entry.household.uuid,
    )


@transaction.atomic
def journal_entry_create(
    *,
    household: Household,
    by,
    kind: str,
    text: str,
    visibility: str,
    occurred_on: datetime.date | None = None,
    plan=None,
    application=None,
    allocation=None,
    context: RequestContext | None = None,
) -> JournalEntry:
    """Write a journal entry on a household the caller may open (see `households_visible_to`)."""
    if not permissions.can_write_journal(by):
        raise PermissionDenied(_("You may not write in this household's journal."))
    _check_links(household=household, plan=plan, application=application, allocation=allocation)
    today = timezone.localdate()
    occurred_on = occurred_on or today
    if occurred_on > today:
        raise ValidationError({"occurred_on": _("A journal entry cannot be dated in the future.")})
    entry = JournalEntry(
        household=household,
        plan=plan,
        application=application,
        allocation=allocation,
        kind=kind,
        text=text.strip(),
        visibility=visibility,
        occurred_on=occurred_on,
        author=by,
    )
    entry.full_clean()
    entry.save()
    _audit(entry=entry, by=by, context=context)
    return entry


@transaction.atomic
def journal_entry_edit(
    *,
    entry: JournalEntry,
    by,
    kind: str,
    text: str,
    visibility: str,
    occurred_on: datetime.date,
    context: RequestContext | None = None,
) -> JournalEntry:
    """Change an entry: only its author, only within `settings.JOURNAL_EDIT_HOURS` of writing
    it (checked on the locked row). The text it replaces is kept as a revision."""
    entry = JournalEntry.objects.select_for_update().select_related("household").get(pk=entry.pk)
    now = timezone.now()
    if not permissions.can_edit_journal_entry(by, entry, now=now):
        raise PermissionDenied(edit_refused())
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("A journal entry cannot be dated in the future.")})
    new = {"kind": kind, "text": text.strip(), "visibility": visibility, "occurred_on": occurred_on}
    if all(getattr(entry, name) == value for name, value in new.items()):
        return entry  # nothing changed: no revision, no log row
    JournalEntryRevision.objects.create(
        entry=entry,
        kind=entry.kind,
        occurred_on=entry.occurred_on,
        text=entry.text,
        visibility=entry.visibility,
        replaced_at=now,
    )
    for name, value in new.items():
        setattr(entry, name, value)
    entry.edited_at = now
    entry.full_clean()
    entry.save()
    _audit(entry=entry, by=by, context=context)
    return entry
