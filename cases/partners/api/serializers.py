from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.validators import normalise_bsn
from teams.validators import normalise_postcode


class PartnerSignalSerializer(serializers.Serializer):
    """A partner's concern about a resident. Identify the person by BSN and date of birth, or
    by name and address; the postcode of the address routes the signal to the team."""

    bsn = serializers.CharField(required=False, allow_blank=True, max_length=11)
    birth_date = serializers.DateField(required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    postcode = serializers.CharField(
        max_length=10, help_text=_("Postcode of the person's address, e.g. 1234 AB.")
    )
    observation = serializers.CharField(
        max_length=5000, help_text=_("What you saw, in your own words.")
    )
    reporter_name = serializers.CharField(max_length=150)
    reporter_contact = serializers.CharField(required=False, allow_blank=True, max_length=150)

    def validate_bsn(self, value: str) -> str:
        if not value:
            return ""
        try:
            return normalise_bsn(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages[0]) from exc

    def validate_postcode(self, value: str) -> str:
        try:
            return normalise_postcode(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages[0]) from exc

    def validate_observation(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("Describe what you saw."))
        return value

    def validate(self, attrs):
        if attrs.get("bsn") and not attrs.get("birth_date"):
            raise serializers.ValidationError(
                {"birth_date": _("Give the date of birth together with the BSN.")}
            )
        if not attrs.get("bsn") and not attrs.get("name", "").strip():
            raise serializers.ValidationError(
                {"name": _("Identify the person: BSN and date of birth, or name and address.")}
            )
        return attrs


class SignalReceiptSerializer(serializers.Serializer):
    """The same answer whether or not the person is known to the municipality."""

    id = serializers.UUIDField()
    received_on = serializers.DateField()
    status = serializers.CharField(help_text=_("Always `received`."))


class AllocationProductSerializer(serializers.Serializer):
    law = serializers.CharField()
    category = serializers.CharField(help_text=_("iWmo/iJw product category (WMO020 / JZ020)."))
    code = serializers.CharField(help_text=_("Product code within the category (per contract)."))
    name = serializers.CharField()


class ExtentSerializer(serializers.Serializer):
    volume = serializers.IntegerField()
    unit = serializers.CharField(help_text=_("WJ756: 01 minute, 04 hour, 14 etmaal, 16 dagdeel, …"))
    frequency = serializers.CharField(
        help_text=_("WMO757: 1 per day, 2 per week, 4 per month, 6 in total.")
    )


class AllocationClientSerializer(serializers.Serializer):
    """The client. Name and birth date are null when `personal_data_withheld` is true."""

    bsn = serializers.CharField(
        allow_null=True,
        help_text=_("The client's BSN: the allocation message standard (iWmo/iJw) carries it."),
    )
    first_name = serializers.CharField(allow_null=True)
    name_prefix = serializers.CharField(allow_blank=True, allow_null=True)
    last_name = serializers.CharField(allow_null=True)
    birth_date = serializers.DateField(allow_null=True)


class AllocationAddressSerializer(serializers.Serializer):
    street = serializers.CharField()
    house_number = serializers.IntegerField()
    house_number_addition = serializers.CharField(allow_blank=True)
    postcode = serializers.CharField(source="postcode_display")
    city = serializers.CharField()


class DeliveringOrganisationSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    agb_code = serializers.CharField(allow_blank=True)


class AllocationSerializer(serializers.Serializer):
    """A toewijzing as the provider needs it: product, extent, period, client and address.
    Never conversation notes or other household members."""

    id = serializers.UUIDField(source="uuid")
    number = serializers.CharField(help_text=_("ToewijzingNummer: start and stop refer to it."))
    status = serializers.ChoiceField(choices=["not_started", "started", "stopped"])
    product = AllocationProductSerializer()
    extent = serializers.SerializerMethodField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    care_started_on = serializers.DateField(allow_null=True)
    care_stopped_on = serializers.DateField(allow_null=True)
    end_reason = serializers.CharField(allow_blank=True)
    delivered_by = DeliveringOrganisationSerializer(
        allow_null=True,
        help_text=_(
            "The cooperative member that delivers the care; null: the provider itself. The "
            "provider sets it with POST /allocations/{id}/delivered-by/."
        ),
    )
    client = AllocationClientSerializer(allow_null=True)
    address = AllocationAddressSerializer(
        source="household",
        allow_null=True,
        help_text=_("Null when `personal_data_withheld` is true."),
    )
    personal_data_withheld = serializers.SerializerMethodField(
        help_text=_(
            "True when the client's name, birth date and address are withheld (null): no "
            "consent or legal basis with the purpose `provider_allocation` is recorded for "
            "your organisation."
        )
    )
    withheld_reason = serializers.SerializerMethodField(
        help_text=_("Why the personal data are withheld; null when they are not.")
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def _withheld(self, allocation) -> bool:
        # `client_data_shared` is annotated by the viewset's queryset (one query for a page);
        # without it nothing personal is handed out
        return not getattr(allocation, "client_data_shared", False)

    def get_personal_data_withheld(self, allocation) -> bool:
        return self._withheld(allocation)

    def get_withheld_reason(self, allocation) -> str | None:
        if not self._withheld(allocation):
            return None
        return gettext(
            "No consent or legal basis with the purpose provider_allocation is recorded for "
            "your organisation: the client's name, birth date and address are withheld. Ask "
            "the client's neighbourhood team."
        )

    def to_representation(self, allocation):
        data = super().to_representation(allocation)
        if self._withheld(allocation):
            if data.get("client") is not None:
                data["client"] = {
                    **data["client"],
                    "first_name": None,
                    "name_prefix": None,
                    "last_name": None,
                    "birth_date": None,
                }
            data["address"] = None
        return data

    def get_extent(self, allocation) -> ExtentSerializer:
        return ExtentSerializer(
            {
                "volume": allocation.volume,
                "unit": allocation.unit,
                "frequency": allocation.frequency,
            }
        ).data


class CareStartSerializer(serializers.Serializer):
    date = serializers.DateField(help_text=_("The day care started."))


class DeliveredBySerializer(serializers.Serializer):
    delivered_by = serializers.CharField(
        allow_null=True,
        max_length=50,
        help_text=_(
            "Code or AGB code of the organisation that delivers the care: the provider itself or "
            "a member of its cooperative; null for the provider itself."
        ),
    )


class CareStopSerializer(serializers.Serializer):
    date = serializers.DateField(help_text=_("The day care stopped."))
    reason = serializers.CharField(
        max_length=2, help_text=_("End reason: WMO588 (Wmo) or JZ588 (Jeugdwet) code, e.g. 19.")
    )


class ProgressReportSerializer(serializers.Serializer):
    """A progress report (voortgangsrapportage) on an allocation."""

    id = serializers.IntegerField(read_only=True)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    text = serializers.CharField(max_length=5000)
    goal_attainment = serializers.IntegerField(
        min_value=1,
        max_value=5,
        required=False,
        allow_null=True,
        help_text=_("Goal attainment from 1 (not at all) to 5 (fully)."),
    )
    created_at = serializers.DateTimeField(read_only=True)

    def validate(self, attrs):
        if attrs["period_end"] < attrs["period_start"]:
            raise serializers.ValidationError(
                {"period_end": _("The period cannot end before it starts.")}
            )
        return attrs
