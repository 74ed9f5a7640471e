"""Dutch area identifiers: postcodes and CBS area codes."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.nl import postcode as stdnum_postcode

MUNICIPALITY_CODE_RE = re.compile(r"^GM\d{4}$")
DISTRICT_CODE_RE = re.compile(r"^WK\d{6}$")
# CBS buurt codes: BU + 8 characters; do not assume they stay numeric.
NEIGHBOURHOOD_CODE_RE = re.compile(r"^BU[0-9A-Z]{8}$")


def normalise_postcode(value: str) -> str:
    """Return the postcode as stored: `1234AB` (no space, upper case).

    Raises ValidationError with a plain-Dutch message when it is not a Dutch postcode.
    """
    try:
        formatted = stdnum_postcode.validate(value or "")
    except StdnumValidationError as exc:
        raise ValidationError(
            _("This is not a valid Dutch postcode. Use four digits and two letters, e.g. 1234 AB."),
            code="invalid_postcode",
        ) from exc
    return formatted.replace(" ", "")


def validate_postcode(value: str) -> None:
    normalise_postcode(value)


def format_postcode(value: str) -> str:
    """`1234AB` -> `1234 AB` for display."""
    value = (value or "").replace(" ", "").upper()
    return f"{value[:4]} {value[4:]}" if len(value) == 6 else value


validate_municipality_code = RegexValidator(
    MUNICIPALITY_CODE_RE,
    _("A municipality code is GM followed by 4 digits, e.g. GM0296."),
    code="invalid_cbs_code",
)
validate_district_code = RegexValidator(
    DISTRICT_CODE_RE,
    _("A district code is WK followed by 6 digits, e.g. WK029601."),
    code="invalid_cbs_code",
)
validate_neighbourhood_code = RegexValidator(
    NEIGHBOURHOOD_CODE_RE,
    _("A neighbourhood code is BU followed by 8 characters, e.g. BU02960101."),
    code="invalid_cbs_code",
)
