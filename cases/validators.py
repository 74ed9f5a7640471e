from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.nl import bsn as stdnum_bsn

BSN_LENGTH = 9


def normalise_bsn(value: str) -> str:
    """Return the BSN as 9 digits, or raise ValidationError with a plain-Dutch message."""
    digits = "".join((value or "").split()).replace(".", "").replace("-", "")
    if len(digits) != BSN_LENGTH or not digits.isdigit():
        # stdnum pads short numbers with zeros; a person types all nine digits
        raise ValidationError(_("A BSN has 9 digits."), code="invalid_bsn_format")
    try:
        return stdnum_bsn.validate(digits)
    except InvalidChecksum as exc:
        raise ValidationError(
            _("This BSN is invalid (elfproef)."), code="invalid_bsn_checksum"
        ) from exc
    except StdnumValidationError as exc:
        raise ValidationError(_("A BSN has 9 digits."), code="invalid_bsn_format") from exc


def validate_bsn(value: str) -> None:
    normalise_bsn(value)
