"""The appointment form in the household file."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.agenda.models import Appointment, AppointmentKind

DURATIONS = [(minutes, f"{minutes} min") for minutes in (15, 30, 45, 60, 90, 120)]


class AppointmentForm(forms.ModelForm):
    starts_at = forms.DateTimeField(
        label=_("when"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.TypedChoiceField(
        label=_("duration"), choices=DURATIONS, coerce=int, initial=60
    )

    class Meta:
        model = Appointment
        fields = ["kind", "starts_at", "duration_minutes", "place", "with_whom", "professionals"]
        widgets = {
            "kind": forms.RadioSelect,
            "professionals": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, professionals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = AppointmentKind.choices
        self.fields["professionals"].queryset = professionals
        self.fields["professionals"].label_from_instance = lambda user: (
            user.get_full_name() or user.get_username()
        )
        self.fields["professionals"].help_text = _("Who of the professionals takes part.")
        self.fields["place"].widget.attrs["placeholder"] = _("at home")
