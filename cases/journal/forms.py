"""The journal entry form in the household file."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.journal.models import JournalEntry, JournalKind, JournalVisibility
from cases.journal.selectors import TIMELINE_KINDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class JournalEntryForm(forms.ModelForm):
    class Meta:
        model = JournalEntry
        fields = ["kind", "occurred_on", "text", "visibility"]
        widgets = {
            "kind": forms.RadioSelect,
            "occurred_on": DATE,
            "visibility": forms.RadioSelect,
            "text": forms.Textarea(
                attrs={"rows": 3, "placeholder": _("e.g. Called the landlord: arrears arranged.")}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = JournalKind.choices
        self.fields["visibility"].choices = JournalVisibility.choices
        self.fields["visibility"].help_text = _(
            "A sensitive note can be kept to the household's coordinator and you."
        )
        if not self.instance.pk:
            self.initial.setdefault("occurred_on", timezone.localdate())
            self.initial.setdefault("kind", JournalKind.PHONE_CALL)
            self.initial.setdefault("visibility", JournalVisibility.TEAM)


class TimelineFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("show"),
        required=False,
        choices=[("", _("everything")), *TIMELINE_KINDS],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)
