"""Intake screens: registering a melding, signals and their triage queue, and the warning for
possible duplicate persons. Thin views: selectors and services hold the rules."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cases import intake, permissions, selectors, services
from cases.access_log import AccessAction, access_log_record, household_file
from cases.forms import HouseholdForm, ResidentForm, apply_validation_error
from cases.forms_intake import MeldingForm, SignalCloseForm, SignalConvertForm, SignalForm

SIGNAL_QUEUE_PAGE_SIZE = 25


def _redirect(request, url: str, anchor: str = ""):
    """302 for a normal form post; 204 + HX-Redirect for HTMX (the page reloads there). The
    anchor is left out for HTMX: a change of fragment alone would not reload the page."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(f"{url}#{anchor}" if anchor else url)


def _household_url(household) -> str:
    return reverse("cases:household_detail", args=[household.uuid])


# Meldingen -----------------------------------------------------------------------------------


def melding_section_context(*, user, household) -> dict:
    """What `cases/_meldingen.html` needs on the household page."""
    can_register = permissions.can_register_melding(user, household)
    return {
        "meldingen": selectors.household_meldingen(household=household),
        "melding_form": MeldingForm() if can_register else None,
        "can_register_signal": permissions.can_register_signal(user),
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("melding")
def melding_register(request, household_uuid):
    household = selectors.household_for_user(user=request.user, household_uuid=household_uuid)
    if not permissions.can_register_melding(request.user, household):
        raise PermissionDenied
    form = MeldingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.melding_register(household=household, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Request for help registered."))
            return _redirect(request, _household_url(household), "meldingen")
    context = {"household": household, "melding_form": form}
    if request.htmx and request.method == "POST":
        return render(request, "cases/_meldingen.html#melding-form", context)
    return render(request, "cases/melding_form.html", context)


# Signals -------------------------------------------------------------------------------------


def _signal_form_view(request, *, household=None):
    if not permissions.can_register_signal(request.user):
        raise PermissionDenied
    form = SignalForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            intake.signal_register(by=request.user, household=household, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("Signal registered; the neighbourhood team will triage it.")
            )
            if household is not None:
                return _redirect(request, _household_url(household), "meldingen")
            if permissions.can_triage_signals(request.user):
                return _redirect(request, reverse("cases:signal_queue"))
            return _redirect(request, reverse("cases:household_search"))
    template = "cases/signal_form.html"
    if request.htmx and request.method == "POST":
        template += "#signal-form"
    return render(request, template, {"form": form, "household": household})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def signal_register(request):
    """A signal about a person who is not (yet) known as a household in the register."""
    return _signal_form_view(request)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("signal")
def signal_register_for_household(request, household_uuid):
    household = selectors.household_for_user(user=request.user, household_uuid=household_uuid)
    return _signal_form_view(request, household=household)


@never_cache
@login_required
def signal_queue(request):
    """The triage queue: open signals of the user's own teams, oldest first."""
    if not permissions.can_triage_signals(request.user):
        raise PermissionDenied
    page = Paginator(
        selectors.signal_triage_queue(user=request.user), SIGNAL_QUEUE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {"page": page, "today": timezone.localdate()}
    if request.htmx:
        return render(request, "cases/signal_queue.html#queue", context)
    return render(request, "cases/signal_queue.html", context)


def _signal_page(request, signal, *, convert_form=None, close_form=None, status=200):
    candidates = (
        selectors.signal_candidate_households(user=request.user, signal=signal)
        if not signal.household_id
        else ()
    )
    if convert_form is None:
        convert_form = SignalConvertForm(
            signal=signal,
            candidates=candidates,
            # the question is the resident's, asked in the conversation: not the reporter's words
            initial={"received_on": timezone.localdate()},
        )
    new_household_form = HouseholdForm(
        request.POST if convert_form.wants_new_household else None,
        prefix="new",
        initial={"postcode": signal.subject_postcode_display},
    )
    new_person_form = ResidentForm(
        request.POST if convert_form.wants_new_household else None,
        prefix="person",
        initial=_person_initial(signal),
    )
    context = {
        "signal": signal,
        "convert_form": convert_form,
        "close_form": close_form or SignalCloseForm(),
        "new_household_form": new_household_form,
        "new_person_form": new_person_form,
        "candidates": candidates,
    }
    return render(request, "cases/signal_detail.html", context, status=status)


def _person_initial(signal) -> dict:
    words = signal.subject_name.split()
    return {
        "first_name": " ".join(words[:1]) if len(words) > 1 else "",
        "last_name": " ".join(words[1:]) if len(words) > 1 else " ".join(words),
        "birth_date": signal.subject_birth_date,
    }


def _log_signal(request, signal) -> None:
    """One access log row: a signal is part of its household's file (or of the person's, once
    they are known)."""
    access_log_record(
        request_or_user=request,
        action=AccessAction.CHANGE if request.method == "POST" else AccessAction.VIEW,
        object_type="signal",
        object_id=signal.uuid,
        household_uuid=signal.household.uuid if signal.household_id else None,
    )


def _require_triage(user) -> None:
    if not permissions.can_triage_signals(user):
        raise PermissionDenied


@never_cache
@login_required
@household_file("signal")
def signal_detail(request, signal_uuid):
    _require_triage(request.user)
    signal = selectors.signal_for_triage(user=request.user, signal_uuid=signal_uuid)
    _log_signal(request, signal)
    return _signal_page(request, signal)


@never_cache
@login_required
@require_POST
@household_file("signal")
def signal_convert(request, signal_uuid):
    _require_triage(request.user)
    signal = selectors.signal_for_triage(user=request.user, signal_uuid=signal_uuid)
    _log_signal(request, signal)
    candidates = (
        selectors.signal_candidate_households(user=request.user, signal=signal)
        if not signal.household_id
        else ()
    )
    form = SignalConvertForm(request.POST, signal=signal, candidates=candidates)
    new_household = None
    valid = form.is_valid()
    if valid and form.wants_new_household:
        household_form = HouseholdForm(request.POST, prefix="new")
        person_form = ResidentForm(request.POST, prefix="person")
        if household_form.is_valid() and person_form.is_valid():
            new_household = {
                **{name: household_form.cleaned_data[name] for name in services.HOUSEHOLD_FIELDS},
                "residents": [
                    services.NewResident(
                        **{
                            name: person_form.cleaned_data.get(name)
                            for name in services.RESIDENT_FIELDS
                        },
                        role=person_form.cleaned_data.get("role"),
                    )
                ],
            }
        else:
            valid = False
    if valid:
        try:
            melding = intake.signal_convert_to_melding(
                signal=signal,
                by=request.user,
                question=form.cleaned_data["question"],
                received_on=form.cleaned_data["received_on"],
                household=None if form.wants_new_household else form.chosen_household(),
                new_household=new_household,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The signal is now a request for help."))
            return _redirect(request, _household_url(melding.household), "meldingen")
    return _signal_page(request, signal, convert_form=form, status=200)


@never_cache
@login_required
@require_POST
@household_file("signal")
def signal_close(request, signal_uuid):
    _require_triage(request.user)
    signal = selectors.signal_for_triage(user=request.user, signal_uuid=signal_uuid)
    _log_signal(request, signal)
    form = SignalCloseForm(request.POST)
    if form.is_valid():
        try:
            intake.signal_close(signal=signal, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Signal closed."))
            return _redirect(request, reverse("cases:signal_queue"))
    return _signal_page(request, signal, close_form=form)


# Possible duplicates -------------------------------------------------------------------------

DUPLICATES_CONFIRMED = "duplicates_confirmed"


def unconfirmed_duplicates(request, forms, *, postcode: str = "") -> list[dict]:
    """For each valid resident form without BSN: persons already registered who may be the
    same person. Empty when there are none or the user ticked "this is someone else"."""
    if request.POST.get(DUPLICATES_CONFIRMED):
        return []
    warnings = []
    for form in forms:
        data = form.cleaned_data
        if not data or data.get("bsn"):
            continue
        matches = selectors.resident_possible_duplicates(
            user=request.user,
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            birth_date=data.get("birth_date"),
            postcode=postcode,
        )
        if matches:
            warnings.append(
                {
                    "name": " ".join(
                        p
                        for p in (
                            data.get("first_name"),
                            data.get("name_prefix"),
                            data.get("last_name"),
                        )
                        if p
                    ),
                    "visible": [m for m in matches if m.household is not None],
                    "known_elsewhere": any(m.household is None for m in matches),
                }
            )
    return warnings
