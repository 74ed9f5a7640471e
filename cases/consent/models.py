"""Consent register (toestemmingenregister): which organisation may receive which categories
of a resident's data, for what purpose, given by whom and until when; or the legal basis that
makes consent unnecessary.

Re-exported by `cases/models.py`, so these are models of the `cases` app. Writes are in
`cases.consent.services`, reads and the purpose check in `cases.consent.selectors`."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from networks.models import Organisation


class DataCategory(models.TextChoices):
    PROGRESS = "progress", _("progress")
    PLAN = "plan", _("support plan")
    HEALTH = "health", _("health")
    CONTACT = "contact", _("contact details")


class ConsentPurpose(models.TextChoices):
    """What a consent is for: a code, so a check in the code can ask for it. `OTHER` is the
    fallback for a purpose that fits none of the others (the consents recorded as free text
    before the codes whose text matched none of them; the text is kept in `purpose_note`);
    no check in the code accepts it."""

    PROVIDER_ALLOCATION = "provider_allocation", _("sharing with the provider of an allocation")
    PLAN_PARTICIPANT = "plan_participant", _("sharing with a participant in the support plan")
    PROGRESS_REPORTS = "progress_reports", _("progress reports from a provider")
    GP_CONTACT = "gp_contact", _("contact with the GP")
    VOLUNTEER_REGISTER = (
        "volunteer_register",
        _("being in the volunteer register, findable by the neighbourhood teams"),
    )
    OTHER = "other", _("other (see the note)")


class ConsentQuerySet(models.QuerySet):
    def active(self, on):
        """Given on or before `on`, not withdrawn on or before `on`, not expired."""
        return (
            self.filter(given_on__lte=on)
            .filter(models.Q(withdrawn_on__isnull=True) | models.Q(withdrawn_on__gt=on))
            .filter(models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=on))
        )


class Consent(models.Model):
    """One resident's consent for one organisation, covering one or more data categories. With
    `legal_basis` set, the record documents a legal basis instead of consent."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resident = models.ForeignKey(
        "cases.Resident", models.CASCADE, related_name="consents", verbose_name=_("resident")
    )
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="consents",
        verbose_name=_("organisation"),
        db_index=False,  # covered by consent_org_purpose_idx
    )
    # a JSON list of DataCategory values: works on PostgreSQL and SQLite alike
    categories = models.JSONField(_("data categories"), default=list)
    purpose = models.CharField(
        _("purpose"),
        max_length=32,
        choices=ConsentPurpose.choices,
        help_text=_("What the data may be shared for; a check in the file asks for this code."),
    )
    purpose_note = models.TextField(
        _("note on the purpose"),
        max_length=2000,
        blank=True,
        help_text=_("In the resident's words, if useful."),
    )
    given_by = models.CharField(
        _("given by"),
        max_length=200,
        help_text=_("The resident, or the name and capacity of their representative."),
    )
    given_on = models.DateField(_("given on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    legal_basis = models.BooleanField(
        _("legal basis instead of consent"),
        default=False,
        help_text=_("The data may be shared on a legal basis; consent is not needed."),
    )
    legal_basis_text = models.CharField(_("legal basis"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on", "-pk"]
        indexes = [
            models.Index(fields=["resident", "organisation"], name="consent_lookup_idx"),
            models.Index(fields=["expires_on"], name="consent_expires_idx"),
            # an organisation's consents for one purpose, with what makes one current, read
            # from this index alone (PostgreSQL; SQLite builds it without the INCLUDE) where
            # the planner hashes them for a check per row (`selectors.consent_annotate`); the
            # partner list probes `consent_lookup_idx` per row instead
            # (`selectors.consented_relation`)
            models.Index(
                fields=["organisation", "purpose"],
                include=["resident", "given_on", "withdrawn_on", "expires_on"],
                name="consent_org_purpose_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("given_on")),
                name="consent_expires_after_given",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True)
                | models.Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            ),
            models.CheckConstraint(
                condition=models.Q(legal_basis=False) | ~models.Q(legal_basis_text=""),
                name="consent_legal_basis_has_text",
            ),
            models.CheckConstraint(
                condition=models.Q(purpose__in=ConsentPurpose.values),
                name="consent_purpose_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} → {self.organisation}"

    def clean(self):
        super().clean()
        valid = set(DataCategory.values)
        if (
            not isinstance(self.categories, list)
            or not self.categories
            or not set(self.categories) <= valid
        ):
            raise ValidationError(
                {"categories": _("Choose one or more of: %s.") % ", ".join(sorted(valid))}
            )
        if self.legal_basis and not self.legal_basis_text.strip():
            raise ValidationError({"legal_basis_text": _("Name the legal basis.")})
