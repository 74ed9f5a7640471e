"""Forms for 'known, not opened', break the glass and the privacy officer's pages."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cases.privacy.models import AccessAction, AccessContext, AccessResult, BreakGlassVerdict
from cases.privacy.selectors import LogFilter


class KnownSearchForm(forms.Form):
    """A BSN, or a postcode with a house number. Posted, so nothing ends up in a URL."""

    bsn = forms.CharField(label=_("BSN"), max_length=11, required=False)
    postcode = forms.CharField(label=_("postcode"), max_length=8, required=False)
    house_number = forms.IntegerField(
        label=_("house number"), min_value=1, max_value=99999, required=False
    )

    def clean(self):
        cleaned = super().clean()
        bsn = (cleaned.get("bsn") or "").strip()
        postcode = (cleaned.get("postcode") or "").strip()
        if not bsn and not (postcode and cleaned.get("house_number")):
            raise forms.ValidationError(
                _("Give a BSN, or a postcode together with a house number.")
            )
        cleaned["bsn"], cleaned["postcode"] = bsn, postcode
        return cleaned


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for emergency access"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Why you must open this file now, outside your circle. The privacy officer reviews "
            "it; every page you open is logged."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["minlength"] = settings.BREAK_GLASS_REASON_MIN_LENGTH


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("verdict"), choices=BreakGlassVerdict.choices, widget=forms.RadioSelect
    )
    review_note = forms.CharField(
        label=_("note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the access was not justified."),
    )


def _with_any(choices):
    return [("", _("all")), *choices]


class LogFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    username = forms.CharField(label=_("username"), max_length=150, required=False)
    household = forms.UUIDField(label=_("household id"), required=False)
    action = forms.ChoiceField(
        label=_("action"), choices=_with_any(AccessAction.choices), required=False
    )
    context = forms.ChoiceField(
        label=_("context"), choices=_with_any(AccessContext.choices), required=False
    )
    result = forms.ChoiceField(
        label=_("result"), choices=_with_any(AccessResult.choices), required=False
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return cleaned

    def log_filter(self) -> LogFilter:
        """The filters to apply; an invalid form filters on nothing it could not read."""
        data = self.cleaned_data if self.is_valid() else {}
        return LogFilter(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            username=(data.get("username") or "").strip(),
            household_uuid=data.get("household"),
            action=data.get("action") or "",
            context=data.get("context") or "",
            result=data.get("result") or "",
        )


class RoleChangeFilterForm(forms.Form):
    username = forms.CharField(
        label=_("username"),
        max_length=150,
        required=False,
        help_text=_("Changes made to or by this user."),
    )

    def username_filter(self) -> str:
        return self.cleaned_data["username"].strip() if self.is_valid() else ""
