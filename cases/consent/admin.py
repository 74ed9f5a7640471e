"""Admin for the consent register: a superuser's only, every read logged; generalists use the
screen in the household file (`cases/consent/views.py`), the functional administrator never
sees consents (docs/privacy.md, "The admin")."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cases.consent.models import Consent, DataCategory
from cases.households.admin import SuperuserOnlyAdmin


class ConsentAdminForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("data categories"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Consent
        fields = [
            "resident",
            "organisation",
            "categories",
            "purpose",
            "purpose_note",
            "given_by",
            "given_on",
            "expires_on",
            "withdrawn_on",
            "legal_basis",
            "legal_basis_text",
        ]


@admin.register(Consent)
class ConsentAdmin(SuperuserOnlyAdmin):
    access_object_type = "consent"
    access_household_lookup = "resident__memberships__household__uuid"
    access_resident_lookup = "resident__uuid"
    form = ConsentAdminForm
    list_display = ["resident", "organisation", "given_on", "expires_on", "withdrawn_on"]
    list_display += ["legal_basis"]
    list_filter = ["purpose", "legal_basis", "organisation"]
    list_select_related = ["resident", "organisation"]
    raw_id_fields = ["resident"]  # the lookup is the resident list (logged); no autocomplete
    autocomplete_fields = ["organisation"]
    date_hierarchy = "given_on"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
