"""Forms for intake: meldingen, signals and their triage."""

import datetime
import functools

from django import forms
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cases.households.models import HouseholdMembership, Resident
from cases.intake.models import (
    BasicNeed,
    BasicNeedAnswer,
    CallbackOutcome,
    HandoffUrgency,
    InformalNetworkMember,
    KitchenTableConversation,
    LifeDomain,
    Melding,
    MeldingChannel,
    SelfSufficiency,
    Signal,
)
from teams.models import Team
from teams.validators import normalise_postcode

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


NOT_DISCUSSED = "not_discussed"


def add_assessment_fields(form: forms.Form) -> None:
    """The conversation's life-domain assessment: one radio group per domain (`score_<domain>`),
    1-5 or "not discussed"; none may be left open."""
    choices = [(str(value), label) for value, label in SelfSufficiency.choices]
    choices.append((NOT_DISCUSSED, _("not discussed")))
    for domain in LifeDomain:
        form.fields[f"score_{domain.value}"] = forms.ChoiceField(
            label=domain.label,
            choices=choices,
            widget=forms.RadioSelect,
            error_messages={"required": _("Give a score or mark it as not discussed.")},
        )


def add_basic_need_fields(form: forms.Form) -> None:
    """One radio group per basic need (`<need>_answer`): yes (a crisis), no, not asked (also
    when the answer is missing from the post)."""
    for need in BasicNeed:
        form.fields[f"{need.value}_answer"] = forms.ChoiceField(
            label=need.label,
            choices=BasicNeedAnswer.choices,
            widget=forms.RadioSelect,
            initial=BasicNeedAnswer.NOT_ASKED,
            required=False,
        )


def resident_label(membership) -> str:
    """ "Name (role, born 1980)": who is who on a checkbox."""
    resident = membership.resident
    details = [str(membership.get_role_display()).lower()]
    if resident.birth_date:
        details.append(_("born %(year)s") % {"year": resident.birth_date.year})
    return f"{resident.full_name} ({', '.join(details)})"


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
    network_participants = forms.ModelMultipleChoiceField(
        label=_("informal network taking part"),
        queryset=InformalNetworkMember.objects.none(),
        required=False,
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Add someone to the household's network first, then pick them here."),
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
            "income_note",
            "debts_note",
            "housing_note",
            "food_note",
        ]
        widgets = {
            "held_on": DATE_WIDGET,
            "other_participants": forms.Textarea(attrs={"rows": 2}),
            # short boxes on a phone: they grow as the text does (the browser's resize handle)
            "resident_story": forms.Textarea(attrs={"rows": 4}),
            "own_strength": forms.Textarea(attrs={"rows": 2}),
            "network_strength": forms.Textarea(attrs={"rows": 2}),
            "general_provisions": forms.Textarea(attrs={"rows": 2}),
            "agreements": forms.Textarea(attrs={"rows": 3}),
        }

    STORY_FIELDS = ("resident_story", "own_strength", "network_strength", "general_provisions")
    # the steps of the form, each a <details> section: which fields each holds
    SECTIONS = {
        "who": (
            "held_on",
            "place",
            "melding",
            "participants",
            "network_participants",
            "other_participants",
        ),
        "story": STORY_FIELDS,
        "basic-needs": tuple(
            f"{need.value}_{part}" for need in BasicNeed for part in ("answer", "note")
        ),
        "domains": tuple(f"score_{domain.value}" for domain in LifeDomain),
        "agreements": ("agreements",),
    }

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["melding"].queryset = household.meldingen.open()
        # picked from who is known (ask once): residents with their role and birth year, the
        # informal network with its kind; the free field stays for everyone else
        memberships = list(
            HouseholdMembership.objects.current()
            .filter(household=household)
            .select_related("resident")
            .order_by("resident__last_name", "resident__first_name", "pk")
        )
        labels = {m.resident_id: resident_label(m) for m in memberships}
        self.fields["participants"].queryset = Resident.objects.filter(pk__in=labels).order_by(
            "last_name", "first_name", "pk"
        )
        self.fields["participants"].label_from_instance = lambda r: labels.get(r.pk, r.full_name)
        self.fields["network_participants"].queryset = household.network_members.order_by(
            "name", "pk"
        )
        self.fields["network_participants"].label_from_instance = str
        add_basic_need_fields(self)
        add_assessment_fields(self)

    def basic_needs_rows(self):
        return [(self[f"{need.value}_answer"], self[f"{need.value}_note"]) for need in BasicNeed]

    def score_fields(self):
        return score_fields(self)

    def scores(self) -> dict:
        """{domain: 1-5}, for the scored domains."""
        return {
            domain: int(value)
            for domain, value in self._assessment().items()
            if value and value != NOT_DISCUSSED
        }

    def domains_not_discussed(self) -> list[str]:
        return [domain for domain, value in self._assessment().items() if value == NOT_DISCUSSED]

    def _assessment(self) -> dict:
        return {
            domain.value: self.cleaned_data.get(f"score_{domain.value}") for domain in LifeDomain
        }

    def conversation_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        for need in BasicNeed:
            answer = BasicNeedAnswer(
                self.cleaned_data[f"{need.value}_answer"] or BasicNeedAnswer.NOT_ASKED
            )
            fields[f"{need.value}_crisis"] = answer.crisis()
        return fields

    def sections_with_errors(self) -> set[str]:
        """The form's steps (`SECTIONS`) holding a field with an error: shown open."""
        return {
            section
            for section, names in self.SECTIONS.items()
            if any(self.has_error(name) for name in names)
        }

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(link target id, label, message) for every error, in the order of the form; the
        target is the input itself, or the first option of a radio or checkbox group."""
        rows = []
        for name in self.fields:
            if not self.has_error(name):
                continue
            field = self[name]
            target = f"{field.auto_id}_0" if field.field.widget.use_fieldset else field.auto_id
            rows.extend((target, field.label, error) for error in field.errors)
        return rows


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


class MeldingForm(forms.ModelForm):
    class Meta:
        model = Melding
        fields = ["received_on", "channel", "question"]
        widgets = {
            "received_on": DATE_WIDGET,
            "question": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from a signal" is set by triage, not chosen by hand
        self.fields["channel"].choices = [
            choice
            for choice in self.fields["channel"].choices
            if choice[0] != MeldingChannel.SIGNAL
        ]


def melding_form_fields() -> str:
    """The fields of an empty `MeldingForm` as the household page shows them
    (`cases/_form_fields.html`): the same markup for every household, changing only with the
    language and the day (the date of the request defaults to today), so rendered once per
    process, language and day instead of building the form and its widgets on every page."""
    return _melding_form_fields(get_language(), timezone.localdate())


@functools.lru_cache(maxsize=8)
def _melding_form_fields(language: str, today: datetime.date) -> str:
    # `today` as the initial value: the key's day, also when the date turns while rendering
    form = MeldingForm(initial={"received_on": today})
    return render_to_string("cases/_form_fields.html", {"form": form})


class SignalForm(forms.ModelForm):
    """A signal about a known household (`household` given: pick one of its residents) or
    about a person known only by what the reporter knows."""

    subject_postcode = forms.CharField(
        label=_("postcode of the person"),
        max_length=8,
        required=False,
        help_text=_("Decides which team triages the signal."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 8}),
    )
    team = forms.ModelChoiceField(
        label=_("neighbourhood team"),
        queryset=Team.objects.order_by("name"),
        required=False,
        help_text=_("Only needed when the postcode is unknown or outside the municipality."),
    )

    class Meta:
        model = Signal
        fields = [
            "source_type",
            "reporter_name",
            "reporter_contact",
            "received_on",
            "observation",
            "resident",
            "subject_name",
            "subject_birth_date",
            "subject_address",
            "subject_postcode",
        ]
        widgets = {
            "received_on": DATE_WIDGET,
            "subject_birth_date": DATE_WIDGET,
            "observation": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        if household is not None:
            for name in (
                "subject_name",
                "subject_birth_date",
                "subject_address",
                "subject_postcode",
                "team",
            ):
                del self.fields[name]
            self.fields["resident"].queryset = Resident.objects.filter(
                memberships__in=household.memberships.current()
            )
            self.fields["resident"].required = False
            self.fields["resident"].empty_label = _("The household as a whole")
            self.fields["resident"].label = _("about")
        else:
            del self.fields["resident"]
            self.fields["subject_name"].required = True

    def clean_subject_postcode(self):
        value = self.cleaned_data.get("subject_postcode", "").strip()
        return normalise_postcode(value) if value else ""


class SignalCloseForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for closing"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. no concern after all, help is already in place."),
    )


class MeldingWithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for withdrawal"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("In the resident's words, e.g. the help is arranged privately after all."),
    )


NEW_HOUSEHOLD = "new"


def _candidate_label(household) -> str:
    """The address and who lives there (prefetched as `current_memberships`)."""
    names = ", ".join(m.resident.full_name for m in getattr(household, "current_memberships", ()))
    return f"{household} ({names})" if names else str(household)


class SignalConvertForm(forms.Form):
    """Turn a signal into a melding. For a signal without household: choose one of the
    candidate households, or `new` to register the household at the same time."""

    household = forms.ChoiceField(label=_("household"), widget=forms.RadioSelect, required=False)
    received_on = forms.DateField(
        label=_("date of the request"),
        widget=DATE_WIDGET,
        help_text=_("The Wmo 6-week investigation period starts on this date."),
    )
    question = forms.CharField(
        label=_("question in the resident's own words"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, signal: Signal, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.signal = signal
        self.candidates = {str(h.uuid): h for h in candidates}
        if signal.household_id:
            del self.fields["household"]
        else:
            self.fields["household"].choices = [
                *((key, _candidate_label(h)) for key, h in self.candidates.items()),
                (NEW_HOUSEHOLD, _("Register a new household")),
            ]

    @property
    def wants_new_household(self) -> bool:
        return (
            "household" in self.fields
            and self.is_bound
            and self.data.get(self.add_prefix("household")) == NEW_HOUSEHOLD
        )

    def clean_household(self):
        value = self.cleaned_data.get("household")
        if "household" in self.fields and not value:
            raise forms.ValidationError(_("Choose the household or register a new one."))
        return value

    def chosen_household(self):
        return self.candidates.get(self.cleaned_data.get("household") or "")


class GpHandoffForm(forms.Form):
    """The GP's warm hand-off: who the patient is (as far as the GP knows), the concern, the
    patient's consent and how urgent it is. Nothing comes back from the file."""

    patient_name = forms.CharField(label=_("name of the patient"), max_length=200)
    patient_birth_date = forms.DateField(label=_("date of birth"), widget=DATE_WIDGET)
    postcode = forms.CharField(label=_("postcode"), max_length=10)
    house_number = forms.CharField(
        label=_("house number"), max_length=10, help_text=_("With the addition, e.g. 12A.")
    )
    concern = forms.CharField(
        label=_("your concern"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What the team should know to call your patient back; no more medical detail than "
            "needed."
        ),
    )
    urgency = forms.ChoiceField(
        label=_("urgency"),
        choices=HandoffUrgency.choices,
        initial=HandoffUrgency.NORMAL,
        widget=forms.RadioSelect,
        help_text=_("Urgent: called back within 1 working day; otherwise within 3."),
    )
    practice_name = forms.CharField(label=_("practice"), max_length=100, required=False)
    reply_email = forms.EmailField(
        label=_("e-mail for the status"),
        max_length=150,
        help_text=_("You hear here whether contact was made; nothing about the case."),
    )
    consent_confirmed = forms.BooleanField(
        label=_("My patient agreed that I pass this concern on to the neighbourhood team."),
        error_messages={"required": _("Send a hand-off only with your patient's consent.")},
    )

    def clean_postcode(self):
        return normalise_postcode(self.cleaned_data["postcode"])

    def clean_patient_birth_date(self):
        value = self.cleaned_data["patient_birth_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of birth lies in the future."))
        return value


class CallbackAttemptForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("outcome"), choices=CallbackOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("note"),
        max_length=500,
        required=False,
        help_text=_("e.g. voicemail left; for the team, never sent to the practice."),
    )

    @classmethod
    def for_handoff(cls, handoff, data=None) -> "CallbackAttemptForm":
        """Ids of its own per hand-off: a page lists several of these forms."""
        return cls(data, auto_id=f"cb-{handoff.uuid.hex[:12]}-%s")
