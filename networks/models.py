from django.db import models
from django.utils.translation import gettext_lazy as _

from networks.validators import validate_agb_code, validate_kvk_number
from teams.validators import validate_postcode


class OrganisationType(models.TextChoices):
    CARE_PROVIDER = "care_provider", _("Care provider")
    WELFARE = "welfare", _("Welfare organisation")
    GP_PRACTICE = "gp_practice", _("GP practice")
    HOUSING_CORPORATION = "housing_corporation", _("Housing corporation")
    SCHOOL = "school", _("School")
    DEBT_COUNSELLING = "debt_counselling", _("Debt counselling")
    VOLUNTEER_ORGANISATION = "volunteer_organisation", _("Volunteer organisation")
    MUNICIPALITY = "municipality", _("Municipality")


class Organisation(models.Model):
    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_("Short unique code, used e.g. when creating API tokens."),
    )
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=30, choices=OrganisationType.choices)
    agb_code = models.CharField(
        _("AGB code"),
        max_length=8,
        blank=True,
        validators=[validate_agb_code],
        help_text=_("8 digits; for care providers and GP practices."),
    )
    kvk_number = models.CharField(
        _("KvK number"),
        max_length=8,
        blank=True,
        validators=[validate_kvk_number],
        help_text=_("8 digits: Chamber of Commerce registration."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    postcode = models.CharField(
        _("postcode"), max_length=6, blank=True, validators=[validate_postcode]
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agb_code"],
                condition=~models.Q(agb_code=""),
                name="organisation_agb_code_unique",
                violation_error_message=_("An organisation with this AGB code already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(agb_code="") | models.Q(agb_code__regex=r"^[0-9]{8}$"),
                name="organisation_agb_code_8_digits",
            ),
            models.CheckConstraint(
                condition=models.Q(kvk_number="") | models.Q(kvk_number__regex=r"^[0-9]{8}$"),
                name="organisation_kvk_number_8_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.name
