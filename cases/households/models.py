import uuid

from django.conf import settings
from django.db import models
from django.db.models import Prefetch
from django.db.models.functions import Concat, Lower, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.households.name_fold import FOLD_FROM, FOLD_TO, SEPARATOR, Translate
from cases.validators import validate_bsn
from teams.models import Neighbourhood
from teams.validators import format_postcode, validate_postcode


def full_name(first_name: str, name_prefix: str, last_name: str) -> str:
    """A resident's name as every screen shows it (`Resident.full_name`), also for plain rows."""
    return " ".join(part for part in (first_name, name_prefix, last_name) if part)


def user_name(first_name: str | None, last_name: str | None, username: str | None) -> str:
    """A professional as plain rows name them: `User.get_full_name()`, else the username ("" for
    nobody, as a row's LEFT JOIN gives them)."""
    return f"{first_name or ''} {last_name or ''}".strip() or (username or "")


def address_line(street: str, house_number: int, house_number_addition: str) -> str:
    """A household's street and number (`Household.address_line`), also for plain rows."""
    addition = f"-{house_number_addition}" if house_number_addition else ""
    return f"{street} {house_number}{addition}"


class ResidentQuerySet(models.QuerySet):
    pass


class LivedInDistricts(models.Expression):
    """A filter on residents: someone with a membership (current or past) of a household in a
    neighbourhood of one of these districts. Every current resident of a household there
    passes, and some former ones too: narrow with it, then apply the real rule.

    On PostgreSQL a test on the resident's own row: the column "neighbourhoods" (bigint[])
    holds the neighbourhoods of all their households, kept by triggers (migration 0043; outside
    the model, so Django never writes it). Elsewhere (the SQLite quick start) the same fact is read
    from the memberships."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, district_ids):
        super().__init__()
        self.district_ids = sorted(district_ids)
        self.resident = models.F("pk")

    def get_source_expressions(self):
        return [self.resident]

    def set_source_expressions(self, exprs):
        (self.resident,) = exprs

    def as_sql(self, compiler, connection):
        resident, params = compiler.compile(self.resident)
        districts = ", ".join(["%s"] * len(self.district_ids))
        # the SQL holds only the compiled column and placeholders: the values are parameters
        sql = (
            'EXISTS (SELECT 1 FROM "cases_householdmembership" AS "lived_m" '  # noqa: S608
            'JOIN "cases_household" AS "lived_h" ON "lived_h"."id" = "lived_m"."household_id" '
            'JOIN "teams_neighbourhood" AS "lived_n" '
            'ON "lived_n"."id" = "lived_h"."neighbourhood_id" '
            f'WHERE "lived_m"."resident_id" = {resident} '
            f'AND "lived_n"."district_id" IN ({districts}))'
        )
        return sql, (*params, *self.district_ids)

    def as_postgresql(self, compiler, connection):
        alias = connection.ops.quote_name(self.resident.alias)
        # a quoted alias and a placeholder; the neighbourhoods of the districts are read once
        # (an InitPlan); with a name, one GIN index holds both (migration 0043)
        sql = (
            f'{alias}."neighbourhoods" && ARRAY('  # noqa: S608
            'SELECT "lived_n"."id" FROM "teams_neighbourhood" AS "lived_n" '
            'WHERE "lived_n"."district_id" = ANY(%s))'
        )
        return sql, (self.district_ids,)


class Resident(models.Model):
    """An inwoner. The BSN identifies a person; someone known only by name (e.g. from a
    signal) may be registered without one."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # NULL, not "", for "no BSN known": the unique constraint must not treat unknowns as equal
    bsn = models.CharField(  # noqa: DJ001
        _("BSN"),
        max_length=9,
        null=True,
        blank=True,
        validators=[validate_bsn],
        help_text=_("Citizen service number: 9 digits, valid by the elfproef."),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    name_prefix = models.CharField(
        _("name prefix"), max_length=20, blank=True, help_text=_("e.g. van, de, van der")
    )
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    preferred_language = models.CharField(
        _("language for letters and reports"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="nl",
        help_text=_(
            "Letters and reports for the resident are written in this language, whatever the "
            "language of the screen."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # "|first|last", folded (cases.households.name_fold): what the name search reads, through
    # one trigram index on PostgreSQL (migration 0041). The prefix is not in it, so that the
    # word "van" reads no trigrams of the many prefixes "van": those have a b-tree index on
    # LOWER(name_prefix) (prefixes are ASCII: van, de, 't, ter ...)
    search_name = models.GeneratedField(
        expression=Concat(
            models.Value(SEPARATOR),
            Translate("first_name", FOLD_FROM, FOLD_TO),
            models.Value(SEPARATOR),
            Translate("last_name", FOLD_FROM, FOLD_TO),
            output_field=models.TextField(),
        ),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("name as searched"),
    )

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["bsn"],
                name="resident_bsn_unique",
                violation_error_message=_("A resident with this BSN is already registered."),
            ),
            models.CheckConstraint(
                condition=models.Q(bsn__isnull=True) | models.Q(bsn__regex=r"^[0-9]{9}$"),
                name="resident_bsn_nine_digits",
            ),
        ]
        indexes = [
            models.Index(Upper("last_name"), name="resident_last_name_upper_idx"),
            models.Index(Lower("name_prefix"), name="resident_name_prefix_lower_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return full_name(self.first_name, self.name_prefix, self.last_name)


class HouseholdQuerySet(models.QuerySet):
    def with_area(self):
        return self.select_related("neighbourhood__district__team")


class Household(models.Model):
    """A huishouden at one address: the unit of one plan and one coordinating professional."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    street = models.CharField(_("street"), max_length=150)
    house_number = models.PositiveIntegerField(_("house number"))
    house_number_addition = models.CharField(_("addition"), max_length=10, blank=True)
    postcode = models.CharField(
        _("postcode"),
        max_length=6,
        validators=[validate_postcode],
        help_text=_("Four digits and two letters, e.g. 1234 AB."),
    )
    city = models.CharField(_("city"), max_length=100)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("neighbourhood"),
        help_text=_("Derived from the postcode."),
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordinated_households",
        verbose_name=_("coordinator"),
        help_text=_("The one coordinating professional (regisseur) for this household."),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every change; detects concurrent edits.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["postcode", "house_number", "house_number_addition"]
        indexes = [
            models.Index(fields=["postcode", "house_number"], name="household_address_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.address_line}, {self.postcode_display} {self.city}"

    @property
    def address_line(self) -> str:
        return address_line(self.street, self.house_number, self.house_number_addition)

    @property
    def postcode_display(self) -> str:
        return format_postcode(self.postcode)


class MembershipRole(models.TextChoices):
    PARENT = "parent", _("Parent")
    PARTNER = "partner", _("Partner")
    CHILD = "child", _("Child")
    OTHER = "other", _("Other")


class HouseholdMembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        """The memberships current on `on` (today): the rule of `HouseholdMembership.is_current`
        as a filter."""
        on = on or timezone.localdate()
        return self.filter(start_date__lte=on).filter(
            models.Q(end_date__isnull=True) | models.Q(end_date__gt=on)
        )


class HouseholdMembership(models.Model):
    """A resident's membership of a household over time: moves keep their history."""

    household = models.ForeignKey(
        Household, models.CASCADE, related_name="memberships", verbose_name=_("household")
    )
    resident = models.ForeignKey(
        Resident, models.CASCADE, related_name="memberships", verbose_name=_("resident")
    )
    role = models.CharField(_("role"), max_length=20, choices=MembershipRole.choices)
    start_date = models.DateField(_("from"), default=timezone.localdate)
    end_date = models.DateField(_("until"), null=True, blank=True)

    objects = HouseholdMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("household membership")
        verbose_name_plural = _("household memberships")
        ordering = ["start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=models.Q(end_date__isnull=True),
                name="membership_one_open_per_resident",
                violation_error_message=_("This resident already lives in another household."),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} – {self.household}"

    def is_current(self, on=None) -> bool:
        """Whether the resident lives in the household on `on` (today): started on or before
        it and not ended by then (the end date is the first day elsewhere). The same rule as
        `HouseholdMembership.objects.current()`, for memberships already loaded."""
        on = on or timezone.localdate()
        return self.start_date <= on and (self.end_date is None or self.end_date > on)


class CoordinatorChange(models.Model):
    """One household moved from one coordinator (regisseur) to another: the record of a
    caseload transfer, e.g. when a team member leaves."""

    household = models.ForeignKey(
        Household,
        models.CASCADE,
        related_name="coordinator_changes",
        verbose_name=_("household"),
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("previous coordinator"),
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("new coordinator"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("change of coordinator")
        verbose_name_plural = _("changes of coordinator")
        ordering = ["-changed_at"]
        indexes = [models.Index(fields=["household", "-changed_at"], name="coordinator_change_idx")]

    def __str__(self) -> str:
        return f"{self.household}: {self.from_user} → {self.to_user}"


class ResidentMergeRecord(models.Model):
    """Two person records turned out to be one person: what was merged into what, by whom.
    The removed record is gone; its identifying data stays here."""

    kept = models.ForeignKey(
        Resident,
        models.PROTECT,
        related_name="merge_records",
        verbose_name=_("kept person record"),
    )
    removed_uuid = models.UUIDField(_("UUID of the removed record"))
    removed_bsn = models.CharField(  # noqa: DJ001 - NULL when the removed record had no BSN
        _("BSN of the removed record"), max_length=9, null=True, blank=True
    )
    removed_name = models.CharField(_("name on the removed record"), max_length=250)
    removed_birth_date = models.DateField(
        _("date of birth on the removed record"), null=True, blank=True
    )
    moved = models.JSONField(
        _("moved relations"),
        default=dict,
        blank=True,
        help_text=_("How many related rows moved, per model."),
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("merged by"),
    )
    merged_at = models.DateTimeField(_("merged at"), default=timezone.now)

    class Meta:
        verbose_name = _("merge of person records")
        verbose_name_plural = _("merges of person records")
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.removed_name} → {self.kept}"


def current_members_prefetch() -> Prefetch:
    """A household's current members as `current_memberships`, by role and date of birth (for
    memberships loaded already: `cases.households.selectors.current_members_of`)."""
    return Prefetch(
        "memberships",
        queryset=HouseholdMembership.objects.current()
        .select_related("resident")
        .order_by("role", "resident__birth_date"),
        to_attr="current_memberships",
    )


class HouseholdAddress(models.Model):
    """A former address of a household, with the period it lived there: a move records the
    old address here (`household_move`), so the household's history shows every address. The
    current address is the household's own."""

    household = models.ForeignKey(
        Household, models.CASCADE, related_name="former_addresses", verbose_name=_("household")
    )
    street = models.CharField(_("street"), max_length=150)
    house_number = models.PositiveIntegerField(_("house number"))
    house_number_addition = models.CharField(_("addition"), max_length=10, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6)
    city = models.CharField(_("city"), max_length=100)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("neighbourhood"),
    )
    valid_from = models.DateField(_("lived here from"))
    valid_until = models.DateField(_("lived here until"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("former address")
        verbose_name_plural = _("former addresses")
        ordering = ["-valid_until", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="household_address_until_after_from",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        addition = f"-{self.house_number_addition}" if self.house_number_addition else ""
        return f"{self.street} {self.house_number}{addition}, {format_postcode(self.postcode)}"

    @property
    def address_line(self) -> str:
        addition = f"-{self.house_number_addition}" if self.house_number_addition else ""
        return f"{self.street} {self.house_number}{addition}"

    @property
    def postcode_display(self) -> str:
        return format_postcode(self.postcode)


class HandoverStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the receiving team")
    ACCEPTED = "accepted", _("Accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class HandoverQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=HandoverStatus.PENDING)


class Handover(models.Model):
    """A household moved to another district: its file passes from the old district's team
    to the new one's (`household_move`). Until the receiving team accepts it (and keeps or
    assigns a coordinator, `handover_accept`) the coordinator stays who it was; the old team
    keeps read access to the file for the audit (`cases.access.households_visible_to`)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(
        Household, models.CASCADE, related_name="handovers", verbose_name=_("household")
    )
    from_district = models.ForeignKey(
        "teams.District",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from district"),
        help_text=_("Empty when the old address lay outside the municipality's districts."),
    )
    to_district = models.ForeignKey(
        "teams.District",
        models.PROTECT,
        related_name="+",
        verbose_name=_("to district"),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=HandoverStatus.choices,
        default=HandoverStatus.PENDING,
    )
    from_coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coordinator when handed over"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("handed over by"),
    )
    created_at = models.DateTimeField(_("handed over at"), default=timezone.now)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    assigned_coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned coordinator"),
    )

    objects = HandoverQuerySet.as_manager()

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(status="pending"),
                name="handover_one_pending_per_household",
                violation_error_message=_("This household already has a pending handover."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="accepted")
                | models.Q(accepted_at__isnull=False, accepted_by__isnull=False),
                name="handover_accepted_has_who_and_when",
            ),
        ]
        indexes = [models.Index(fields=["to_district", "status"], name="handover_to_status_idx")]

    def __str__(self) -> str:
        return f"{self.household}: {self.from_district} → {self.to_district}"

    @property
    def is_pending(self) -> bool:
        return self.status == HandoverStatus.PENDING
