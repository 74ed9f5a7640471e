"""Reads on the reciprocity register: the findable volunteers (active, with a valid consent),
a volunteer's page within need-to-know, a household's volunteers, and the figures of informal
versus paid support per district that the outcomes dashboard shows (docs/volunteers.md, "The
measure")."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases.access import households_visible_to
from cases.consent.models import Consent
from cases.households.models import HouseholdMembership
from cases.plans.models import ActionOwnerKind, PlanAction, PlanStatus
from cases.provisions.models import Allocation, AllocationStatus
from cases.volunteers.models import Volunteer, Volunteering, VolunteerOffer


def _consent_valid_q(on: datetime.date, prefix: str = "consent__") -> Q:
    """The volunteer's register consent is active on `on` (as `Consent.objects.active`)."""
    return (
        Q(**{f"{prefix}given_on__lte": on})
        & (Q(**{f"{prefix}withdrawn_on__isnull": True}) | Q(**{f"{prefix}withdrawn_on__gt": on}))
        & (Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": on}))
    )


def volunteers_findable(
    *, district_id: int | None = None, category: str = "", on: datetime.date | None = None
) -> QuerySet[Volunteer]:
    """Active volunteers whose consent to be in the register is valid today, optionally in one
    district and offering one category; with the person, district, offers and the number of
    households they help now. Sorted by name. Four queries for a page (count, page, offers)."""
    on = on or timezone.localdate()
    queryset = Volunteer.objects.active().filter(_consent_valid_q(on))
    if district_id is not None:
        queryset = queryset.filter(district_id=district_id)
    if category:
        queryset = queryset.filter(
            pk__in=VolunteerOffer.objects.filter(category=category).values("volunteer_id")
        )
    return (
        queryset.select_related("resident", "district")
        .prefetch_related("offers")
        .annotate(
            helps=Count("volunteerings", filter=Q(volunteerings__ended_on__isnull=True)),
        )
        .order_by("resident__last_name", "resident__first_name", "pk")
    )


def volunteer_get(*, volunteer_uuid) -> Volunteer:
    """A volunteer (active or stopped) with their person, district, offers and consent, or 404."""
    volunteer = (
        Volunteer.objects.select_related("resident", "district", "consent__organisation")
        .prefetch_related("offers")
        .filter(uuid=volunteer_uuid)
        .first()
    )
    if volunteer is None:
        raise Http404("No volunteer found")
    return volunteer


def volunteer_is_findable(*, volunteer: Volunteer, on: datetime.date | None = None) -> bool:
    on = on or timezone.localdate()
    return (
        volunteer.is_active and Consent.objects.active(on).filter(pk=volunteer.consent_id).exists()
    )


@dataclass
class VolunteerHelp:
    """What a volunteer's page shows of their help: the links to households the viewer may
    open, and only the number of the others (need-to-know)."""

    visible: list
    hidden_count: int


def volunteer_help_for(*, volunteer: Volunteer, user) -> VolunteerHelp:
    """The volunteer's active help: in full for the households `user` may open
    (`households_visible_to`), a count for the rest. Two queries."""
    active = volunteer.volunteerings.active()
    visible_ids = households_visible_to(user).values("pk")
    visible = list(
        active.filter(household__in=visible_ids)
        .select_related("household", "helped_resident")
        .order_by("-started_on", "-pk")
    )
    hidden_count = active.exclude(household__in=visible_ids).count()
    return VolunteerHelp(visible=visible, hidden_count=hidden_count)


def household_volunteerings(*, household) -> list[Volunteering]:
    """The volunteers helping a household now, for its network section. One query."""
    return list(
        household.volunteerings.active()
        .select_related("volunteer__resident", "helped_resident")
        .order_by("started_on", "pk")
    )


def household_volunteering(*, household, volunteering_uuid) -> Volunteering:
    volunteering = (
        household.volunteerings.select_related(
            "volunteer__resident", "helped_resident", "household"
        )
        .filter(uuid=volunteering_uuid)
        .first()
    )
    if volunteering is None:
        raise Http404("No volunteering found")
    return volunteering


def volunteers_to_link(*, household, on: datetime.date | None = None) -> QuerySet[Volunteer]:
    """The findable volunteers who can start helping `household`: those of its district first,
    then the others, none who lives in it or helps it already."""
    on = on or timezone.localdate()
    living_here = HouseholdMembership.objects.current(on).filter(household=household)
    district_id = household.neighbourhood.district_id if household.neighbourhood_id else None
    return (
        volunteers_findable(on=on)
        .exclude(resident__in=living_here.values("resident_id"))
        .exclude(
            pk__in=Volunteering.objects.active().filter(household=household).values("volunteer_id")
        )
        .alias(here=Q(district_id=district_id))
        .order_by("-here", "resident__last_name", "resident__first_name", "pk")
    )


# Informal versus paid support per district (the outcomes dashboard) -----------------------


@dataclass
class DistrictSupport:
    """The measure of docs/volunteers.md on one day, for one district (the household's):

    - `network_actions`: open actions (not done) of active plans carried by a member of the
      household's informal network; `volunteer_actions` is the part of those whose network entry
      belongs to a volunteer of the register (an active `Volunteering`);
    - `allocations`: allocations of individual provisions running that day (start on or before,
      end after or on it or open, not stopped): the paid provisions;
    - each with the number of distinct households it is about (for small-number suppression)."""

    district_id: int | None
    network_actions: int = 0
    network_households: int = 0
    volunteer_actions: int = 0
    volunteer_households: int = 0
    allocations: int = 0
    allocation_households: int = 0

    @property
    def share_network(self) -> float | None:
        total = self.network_actions + self.allocations
        return None if total == 0 else self.network_actions / total


def support_by_district(
    *, district_ids: list[int] | None = None, on: datetime.date | None = None
) -> dict[int | None, DistrictSupport]:
    """`DistrictSupport` per district (None: households without a known district), for the
    given districts or all. Two queries."""
    on = on or timezone.localdate()
    district = "plan__household__neighbourhood__district_id"
    actions = PlanAction.objects.filter(
        plan__status=PlanStatus.ACTIVE,
        owner_kind=ActionOwnerKind.NETWORK,
        done_on__isnull=True,
    )
    allocations = Allocation.objects.filter(start_date__lte=on).exclude(
        status=AllocationStatus.STOPPED
    )
    allocations = allocations.filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
    if district_ids is not None:
        actions = actions.filter(**{f"{district}__in": district_ids})
        allocations = allocations.filter(household__neighbourhood__district_id__in=district_ids)
    by_volunteer = Q(
        owner_network_member__volunteering__isnull=False,
        owner_network_member__volunteering__ended_on__isnull=True,
    )
    figures: dict[int | None, DistrictSupport] = {}
    for row in actions.values(district).annotate(
        actions=Count("pk"),
        households=Count("plan__household_id", distinct=True),
        volunteer_actions=Count("pk", filter=by_volunteer),
        volunteer_households=Count("plan__household_id", filter=by_volunteer, distinct=True),
    ):
        figures[row[district]] = DistrictSupport(
            district_id=row[district],
            network_actions=row["actions"],
            network_households=row["households"],
            volunteer_actions=row["volunteer_actions"],
            volunteer_households=row["volunteer_households"],
        )
    key = "household__neighbourhood__district_id"
    for row in allocations.values(key).annotate(
        allocations=Count("pk"), households=Count("household_id", distinct=True)
    ):
        entry = figures.setdefault(row[key], DistrictSupport(district_id=row[key]))
        entry.allocations = row["allocations"]
        entry.allocation_households = row["households"]
    return figures
