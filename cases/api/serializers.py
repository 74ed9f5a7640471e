from django.core.exceptions import ValidationError as DjangoValidationError
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
