from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.models import (
    ActionOwnerKind,
    BasicNeed,
    Evaluation,
    Household,
    HouseholdMembership,
    InformalNetworkMember,
    KitchenTableConversation,
    LifeDomain,
    Melding,
    MembershipRole,
    PlanGoal,
    Resident,
    SelfSufficiency,
    SupportPlan,
)
from cases.validators import normalise_bsn
from networks.models import Organisation
from teams.validators import format_postcode, normalise_postcode


def checked_while_typing(form: forms.Form, name: str, kind: str) -> None:
    """Let the server check this field as soon as it changes (HTMX), showing the message in
    the field's feedback line; the full check still runs when the form is submitted."""
    form.fields[name].widget.attrs.update(
        {
            "hx-post": reverse("cases:validate_field", kwargs={"kind": kind}),
            "hx-trigger": "change",
            "hx-target": "next .feedback",
            "hx-params": form.add_prefix(name),
            "hx-sync": "this:replace",
        }
    )


class HouseholdForm(forms.ModelForm):
    # typed as `1234 ab` (7 characters) and stored as `1234AB`
    postcode = forms.CharField(
        label=_("postcode"),
        max_length=8,
        help_text=_("Four digits and two letters, e.g. 1234 AB."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "size": 8}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Household
        fields = ["postcode", "house_number", "house_number_addition", "street", "city"]
        widgets = {
            "house_number": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
            "street": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["postcode"] = format_postcode(self.instance.postcode)
            self.initial["version"] = self.instance.version
        checked_while_typing(self, "postcode", "postcode")

    def clean_postcode(self):
        return normalise_postcode(self.cleaned_data["postcode"])


class ResidentForm(forms.ModelForm):
    role = forms.ChoiceField(
        label=_("role in the household"), choices=MembershipRole.choices, required=False
    )

    class Meta:
        model = Resident
        fields = ["bsn", "first_name", "name_prefix", "last_name", "birth_date", "phone", "email"]
        widgets = {
            "bsn": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 11}
            ),
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, with_role: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_role:
            del self.fields["role"]
        else:
            self.fields["role"].initial = MembershipRole.PARENT
        checked_while_typing(self, "bsn", "bsn")

    def clean_bsn(self):
        value = (self.cleaned_data.get("bsn") or "").strip()
        return normalise_bsn(value) if value else None

    def clean_role(self):
        return self.cleaned_data.get("role") or MembershipRole.OTHER


class BaseResidentFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            bsn = form.cleaned_data.get("bsn")
            if bsn and bsn in seen:
                form.add_error("bsn", _("This BSN appears twice in this form."))
            seen.add(bsn)
        if not any(form.has_changed() for form in self.forms):
            raise ValidationError(_("Register at least one resident."))


ResidentFormSet = forms.formset_factory(
    ResidentForm, formset=BaseResidentFormSet, extra=1, max_num=12, validate_max=True
)


class MembershipEndForm(forms.Form):
    end_date = forms.DateField(label=_("left on"), widget=forms.DateInput(attrs={"type": "date"}))


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, member):
        name = member.user.get_full_name() or member.user.username
        return name if member.active else _("%(name)s (left)") % {"name": name}


class CaseloadReassignForm(forms.Form):
    """Move a (departing) member's households to a colleague in the same team."""

    from_member = MemberChoiceField(label=_("Households of"), queryset=None)
    to_member = MemberChoiceField(label=_("Move to"), queryset=None)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        members = team.members.select_related("user").order_by("user__last_name", "pk")
        self.fields["from_member"].queryset = members
        self.fields["to_member"].queryset = members.filter(active=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("from_member") and cleaned.get("from_member") == cleaned.get("to_member"):
            raise ValidationError(_("Choose two different members."))
        return cleaned


# --- Kitchen-table conversation, network, support plan, evaluation -----------------------------


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCORE_CHOICES = [("", _("not scored")), *SelfSufficiency.choices]


def add_score_fields(form: forms.Form, initial: dict | None = None) -> None:
    """One select per life domain (`score_<domain>`); a domain may be left unscored."""
    initial = initial or {}
    for domain in LifeDomain:
        form.fields[f"score_{domain.value}"] = forms.TypedChoiceField(
            label=domain.label,
            choices=SCORE_CHOICES,
            coerce=int,
            empty_value=None,
            required=False,
            initial=initial.get(domain.value),
        )


def cleaned_scores(form: forms.Form) -> dict:
    return {domain.value: form.cleaned_data.get(f"score_{domain.value}") for domain in LifeDomain}


def score_fields(form: forms.Form) -> list:
    return [form[f"score_{domain.value}"] for domain in LifeDomain]


class ConversationForm(forms.ModelForm):
    melding = forms.ModelChoiceField(
        label=_("request for help"),
        queryset=Melding.objects.none(),
        required=False,
        to_field_name="uuid",
        help_text=_("The request this conversation investigates; it is then completed."),
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("residents taking part"),
        queryset=Resident.objects.none(),
        required=False,
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = KitchenTableConversation
        fields = [
            "held_on",
            "place",
            "other_participants",
            "resident_story",
            "own_strength",
            "network_strength",
            "general_provisions",
            "agreements",
            "income_crisis",
            "income_note",
            "debts_crisis",
            "debts_note",
            "housing_crisis",
            "housing_note",
            "food_crisis",
            "food_note",
        ]
        widgets = {
            "held_on": DATE_WIDGET,
            "other_participants": forms.Textarea(attrs={"rows": 2}),
            "resident_story": forms.Textarea(attrs={"rows": 6}),
            "own_strength": forms.Textarea(attrs={"rows": 3}),
            "network_strength": forms.Textarea(attrs={"rows": 3}),
            "general_provisions": forms.Textarea(attrs={"rows": 3}),
            "agreements": forms.Textarea(attrs={"rows": 3}),
        }

    STORY_FIELDS = ("resident_story", "own_strength", "network_strength", "general_provisions")

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["melding"].queryset = household.meldingen.open()
        self.fields["participants"].queryset = Resident.objects.filter(
            memberships__in=HouseholdMembership.objects.current().filter(household=household)
        )
        add_score_fields(self)

    def basic_needs_rows(self):
        return [(self[f"{need.value}_crisis"], self[f"{need.value}_note"]) for need in BasicNeed]

    def score_fields(self):
        return score_fields(self)

    def conversation_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RemarksForm(forms.ModelForm):
    class Meta:
        model = KitchenTableConversation
        fields = ["resident_remarks"]
        widgets = {"resident_remarks": forms.Textarea(attrs={"rows": 3})}


class NetworkMemberForm(forms.ModelForm):
    class Meta:
        model = InformalNetworkMember
        fields = ["kind", "name", "contact", "contribution"]
        widgets = {"contribution": forms.Textarea(attrs={"rows": 2})}


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

    class Meta:
        model = SupportPlan
        fields = [
            "coordinator",
            "evaluation_date",
            "aftercare_in_place",
            "aftercare_agreed_with",
            "aftercare_check_in_dates",
            "resident_agreed_on",
        ]
        widgets = {
            "evaluation_date": DATE_WIDGET,
            "resident_agreed_on": DATE_WIDGET,
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


def _user_label(user) -> str:
    return user.get_full_name() or user.get_username()


class GoalForm(forms.ModelForm):
    class Meta:
        model = PlanGoal
        fields = ["domain", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


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
    user = forms.ModelChoiceField(label=_("professional"), queryset=None, to_field_name="username")
    role = forms.CharField(
        label=_("role in the plan"),
        max_length=200,
        help_text=_("e.g. debt counsellor, youth specialist"),
    )

    def __init__(self, *args, professionals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = professionals
        self.fields["user"].label_from_instance = _user_label


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


def apply_validation_error(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where the field exists, else
    at the top of the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)
