import base64
import binascii
import functools
import uuid

from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cases.households.models import HouseholdMembership, Resident
from cases.intake.forms import DATE_WIDGET, add_score_fields, score_fields
from cases.intake.models import InformalNetworkMember
from cases.plans.models import (
    GOAL_PLACEHOLDER,
    SIGNATURE_MAX_BYTES,
    ActionOwnerKind,
    AgreementMethod,
    Evaluation,
    PlanGoal,
    SignatureMethod,
    SupportPlan,
)
from networks.models import Organisation


class PlanForm(forms.ModelForm):
    coordinator = forms.ModelChoiceField(
        label=_("coordinator"), queryset=None, required=False, to_field_name="username"
    )
    aftercare_check_in_dates = SimpleArrayField(
        forms.DateField(input_formats=["%d-%m-%Y", "%Y-%m-%d"]),
        label=_("aftercare: check-in dates"),
        required=False,
        help_text=_("Dates after closure, separated by commas, e.g. 01-03-2027, 01-06-2027."),
    )
    aftercare_network = forms.ModelMultipleChoiceField(
        label=_("aftercare: agreed with (informal network)"),
        queryset=InformalNetworkMember.objects.none(),
        required=False,
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Picked from the household's network; anyone else in the field below."),
    )

    class Meta:
        model = SupportPlan
        fields = [
            "coordinator",
            "evaluation_date",
            "aftercare_in_place",
            "aftercare_agreed_with",
            "aftercare_check_in_dates",
        ]
        widgets = {
            "evaluation_date": DATE_WIDGET,
            "aftercare_in_place": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, professionals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = professionals
        self.fields["coordinator"].label_from_instance = _user_label
        if self.instance.pk and not self.is_bound:
            # the choices are keyed on the username, the instance's initial value is its pk
            coordinator = self.instance.coordinator
            self.initial["coordinator"] = coordinator.username if coordinator else None
            self.initial["aftercare_check_in_dates"] = ", ".join(
                day.strftime("%d-%m-%Y") for day in self.instance.aftercare_check_in_dates
            )
        aftercare_network_pick(self)

    def clean(self):
        data = super().clean()
        if "aftercare_agreed_with" in data:
            text = aftercare_agreed_with_text(
                members=data.get("aftercare_network") or (), others=data["aftercare_agreed_with"]
            )
            limit = SupportPlan._meta.get_field("aftercare_agreed_with").max_length
            if len(text) > limit:
                self.add_error(
                    "aftercare_agreed_with",
                    _("Together at most %(limit)s characters.") % {"limit": limit},
                )
            data["aftercare_agreed_with"] = text
        return data


AGREED_WITH_SEPARATOR = "; "


def aftercare_agreed_with_text(*, members, others: str) -> str:
    """What the plan stores as "agreed with": the picked network members as "Name (kind)",
    then the free text, separated by "; "."""
    parts = [str(member) for member in members]
    if others.strip():
        parts.append(others.strip())
    return AGREED_WITH_SEPARATOR.join(parts)


def aftercare_network_pick(form) -> None:
    """The plan form's network checkboxes (ask once): the household's informal network, those
    named in the stored text ticked and the rest of the text left in the free field."""
    household = form.instance.household if form.instance.household_id else None
    members = (
        list(household.network_members.order_by("name", "pk")) if household is not None else []
    )
    field = form.fields["aftercare_network"]
    field.queryset = InformalNetworkMember.objects.filter(pk__in=[m.pk for m in members])
    field.label_from_instance = str
    form.fields["aftercare_agreed_with"].label = _("aftercare: agreed with (others)")
    form.fields["aftercare_agreed_with"].help_text = _("Professionals, organisations, in words.")
    if form.is_bound or not form.instance.pk:
        return
    parts = [
        part.strip()
        for part in (form.instance.aftercare_agreed_with or "").split(AGREED_WITH_SEPARATOR.strip())
        if part.strip()
    ]
    by_label = {str(member): member for member in members}
    form.initial["aftercare_network"] = [by_label[p].uuid for p in parts if p in by_label]
    form.initial["aftercare_agreed_with"] = AGREED_WITH_SEPARATOR.join(
        p for p in parts if p not in by_label
    )


def _user_label(user) -> str:
    return user.get_full_name() or user.get_username()


class GoalForm(forms.ModelForm):
    class Meta:
        model = PlanGoal
        fields = ["domain", "description"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3, "placeholder": GOAL_PLACEHOLDER})
        }


class ActionForm(forms.Form):
    """An action; its owner is picked from one grouped list (residents, network,
    professionals, organisations) or typed as a name."""

    description = forms.CharField(
        label=_("Action"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    goal = forms.ChoiceField(label=_("goal"), required=False)
    owner = forms.ChoiceField(label=_("who"), required=False)
    owner_text = forms.CharField(
        label=_("or another name"),
        max_length=200,
        required=False,
        help_text=_("When the one who does it is not in the list."),
    )
    due_on = forms.DateField(label=_("due date"), required=False, widget=DATE_WIDGET)
    done_on = forms.DateField(label=_("done on"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, plan, professionals, action=None, **kwargs):
        self.plan = plan
        self.goals = {str(goal.uuid): goal for goal in plan.goals.all()}
        household = plan.household
        residents = Resident.objects.filter(
            memberships__in=HouseholdMembership.objects.current().filter(household=household)
        )
        self.owners = {}
        groups = []
        for kind, label, objects, key, name in (
            (ActionOwnerKind.RESIDENT, _("Resident"), residents, "uuid", str),
            (
                ActionOwnerKind.NETWORK,
                _("Network"),
                household.network_members.all(),
                "uuid",
                str,
            ),
            (
                ActionOwnerKind.PROFESSIONAL,
                _("Professional"),
                professionals,
                "username",
                _user_label,
            ),
            (
                ActionOwnerKind.ORGANISATION,
                _("Organisation"),
                Organisation.objects.filter(active=True),
                "code",
                str,
            ),
        ):
            options = []
            for obj in objects:
                value = f"{kind}:{getattr(obj, key)}"
                self.owners[value] = (kind, obj)
                options.append((value, name(obj)))
            if options:
                groups.append((label, options))
        if action is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "description": action.description,
                "goal": str(action.goal.uuid) if action.goal else "",
                "owner_text": action.owner_text,
                "due_on": action.due_on,
                "done_on": action.done_on,
                "owner": self._owner_value(action),
            }
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = [("", _("no particular goal"))] + [
            (key, f"{goal.get_domain_display()}: {goal.description[:50]}")
            for key, goal in self.goals.items()
        ]
        self.fields["owner"].choices = [("", _("choose…")), *groups]
        if action is None:
            del self.fields["done_on"]

    @staticmethod
    def _owner_value(action) -> str:
        owner = action.owner
        if owner is None:
            return ""
        key = {
            ActionOwnerKind.RESIDENT: "uuid",
            ActionOwnerKind.NETWORK: "uuid",
            ActionOwnerKind.PROFESSIONAL: "username",
            ActionOwnerKind.ORGANISATION: "code",
        }[action.owner_kind]
        return f"{action.owner_kind}:{getattr(owner, key)}"

    def clean(self):
        cleaned = super().clean()
        owner, text = cleaned.get("owner"), (cleaned.get("owner_text") or "").strip()
        if not owner and not text:
            self.add_error("owner", _("Choose who carries out this action, or type a name."))
        return cleaned

    def action_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            "description": data["description"],
            "goal": self.goals.get(data.get("goal") or ""),
            "due_on": data.get("due_on"),
        }
        if "done_on" in self.fields:
            fields["done_on"] = data.get("done_on")
        if data.get("owner"):
            kind, obj = self.owners[data["owner"]]
            fields["owner_kind"] = kind
            fields[ACTION_OWNER_FIELD[kind]] = obj
        else:
            fields["owner_kind"] = ActionOwnerKind.OTHER
            fields["owner_text"] = data["owner_text"].strip()
        return fields


ACTION_OWNER_FIELD = {
    ActionOwnerKind.RESIDENT: "owner_resident",
    ActionOwnerKind.NETWORK: "owner_network_member",
    ActionOwnerKind.PROFESSIONAL: "owner_user",
    ActionOwnerKind.ORGANISATION: "owner_organisation",
}


class ParticipantForm(forms.Form):
    """Bring a professional in: one list, grouped: the municipality's professionals, then each
    partner organisation's professionals (invited by organisation)."""

    user = forms.ChoiceField(label=_("professional"))
    role = forms.CharField(
        label=_("role in the plan"),
        max_length=200,
        help_text=_("e.g. debt counsellor, youth specialist"),
    )

    def __init__(self, *args, professionals, organisation_professionals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {}
        own = []
        for user in professionals:
            value = user.get_username()
            self.people[value] = (user, None)
            own.append((value, _user_label(user)))
        groups = [(_("Municipality and neighbourhood team"), own)] if own else []
        by_organisation: dict = {}
        for link in organisation_professionals:
            value = f"org:{link.organisation.code}:{link.user.get_username()}"
            self.people[value] = (link.user, link.organisation)
            label = _user_label(link.user)
            if link.function:
                label = f"{label}, {link.function}"
            by_organisation.setdefault(link.organisation, []).append((value, label))
        groups += [
            (str(organisation), options) for organisation, options in by_organisation.items()
        ]
        self.fields["user"].choices = [("", _("choose…")), *groups]

    def invite_fields(self) -> dict:
        user, organisation = self.people[self.cleaned_data["user"]]
        return {"user": user, "organisation": organisation, "role": self.cleaned_data["role"]}


class AgreementForm(forms.Form):
    """The resident's agreement (akkoord) with the version of the plan on the screen."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    # the content fingerprint of a draft on the screen (`services.plan_content_digest`): a
    # draft nobody agreed to keeps no versions, so only this shows it changed meanwhile
    content = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    method = forms.ChoiceField(
        label=_("how"),
        choices=[
            (method.value, method.label)
            for method in AgreementMethod
            if method != AgreementMethod.DATE_ONLY
        ],
        widget=forms.RadioSelect,
    )
    resident = forms.ChoiceField(
        label=_("resident"),
        required=False,
        help_text=_("Who signed; with a representative: on whose behalf."),
    )
    representative_name = forms.CharField(
        label=_("representative's name"), max_length=200, required=False
    )
    representative_capacity = forms.CharField(
        label=_("representative's capacity"),
        max_length=200,
        required=False,
        help_text=_("e.g. guardian, mentor, curator, parent."),
    )
    agreed_on = forms.DateField(label=_("agreed on"), widget=DATE_WIDGET)

    def __init__(self, *args, plan, version: int, content: str = "", **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", version)
        kwargs["initial"].setdefault("content", content)
        kwargs["initial"].setdefault("agreed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.residents = {
            str(resident.uuid): resident
            for resident in Resident.objects.filter(
                memberships__in=HouseholdMembership.objects.current().filter(
                    household_id=plan.household_id
                )
            ).order_by("birth_date", "pk")
        }
        self.fields["resident"].choices = [("", _("choose…"))] + [
            (key, resident.full_name) for key, resident in self.residents.items()
        ]

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("method")
        if method in (AgreementMethod.PAPER, AgreementMethod.DEVICE) and not cleaned.get(
            "resident"
        ):
            self.add_error("resident", _("Choose the resident who signed."))
        if method == AgreementMethod.REPRESENTATIVE:
            for name in ("representative_name", "representative_capacity"):
                if not (cleaned.get(name) or "").strip():
                    self.add_error(name, _("Fill in for an agreement by a representative."))
        return cleaned

    def agreement_fields(self) -> dict:
        data = self.cleaned_data
        representative = data["method"] == AgreementMethod.REPRESENTATIVE
        return {
            "version_seen": data["version"],
            "content_seen": data["content"] or None,
            "method": data["method"],
            "resident": self.residents.get(data.get("resident") or ""),
            "representative_name": data["representative_name"].strip() if representative else "",
            "representative_capacity": (
                data["representative_capacity"].strip() if representative else ""
            ),
            "agreed_on": data["agreed_on"],
        }


class ActivateForm(forms.Form):
    no_agreement_reason = forms.CharField(
        label=_("why there is no agreement"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only when the resident has not agreed to this version, e.g. the resident cannot "
            "be reached in a crisis."
        ),
    )


class ParticipantResponseForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("your answer"),
        choices=[("yes", _("I take part")), ("no", _("I decline"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("reason for declining"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("accept") is False and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for declining."))
        return cleaned


class EvaluationForm(forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["evaluated_on", "notes"]
        widgets = {"evaluated_on": DATE_WIDGET, "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, intake: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        add_score_fields(self)
        self.intake = intake or {}

    def score_fields(self):
        return score_fields(self)


class CheckInForm(forms.Form):
    note = forms.CharField(
        label=_("how it is going"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# stands for a check-in's UUID in the fields rendered once (`check_in_form_fields`); not a
# UUID, so it is not in any markup the form writes otherwise
_CHECK_IN_SLOT = "check-in-slot"


def check_in_form_fields(check_in_uuid) -> str:
    """The fields of an empty `CheckInForm` for one check-in of the caseload
    (`cases/_form_fields.html`), with ids of its own (`check-in-<uuid>-note`: one label per
    note field): rendered once per process and language, the check-in's UUID put in."""
    # the form's own markup, with a UUID (hex digits and dashes) in place of the slot
    return mark_safe(  # noqa: S308
        _check_in_form_fields(get_language()).replace(
            _CHECK_IN_SLOT, str(uuid.UUID(str(check_in_uuid)))
        )
    )


@functools.lru_cache(maxsize=8)
def _check_in_form_fields(language: str) -> str:
    form = CheckInForm(auto_id=f"check-in-{_CHECK_IN_SLOT}-%s")
    return render_to_string("cases/_form_fields.html", {"form": form})


def _current_residents(plan) -> dict:
    """The household's residents now, eldest first, keyed on their UUID."""
    return {
        str(resident.uuid): resident
        for resident in Resident.objects.filter(
            memberships__in=HouseholdMembership.objects.current().filter(
                household_id=plan.household_id
            )
        ).order_by(F("birth_date").asc(nulls_last=True), "pk")
    }


class _ResidentAnswerForm(forms.Form):
    """What the resident's view posts with an answer: the version and the content fingerprint
    of the plan it showed (`services.plan_content_digest`), and who answers."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    content = forms.CharField(max_length=64, widget=forms.HiddenInput)
    resident = forms.ChoiceField(label=_("who are you?"))

    def __init__(self, *args, plan, version: int, content: str, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", version)
        kwargs["initial"].setdefault("content", content)
        super().__init__(*args, **kwargs)
        self.residents = _current_residents(plan)
        self.fields["resident"].choices = [
            (key, resident.full_name) for key, resident in self.residents.items()
        ]

    def seen_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "version_seen": data["version"],
            "content_seen": data["content"],
            "resident": self.residents.get(data.get("resident") or ""),
        }


class ResidentAgreementForm(_ResidentAnswerForm):
    """The resident agrees on the device, signing with their typed name or a drawn signature
    (`static/wijkwerk/js/signature.js` fills `signature_image` with the pad's PNG)."""

    signature_method = forms.ChoiceField(
        label=_("how do you sign?"),
        choices=SignatureMethod.choices,
        initial=SignatureMethod.TYPED,
        widget=forms.RadioSelect,
    )
    signature_name = forms.CharField(
        label=_("type your name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    # a data address "data:image/png;base64,…" from the signature pad
    signature_image = forms.CharField(
        required=False,
        max_length=SIGNATURE_MAX_BYTES * 4 // 3 + 100,
        widget=forms.HiddenInput,
    )

    def clean_signature_image(self) -> bytes | None:
        value = self.cleaned_data.get("signature_image") or ""
        if not value:
            return None
        prefix = "data:image/png;base64,"
        if not value.startswith(prefix):
            raise forms.ValidationError(
                _("The drawn signature is not a picture we can keep (PNG).")
            )
        try:
            return base64.b64decode(value[len(prefix) :], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise forms.ValidationError(
                _("The drawn signature is not a picture we can keep (PNG).")
            ) from exc

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("signature_method")
        if method == SignatureMethod.TYPED and not (cleaned.get("signature_name") or "").strip():
            self.add_error("signature_name", _("Type your name to sign."))
        if (
            method == SignatureMethod.DRAWN
            and not cleaned.get("signature_image")
            and "signature_image" not in self.errors
        ):
            self.add_error(None, _("Draw your signature, or type your name."))
        return cleaned

    def agreement_fields(self) -> dict:
        data = self.cleaned_data
        drawn = data["signature_method"] == SignatureMethod.DRAWN
        return {
            **self.seen_fields(),
            "method": AgreementMethod.DEVICE,
            "signature_method": data["signature_method"],
            "signature_name": "" if drawn else data["signature_name"],
            "signature_image": data["signature_image"] if drawn else None,
        }


class ResidentDeclineForm(_ResidentAnswerForm):
    reason = forms.CharField(
        label=_("why do you not agree?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In your own words. Your contact person reads this and contacts you."),
    )

    def decline_fields(self) -> dict:
        return {**self.seen_fields(), "reason": self.cleaned_data["reason"]}
