"""Identifiers of organisations: AGB code (care providers, GPs) and KvK number."""

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

EIGHT_DIGITS = re.compile(r"^\d{8}$")


validate_agb_code = RegexValidator(
    EIGHT_DIGITS, _("An AGB code has exactly 8 digits, e.g. 12345678."), code="invalid_agb"
)
validate_kvk_number = RegexValidator(
    EIGHT_DIGITS, _("A KvK number has exactly 8 digits, e.g. 12345678."), code="invalid_kvk"
)
