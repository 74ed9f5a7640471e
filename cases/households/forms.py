from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.households.models import Household, MembershipRole, Resident
from cases.validators import normalise_bsn
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
        fields = [
            "bsn",
            "first_name",
            "name_prefix",
            "last_name",
            "birth_date",
            "phone",
            "email",
            "preferred_language",
        ]
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
        # a form posted without it (older pages, scripts) keeps the language as it was
        self.fields["preferred_language"].required = False
        checked_while_typing(self, "bsn", "bsn")

    def clean_preferred_language(self):
        return (
            self.cleaned_data.get("preferred_language")
            or self.instance.preferred_language
            or settings.LANGUAGE_CODE
        )

    def clean_bsn(self):
        value = (self.cleaned_data.get("bsn") or "").strip()
        return normalise_bsn(value) if value else None

    def clean_role(self):
        return self.cleaned_data.get("role") or MembershipRole.OTHER


class NewHouseholdResidentForm(ResidentForm):
    """A resident of a household being registered: a BSN that is registered already is the
    person who moves in (`household_create` takes their record, keeping their history; it
    refuses when they still live elsewhere), not an error of the form."""

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        bsn = self.cleaned_data.get("bsn")  # checked by clean_bsn (elfproef)
        if bsn and Resident.objects.filter(bsn=bsn).exists():
            exclude.add("bsn")  # not "already registered": the person moving in
        return exclude


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
    NewHouseholdResidentForm, formset=BaseResidentFormSet, extra=1, max_num=12, validate_max=True
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


class ResidentJoinForm(forms.Form):
    """Someone already registered joins the household: found by BSN (a former member of any
    household too), then added, or moved here from where they live now."""

    bsn = forms.CharField(
        label=_("BSN"),
        max_length=11,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("role in the household"), choices=MembershipRole.choices, required=False
    )
    start_date = forms.DateField(
        label=_("lives here from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Empty: today."),
    )

    def clean_bsn(self):
        return normalise_bsn(self.cleaned_data["bsn"].strip())

    def clean_role(self):
        return self.cleaned_data.get("role") or MembershipRole.OTHER


class HouseholdMoveForm(HouseholdForm):
    """An address change: a move (the old address kept in the history, a handover when the
    new address lies in another district), or the correction of a typo."""

    correction = forms.BooleanField(
        label=_("This corrects the current address; the household did not move"),
        required=False,
    )
    moved_on = forms.DateField(
        label=_("moved on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Empty: today."),
    )
    reason = forms.CharField(
        label=_("note for the receiving team"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only used when the new address lies in another district."),
    )


class HandoverAcceptForm(forms.Form):
    coordinator = forms.ModelChoiceField(
        label=_("coordinator"), queryset=None, to_field_name="username"
    )

    def __init__(self, *args, generalists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = generalists
        self.fields["coordinator"].label_from_instance = lambda u: u.get_full_name() or u.username
