"""The upload form of the household's documents section."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.documents.models import DocumentCategory
from cases.documents.validation import allowed_types

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DocumentUploadForm(forms.Form):
    file = forms.FileField(label=_("file"), allow_empty_file=False)
    category = forms.ChoiceField(label=_("category"), choices=DocumentCategory.choices)
    document_date = forms.DateField(label=_("date of the document"), widget=DATE)
    description = forms.CharField(
        label=_("description"),
        max_length=300,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. Payment arrangement with the landlord")}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = allowed_types()
        self.fields["file"].widget.attrs["accept"] = ",".join(f".{t}" for t in types)
        self.fields["file"].help_text = _(
            "At most %(maximum)s; %(types)s. Checked for viruses before anyone can open it."
        ) % {
            "maximum": filesizeformat(settings.DOCUMENT_MAX_BYTES),
            "types": ", ".join(f".{t}" for t in types),
        }
        self.initial.setdefault("document_date", timezone.localdate())
        self.initial.setdefault("category", DocumentCategory.LETTER)


class DocumentPageForm(forms.Form):
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)
