"""Forms of network links: the coordinator's link for a network member, the member's code and
their report on an action."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.network.models import NOTE_MAX_LENGTH, ReportStatus

PHONE = re.compile(r"^\+?[0-9][0-9 -]{7,18}$")


class NetworkLinkForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("network member"),
        queryset=None,
        to_field_name="uuid",
        help_text=_("Only people who carry out actions in this plan."),
    )
    email = forms.EmailField(
        label=_("e-mail address"),
        required=False,
        help_text=_("The link and a one-time code are sent here."),
    )
    phone = forms.CharField(
        label=_("mobile number"),
        required=False,
        max_length=20,
        help_text=_(
            "The code goes by text message. Without e-mail or phone the link works only two days."
        ),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("Enter a phone number of digits, e.g. 0612345678."))
        return phone


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("code"),
        min_length=6,
        max_length=6,
        help_text=_("The 6 digits you received by text message or e-mail."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("The code has 6 digits."))
        return code


class ReportForm(forms.Form):
    status = forms.ChoiceField(
        label=_("how is it going?"), choices=ReportStatus.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional, short. Do not write about other people."),
    )
