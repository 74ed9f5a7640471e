from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from teams.validators import format_postcode, normalise_postcode


class PostcodeQuerySerializer(serializers.Serializer):
    MAX_LENGTH = 10
    postcode = serializers.CharField(
        max_length=MAX_LENGTH,
        help_text=_("Dutch postcode; `1234AB`, `1234 AB` and lower case are all accepted."),
    )

    def validate_postcode(self, value: str) -> str:
        try:
            return normalise_postcode(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages[0]) from exc


class AreaSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("CBS code (WK… for a district, BU… for a buurt)."))
    name = serializers.CharField()


class TeamContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.EmailField()


class ConsultantContactSerializer(serializers.Serializer):
    law_domain = serializers.ChoiceField(
        choices=["wmo", "jeugd", "participatie"], help_text=_("Wmo, Jeugdwet or Participatiewet.")
    )
    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.EmailField()
    reachable_hours = serializers.CharField(allow_blank=True)
    is_substitute = serializers.BooleanField(
        help_text=_("True while the consultant is absent: this is the substitute.")
    )
    substitutes_for = serializers.CharField(
        allow_blank=True, help_text=_("The absent consultant, when this is a substitute.")
    )
    until = serializers.DateField(
        allow_null=True, help_text=_("Last day of the substitution (inclusive).")
    )


class AreaContactsSerializer(serializers.Serializer):
    """Built from `teams.selectors.AreaContacts`; never household or case data."""

    postcode = serializers.SerializerMethodField()
    municipality = AreaSerializer(source="district.municipality")
    district = AreaSerializer()
    neighbourhood = AreaSerializer()
    team = TeamContactSerializer(allow_null=True)
    consultants = ConsultantContactSerializer(many=True, source="contacts")

    def get_postcode(self, contacts) -> str:
        return format_postcode(contacts.postcode.postcode)
