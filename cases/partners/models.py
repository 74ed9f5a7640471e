"""A provider's request for a new allocation (iWmo/iJw 315) or a changed one (317), and the
municipality's answer. The request becomes a ProvisionApplication in the consultant queue; the
consultant's decision answers it (see `cases.allocation_request_services`).

Imported at the bottom of `cases/models.py`, so these are models of the `cases` app."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from cases.provisions.models import Allocation
from networks.models import Frequency, Organisation, Product, Unit


class AllocationRequestKind(models.TextChoices):
    NEW = "new", _("New allocation (315)")
    CHANGE = "change", _("Changed allocation (317)")


class AllocationRequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    GRANTED = "granted", _("Granted")
    REJECTED = "rejected", _("Rejected")


class ChangeReason(models.TextChoices):
    """Reasons for a change request (WMO002)."""

    DECEASED = "02", _("02 Client deceased")
    CONTRACT = "03", _("03 Change of contract")
    REASSESSMENT_LONGER = "04", _("04 Reassessment: extension")
    REASSESSMENT_SHORTER = "05", _("05 Reassessment: reduction")
    OTHER_DOMAIN = "06", _("06 Outflow to another domain")
    MOVED = "07", _("07 Moved")
    TO_PGB = "08", _("08 Change of delivery form (to pgb)")
    OTHER_PROVIDER = "09", _("09 Switch of provider")
    BY_PROVIDER = "12", _("12 Initiated by the provider")
    REMOVED = "13", _("13 Removed")
    CORRECTION = "14", _("14 Administrative correction")


class AllocationRequest(models.Model):
    """A verzoek om (gewijzigde) toewijzing. `client` is only set when BSN and date of birth
    both match a resident; otherwise the consultant sees "person not found" and the provider
    gets the same answer as for a known person."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="allocation_requests",
        verbose_name=_("requesting provider"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AllocationRequestKind.choices)
    allocation = models.ForeignKey(
        "cases.Allocation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="change_requests",
        verbose_name=_("allocation to change"),
    )
    bsn = models.CharField(_("BSN"), max_length=9, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    client = models.ForeignKey(
        "cases.Resident",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="allocation_requests",
        verbose_name=_("client"),
    )
    product = models.ForeignKey(
        Product, models.PROTECT, related_name="allocation_requests", verbose_name=_("product")
    )
    volume = models.PositiveIntegerField(_("volume"))
    unit = models.CharField(_("unit"), max_length=2, choices=Unit.choices)
    frequency = models.CharField(_("frequency"), max_length=1, choices=Frequency.choices)
    start_date = models.DateField(_("requested start date"))
    end_date = models.DateField(_("requested end date"), null=True, blank=True)
    change_reason = models.CharField(
        _("change reason"), max_length=2, choices=ChangeReason.choices, blank=True
    )
    motivation = models.TextField(_("motivation"), max_length=5000)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AllocationRequestStatus.choices,
        default=AllocationRequestStatus.RECEIVED,
    )
    answer = models.TextField(_("answer"), max_length=5000, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    application = models.OneToOneField(
        "cases.ProvisionApplication",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="allocation_request",
        verbose_name=_("application"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("allocation request")
        verbose_name_plural = _("allocation requests")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["organisation", "-created_at", "-id"], name="alloc_request_org_new_idx"
            ),
            models.Index(fields=["organisation", "status"], name="alloc_request_org_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="new", allocation__isnull=True, change_reason="")
                | (models.Q(kind="change", allocation__isnull=False) & ~models.Q(change_reason="")),
                name="alloc_request_kind_complete",
                violation_error_message=_(
                    "A change request names the allocation and a change reason; a new one neither."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="alloc_request_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="received", answered_at__isnull=True)
                | (~models.Q(status="received") & models.Q(answered_at__isnull=False)),
                name="alloc_request_answered_when_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.product.name} ({self.organisation})"


class ProgressReport(models.Model):
    allocation = models.ForeignKey(
        Allocation,
        models.CASCADE,
        related_name="progress_reports",
        verbose_name=gettext_lazy("allocation"),
    )
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="progress_reports",
        verbose_name=gettext_lazy("organisation"),
    )
    period_start = models.DateField(gettext_lazy("period from"))
    period_end = models.DateField(gettext_lazy("period until"))
    text = models.TextField(gettext_lazy("report"), max_length=5000)
    goal_attainment = models.PositiveSmallIntegerField(
        gettext_lazy("goal attainment (1-5)"), null=True, blank=True
    )
    created_at = models.DateTimeField(gettext_lazy("created at"), auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("progress report")
        verbose_name_plural = gettext_lazy("progress reports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["allocation", "organisation", "-created_at"],
                name="progress_report_list_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="progress_report_period_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(goal_attainment__isnull=True)
                | models.Q(goal_attainment__gte=1, goal_attainment__lte=5),
                name="progress_report_attainment_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.allocation} {self.period_start}–{self.period_end}"
