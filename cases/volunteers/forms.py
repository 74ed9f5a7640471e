"""Forms of the reciprocity register: the find-a-volunteer filter (django-filter), registering a
volunteer (a resident of a household, or a person from outside the register) and linking one to
a household."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from cases.volunteers.models import OfferCategory, Volunteer, VolunteerOffer
from networks.models import Organisation, OrganisationType
from teams.models import District

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# the organisations a resident can give the register consent to: the municipality itself, a
# volunteer organisation or a welfare organisation that coordinates the volunteers
CONSENT_ORGANISATION_TYPES = (
    OrganisationType.MUNICIPALITY,
    OrganisationType.VOLUNTEER_ORGANISATION,
    OrganisationType.WELFARE,
)


class VolunteerFilter(django_filters.FilterSet):
    """The filters of the find-a-volunteer page: district (by CBS code) and offer."""

    wijk = django_filters.ModelChoiceFilter(
        label=_("district"),
        queryset=District.objects.order_by("name"),
        to_field_name="code",
        field_name="district",
        empty_label=_("all districts"),
    )
    aanbod = django_filters.ChoiceFilter(
        label=_("offers"),
        choices=OfferCategory.choices,
        method="filter_offer",
        empty_label=_("anything"),
    )

    class Meta:
        model = Volunteer
        fields = []

    def filter_offer(self, queryset, name, value):
        # a subquery, not a join: the list's count of households helped stays exact
        return queryset.filter(
            pk__in=VolunteerOffer.objects.filter(category=value).values("volunteer_id")
        )


class VolunteerForm(forms.Form):
    """Registering a volunteer: where, what, and the consent to be in the register."""

    district = forms.ModelChoiceField(
        label=_("district"),
        queryset=District.objects.order_by("name"),
        help_text=_("The district where the volunteer wants to help."),
    )
    offers = forms.MultipleChoiceField(
        label=_("offers"),
        choices=OfferCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    offer_note = forms.CharField(
        label=_("what they offer, in their own words"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    availability = forms.CharField(
        label=_("when available"),
        max_length=200,
        required=False,
        help_text=_("For example: weekday mornings."),
    )
    consent_organisation = forms.ModelChoiceField(
        label=_("consent given to"),
        queryset=Organisation.objects.filter(type__in=CONSENT_ORGANISATION_TYPES).order_by("name"),
        help_text=_(
            "The organisation that keeps the register: the volunteer agrees that the "
            "neighbourhood teams find them with their contact details."
        ),
    )
    consent_given = forms.BooleanField(
        label=_("The person agrees to be in the volunteer register"),
        help_text=_("Ask it; without consent nobody is put in the register."),
    )
    consent_given_by = forms.CharField(
        label=_("consent given by"),
        max_length=200,
        help_text=_("The person themselves, or the name and capacity of their representative."),
    )

    SERVICE_FIELDS = (
        "district",
        "offers",
        "offer_note",
        "availability",
        "consent_organisation",
        "consent_given_by",
    )

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.SERVICE_FIELDS}


class VolunteerPersonForm(VolunteerForm):
    """Someone who is not a resident in the municipality's register: their name and contact."""

    first_name = forms.CharField(label=_("first name"), max_length=100)
    name_prefix = forms.CharField(label=_("name prefix"), max_length=20, required=False)
    last_name = forms.CharField(label=_("last name"), max_length=100)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("e-mail"), required=False)

    field_order = ["first_name", "name_prefix", "last_name", "phone", "email"]

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email"):
            self.add_error("phone", _("Give a phone number or an e-mail address."))
        return data

    def service_kwargs(self) -> dict:
        person = ("first_name", "name_prefix", "last_name", "phone", "email")
        return {**super().service_kwargs(), **{n: self.cleaned_data[n] for n in person}}


class VolunteeringForm(forms.Form):
    """A volunteer starts helping this household."""

    volunteer = forms.ModelChoiceField(label=_("volunteer"), queryset=Volunteer.objects.none())
    helped_resident = forms.ModelChoiceField(
        label=_("helps whom"),
        queryset=None,
        required=False,
        empty_label=_("the household"),
    )
    category = forms.ChoiceField(label=_("offer"), choices=OfferCategory.choices)
    what = forms.CharField(
        label=_("what the volunteer does"),
        max_length=300,
        help_text=_("For example: goes along to the doctor once a week."),
    )
    started_on = forms.DateField(label=_("since"), widget=DATE_WIDGET)

    def __init__(self, *args, volunteers, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers
        self.fields["volunteer"].label_from_instance = lambda v: (
            f"{v.resident.full_name} ({v.district.name})"
        )
        self.fields["helped_resident"].queryset = residents
