import datetime
import functools

from django import forms
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cases.households.models import Resident
from cases.provisions.models import (
    AdvanceExceptionReason,
    ApplicationStatus,
    DecisionOutcome,
    Delivery,
    ReferralOutcome,
    TermEventKind,
)
from cases.provisions.selectors import consultants, contracted_providers, user_display_name
from networks.models import (
    BudgetStream,
    Frequency,
    GeneralProvision,
    Law,
    Organisation,
    Product,
    Unit,
)
from teams.models import District

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        code = f" · {obj.category}{obj.code and '/' + obj.code}" if obj.category else ""
        return f"{obj.name} ({obj.get_law_display()}{code})"


class ApplicationForm(forms.Form):
    resident = forms.ModelChoiceField(
        label=_("for whom"), queryset=Resident.objects.none(), required=False
    )
    product = ProductChoiceField(
        label=_("provision"),
        queryset=Product.objects.active().order_by("law", "name"),
    )
    motivation = forms.CharField(
        label=_("motivation"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Which life domains need this, and why own strength, the network and "
            "general provisions are not enough."
        ),
    )
    applied_on = forms.DateField(label=_("applied on"), widget=DATE)

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        members = Resident.objects.filter(memberships__in=household.memberships.current()).order_by(
            "birth_date"
        )
        self.fields["resident"].queryset = members
        self.fields["resident"].required = members.exists()
        if members.exists() and "resident" not in self.initial:
            self.initial["resident"] = members.first().pk


class ReferralForm(forms.Form):
    provision = forms.ModelChoiceField(
        label=_("general provision"), queryset=GeneralProvision.objects.none()
    )
    reason = forms.CharField(
        label=_("why this provision"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, provisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provision"].queryset = provisions


class ReferralFollowUpForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("did it help?"),
        choices=[c for c in ReferralOutcome.choices if c[0] != ReferralOutcome.PENDING],
    )
    note = forms.CharField(
        label=_("follow-up note"), max_length=2000, required=False, widget=forms.TextInput
    )


class QueueFilterForm(forms.Form):
    law = forms.ChoiceField(
        label=_("law"), choices=[("", _("All laws")), *Law.choices], required=False
    )
    district = forms.ModelChoiceField(
        label=_("district"),
        queryset=District.objects.order_by("name"),
        required=False,
        empty_label=_("All districts"),
    )
    status = forms.ChoiceField(
        label=_("status"),
        choices=[("", _("All undecided")), *ApplicationStatus.choices],
        required=False,
    )
    scope = forms.ChoiceField(
        label=_("show"),
        choices=[("", _("My work area")), ("all", _("Whole municipality"))],
        required=False,
    )


def queue_filter_fields(form: QueueFilterForm) -> str:
    """The queue's filter fields as its page shows them (`cases/_filter_fields.html`), for the form
    as the request filled it in (validated already): rendered once per process for each
    language, list of districts and choice of filters, instead of building four selects and
    their options from templates on every page of the queue. The districts (one query) are in
    the key, so a district added or renamed shows at once."""
    districts = tuple(District.objects.order_by("name").values_list("pk", "name"))
    chosen = tuple(
        (name, str(form.data.get(name, ""))[:64], name in form.errors) for name in form.fields
    )
    return _queue_filter_fields(get_language(), districts, chosen)


@functools.lru_cache(maxsize=64)
def _queue_filter_fields(language: str, districts: tuple, chosen: tuple) -> str:
    data = {name: value for name, value, _invalid in chosen if value}
    form = QueueFilterForm(data or None)
    field = form.fields["district"]
    field.choices = [("", field.empty_label), *districts]
    return render_to_string("cases/_filter_fields.html", {"filters": form})


class ConsultantChoiceField(forms.ModelChoiceField):
    """A consultant by name (full name, else username)."""

    def label_from_instance(self, obj):
        return user_display_name(obj)


class AssignForm(forms.Form):
    consultant = ConsultantChoiceField(label=_("consultant"), queryset=consultants())
    version = forms.IntegerField(widget=forms.HiddenInput)


class CosignRequestForm(forms.Form):
    """Ask (again) a consultant of the team to co-sign: `candidates` from
    `selectors.cosign_candidates`."""

    consultant = ConsultantChoiceField(label=_("ask to co-sign"), queryset=consultants())

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = candidates


class DecisionForm(forms.Form):
    """The decision on an application. Only the chosen outcome's fields count (`OUTCOME_FIELDS`):
    the others are neither validated nor passed on, whatever the browser sent, so a hidden
    fieldset never blocks the decision. Products are those of the application's law; the
    provider list holds the organisations with a contract for the product on the start date
    (`selectors.contracted_providers`; `decision_make` refuses any other)."""

    outcome = forms.ChoiceField(
        label=_("decision"), choices=DecisionOutcome.choices, widget=forms.RadioSelect
    )
    product = ProductChoiceField(
        label=_("product"),
        queryset=Product.objects.active().order_by("law", "name"),
        required=False,
    )
    volume = forms.IntegerField(label=_("volume"), min_value=1, required=False)
    unit = forms.ChoiceField(label=_("unit"), choices=[("", "—"), *Unit.choices], required=False)
    frequency = forms.ChoiceField(
        label=_("frequency"), choices=[("", "—"), *Frequency.choices], required=False
    )
    start_date = forms.DateField(label=_("start date"), widget=DATE, required=False)
    end_date = forms.DateField(label=_("end date"), widget=DATE, required=False)
    delivery = forms.ChoiceField(
        label=_("form of delivery"), choices=[("", "—"), *Delivery.choices], required=False
    )
    provider = forms.ModelChoiceField(
        label=_("provider"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Providers with a contract for the product on the start date."),
        error_messages={
            "invalid_choice": _(
                "This provider has no contract for the product on the start date: choose one "
                "from the list."
            )
        },
    )
    amount = forms.DecimalField(
        label=_("amount (€)"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Leave empty to calculate it from the tariff, the extent and the period."),
    )
    reasons = forms.CharField(
        label=_("reasons"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    general_provision = forms.ModelChoiceField(
        label=_("general provision to try first"),
        queryset=GeneralProvision.objects.filter(active=True).order_by("name"),
        required=False,
    )
    signal_subsidy = forms.BooleanField(
        label=_("signal to the subsidy officer: this general provision falls short"),
        required=False,
    )
    signal_reason = forms.CharField(
        label=_("what falls short"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    is_deviation = forms.BooleanField(
        label=_("justified deviation from the regulation (maatwerk)"), required=False
    )
    deviation_justification = forms.CharField(
        label=_("justification of the deviation"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    # the fieldsets of the screen: which outcomes show each (decision-form.js toggles them)
    FIELDSETS = {
        "grant": [
            "product",
            "volume",
            "unit",
            "frequency",
            "start_date",
            "end_date",
            "delivery",
            "provider",
            "amount",
        ],
        "reasons": ["reasons"],
        "refer_back": ["general_provision", "signal_subsidy", "signal_reason"],
        "deviation": ["is_deviation", "deviation_justification"],
    }
    FIELDSET_OUTCOMES = {
        "grant": [DecisionOutcome.GRANT],
        "reasons": [DecisionOutcome.REJECT, DecisionOutcome.REFER_BACK],
        "refer_back": [DecisionOutcome.REFER_BACK],
    }
    ALWAYS = ("outcome", "version", "is_deviation", "deviation_justification")

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        self.fields["product"].queryset = Product.objects.active().filter(law=application.law)
        self.fields["product"].queryset = self.fields["product"].queryset.order_by("name")
        product_id, start_date = self.product_and_start()
        self.fields["provider"].queryset = contracted_providers(
            product_id=product_id, on=start_date
        )

    def _raw(self, name):
        """A field's value as posted, cleaned, or None when absent or invalid."""
        field = self.fields[name]
        raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        try:
            return field.clean(raw)
        except forms.ValidationError:
            return None

    def product_and_start(self) -> tuple[int, datetime.date]:
        """The product and start date the provider list is for: as posted, else the form's
        starting values (the application's product, today)."""
        product = self._raw("product") if self.is_bound else None
        start = self._raw("start_date") if self.is_bound else None
        product_id = (
            product.pk if product else self.initial.get("product") or self.application.product_id
        )
        return product_id, start or self.initial.get("start_date") or timezone.localdate()

    def outcome_fields(self, outcome) -> set[str]:
        fields = set(self.ALWAYS)
        for fieldset, outcomes in self.FIELDSET_OUTCOMES.items():
            if outcome in outcomes:
                fields.update(self.FIELDSETS[fieldset])
        return fields

    def clean(self):
        cleaned = super().clean()
        chosen = self.outcome_fields(cleaned.get("outcome"))
        for name, field in self.fields.items():
            if name not in chosen:
                self._errors.pop(name, None)
                cleaned[name] = field.to_python(None)
        return cleaned

    def fieldset(self, name):
        return [self[field] for field in self.FIELDSETS[name]]

    @property
    def grant_fields(self):
        return self.fieldset("grant")

    @property
    def grant_period_fields(self):
        """The grant's fields after product and extent (shown in a row of their own)."""
        return [self[name] for name in self.FIELDSETS["grant"][4:]]

    @property
    def reasons_fields(self):
        return self.fieldset("reasons")

    @property
    def refer_back_fields(self):
        return self.fieldset("refer_back")

    @property
    def deviation_fields(self):
        return self.fieldset("deviation")


class MandateSpendForm(forms.Form):
    amount = forms.DecimalField(
        label=_("amount (€)"), max_digits=12, decimal_places=2, min_value=0.01
    )
    stream = forms.ModelChoiceField(
        label=_("budget stream"), queryset=BudgetStream.objects.filter(active=True)
    )
    reason = forms.CharField(
        label=_("reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. rent arrears paid to stop an eviction"),
    )
    budget_override_reason = forms.CharField(
        label=_("reason to exceed the budget stream (team lead)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when this would take the stream beyond its budget."),
    )


class BudgetOverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("reason to exceed the budget stream"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# Decision clocks -------------------------------------------------------------------------------


class TermEventForm(forms.Form):
    """A suspension or a notice of delay (Awb 4:14, 4:15). Which fields count depends on the
    kind; the service (`application_term_event_record`) says what is missing."""

    kind = forms.ChoiceField(
        label=_("what happened"), choices=TermEventKind.choices, widget=forms.RadioSelect
    )
    asked_on = forms.DateField(label=_("asked to complete on"), widget=DATE, required=False)
    period_days = forms.IntegerField(
        label=_("period to complete (days)"),
        min_value=1,
        max_value=365,
        required=False,
        help_text=_("The period the letter gave. Without a period the term is not suspended."),
    )
    completed_on = forms.DateField(
        label=_("completed on"),
        widget=DATE,
        required=False,
        help_text=_("Leave empty while the applicant has not completed it."),
    )
    suspended_from = forms.DateField(label=_("suspended from"), widget=DATE, required=False)
    suspended_until = forms.DateField(
        label=_("suspended up to and including"), widget=DATE, required=False
    )
    given_on = forms.DateField(label=_("notice given on"), widget=DATE, required=False)
    expected_on = forms.DateField(label=_("decision now expected on"), widget=DATE, required=False)
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    FIELDSETS = {
        "incomplete": ["asked_on", "period_days", "completed_on"],
        "period": ["suspended_from", "suspended_until"],
        "notice": ["given_on", "expected_on"],
    }

    @property
    def incomplete_fields(self):
        return [self[name] for name in self.FIELDSETS["incomplete"]]

    @property
    def period_fields(self):
        return [self[name] for name in self.FIELDSETS["period"]]

    @property
    def notice_fields(self):
        return [self[name] for name in self.FIELDSETS["notice"]]


class TermEventCompleteForm(forms.Form):
    completed_on = forms.DateField(label=_("completed on"), widget=DATE)


class MadeKnownForm(forms.Form):
    made_known_on = forms.DateField(
        label=_("made known on"),
        widget=DATE,
        help_text=_("The day the letter was sent or handed over; a change re-issues the letter."),
    )


class AdvancePaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("amount (€)"), max_digits=12, decimal_places=2, min_value=0.01
    )
    paid_on = forms.DateField(label=_("paid on"), widget=DATE)


class AdvanceExceptionForm(forms.Form):
    reason = forms.ChoiceField(label=_("exception"), choices=AdvanceExceptionReason.choices)
    explanation = forms.CharField(
        label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
