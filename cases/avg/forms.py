"""Forms for the privacy officer's AVG screens: finding a resident, recording and answering
correction requests."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.avg.models import CorrectionStatus
from cases.validators import normalise_bsn

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ResidentLookupForm(forms.Form):
    """By BSN, or (for someone without one) by last name and date of birth. Sent by POST, so
    neither ends up in a URL or a log."""

    bsn = forms.CharField(
        label=_("BSN"),
        max_length=11,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    last_name = forms.CharField(label=_("last name"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("date of birth"), required=False, widget=DATE)

    def clean_bsn(self):
        value = self.cleaned_data["bsn"]
        return normalise_bsn(value) if value else ""

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not data.get("bsn") and not (data.get("last_name") and data.get("birth_date")):
            raise forms.ValidationError(_("Give the BSN, or the last name and the date of birth."))
        return data


class CorrectionRequestForm(forms.Form):
    received_on = forms.DateField(label=_("received on"), initial=datetime.date.today, widget=DATE)
    what_is_wrong = forms.CharField(
        label=_("what is wrong"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Which data, in the resident's words."),
    )
    should_be = forms.CharField(
        label=_("what it should be"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CorrectionHandleForm(forms.Form):
    status = forms.ChoiceField(
        label=_("decision"),
        choices=[
            (CorrectionStatus.GRANTED, CorrectionStatus.GRANTED.label),
            (CorrectionStatus.REFUSED, CorrectionStatus.REFUSED.label),
        ],
        widget=forms.RadioSelect,
    )
    outcome = forms.CharField(
        label=_("outcome"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Granted: what was changed. Refused: the reason."),
    )
    handled_on = forms.DateField(label=_("handled on"), initial=datetime.date.today, widget=DATE)


class AvgRequestExtendForm(forms.Form):
    """Extend the term of a complex request by two months (art. 12(3) AVG)."""

    reason = forms.CharField(
        label=_("reason for the extension"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the request is complex, as told to the resident."),
    )
    told_on = forms.DateField(
        label=_("resident told on"),
        initial=datetime.date.today,
        widget=DATE,
        help_text=_("Within the first month after receipt."),
    )
