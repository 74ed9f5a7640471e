"""The consent form in the household file."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.consent.models import ConsentPurpose, DataCategory
from networks.models import Organisation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ConsentForm(forms.Form):
    resident = forms.ModelChoiceField(label=_("resident"), queryset=None, empty_label=None)
    organisation = forms.ModelChoiceField(
        label=_("organisation"), queryset=Organisation.objects.filter(active=True)
    )
    categories = forms.MultipleChoiceField(
        label=_("data categories"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    purpose = forms.ChoiceField(
        label=_("purpose"),
        choices=ConsentPurpose.choices,
        help_text=_("What the data may be shared for; a check in the file asks for this code."),
    )
    purpose_note = forms.CharField(
        label=_("note on the purpose"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("In the resident's words, if useful."),
    )
    given_by = forms.CharField(
        label=_("given by"),
        max_length=200,
        help_text=_("The resident, or the name and capacity of their representative."),
    )
    given_on = forms.DateField(label=_("given on"), initial=datetime.date.today, widget=DATE)
    expires_on = forms.DateField(label=_("expires on"), required=False, widget=DATE)
    legal_basis = forms.BooleanField(
        label=_("legal basis instead of consent"),
        required=False,
        help_text=_("The data may be shared on a legal basis; consent is not needed."),
    )
    legal_basis_text = forms.CharField(
        label=_("legal basis"),
        max_length=300,
        required=False,
        help_text=_("The article, e.g. art. 5.1.1 Wmo 2015."),
    )

    def __init__(self, *args, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = residents
        self.fields["resident"].label_from_instance = lambda r: r.full_name

    def clean(self):
        data = super().clean()
        if data.get("legal_basis") and not (data.get("legal_basis_text") or "").strip():
            self.add_error("legal_basis_text", _("Name the legal basis."))
        given, expires = data.get("given_on"), data.get("expires_on")
        if given and expires and expires < given:
            self.add_error("expires_on", _("The expiry date cannot be before the date given."))
        return data


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(
        label=_("withdrawn on"), initial=datetime.date.today, widget=DATE
    )
