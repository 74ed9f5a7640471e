import uuid

from django.db import models
from django.utils import timezone
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


class CooperativeMembership(models.Model):
    """A member organisation of a coöperatie: providers contracted or subsidised as one party.
    Allocations to the cooperative may be delivered by a member."""

    cooperative = models.ForeignKey(
        Organisation,
        models.CASCADE,
        related_name="cooperative_memberships",
        verbose_name=_("cooperative"),
    )
    member = models.ForeignKey(
        Organisation,
        models.CASCADE,
        related_name="member_of_cooperatives",
        verbose_name=_("member organisation"),
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("cooperative membership")
        verbose_name_plural = _("cooperative memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "member", "start_date"], name="cooperative_member_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(cooperative=models.F("member")),
                name="cooperative_not_member_of_itself",
                violation_error_message=_("An organisation cannot be a member of itself."),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="cooperative_member_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} ∈ {self.cooperative}"


class ApiScope(models.TextChoices):
    ALLOCATIONS_READ = "allocations:read", _("Read own allocations")
    ALLOCATIONS_WRITE = "allocations:write", _("Report start and stop of care, request allocations")
    SIGNALS_WRITE = "signals:write", _("Report concerns about residents")
    CONTACTS_READ = "contacts:read", _("Look up area contacts and the provisions catalogue")
    WEBHOOKS_MANAGE = "webhooks:manage", _("Register and manage webhooks")


# What a token gets when no scopes are named, by organisation type.
DEFAULT_SCOPES_BY_TYPE: dict[str, tuple[str, ...]] = {
    OrganisationType.CARE_PROVIDER: (
        ApiScope.ALLOCATIONS_READ,
        ApiScope.ALLOCATIONS_WRITE,
        ApiScope.SIGNALS_WRITE,
        ApiScope.CONTACTS_READ,
        ApiScope.WEBHOOKS_MANAGE,
    ),
    OrganisationType.GP_PRACTICE: (ApiScope.SIGNALS_WRITE, ApiScope.CONTACTS_READ),
}
FALLBACK_SCOPES = (ApiScope.SIGNALS_WRITE, ApiScope.CONTACTS_READ)


class ApiClientQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, organisation__active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiClient(models.Model):
    """A partner system's credentials. The token is shown once; only its hash is stored."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="api_clients", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. the system's name"))
    token_prefix = models.CharField(_("token prefix"), max_length=16, unique=True, editable=False)
    token_hash = models.CharField(_("token hash"), max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ApiClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["organisation__name", "name"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.name}"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class WebhookEndpoint(models.Model):
    """An organisation's URL to which new and changed allocations are pushed, signed with
    HMAC-SHA256 over the body using `secret`."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="webhooks", verbose_name=_("organisation")
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=64, editable=False)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "url"], name="webhook_url_unique")
        ]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event pushed to one endpoint, with its attempts: the delivery log."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    event = models.CharField(_("event"), max_length=50)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_idx")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class IdempotencyRecord(models.Model):
    """The first response to a POST with an Idempotency-Key, replayed for retries."""

    client = models.ForeignKey(ApiClient, models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_client_key_unique")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.key}"
