import base64
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from networks.validators import validate_agb_code, validate_kvk_number, validate_webhook_url
from teams.models import LawDomain
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


class OrganisationProfessionalQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True, organisation__active=True, user__is_active=True)


class OrganisationProfessional(models.Model):
    """A professional who works for a partner organisation (e.g. a care provider's
    begeleider): someone a generalist can bring into a household's plan, picked by
    organisation. Maintained in the admin."""

    organisation = models.ForeignKey(
        Organisation,
        models.CASCADE,
        related_name="professionals",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="organisation_professions",
        verbose_name=_("user"),
    )
    function = models.CharField(
        _("function"), max_length=200, blank=True, help_text=_("e.g. ambulant begeleider.")
    )
    active = models.BooleanField(_("active"), default=True)

    objects = OrganisationProfessionalQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation professional")
        verbose_name_plural = _("organisation professionals")
        ordering = ["organisation", "user__first_name", "user__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                name="organisation_professional_once",
                violation_error_message=_("This user already works for this organisation."),
            ),
        ]

    def __str__(self) -> str:
        name = self.user.get_full_name() or self.user.get_username()
        return f"{name} ({self.organisation})"


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
        """Clients whose token works at `now`: not revoked, of an active organisation, not
        expired (`ApiClient.is_usable` says the same of one client in memory)."""
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

    def is_usable(self, now) -> bool:
        """`ApiClientQuerySet.usable` of this client as loaded (with its organisation)."""
        return (
            self.revoked_at is None
            and self.organisation.active
            and (self.expires_at is None or self.expires_at > now)
        )


def new_webhook_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    """An organisation's URL to which its events are pushed, signed per the Standard Webhooks
    specification with `secret` (docs/api.md, "Webhooks")."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="webhooks", verbose_name=_("organisation")
    )
    url = models.URLField(_("URL"), max_length=500, validators=[validate_webhook_url])
    secret = models.CharField(
        _("signing secret"), max_length=64, default=new_webhook_secret, editable=False
    )
    active = models.BooleanField(_("active"), default=True)
    failing = models.BooleanField(
        _("failing"),
        default=False,
        help_text=_(
            "An event could not be delivered after the last retry. Cleared by the next "
            "successful delivery."
        ),
    )
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
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


class WebhookEvent(models.Model):
    """Something an organisation is told about (e.g. `allocation.changed`), stored once and kept
    WEBHOOK_EVENT_RETENTION_DAYS for replay (GET /api/v1/events/). `uuid` is the `webhook-id`
    of every delivery of it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="webhook_events", verbose_name=_("organisation")
    )
    type = models.CharField(_("type"), max_length=50)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["organisation", "created_at", "id"], name="event_org_created_idx"),
            models.Index(fields=["created_at"], name="event_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.uuid}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event pushed to one endpoint: its state and when it is next due. Its attempts are
    WebhookAttempt rows."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    event = models.ForeignKey(
        WebhookEvent, models.CASCADE, related_name="deliveries", verbose_name=_("event")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(
        _("attempts"), default=0, help_text=_("Since the delivery was last (re)queued.")
    )
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_idx"),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="delivery_due_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="delivery_once_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.event.type} → {self.endpoint}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: the HTTP status, or the kind of network error. Never the
    response body."""

    delivery = models.ForeignKey(
        WebhookDelivery, models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )
    attempted_at = models.DateTimeField(_("attempted at"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["attempted_at", "id"]
        indexes = [models.Index(fields=["attempted_at"], name="attempt_attempted_idx")]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.attempted_at:%Y-%m-%d %H:%M:%S}"


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


# The law under which an individual provision is granted: the same list as the area
# consultants' law domains.
Law = LawDomain


class ProductCategory(models.TextChoices):
    """iWmo (WMO020) and iJw (JZ020) product categories, version 3.2."""

    WMO_01 = "01", _("01 Household help")
    WMO_02 = "02", _("02 Support (begeleiding)")
    WMO_03 = "03", _("03 Personal care")
    WMO_04 = "04", _("04 Short stay")
    WMO_05 = "05", _("05 Housing services")
    WMO_06 = "06", _("06 Other support for the individual or household")
    WMO_07 = "07", _("07 Day activities")
    WMO_08 = "08", _("08 Transport services")
    WMO_09 = "09", _("09 Other group support")
    WMO_10 = "10", _("10 Other customised arrangements")
    WMO_11 = "11", _("11 Wheelchairs")
    WMO_12 = "12", _("12 Transport aids")
    WMO_13 = "13", _("13 Housing adaptations")
    WMO_14 = "14", _("14 Other aids")
    WMO_15 = "15", _("15 Sheltered housing")
    WMO_16 = "16", _("16 Shelter")
    WMO_17 = "17", _("17 Emergency shelter")
    WMO_18 = "18", _("18 Other sheltered housing and shelter")
    JZ_40 = "40", _("40 Personal care (youth)")
    JZ_41 = "41", _("41 Day treatment")
    JZ_42 = "42", _("42 Transport services (youth)")
    JZ_43 = "43", _("43 Youth care residential (incl. treatment)")
    JZ_44 = "44", _("44 Youth care residential (excl. treatment)")
    JZ_45 = "45", _("45 Youth care outpatient")
    JZ_46 = "46", _("46 Youth care crisis")
    JZ_47 = "47", _("47 Juvenile probation")
    JZ_48 = "48", _("48 Child protection")
    JZ_49 = "49", _("49 Activities in the preventive justice framework")
    JZ_50 = "50", _("50 Customised arrangements youth")
    JZ_51 = "51", _("51 Generalist basic mental health care")
    JZ_52 = "52", _("52 Specialist mental health care")
    JZ_53 = "53", _("53 Paediatrics")
    JZ_54 = "54", _("54 Youth mental health care")
    JZ_55 = "55", _("55 Nationally purchased care")


WMO_CATEGORIES = [f"{n:02d}" for n in range(1, 19)]
YOUTH_CATEGORIES = [str(n) for n in range(40, 56)]


class Unit(models.TextChoices):
    """Units of an extent (WJ756)."""

    MINUTE = "01", _("minute")
    HOUR = "04", _("hour")
    DAY = "14", _("24 hours (etmaal)")
    DAYPART = "16", _("day part (4 hours)")
    PIECES_OUTPUT = "82", _("pieces (output)")
    EURO = "83", _("euro (volume in eurocent)")
    PIECES_EFFORT = "84", _("pieces (effort)")


class Frequency(models.TextChoices):
    """Frequency of an extent (WMO757)."""

    PER_DAY = "1", _("per day")
    PER_WEEK = "2", _("per week")
    PER_MONTH = "4", _("per month")
    TOTAL = "6", _("in total within the validity period")


class BudgetStream(models.Model):
    """One part of the broad (ontkokerd) budget stream, e.g. Wmo begeleiding."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("budget stream")
        verbose_name_plural = _("budget streams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StreamBudget(models.Model):
    """The budget of a stream for one year, for the whole municipality or for one district."""

    stream = models.ForeignKey(
        BudgetStream, models.CASCADE, related_name="budgets", verbose_name=_("budget stream")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    district = models.ForeignKey(
        "teams.District",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="stream_budgets",
        verbose_name=_("district"),
        help_text=_("Empty: the budget for the whole municipality."),
    )
    amount = models.DecimalField(_("budget (€)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("stream budget")
        verbose_name_plural = _("stream budgets")
        ordering = ["-year", "stream__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["stream", "year", "district"],
                name="stream_budget_unique_per_district",
                violation_error_message=_("This stream already has a budget for that year."),
            ),
            models.UniqueConstraint(
                fields=["stream", "year"],
                condition=models.Q(district__isnull=True),
                name="stream_budget_unique_municipality",
                violation_error_message=_("This stream already has a budget for that year."),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="stream_budget_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stream} {self.year}"


class GeneralProvision(models.Model):
    """An algemene voorziening: open access, no decision needed."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=150)
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="general_provisions",
        verbose_name=_("organisation"),
    )
    offer = models.TextField(_("what it offers"), max_length=2000)
    districts = models.ManyToManyField(
        "teams.District",
        blank=True,
        related_name="general_provisions",
        verbose_name=_("areas served"),
        help_text=_("Empty: the whole municipality."),
    )
    access = models.TextField(
        _("how to get in"), max_length=1000, help_text=_("e.g. walk in on Tuesday morning")
    )
    waiting_weeks = models.PositiveSmallIntegerField(
        _("waiting time (weeks)"), default=0, help_text=_("0: no waiting list.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("general provision")
        verbose_name_plural = _("general provisions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Participatiewet art. 52: the product code that marks algemene bijstand (general assistance for
# the costs of living). While the right to it is not yet established an advance is due; never
# for bijzondere bijstand (special assistance) nor any other product.
GENERAL_ASSISTANCE_CODE = "AB"


class ProductQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Product(models.Model):
    """An individual provision (maatwerkvoorziening) that a consultant can grant."""

    name = models.CharField(_("name"), max_length=150)
    law = models.CharField(_("law"), max_length=20, choices=Law.choices)
    category = models.CharField(
        _("product category"), max_length=2, choices=ProductCategory.choices, blank=True
    )
    code = models.CharField(
        _("product code"),
        max_length=5,
        blank=True,
        help_text=_("Set per contract within the category, e.g. 02A01."),
    )
    unit = models.CharField(_("unit"), max_length=2, choices=Unit.choices)
    tariff = models.DecimalField(
        _("tariff per unit (€)"), max_digits=9, decimal_places=2, default=0
    )
    budget_stream = models.ForeignKey(
        BudgetStream, models.PROTECT, related_name="products", verbose_name=_("budget stream")
    )
    active = models.BooleanField(_("active"), default=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["law", "category", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(tariff__gte=0), name="product_tariff_gte_0"),
            models.CheckConstraint(
                condition=(
                    models.Q(law=Law.WMO, category__in=WMO_CATEGORIES)
                    | models.Q(law=Law.YOUTH, category__in=YOUTH_CATEGORIES)
                    | models.Q(law=Law.PARTICIPATION, category="")
                ),
                name="product_category_fits_law",
                violation_error_message=_(
                    "The product category must belong to the law: Wmo 01–18, Jeugdwet 40–55, "
                    "none for the Participatiewet."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_law_display()})"

    @property
    def is_general_assistance(self) -> bool:
        """Algemene bijstand under the Participatiewet (`GENERAL_ASSISTANCE_CODE`): while the
        right is being established an advance is due (art. 52)."""
        return self.law == Law.PARTICIPATION and self.code == GENERAL_ASSISTANCE_CODE


class EndReason(models.TextChoices):
    """Reasons for the end of care: Wmo WMO588 and Jeugd JZ588 (iWmo/iJw 3.2)."""

    DECEASED = "02", _("02 Deceased")
    ACCORDING_TO_PLAN_WMO = "19", _("19 Delivery ended according to plan")
    TEMPORARILY_ENDED = "20", _("20 Temporarily ended")
    CLIENT_WMO = "21", _("21 Unilaterally by the client")
    PROVIDER_WMO = "22", _("22 Unilaterally by the provider")
    AGREED_EARLY_WMO = "23", _("23 Ended early by agreement")
    MOVED_AWAY = "31", _("31 Moved to another municipality / according to plan (youth)")
    CLIENT_YOUTH = "32", _("32 Unilaterally by the client (youth)")
    PROVIDER_YOUTH = "33", _("33 Unilaterally by the provider (youth)")
    AGREED_YOUTH = "34", _("34 By agreement (youth)")
    EXTERNAL_YOUTH = "35", _("35 External circumstances (youth)")
    MUNICIPALITY = "36", _("36 Initiated by the municipality")
    CHANGE_REQUEST = "37", _("37 Because of a change request")
    OTHER_PROVIDER = "38", _("38 Switch to another provider")
    OTHER_DOMAIN = "39", _("39 Outflow to another domain")


END_REASONS_BY_LAW: dict[str, frozenset[str]] = {
    # WMO588; Participatiewet provisions follow the Wmo list
    "wmo": frozenset({"02", "19", "20", "21", "22", "23", "31", "36", "37", "38", "39"}),
    "participatie": frozenset({"02", "19", "20", "21", "22", "23", "31", "36", "37", "38", "39"}),
    # JZ588
    "jeugd": frozenset({"02", "20", "31", "32", "33", "34", "35", "36", "37", "38", "39"}),
}


class Contract(models.Model):
    """A contract between the municipality and an organisation for one product: the tariff, the
    period and how often the provider reports progress. A grant in kind goes only to an
    organisation with a contract for its product on the start date, and care starts only under
    one on the day it starts (both checked in `cases`)."""

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="contracts", verbose_name=_("organisation")
    )
    product = models.ForeignKey(
        Product, models.PROTECT, related_name="contracts", verbose_name=_("product")
    )
    tariff = models.DecimalField(_("tariff per unit (€)"), max_digits=9, decimal_places=2)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    report_every_months = models.PositiveSmallIntegerField(
        _("progress report every (months)"),
        null=True,
        blank=True,
        help_text=_(
            "How often the provider reports on each client's progress; empty when the contract "
            "asks for no periodic reports."
        ),
    )

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["organisation__name", "product__name", "-valid_from"]
        indexes = [
            models.Index(fields=["organisation", "product"], name="contract_org_product_idx")
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(tariff__gte=0), name="contract_tariff_gte_0"),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="contract_period_in_order",
                violation_error_message=_("The contract cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "product", "valid_from"],
                name="contract_unique_start",
                violation_error_message=_(
                    "This organisation already has a contract for this product from that date."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.product}"


class Subsidy(models.Model):
    """A subsidy to an organisation for a general provision in one year."""

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="subsidies", verbose_name=_("organisation")
    )
    general_provision = models.ForeignKey(
        GeneralProvision,
        models.PROTECT,
        related_name="subsidies",
        verbose_name=_("general provision"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("subsidy")
        verbose_name_plural = _("subsidies")
        ordering = ["-year", "organisation__name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="subsidy_amount_gte_0"),
            models.UniqueConstraint(
                fields=["organisation", "general_provision", "year"],
                name="subsidy_unique_per_year",
                violation_error_message=_(
                    "This organisation already has a subsidy for this provision in that year."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.general_provision} {self.year}"
