"""Screens for the generalist's journey: my households, the kitchen-table conversation, the
informal network, the support plan (goals and actions inline), evaluation, closure and
aftercare. Views parse input, call a selector or service and render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cases import access, permissions
from cases.access import access_household, access_object, household_file
from cases.audit import access_log_record, request_context
from cases.consent.models import ConsentPurpose
from cases.consent.selectors import organisations_with_purpose
from cases.households import selectors as household_selectors
from cases.intake import selectors as intake_selectors
from cases.intake.forms import cleaned_scores
from cases.links import uuid_url
from cases.network.selectors import plan_network_section
from cases.partners.selectors import progress_reports_recent
from cases.plans import selectors as plan_selectors
from cases.plans import services as plan_services
from cases.plans.forms import (
    ActionForm,
    ActivateForm,
    AgreementForm,
    CheckInForm,
    EvaluationForm,
    GoalForm,
    ParticipantForm,
    ParticipantResponseForm,
    PlanForm,
    ResidentAgreementForm,
    ResidentDeclineForm,
    check_in_form_fields,
)
from cases.plans.models import AftercareCheckIn, CheckInStatus, ParticipantStatus, PlanStatus
from cases.privacy.models import AccessAction
from socialdomain.forms import apply_validation_error


def _redirect(request, url: str):
    response = redirect(url)
    if request.htmx:
        response.status_code = 204
        response["HX-Redirect"] = url
    return response


def _may_work(user, _obj) -> bool:
    """Checked on the fetched object, so a refusal is logged with its household."""
    return permissions.can_work_on_plans(user)


def _may_work_on_plan(user, plan) -> bool:
    """An invitee who has not accepted reads the plan but may not change it."""
    return permissions.can_work_on_plan(user, plan)


def _may_edit_details(user, plan) -> bool:
    return permissions.can_work_on_plan(user, plan) and not plan.is_closed


def _plan(request, plan_uuid, *, work: bool = False, may=None):
    """The plan (404 when not visible), checked and logged by the access helper."""
    return access_object(
        request,
        object_type="plan",
        object_id=plan_uuid,
        fetch=lambda: plan_selectors.plan_for_user(user=request.user, plan_uuid=plan_uuid),
        user_may=permissions.can_use_register,
        may=may or (_may_work_on_plan if work else None),
    )


def _errors_to_messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _household_url(household, anchor: str = "") -> str:
    url = reverse("cases:household_detail", args=[household.uuid])
    return f"{url}#{anchor}" if anchor else url


def _plan_url(plan) -> str:
    return reverse("cases:plan_detail", args=[plan.uuid])


@never_cache
@login_required
def caseload(request):
    """'Mijn huishoudens': the households I coordinate, most urgent first, and the aftercare
    check-ins that have come due."""
    if not permissions.can_use_register(request.user):
        raise PermissionDenied
    page = household_selectors.caseload_page(user=request.user)
    # the household page's URL reversed once for the page
    household_url = uuid_url("cases:household_detail")
    for household in page.households:
        household.url = household_url(household.uuid)
    access_log_record(
        request_or_user=request,
        action=AccessAction.VIEW,
        object_type="caseload",
        result_count=len(page.households),
    )
    complete_url = uuid_url("cases:check_in_complete")
    for check_in in page.check_ins:  # a form each, with ids of its own
        check_in.url = complete_url(check_in.uuid)
        check_in.form_fields = check_in_form_fields(check_in.uuid)
    context = {"households": page.households, "check_ins": page.check_ins}
    return render(request, "cases/plans/caseload.html", context)


@login_required
@require_POST
@household_file("check_in")
def check_in_complete(request, check_in_uuid):
    check_in = access_object(
        request,
        object_type="check_in",
        object_id=check_in_uuid,
        fetch=lambda: get_object_or_404(
            AftercareCheckIn.objects.filter(
                plan__household__in=access.households_visible_to(request.user),
                status=CheckInStatus.DUE,
            ).select_related("plan__household"),
            uuid=check_in_uuid,
        ),
        user_may=permissions.can_work_on_plans,
    )
    form = CheckInForm(request.POST)
    if form.is_valid():
        plan_services.check_in_complete(
            check_in=check_in,
            by=request.user,
            note=form.cleaned_data["note"],
            context=request_context(request),
        )
        messages.success(request, _("Check-in recorded."))
    return _redirect(request, reverse("cases:caseload"))


def _open_plan_continue(request, exc):
    """The household has an open plan already (a second "new plan" post, also at the same
    moment as the first): continue in that plan instead of showing an error. Nothing changed,
    so the household-file mark logs the read."""
    messages.info(request, exc.messages[0])
    return _redirect(request, _plan_url(exc.plan))


@login_required
@require_POST
@household_file("plan")
def plan_create(request, household_uuid):
    """Start a new (draft) plan without a conversation, e.g. after a relapse."""
    household = access_household(
        request, household_uuid, user_may=permissions.can_use_register, may=_may_work
    )
    try:
        plan = plan_services.plan_create(
            household=household, by=request.user, context=request_context(request)
        )
    except plan_services.OpenPlanExistsError as exc:
        return _open_plan_continue(request, exc)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return _redirect(request, _household_url(household))
    return _redirect(request, _plan_url(plan))


@login_required
@require_POST
@household_file("plan")
def plan_create_from_conversation(request, conversation_uuid):
    """Start a draft plan with goals pre-filled from the conversation."""
    conversation = access_object(
        request,
        object_type="conversation",
        object_id=conversation_uuid,
        fetch=lambda: intake_selectors.conversation_for_user(
            user=request.user, conversation_uuid=conversation_uuid
        ),
        user_may=permissions.can_use_register,
        may=_may_work,
    )
    try:
        plan = plan_services.plan_create(
            household=conversation.household,
            by=request.user,
            conversation=conversation,
            context=request_context(request),
        )
    except plan_services.OpenPlanExistsError as exc:
        return _open_plan_continue(request, exc)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return _redirect(request, reverse("cases:conversation_detail", args=[conversation.uuid]))
    messages.success(request, _("Draft plan started from the conversation."))
    return _redirect(request, _plan_url(plan))


def _plan_body_context(request, plan, **overrides) -> dict:
    professionals = plan_selectors.professionals_to_bring_in()
    can_work = permissions.can_work_on_plan(request.user, plan) and not plan.is_closed
    context = {
        "plan": plan,
        "household": plan.household,
        "goals": plan_selectors.plan_goals(plan=plan),
        "loose_actions": plan_selectors.plan_loose_actions(plan=plan),
        # organisations owning an action see the plan: is there consent to share with them?
        "shared_with": organisations_with_purpose(
            household=plan.household, purpose=ConsentPurpose.PLAN_PARTICIPANT
        ),
        "can_work": can_work,
        "editing_goal": None,
        "editing_action": None,
    }
    if can_work:
        context["goal_form"] = GoalForm(prefix="goal")
        context["action_form"] = ActionForm(plan=plan, professionals=professionals, prefix="action")
    context.update(overrides)
    return context


def _draft_content_digest(plan) -> str:
    """The fingerprint the agreement form posts back for a draft (an active plan keeps a version
    of every change, so its version number is enough)."""
    if plan.status != PlanStatus.DRAFT:
        return ""
    return plan_services.plan_content_digest(plan=plan)


def _plan_page_context(request, plan, **overrides) -> dict:
    participants = list(plan_selectors.plan_participants(plan=plan))
    my_invitation = next(
        (
            p
            for p in participants
            if p.user_id == request.user.pk and p.status == ParticipantStatus.INVITED
        ),
        None,
    )
    context = _plan_body_context(request, plan)
    agreements = list(plan_selectors.plan_agreements(plan=plan))
    agreement = plan_selectors.plan_agreement_state(plan=plan, agreements=agreements)
    context.update(
        {
            "participants": participants,
            "my_invitation": my_invitation,
            "response_form": ParticipantResponseForm() if my_invitation else None,
            "participant_form": _participant_form(),
            "agreement": agreement,
            "agreements": agreements,
            "declines": plan_selectors.plan_declines(plan=plan)[:10],
            "agreement_form": AgreementForm(
                plan=plan,
                version=agreement.current_version,
                content=_draft_content_digest(plan),
            ),
            "activate_form": ActivateForm(),
            "versions": plan.versions.select_related("created_by")[:20],
            "evaluations": plan.evaluations.all(),
            "check_ins": plan.check_ins.all(),
            "progress_reports": progress_reports_recent(plan=plan),
            "network": plan_network_section(
                plan=plan,
                can_manage=permissions.can_manage_network_links(
                    request.user, plan, may_work=context["can_work"]
                ),
            ),
        }
    )
    context.update(overrides)
    return context


def _participant_form(data=None) -> ParticipantForm:
    return ParticipantForm(
        data,
        professionals=plan_selectors.professionals_to_bring_in(),
        organisation_professionals=plan_selectors.organisation_professionals(),
    )


def _render_plan(request, plan, status: int = 200, **overrides):
    """The plan-body partial for HTMX (inline goals and actions), the whole page otherwise."""
    if request.htmx:
        return render(
            request,
            "cases/plans/plan_detail.html#plan-body",
            _plan_body_context(request, plan, **overrides),
            status=status,
        )
    return render(
        request,
        "cases/plans/plan_detail.html",
        _plan_page_context(request, plan, **overrides),
        status=status,
    )


@never_cache
@login_required
@household_file("plan")
def plan_detail(request, plan_uuid):
    plan = _plan(request, plan_uuid)
    return _render_plan(request, plan)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("plan")
def plan_edit(request, plan_uuid):
    """Coordinator, evaluation date, aftercare section and the resident's agreement."""
    plan = _plan(request, plan_uuid, may=_may_edit_details)
    form = PlanForm(
        request.POST or None,
        instance=plan,
        professionals=plan_selectors.professionals_to_bring_in(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.plan_update(
                plan=plan,
                by=request.user,
                context=request_context(request),
                **{name: form.cleaned_data[name] for name in plan_services.PLAN_FIELDS},
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Plan saved."))
            return _redirect(request, _plan_url(plan))
    template = "cases/plans/plan_form.html"
    if request.htmx and request.method == "POST":
        template += "#plan-form"
    return render(request, template, {"form": form, "plan": plan, "household": plan.household})


@never_cache
@login_required
@require_POST
@household_file("goal")
def goal_add(request, plan_uuid):
    plan = _plan(request, plan_uuid, work=True)
    form = GoalForm(request.POST, prefix="goal")
    if form.is_valid():
        try:
            plan_services.goal_add(
                plan=plan, by=request.user, context=request_context(request), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return _plan_changed(request, plan)
    return _render_plan(request, plan, goal_form=form)


def _plan_changed(request, plan):
    """After a change to the plan's goals or actions: the plan section again for htmx, a
    redirect to the plan page otherwise."""
    return _render_plan(request, plan) if request.htmx else redirect(_plan_url(plan))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("goal")
def goal_edit(request, plan_uuid, goal_uuid):
    plan = _plan(request, plan_uuid, work=True)
    goal = get_object_or_404(plan.goals, uuid=goal_uuid)
    form = GoalForm(request.POST or None, instance=goal, prefix=f"goal-{goal.uuid}")
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.goal_update(
                goal=goal, by=request.user, context=request_context(request), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return _plan_changed(request, plan)
    return _render_plan(request, plan, editing_goal=goal, editing_goal_form=form)


@login_required
@require_POST
@household_file("goal")
def goal_remove(request, plan_uuid, goal_uuid):
    plan = _plan(request, plan_uuid, work=True)
    goal = get_object_or_404(plan.goals, uuid=goal_uuid)
    try:
        plan_services.goal_remove(goal=goal, by=request.user, context=request_context(request))
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    return _plan_changed(request, plan)


@never_cache
@login_required
@require_POST
@household_file("action")
def action_add(request, plan_uuid):
    plan = _plan(request, plan_uuid, work=True)
    form = ActionForm(
        request.POST,
        plan=plan,
        professionals=plan_selectors.professionals_to_bring_in(),
        prefix="action",
    )
    if form.is_valid():
        try:
            plan_services.action_add(
                plan=plan, by=request.user, context=request_context(request), **form.action_fields()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return _plan_changed(request, plan)
    return _render_plan(request, plan, action_form=form)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("action")
def action_edit(request, plan_uuid, action_uuid):
    plan = _plan(request, plan_uuid, work=True)
    action = get_object_or_404(
        plan_selectors.plan_actions_queryset().filter(plan=plan), uuid=action_uuid
    )
    form = ActionForm(
        request.POST or None,
        plan=plan,
        professionals=plan_selectors.professionals_to_bring_in(),
        action=action,
        prefix=f"action-{action.uuid}",
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.action_update(
                action=action,
                by=request.user,
                context=request_context(request),
                **form.action_fields(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return _plan_changed(request, plan)
    return _render_plan(request, plan, editing_action=action, editing_action_form=form)


@login_required
@require_POST
@household_file("action")
def action_remove(request, plan_uuid, action_uuid):
    plan = _plan(request, plan_uuid, work=True)
    action = get_object_or_404(plan.actions, uuid=action_uuid)
    try:
        plan_services.action_remove(
            action=action, by=request.user, context=request_context(request)
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    return _plan_changed(request, plan)


@never_cache
@login_required
@require_POST
@household_file("participant")
def participant_invite(request, plan_uuid):
    """Bring a professional into the plan."""
    plan = _plan(request, plan_uuid, work=True)
    form = _participant_form(request.POST)
    if form.is_valid():
        try:
            plan_services.participant_invite(
                plan=plan, by=request.user, context=request_context(request), **form.invite_fields()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The professional has been invited to the plan."))
            return _redirect(request, _plan_url(plan) + "#participants")
    return render(
        request,
        "cases/plans/plan_detail.html",
        _plan_page_context(request, plan, participant_form=form),
    )


@never_cache
@login_required
@require_POST
@household_file("participant")
def participant_respond(request, plan_uuid, participant_uuid):
    def fetch():
        plan = plan_selectors.plan_for_user(user=request.user, plan_uuid=plan_uuid)
        participant = get_object_or_404(plan.participants, uuid=participant_uuid)
        participant.plan = plan
        return participant

    participant = access_object(
        request,
        object_type="participant",
        object_id=participant_uuid,
        fetch=fetch,
        user_may=permissions.can_use_register,
        may=permissions.can_respond_to_invitation,
    )
    plan = participant.plan
    form = ParticipantResponseForm(request.POST)
    if form.is_valid():
        try:
            plan_services.participant_respond(
                participant=participant,
                by=request.user,
                accept=form.cleaned_data["accept"],
                reason=form.cleaned_data["reason"],
                context=request_context(request),
            )
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("Your answer has been recorded."))
        return _redirect(request, _plan_url(plan) + "#participants")
    return render(
        request,
        "cases/plans/plan_detail.html",
        _plan_page_context(request, plan, response_form=form),
    )


@never_cache
@login_required
@require_POST
@household_file("agreement")
def plan_agree(request, plan_uuid):
    """Record the resident's agreement with the version of the plan on the screen."""
    plan = _plan(request, plan_uuid, work=True)
    version = plan_selectors.plan_current_version(plan=plan)
    form = AgreementForm(request.POST, plan=plan, version=version)
    if form.is_valid():
        try:
            agreement = plan_services.plan_agreement_record(
                plan=plan,
                by=request.user,
                context=request_context(request),
                **form.agreement_fields(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("The agreement with version %(version)s has been recorded.")
                % {"version": agreement.version},
            )
            return _redirect(request, _plan_url(plan) + "#agreement")
    return render(
        request,
        "cases/plans/plan_detail.html",
        _plan_page_context(request, plan, agreement_form=form),
    )


@login_required
@require_POST
@household_file("plan")
def plan_activate(request, plan_uuid):
    plan = _plan(request, plan_uuid, work=True)
    form = ActivateForm(request.POST)
    form.is_valid()  # one optional text field: always valid
    try:
        plan_services.plan_activate(
            plan=plan,
            by=request.user,
            no_agreement_reason=form.cleaned_data.get("no_agreement_reason", ""),
            context=request_context(request),
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("The plan is active."))
    return _redirect(request, _plan_url(plan))


@login_required
@require_POST
@household_file("plan")
def plan_close(request, plan_uuid):
    plan = _plan(request, plan_uuid, work=True)
    try:
        plan_services.plan_close(plan=plan, by=request.user, context=request_context(request))
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("The plan is closed; the aftercare check-ins are planned."))
    return _redirect(request, _plan_url(plan))


@never_cache
@login_required
@household_file("plan_version")
def plan_version(request, plan_uuid, number):
    """One version of the plan compared with the previous one."""
    plan = _plan(request, plan_uuid)
    version = get_object_or_404(plan.versions.select_related("created_by"), number=number)
    diff = plan_selectors.plan_version_diff(version=version)
    return render(
        request,
        "cases/plans/plan_version.html",
        {"plan": plan, "household": plan.household, "version": version, **diff},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@household_file("evaluation")
def evaluation_create(request, plan_uuid):
    plan = _plan(request, plan_uuid, work=True)
    intake = {}
    if plan.conversation_id:
        intake = dict(plan.conversation.scores.values_list("domain", "score"))
    form = EvaluationForm(request.POST or None, intake=intake)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = plan_services.evaluation_record(
                plan=plan,
                by=request.user,
                scores=cleaned_scores(form),
                evaluated_on=form.cleaned_data["evaluated_on"],
                notes=form.cleaned_data["notes"],
                context=request_context(request),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Evaluation recorded."))
            return _redirect(request, reverse("cases:evaluation_detail", args=[evaluation.uuid]))
    rows = [(field, intake.get(field.name.removeprefix("score_"))) for field in form.score_fields()]
    template = "cases/plans/evaluation_form.html"
    if request.htmx and request.method == "POST":
        template += "#evaluation-form"
    return render(
        request,
        template,
        {"form": form, "plan": plan, "household": plan.household, "score_rows": rows},
    )


@never_cache
@login_required
@household_file("evaluation")
def evaluation_detail(request, evaluation_uuid):
    evaluation = access_object(
        request,
        object_type="evaluation",
        object_id=evaluation_uuid,
        fetch=lambda: get_object_or_404(
            plan_selectors.evaluations_visible_to(request.user), uuid=evaluation_uuid
        ),
        user_may=permissions.can_use_register,
    )
    return render(
        request,
        "cases/plans/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "plan": evaluation.plan,
            "household": evaluation.plan.household,
            "outcome": plan_selectors.evaluation_outcome(evaluation=evaluation),
        },
    )


# --- the resident's own view of the plan (issue #20) ------------------------------------------


def _resident_page_language(request, plan) -> str:
    """The resident's language (`resident_language`), or the one picked on the page."""
    picked = request.GET.get("taal", "")
    if picked in {code for code, _name in settings.LANGUAGES}:
        return picked
    return household_selectors.resident_language(household=plan.household)


def _resident_plan(request, plan_uuid, *, object_type: str, work: bool = False):
    """The plan behind the resident's view: whoever may open the plan reads it (the same rule
    and the same access log as the plan page); answering on the device needs the right to
    work on the plan."""
    return access_object(
        request,
        object_type=object_type,
        object_id=plan_uuid,
        fetch=lambda: plan_selectors.plan_for_user(user=request.user, plan_uuid=plan_uuid),
        user_may=permissions.can_use_register,
        may=_may_edit_details if work else None,  # a closed plan takes no answers
    )


def _render_resident_view(request, plan, language: str, status: int = 200, **overrides):
    view = plan_selectors.resident_plan_view(plan=plan)
    can_answer = permissions.can_work_on_plan(request.user, plan) and not plan.is_closed
    content = plan_services.plan_content_digest(plan=plan)
    context = {
        "plan": plan,
        "household": plan.household,
        "view": view,
        "can_answer": can_answer,
        "page_language": language,
        "languages": settings.LANGUAGES,
    }
    if can_answer:
        context["agree_form"] = overrides.get("agree_form") or ResidentAgreementForm(
            plan=plan, version=view.version, content=content, prefix="agree"
        )
        context["decline_form"] = overrides.get("decline_form") or ResidentDeclineForm(
            plan=plan, version=view.version, content=content, prefix="decline"
        )
    with translation.override(language):
        return render(request, "cases/plans/resident_view.html", context, status=status)


def _resident_view_url(plan, language: str = "") -> str:
    url = reverse("cases:plan_resident_view", args=[plan.uuid])
    return f"{url}?taal={language}" if language else url


@never_cache
@login_required
@household_file("plan_resident_view")
def plan_resident_view(request, plan_uuid):
    """The household's plan in plain language for the resident: goals, who does what by when,
    the contact person and the next evaluation; printable on A4 with room to sign; on the
    device the resident agrees (typed or drawn signature) or says why not."""
    plan = _resident_plan(request, plan_uuid, object_type="plan_resident_view")
    return _render_resident_view(request, plan, _resident_page_language(request, plan))


def _resident_answer_refused(form, exc: ValidationError) -> None:
    """The plan changed since the page was opened: say so in the resident's words."""
    if any(error.code == "plan_changed" for error in getattr(exc, "error_list", ())):
        form.add_error(
            None,
            _(
                "The plan has changed since this page was opened. Read the plan again as it "
                "is now; then say whether you agree."
            ),
        )
        return
    apply_validation_error(form, exc)


def _resident_answer(
    request, plan_uuid, *, object_type: str, form_class, prefix: str, record, thanks
):
    """One answer of the resident on the device (agree or decline) to the version shown: the
    form checked in the resident's language, `record(plan, form)` the service's write; a plan
    changed meanwhile is said in the resident's words and the page shows it as it is now."""
    plan = _resident_plan(request, plan_uuid, object_type=object_type, work=True)
    language = _resident_page_language(request, plan)
    with translation.override(language):
        form = form_class(
            request.POST,
            plan=plan,
            version=plan_selectors.plan_current_version(plan=plan),
            content="",
            prefix=prefix,
        )
        if form.is_valid():
            try:
                record(plan, form)
            except ValidationError as exc:
                _resident_answer_refused(form, exc)
            else:
                messages.success(request, thanks())
                return _redirect(request, _resident_view_url(plan, request.GET.get("taal", "")))
    return _render_resident_view(request, plan, language, status=400, **{f"{prefix}_form": form})


@never_cache
@login_required
@require_POST
@household_file("agreement")
def plan_resident_agree(request, plan_uuid):
    """The resident agrees on the device with the version shown, signing typed or drawn."""
    return _resident_answer(
        request,
        plan_uuid,
        object_type="agreement",
        form_class=ResidentAgreementForm,
        prefix="agree",
        record=lambda plan, form: plan_services.plan_agreement_record(
            plan=plan,
            by=request.user,
            agreed_on=timezone.localdate(),
            context=request_context(request),
            **form.agreement_fields(),
        ),
        thanks=lambda: _("Thank you. Your agreement with the plan is recorded."),
    )


@never_cache
@login_required
@require_POST
@household_file("plan_decline")
def plan_resident_decline(request, plan_uuid):
    """The resident does not agree with the version shown, and says why."""
    return _resident_answer(
        request,
        plan_uuid,
        object_type="plan_decline",
        form_class=ResidentDeclineForm,
        prefix="decline",
        record=lambda plan, form: plan_services.plan_decline_record(
            plan=plan,
            by=request.user,
            context=request_context(request),
            **form.decline_fields(),
        ),
        thanks=lambda: _(
            "Your answer is recorded. Your contact person will talk it over with you."
        ),
    )
