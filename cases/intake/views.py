"""Intake screens: registering a melding, signals and their triage queue, the warning for
possible duplicate persons, the kitchen-table conversation and the informal network. Thin
views: the access helper (`cases.access`) fetches, checks and logs; selectors and services hold
the rules, and a service records its change in the access log."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.throttling import UserRateThrottle

from cases import permissions
from cases.access import access_household, access_object, household_file
from cases.audit import access_log_record, request_context
from cases.households import selectors as household_selectors
from cases.households import services as household_services
from cases.households.forms import HouseholdForm, ResidentForm
from cases.intake import selectors as intake_selectors
from cases.intake import services as intake_services
from cases.intake.forms import (
    CallbackAttemptForm,
    ConversationForm,
    GpHandoffForm,
    MeldingForm,
    MeldingWithdrawForm,
    NetworkMemberForm,
    RemarksForm,
    SignalCloseForm,
    SignalConvertForm,
    SignalForm,
    melding_form_fields,
)
from cases.privacy.models import AccessAction, AccessResult
from socialdomain.forms import apply_validation_error

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


def melding_section_context(*, user, household, meldingen: list | None = None) -> dict:
    """What `cases/intake/_meldingen.html` needs on the household page (pass the `meldingen`
    when they are loaded already): the empty form's fields rendered already
    (`melding_form_fields`, once per language and day), no form."""
    can_register = permissions.can_register_melding(user, household)
    if meldingen is None:
        meldingen = list(household_selectors.household_meldingen(household=household))
    return {
        "meldingen": meldingen,
        "melding_form": None,
        "melding_form_fields": melding_form_fields() if can_register else "",
        "can_withdraw_melding": can_register,
        "can_register_signal": permissions.can_register_signal(user),
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("melding")
def melding_register(request, household_uuid):
    household = access_household(
        request, household_uuid, object_type="melding", may=permissions.can_register_melding
    )
    form = MeldingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            melding = intake_services.melding_register(
                household=household,
                by=request.user,
                context=request_context(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Request for help registered. The investigation is due by %(deadline)s; "
                    "the resident may hand in a personal plan until %(plan)s."
                )
                % {
                    "deadline": melding.investigation_deadline.strftime("%d-%m-%Y"),
                    "plan": melding.personal_plan_deadline.strftime("%d-%m-%Y"),
                },
            )
            return _redirect(request, _household_url(household), "meldingen")
    context = {"household": household, "melding_form": form}
    if request.htmx and request.method == "POST":
        return render(request, "cases/intake/_meldingen.html#melding-form", context)
    return render(request, "cases/intake/melding_form.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("melding")
def melding_withdraw(request, melding_uuid):
    """The resident withdraws a request for help: the reason is required (generalists and team
    leads of the household's file)."""
    melding = access_object(
        request,
        object_type="melding",
        object_id=melding_uuid,
        fetch=lambda: intake_selectors.melding_for_user(
            user=request.user, melding_uuid=melding_uuid
        ),
        may=lambda user, melding: permissions.can_register_melding(user, melding.household),
    )
    household = melding.household
    form = MeldingWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            intake_services.melding_withdraw(
                melding=melding,
                by=request.user,
                reason=form.cleaned_data["reason"],
                context=request_context(request),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Request for help withdrawn."))
            return _redirect(request, _household_url(household), "meldingen")
    return render(
        request,
        "cases/intake/melding_withdraw.html",
        {"household": household, "melding": melding, "form": form},
    )


def _signal_form_view(request, *, household=None):
    if not permissions.can_register_signal(request.user):
        raise PermissionDenied
    form = SignalForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            intake_services.signal_register(
                by=request.user,
                household=household,
                context=request_context(request),
                **form.cleaned_data,
            )
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
    template = "cases/intake/signal_form.html"
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
    household = access_household(
        request,
        household_uuid,
        object_type="signal",
        may=lambda user, _household: permissions.can_register_signal(user),
    )
    return _signal_form_view(request, household=household)


@never_cache
@login_required
def signal_queue(request):
    """The triage queue: open signals of the user's own teams, oldest first."""
    if not permissions.can_triage_signals(request.user):
        raise PermissionDenied
    page = Paginator(
        intake_selectors.signal_triage_queue(user=request.user), SIGNAL_QUEUE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {"page": page, "today": timezone.localdate()}
    if request.htmx:
        return render(request, "cases/intake/signal_queue.html#queue", context)
    return render(request, "cases/intake/signal_queue.html", context)


def _signal_page(request, signal, *, convert_form=None, close_form=None, status=200):
    candidates = (
        intake_selectors.signal_candidate_households(user=request.user, signal=signal)
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
        initial=intake_selectors.signal_household_initial(signal=signal),
    )
    new_person_form = ResidentForm(
        request.POST if convert_form.wants_new_household else None,
        prefix="person",
        initial=_person_initial(signal),
    )
    handoff = intake_selectors.handoff_of_signal(signal=signal)
    context = {
        "signal": signal,
        "handoff": handoff,
        "callback_form": CallbackAttemptForm.for_handoff(handoff) if handoff else None,
        "convert_form": convert_form,
        "close_form": close_form or SignalCloseForm(),
        "new_household_form": new_household_form,
        "new_person_form": new_person_form,
        "candidates": candidates,
    }
    return render(request, "cases/intake/signal_detail.html", context, status=status)


def _person_initial(signal) -> dict:
    words = signal.subject_name.split()
    return {
        "first_name": " ".join(words[:1]) if len(words) > 1 else "",
        "last_name": " ".join(words[1:]) if len(words) > 1 else " ".join(words),
        "birth_date": signal.subject_birth_date,
    }


def signal_prefill(request, signal_uuid) -> tuple[dict, dict]:
    """The new household's address and first person as the signal knows them, for the
    household-create form (`?signaal=<uuid>`, a UUID: no personal data in the URL). The signal
    is fetched, checked and its read logged like its own page."""
    signal = _signal(request, signal_uuid)
    return intake_selectors.signal_household_initial(signal=signal), _person_initial(signal)


def _signal(request, signal_uuid):
    """A signal for the user's triage: part of its household's file (or of the person's, once
    they are known); fetched, checked and logged by the access helper."""
    return access_object(
        request,
        object_type="signal",
        object_id=signal_uuid,
        fetch=lambda: intake_selectors.signal_for_triage(
            user=request.user, signal_uuid=signal_uuid
        ),
        user_may=permissions.can_triage_signals,
    )


@never_cache
@login_required
@household_file("signal")
def signal_detail(request, signal_uuid):
    return _signal_page(request, _signal(request, signal_uuid))


@never_cache
@login_required
@require_POST
@household_file("signal")
def signal_convert(request, signal_uuid):
    signal = _signal(request, signal_uuid)
    candidates = (
        intake_selectors.signal_candidate_households(user=request.user, signal=signal)
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
                **{
                    name: household_form.cleaned_data[name]
                    for name in household_services.HOUSEHOLD_FIELDS
                },
                "residents": [
                    household_services.NewResident(
                        **{
                            name: person_form.cleaned_data.get(name)
                            for name in household_services.RESIDENT_FIELDS
                        },
                        role=person_form.cleaned_data.get("role"),
                    )
                ],
            }
        else:
            valid = False
    if valid:
        try:
            melding = intake_services.signal_convert_to_melding(
                signal=signal,
                by=request.user,
                question=form.cleaned_data["question"],
                received_on=form.cleaned_data["received_on"],
                household=None if form.wants_new_household else form.chosen_household(),
                new_household=new_household,
                context=request_context(request),
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
    signal = _signal(request, signal_uuid)
    form = SignalCloseForm(request.POST)
    if form.is_valid():
        try:
            intake_services.signal_close(
                signal=signal,
                by=request.user,
                reason=form.cleaned_data["reason"],
                context=request_context(request),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Signal closed."))
            return _redirect(request, reverse("cases:signal_queue"))
    return _signal_page(request, signal, close_form=form)


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
        matches = household_selectors.resident_possible_duplicates(
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


def _may_work(user, _obj) -> bool:
    """Checked on the fetched object, so a refusal is logged with its household."""
    return permissions.can_work_on_plans(user)


def _household(request, household_uuid):
    """The household to work on (conversation, network), checked and logged."""
    return access_household(
        request, household_uuid, user_may=permissions.can_use_register, may=_may_work
    )


def _conversation(request, conversation_uuid, *, work: bool = False):
    """The conversation (404 when not visible), checked and logged by the access helper."""
    return access_object(
        request,
        object_type="conversation",
        object_id=conversation_uuid,
        fetch=lambda: intake_selectors.conversation_for_user(
            user=request.user, conversation_uuid=conversation_uuid
        ),
        user_may=permissions.can_use_register,
        may=_may_work if work else None,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("conversation")
def conversation_create(request, household_uuid):
    household = _household(request, household_uuid)
    initial = {}
    if request.method == "GET" and request.GET.get("melding"):
        initial["melding"] = request.GET["melding"]
    form = ConversationForm(request.POST or None, household=household, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = intake_services.conversation_record(
                household=household,
                by=request.user,
                melding=form.cleaned_data["melding"],
                participants=form.cleaned_data["participants"],
                network_participants=form.cleaned_data["network_participants"],
                scores=form.scores(),
                domains_not_discussed=form.domains_not_discussed(),
                context=request_context(request),
                **form.conversation_fields(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Conversation recorded."))
            if request.htmx:
                return _report_in_place(request, conversation.uuid)
            return redirect(reverse("cases:conversation_detail", args=[conversation.uuid]))
    template = "cases/intake/conversation_form.html"
    if request.htmx and request.method == "POST":
        template += "#conversation-form"
    return render(request, template, {"form": form, "household": household})


def _report_in_place(request, conversation_uuid):
    """After saving over HTMX: the report replaces the page's main content, no page load. The
    report is read as its own page would read it (checked, and logged as a view); the address
    bar moves to the report (HX-Push-Url), so reload, back and bookmarks work."""
    conversation = _conversation(request, conversation_uuid)
    url = reverse("cases:conversation_detail", args=[conversation.uuid])
    response = render(
        request,
        "cases/intake/conversation_detail.html",
        _conversation_context(request, conversation, RemarksForm(instance=conversation)),
    )
    response["HX-Retarget"] = "#main"
    response["HX-Reselect"] = "#main"
    response["HX-Reswap"] = "outerHTML show:window:top"
    response["HX-Push-Url"] = url
    return response


@never_cache
@login_required
@household_file("conversation")
def conversation_detail(request, conversation_uuid):
    """The report in plain language (the resident's: `Resident.preferred_language`),
    printable; the resident's remarks are added here."""
    conversation = _conversation(request, conversation_uuid)
    return render(
        request,
        "cases/intake/conversation_detail.html",
        _conversation_context(request, conversation, RemarksForm(instance=conversation)),
    )


def _conversation_context(request, conversation, remarks_form) -> dict:
    household = conversation.household
    participant = conversation.participants.order_by(F("birth_date").asc(nulls_last=True)).first()
    return {
        "conversation": conversation,
        "household": household,
        "assessment": intake_selectors.conversation_assessment(conversation),
        # the report is the resident's: in their language, the page around it in the reader's
        "report_language": household_selectors.resident_language(
            household=household, resident=participant
        ),
        "remarks_form": remarks_form,
        "can_work": permissions.can_work_on_plans(request.user),
        "has_open_plan": household.plans.open().exists(),
    }


@never_cache
@login_required
@require_POST
@household_file("conversation")
def conversation_remarks(request, conversation_uuid):
    conversation = _conversation(request, conversation_uuid, work=True)
    form = RemarksForm(request.POST, instance=conversation)
    if form.is_valid():
        try:
            intake_services.conversation_update(
                conversation=conversation,
                by=request.user,
                resident_remarks=form.cleaned_data["resident_remarks"],
                context=request_context(request),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The resident's remarks were added to the report."))
            url = reverse("cases:conversation_detail", args=[conversation.uuid])
            return _redirect(request, url)
    return render(
        request,
        "cases/intake/conversation_detail.html",
        _conversation_context(request, conversation, form),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("network_member")
def network_member_edit(request, household_uuid, member_uuid=None):
    household = _household(request, household_uuid)
    member = get_object_or_404(household.network_members, uuid=member_uuid) if member_uuid else None
    form = NetworkMemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            if member is None:
                intake_services.network_member_add(
                    household=household,
                    by=request.user,
                    context=request_context(request),
                    **form.cleaned_data,
                )
            else:
                intake_services.network_member_update(
                    member=member,
                    by=request.user,
                    context=request_context(request),
                    **form.cleaned_data,
                )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Network saved."))
            return _redirect(request, _household_url(household), "network")
    template = "cases/intake/network_member_form.html"
    if request.htmx and request.method == "POST":
        template += "#network-form"
    return render(request, template, {"form": form, "household": household, "member": member})


# The GP's warm hand-off (docs/gp-handoff.md) ---------------------------------------------------

GP_HANDOFF_PAGE_SIZE = 25
CALLBACK_PAGE_SIZE = 25


class GpHandoffThrottle(UserRateThrottle):
    """Hand-offs per GP (`settings.GP_HANDOFF_RATE`): DRF's throttle, as the partner API's."""

    scope = "gp_handoff"

    def get_rate(self):
        return settings.GP_HANDOFF_RATE


def _refuse(request, object_type: str):
    access_log_record(
        request_or_user=request,
        action=AccessAction.CHANGE if request.method == "POST" else AccessAction.VIEW,
        object_type=object_type,
        result=AccessResult.DENIED,
    )
    raise PermissionDenied


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def gp_handoff_create(request):
    """The GP's hand-off form, reached from the area-contacts result (a POST with `start` and
    the postcode, so the patient's postcode stays out of URLs). The answer says when the team
    will call back; nothing of any file."""
    if not permissions.can_send_gp_handoff(request.user):
        _refuse(request, "gp_handoff")
    starting = request.method == "POST" and "start" in request.POST
    if request.method == "POST" and not starting:
        form = GpHandoffForm(request.POST)
    else:
        form = GpHandoffForm(
            initial={
                "postcode": request.POST.get("postcode", "")[:10] if starting else "",
                "reply_email": request.user.email,
            }
        )
    status = 200
    if request.method == "POST" and not starting and form.is_valid():
        if not GpHandoffThrottle().allow_request(request, None):
            form.add_error(None, _("You sent many hand-offs in a short time. Try again later."))
            status = 429
        else:
            try:
                handoff = intake_services.gp_handoff_send(
                    by=request.user, context=request_context(request), **form.cleaned_data
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Hand-off %(reference)s sent. The neighbourhood team calls your patient "
                        "back by %(date)s; you see the status under My hand-offs."
                    )
                    % {
                        "reference": handoff.reference,
                        "date": date_format(handoff.callback_due, "j F Y"),
                    },
                )
                return _redirect(request, reverse("handoffs:mine"))
    return render(request, "cases/intake/gp_handoff_form.html", {"form": form}, status=status)


@never_cache
@login_required
def gp_handoffs_mine(request):
    """ "Mijn overdrachten": the GP's own hand-offs with their status, no case content."""
    if not permissions.can_send_gp_handoff(request.user):
        _refuse(request, "gp_handoffs")
    page = Paginator(
        intake_selectors.gp_handoffs_of(user=request.user), GP_HANDOFF_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    access_log_record(
        request_or_user=request,
        action=AccessAction.VIEW,
        object_type="gp_handoffs",
        result_count=page.paginator.count,
    )
    return render(request, "cases/intake/gp_handoffs_mine.html", {"page": page})


@never_cache
@login_required
def callback_list(request):
    """ "Terugbellen": the open call-backs of the user's teams, soonest due first, each with a
    form to record an attempt (HTMX replaces the row)."""
    if not permissions.can_call_back(request.user):
        _refuse(request, "callbacks")
    page = Paginator(
        intake_selectors.callback_list(user=request.user), CALLBACK_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    access_log_record(
        request_or_user=request,
        action=AccessAction.VIEW,
        object_type="callbacks",
        result_count=page.paginator.count,
    )
    for handoff in page:
        handoff.form = CallbackAttemptForm.for_handoff(handoff)
    context = {"page": page}
    return render(request, "cases/intake/callback_list.html", context)


def _callback_handoff(request, handoff_uuid):
    return access_object(
        request,
        object_type="gp_handoff",
        object_id=handoff_uuid,
        fetch=lambda: intake_selectors.callback_for_team(
            user=request.user, handoff_uuid=handoff_uuid
        ),
        user_may=permissions.can_call_back,
        household_of=lambda handoff: handoff.signal.household,
    )


@never_cache
@login_required
@require_POST
@household_file("gp_handoff")
def callback_attempt(request, handoff_uuid):
    """Record one call-back attempt; HTMX gets the hand-off's block back, a plain post goes
    back to where it came from (the call-back list or the signal)."""
    handoff = _callback_handoff(request, handoff_uuid)
    form = CallbackAttemptForm.for_handoff(handoff, request.POST)
    status = 200
    if form.is_valid():
        try:
            intake_services.callback_attempt_record(
                handoff=handoff,
                by=request.user,
                context=request_context(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            status = 400
        else:
            if not request.htmx:
                target = request.POST.get("next", "")
                if not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
                    target = reverse("cases:callback_list")
                return redirect(target)
            handoff = intake_selectors.callback_for_team(
                user=request.user, handoff_uuid=handoff_uuid
            )
            form = CallbackAttemptForm.for_handoff(handoff)
    else:
        status = 400
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
        next_url = reverse("cases:callback_list")
    context = {"handoff": handoff, "form": form, "next_url": next_url}
    if request.htmx:  # htmx swaps only a 2xx answer: the block with the form's errors
        return render(request, "cases/intake/_callback.html", context)
    return render(request, "cases/intake/callback_form_page.html", context, status=status)
