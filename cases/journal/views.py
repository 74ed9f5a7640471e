"""The household's journal: the timeline section of the household page (loaded with htmx, or as
its own page without JavaScript), writing an entry, and its author's edit."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cases import permissions
from cases.access import access_household, household_file
from cases.audit import request_context
from cases.journal import selectors as journal_selectors
from cases.journal import services as journal_services
from cases.journal.forms import JournalEntryForm, TimelineFilterForm
from cases.journal.models import JournalEntry
from cases.privacy.models import AccessAction
from socialdomain.forms import apply_validation_error


def _render(request, household, *, form=None, status=200):
    filters = TimelineFilterForm(request.GET)
    kind, page = "", 1
    if filters.is_valid():
        kind = filters.cleaned_data["kind"] or ""
        page = filters.cleaned_data["page"] or 1
    can_write = permissions.can_write_journal(request.user)
    if form is None and can_write:
        form = JournalEntryForm()
    context = {
        "household": household,
        "timeline": journal_selectors.household_timeline(
            household=household, user=request.user, kind=kind, page=page
        ),
        "filters": filters,
        "form": form if can_write else None,
        "user": request.user,
    }
    template = "cases/journal/journal.html"
    if request.htmx:
        template += "#section"
    return render(request, template, context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("journal")
def household_journal(request, household_uuid):
    """GET: the timeline (a page of it, filtered by kind). POST: write an entry."""
    if request.method == "GET":
        household = access_household(
            request,
            household_uuid,
            object_type="journal",
            user_may=permissions.can_write_journal,
        )
        return _render(request, household)
    household = access_household(
        request,
        household_uuid,
        object_type="journal",
        user_may=permissions.can_write_journal,
    )
    form = JournalEntryForm(request.POST)
    if form.is_valid():
        try:
            journal_services.journal_entry_create(
                household=household,
                by=request.user,
                context=request_context(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if not request.htmx:
                messages.success(request, _("Journal entry saved."))
                return redirect("cases:household_journal", household.uuid)
            return _render(request, household)
    # form errors come back with 200: htmx swaps only successful responses
    return _render(request, household, form=form)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("journal")
def journal_entry_edit(request, household_uuid, entry_uuid):
    """The author changes an entry within `settings.JOURNAL_EDIT_HOURS`; the old text is kept."""
    household = access_household(
        request,
        household_uuid,
        object_type="journal",
        user_may=permissions.can_write_journal,
        attempted_action=AccessAction.CHANGE,
    )
    try:
        entry = journal_selectors.journal_entry_for_user(
            household=household, user=request.user, entry_uuid=entry_uuid
        )
    except JournalEntry.DoesNotExist:
        raise Http404 from None
    if not permissions.can_edit_journal_entry(request.user, entry):
        raise PermissionDenied(journal_services.edit_refused())
    form = JournalEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        try:
            journal_services.journal_entry_edit(
                entry=entry, by=request.user, context=request_context(request), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Journal entry saved."))
            return redirect("cases:household_journal", household.uuid)
    return render(
        request,
        "cases/journal/entry_edit.html",
        {
            "household": household,
            "entry": entry,
            "form": form,
            "edit_hours": settings.JOURNAL_EDIT_HOURS,
        },
    )
