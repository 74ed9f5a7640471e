from django import forms
from django.utils.translation import gettext_lazy as _

from networks.models import BudgetStream
from outcomes.models import Bottleneck, ExportFormat

NO_NAMES = _(
    "The policy side reads this. Describe the situation without names, addresses, BSNs or "
    "dates of birth."
)


class BottleneckForm(forms.ModelForm):
    budget_stream = forms.ModelChoiceField(
        queryset=BudgetStream.objects.filter(active=True).order_by("name"),
        required=False,
        label=_("budget line (if it was a budget line)"),
    )

    class Meta:
        model = Bottleneck
        fields = ["rule_kind", "rule", "budget_stream", "blocked", "would_have_helped"]
        widgets = {
            "blocked": forms.Textarea(attrs={"rows": 4}),
            "would_have_helped": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"blocked": NO_NAMES, "would_have_helped": NO_NAMES}


class ExportStartForm(forms.Form):
    table = forms.CharField(max_length=40)
    file_format = forms.ChoiceField(choices=ExportFormat.choices)
