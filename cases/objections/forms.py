"""The objection forms: register one, handle it (term and hearing), decide on it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.objections.models import ObjectionOutcome, ObjectorKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DecisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(product)s, decided %(date)s (%(outcome)s)") % {
            "product": obj.application.product.name,
            "date": obj.decided_at.strftime("%d-%m-%Y"),
            "outcome": obj.get_outcome_display().lower(),
        }


class ObjectionRegisterForm(forms.Form):
    decision = DecisionChoiceField(label=_("decision objected to"), queryset=None)
    received_on = forms.DateField(label=_("received on"), widget=DATE)
    objector_kind = forms.ChoiceField(
        label=_("lodged by"), choices=ObjectorKind.choices, widget=forms.RadioSelect
    )
    objector_name = forms.CharField(
        label=_("name of the objector"),
        max_length=200,
        required=False,
        help_text=_("Who signed the objection, e.g. the representative's name and capacity."),
    )
    grounds = forms.CharField(
        label=_("grounds"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Why the objector disagrees with the decision, in their own words."),
    )
    advisory_committee = forms.BooleanField(
        label=_("advisory committee (Awb 7:13)"),
        required=False,
        help_text=_("An independent committee advises: the decision term is 12 weeks."),
    )
    hearing_on = forms.DateField(label=_("hearing date"), widget=DATE, required=False)

    def __init__(self, *args, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = decisions


class ObjectionHandleForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    advisory_committee = forms.BooleanField(
        label=_("advisory committee (Awb 7:13)"),
        required=False,
        help_text=_("An independent committee advises: the decision term is 12 weeks."),
    )
    deferred_on = forms.DateField(
        label=_("deferral sent on (Awb 7:10(3))"),
        widget=DATE,
        required=False,
        help_text=_("The day the objector was told the decision is deferred by 6 weeks."),
    )
    consent_deferral_weeks = forms.IntegerField(
        label=_("further deferral with the objector's consent (weeks, Awb 7:10(4))"),
        min_value=0,
        max_value=52,
        initial=0,
    )
    hearing_on = forms.DateField(label=_("hearing date"), widget=DATE, required=False)
    late_excusable = forms.TypedChoiceField(
        label=_("lateness excusable (Awb 6:11)"),
        choices=[
            ("", _("not judged yet")),
            ("yes", _("yes, excusable")),
            ("no", _("no: inadmissible")),
        ],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, late: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not late:
            del self.fields["late_excusable"]

    def clean_consent_deferral_weeks(self):
        return self.cleaned_data.get("consent_deferral_weeks") or 0


class ObjectionDecideForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("outcome"), choices=ObjectionOutcome.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label=_("reasons for the outcome"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    new_decision = forms.BooleanField(
        label=_("make a new decision"),
        required=False,
        help_text=_(
            "Founded: a new application for the same provision is opened for you to decide."
        ),
    )
