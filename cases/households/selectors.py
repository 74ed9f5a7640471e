"""Reads and access for households. Every list and detail starts from
`households_visible_to(user)`, so the access rule is applied in SQL everywhere."""

import datetime
import functools
import re
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    Func,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import clocks
from cases.access import households_visible_to, residents_in_reach, visibility_key
from cases.access_facts import FACTS
from cases.clocks import Clock
from cases.households.models import (
    Handover,
    Household,
    HouseholdAddress,
    HouseholdMembership,
    MembershipRole,
    Resident,
    address_line,
    current_members_prefetch,
    full_name,
    user_name,
)
from cases.households.search_names import households_named, name_words, residents_named
from cases.intake.models import (
    InformalNetworkMember,
    KitchenTableConversation,
    Melding,
    MeldingStatus,
)
from cases.links import uuid_url
from cases.partners.models import ProgressReport
from cases.partners.selectors import progress_reports_recent
from cases.plans import selectors as plan_selectors
from cases.plans.models import (
    ParticipantStatus,
    PlanParticipant,
    PlanStatus,
    SupportPlan,
)
from cases.validators import normalise_bsn
from socialdomain.precompiled import Bind, precompiled_objects, precompiled_rows
from teams.roles import Role
from teams.validators import format_postcode, normalise_postcode

User = get_user_model()

BSN_LIKE = re.compile(r"^\d{8,9}$")


POSTCODE_LIKE = re.compile(r"^\d{4}\s?[A-Za-z]{2}$")


PC4_LIKE = re.compile(r"^\d{4}$")


MIN_NAME_LENGTH = 2


# A (partial) name matches at most this many households; beyond it the page asks for more of
# the name. Collecting the matching ids first keeps the query plan small and predictable (the
# trigram index of migration 0041 finds the residents; PostgreSQL cannot estimate how many
# households a LIKE pattern hits, and a bad guess made it walk the whole address index).
NAME_SEARCH_LIMIT = 200


# ... and stops looking after this many residents whose name matches within the user's reach
# (`residents_in_reach`: their team districts, and the households of their other access rules)
NAME_SEARCH_RESIDENT_LIMIT = 2000


def current_residents(*, household: Household) -> QuerySet[Resident]:
    """The people who live in the household today."""
    return Resident.objects.filter(
        pk__in=HouseholdMembership.objects.current()
        .filter(household=household)
        .values("resident_id")
    )


def resident_language(*, household: Household | None = None, resident: Resident | None = None):
    """The language letters and reports to the resident are written in, whatever the
    professional's screen language: the resident's preferred language, else that of the
    household's first adult living there (a parent or partner before others, the eldest
    first), else the site's default. Always one of `settings.LANGUAGES`."""
    offered = {code for code, _name in settings.LANGUAGES}
    if resident is not None and resident.preferred_language in offered:
        return resident.preferred_language
    if household is not None:
        memberships = (
            HouseholdMembership.objects.current()
            .filter(household=household)
            .exclude(role=MembershipRole.CHILD)
            .order_by(
                Case(
                    When(role__in=[MembershipRole.PARENT, MembershipRole.PARTNER], then=0),
                    default=1,
                ),
                F("resident__birth_date").asc(nulls_last=True),
                "pk",
            )
        )
        language = memberships.values_list("resident__preferred_language", flat=True).first()
        if language in offered:
            return language
    return settings.LANGUAGE_CODE


def household_history(*, household: Household) -> list[HouseholdMembership]:
    """Everyone who ever lived in the household, most recent first, with their residents:
    one statement compiled once per process (the household page's every request built it)."""
    return precompiled_objects(
        key=("household history",),
        build=lambda bind: (
            HouseholdMembership.objects.filter(household_id=bind("household"))
            .select_related("resident")
            .order_by("-start_date", "pk")
        ),
        values={"household": household.pk},
    )


def current_members_of(*, memberships, on=None) -> list[HouseholdMembership]:
    """The current ones of memberships already loaded with their residents (a household's
    history): `HouseholdMembership.is_current`, in the order of `current_members_prefetch`
    (role, then date of birth, unknown last). No query."""
    current = [membership for membership in memberships if membership.is_current(on)]
    return sorted(
        current,
        key=lambda membership: (
            membership.role,
            membership.resident.birth_date is None,
            membership.resident.birth_date or datetime.date.min,
        ),
    )


@dataclass
class HouseholdSearch:
    query: str
    kind: str  # "bsn", "postcode", "name" or "" (nothing to search yet)
    # a BSN search reads its few households at once: a list, with their current members
    results: QuerySet[Household] | list[Household] = field(default_factory=Household.objects.none)
    error: str = ""
    # a name search stops at NAME_SEARCH_LIMIT households: the page asks for more of the name
    truncated: bool = False
    # a BSN search: the person and where they live now (former members are found too)
    person: "PersonWhereabouts | None" = None
    # a name search knows its number of households from its steps: no COUNT for the pager
    count: int | None = None
    # a name search: the visible households found, by id (need-to-know applied)
    ids: list[int] | None = None
    # a postcode search: its page as plain rows (`PostcodeHouseholdRows`)
    rows: "PostcodeHouseholdRows | None" = None


def household_search(*, user, query: str, members: bool = True) -> HouseholdSearch:
    """Find households by BSN (exact), postcode (full or the four digits) or (partial) name.

    The kind of search follows from what was typed; a malformed BSN or postcode gives a
    plain-Dutch error instead of an empty list. `members=False`: a BSN search does not load
    the households' current members (the search page reads them with `search_rows`)."""
    query = " ".join((query or "").split())

    def base(households=None):  # built only for a search that reads it (not a BSN search)
        return (
            (households_visible_to(user) if households is None else households)
            .with_area()
            .select_related("coordinator")
            .prefetch_related(current_members_prefetch())
            .order_by(*SEARCH_ORDER)
        )

    if BSN_LIKE.match(query):
        try:
            bsn = normalise_bsn(query)
        except ValidationError as exc:
            return HouseholdSearch(query, "bsn", error=exc.messages[0])
        person, households = _person_and_households_by_bsn(user=user, bsn=bsn, members=members)
        return HouseholdSearch(query, "bsn", households, person=person, count=len(households))
    if POSTCODE_LIKE.match(query):
        try:
            postcode = normalise_postcode(query)
        except ValidationError as exc:
            return HouseholdSearch(query, "postcode", error=exc.messages[0])
        lookups = {"postcode": postcode}
    elif PC4_LIKE.match(query):
        # a range keeps the (postcode, house_number) index usable
        lookups = {"postcode__gte": query, "postcode__lt": str(int(query) + 1)}
    else:
        lookups = None
    if lookups is not None:
        results = base().filter(**lookups)
        rows = PostcodeHouseholdRows(user=user, lookups=lookups, count_of=results)
        return HouseholdSearch(query, "postcode", results, rows=rows)
    if len(query) < MIN_NAME_LENGTH:
        return HouseholdSearch(query, "")
    if any(ch.isdigit() for ch in query):
        return HouseholdSearch(
            query,
            "",
            error=str(
                _("Type a BSN (9 digits), a postcode (1234 AB) or at least two letters of a name.")
            ),
        )
    # one statement from the residents by name to the visible households (search_names),
    # compiled once per user's access
    matches = households_named(
        visible=lambda: households_visible_to(user),
        query=query,
        resident_limit=NAME_SEARCH_RESIDENT_LIMIT,
        household_limit=NAME_SEARCH_LIMIT,
        reach=lambda: residents_in_reach(user),
        key=visibility_key(user),
    )
    ids = matches.household_ids
    shown = ids[:NAME_SEARCH_LIMIT]
    return HouseholdSearch(
        query,
        "name",
        # the name statement applied need-to-know already: these are visible households
        base(Household.objects.filter(pk__in=shown)),
        count=len(shown),
        ids=shown,
        truncated=len(ids) > NAME_SEARCH_LIMIT or matches.residents_capped,
    )


def _memberships_by_bsn(*, user, bsn: str) -> list[HouseholdMembership]:
    """Every membership of the person with this BSN, with resident, household, area and
    coordinator, and `household_visible`: whether `households_visible_to(user)` holds the
    household; in the households' address order. One query. In a request the statement is
    compiled once per user's access (`visibility_key`): with its seven joins and the
    need-to-know filter, planning it cost more than running it at 500,000 households
    (docs/performance.md, eleventh pass)."""

    def build(bind):
        visible = households_visible_to(user).filter(pk=OuterRef("household_id"))
        return (
            HouseholdMembership.objects.filter(resident__bsn=bind("bsn"))
            .select_related(
                "resident", "household__coordinator", "household__neighbourhood__district__team"
            )
            .annotate(household_visible=Exists(visible))
            .order_by(
                "household__postcode",
                "household__house_number",
                "household__house_number_addition",
                "household_id",
                "-start_date",
            )
        )

    key, values = visibility_key(user), {"bsn": bsn}
    if key is None:
        return list(build(Bind(values, placeholders=False)))
    return precompiled_objects(key=("memberships by BSN", *key), build=build, values=values)


def _whereabouts(*, bsn: str, memberships: list, today) -> "PersonWhereabouts | None":
    """Where the person lives now (the current membership that started last) and whether the
    user may see it, from `_memberships_by_bsn`; a person who never lived anywhere costs one
    query (the resident); None when nobody has this BSN."""
    if not memberships:
        resident = Resident.objects.filter(bsn=bsn).first()
        return None if resident is None else PersonWhereabouts(resident, None, False)
    current = max(
        (membership for membership in memberships if membership.is_current(today)),
        key=lambda membership: membership.start_date,
        default=None,
    )
    return PersonWhereabouts(
        resident=memberships[0].resident,
        current=current,
        current_visible=bool(current is not None and current.household_visible),
    )


def _person_and_households_by_bsn(*, user, bsn: str, members: bool = True):
    """The person with this BSN and where they live now (`PersonWhereabouts`, None when nobody
    has it), and every household they lived in that `user` may see (a former member is found
    too), in address order, each with `bsn_lives_here` and its current members: the
    memberships in one query (`_memberships_by_bsn`), the members of the households one more
    (`current_members_prefetch`)."""
    memberships = _memberships_by_bsn(user=user, bsn=bsn)
    today = timezone.localdate()
    households: dict[int, Household] = {}
    for membership in memberships:
        if membership.household_visible:
            household = households.setdefault(membership.household_id, membership.household)
            lives_here = getattr(household, "bsn_lives_here", False)
            household.bsn_lives_here = lives_here or membership.is_current(today)
    results = list(households.values())
    if results and members:
        prefetch_related_objects(results, current_members_prefetch())
    return _whereabouts(bsn=bsn, memberships=memberships, today=today), results


def residents_by_name_or_bsn(*, query: str) -> QuerySet[Resident]:
    """The admin's resident search (functional administrator, for the person merge): digits
    are (part of) a BSN; anything else is a name, matched like the household search does, on
    the folded name and its trigram index. Need-to-know does not apply in the admin; its reads
    are logged (`cases.access.AdminReadsLogged`)."""
    query = " ".join((query or "").split())
    if query.isdigit():
        return Resident.objects.filter(bsn__contains=query)
    return residents_named(name_words(query))


@dataclass
class PossibleDuplicate:
    resident: Resident
    household: Household | None  # None: known elsewhere, no details for this user
    match: str  # "birth_date" or "postcode"


def resident_possible_duplicates(
    *,
    user,
    last_name: str,
    first_name: str = "",
    birth_date=None,
    postcode: str = "",
) -> list[PossibleDuplicate]:
    """Persons already registered who may be the person about to be registered without BSN:
    the same last name and date of birth, or the same first and last name with a current
    address at the same postcode. A match in a household the user may not see is returned
    without household (the UI says "known elsewhere" and shows no details)."""
    last_name = " ".join((last_name or "").split())
    first_name = " ".join((first_name or "").split())
    if not last_name:
        return []
    by_birth_date = Q(pk__in=[])
    if birth_date:
        by_birth_date = Q(last_name__iexact=last_name, birth_date=birth_date)
    by_postcode = Q(pk__in=[])
    if first_name and postcode:
        try:
            postcode = normalise_postcode(postcode)
        except ValidationError:
            postcode = ""
        if postcode:
            at_postcode = HouseholdMembership.objects.current().filter(household__postcode=postcode)
            by_postcode = Q(
                last_name__iexact=last_name,
                first_name__iexact=first_name,
                pk__in=at_postcode.values("resident_id"),
            )
    current = HouseholdMembership.objects.current().filter(resident=OuterRef("pk"))
    visible = households_visible_to(user)
    residents = (
        Resident.objects.filter(by_birth_date | by_postcode)
        .annotate(
            current_household_id=Subquery(current.values("household_id")[:1]),
            visible=Exists(visible.filter(pk=OuterRef("current_household_id"))),
        )
        .order_by("last_name", "first_name", "pk")[:10]
    )
    residents = list(residents)
    households = (
        Household.objects.in_bulk(
            [r.current_household_id for r in residents if r.visible and r.current_household_id]
        )
        if residents
        else {}
    )
    result = []
    for resident in residents:
        household = households.get(resident.current_household_id)
        matched_on_birth_date = bool(
            birth_date
            and resident.birth_date == birth_date
            and resident.last_name.lower() == last_name.lower()
        )
        result.append(
            PossibleDuplicate(
                resident=resident,
                household=household,
                match="birth_date" if matched_on_birth_date else "postcode",
            )
        )
    return result


def _mine(user) -> Q:
    """Coordinated by the user or brought into its open plan. In a request the plan
    participations are known (`cases.access_facts`): a list of ids lets PostgreSQL combine two
    index scans, where the per-row participation subquery walked all 500,000 households."""
    facts = getattr(user, FACTS, None)
    if facts is None:
        return Q(coordinator=user) | Q(my_participation__isnull=False)
    ids = sorted(facts.participation_household_ids)
    return Q(coordinator=user) | Q(pk__in=ids) if ids else Q(coordinator=user)


def _caseload(*, user) -> QuerySet[Household]:
    """The caseload's households with their facts (see `caseload`), most urgent first."""
    taking_part = PlanParticipant.objects.filter(
        user=user,
        status__in=[ParticipantStatus.INVITED, ParticipantStatus.ACCEPTED],
        plan__household=OuterRef("pk"),
    ).exclude(plan__status=PlanStatus.CLOSED)
    return (
        households_visible_to(user)
        .annotate(
            my_participation=Subquery(taking_part.order_by("-invited_at").values("status")[:1])
        )
        .filter(_mine(user))
        .annotate(
            melding_deadline=Min(
                "meldingen__investigation_deadline",
                filter=Q(meldingen__status=MeldingStatus.OPEN),
            ),
            next_action_due=Min(
                "plans__actions__due_on",
                filter=Q(plans__status=PlanStatus.ACTIVE, plans__actions__done_on__isnull=True),
            ),
            active_plan_count=Count(
                "plans", filter=Q(plans__status=PlanStatus.ACTIVE), distinct=True
            ),
        )
        .order_by(
            F("melding_deadline").asc(nulls_last=True),
            F("next_action_due").asc(nulls_last=True),
            "postcode",
            "house_number",
            "pk",
        )
    )


def caseload(*, user) -> QuerySet[Household]:
    """'My households': those the user coordinates and those whose open plan they were
    brought into (invited or accepted; `my_participation` is that status, so the list says
    "invited"), with the nearest deadline of an open melding and the next open action of the
    active plan, most urgent first. As model instances with their area and current members;
    the page reads the same rows as plain values (`caseload_page`)."""
    return _caseload(user=user).with_area().prefetch_related(current_members_prefetch())


CASELOAD_FIELDS = (
    "pk",
    "uuid",
    "street",
    "house_number",
    "house_number_addition",
    "postcode",
    "coordinator_id",
    "my_participation",
    "melding_deadline",
    "next_action_due",
    "active_plan_count",
)


@dataclass(slots=True)
class CaseloadRow:
    """One household of the caseload page, from plain values (no model per row)."""

    pk: int
    uuid: uuid.UUID
    address_line: str
    postcode_display: str
    coordinator_id: int | None
    my_participation: str | None  # ParticipantStatus: "invited" or "accepted"
    melding_deadline: datetime.date | None
    next_action_due: datetime.date | None
    active_plan_count: int
    member_names: list[str] = field(default_factory=list)  # current members, as the prefetch
    clocks: list[Clock] = field(default_factory=list)
    nearest_clock: Clock | None = None
    url: str = ""  # the household page (the view's)


# the order of `current_members_prefetch`: role, then date of birth (unknown last)
CURRENT_MEMBER_ORDER = ("role", "resident__birth_date", "pk")


def current_member_names(
    *, household_ids: list[int], on=None, birth_year: bool = False
) -> dict[int, list[str]]:
    """The full names of the current members (`HouseholdMembership.objects.current()`) of
    each household, in `CURRENT_MEMBER_ORDER`, with the year of birth when known and asked for
    ("Jan Jansen (1980)"): one query for a page of households."""
    if not household_ids:
        return {}
    # compiled once per process (`precompiled_rows`, the households as one array): every page
    # of the household search asks it. Its plan is the same for any households (an index scan
    # per household): PostgreSQL's generic plan, which it would not choose by itself (it
    # planned each run again, 0.4 ms for a run of 0.1 at 500,000 households)
    rows = precompiled_rows(
        key=("current member names",),
        generic_plan=True,
        build=lambda bind: (
            HouseholdMembership.objects.current(bind("on", DateField()))
            .filter(bind.in_array("household_id", "households", "bigint"))
            .order_by("household_id", *CURRENT_MEMBER_ORDER)
            .values(
                "household_id",
                "resident__first_name",
                "resident__name_prefix",
                "resident__last_name",
                "resident__birth_date",
            )
        ),
        values={"on": on or timezone.localdate(), "households": tuple(sorted(set(household_ids)))},
    )
    names: dict[int, list[str]] = {}
    for row in rows:
        name = full_name(
            row["resident__first_name"], row["resident__name_prefix"], row["resident__last_name"]
        )
        if birth_year and row["resident__birth_date"]:
            name = f"{name} ({row['resident__birth_date'].year})"
        names.setdefault(row["household_id"], []).append(name)
    return names


def _text_array(*expressions, output_field=None) -> Func:
    """`ARRAY[a, b, ...]` of text columns (PostgreSQL)."""
    return Func(
        *expressions,
        template="ARRAY[%(expressions)s]",
        output_field=output_field or ArrayField(TextField()),
    )


def _current_member_name_parts(on, *, birth_year: bool = False) -> ArraySubquery:
    """The outer household's current members as [first name, prefix, last name] each, with
    the year of birth as text (None when unknown) when asked for, in `CURRENT_MEMBER_ORDER`
    (PostgreSQL): `current_member_names` read with the household's row, one round trip
    fewer (`member_names_of`)."""
    parts = [F("resident__first_name"), F("resident__name_prefix"), F("resident__last_name")]
    if birth_year:
        parts.append(Cast(ExtractYear("resident__birth_date"), TextField()))
    return ArraySubquery(
        HouseholdMembership.objects.current(on)
        .filter(household=OuterRef("pk"))
        .order_by(*CURRENT_MEMBER_ORDER)
        .values(parts=_text_array(*parts))
    )


def _read_with_rows(values: list[dict]) -> bool:
    """Whether a page's rows carry what `_current_member_name_parts` reads (PostgreSQL)."""
    return bool(values) and "member_name_parts" in values[0]


def _member_names_of_rows(values: list[dict], *, on=None, birth_year: bool = False) -> dict:
    """Each row's household's current members' names (`current_member_names`): read with the
    rows when they carry them, else one query."""
    if _read_with_rows(values):
        return {row["pk"]: member_names_of(row["member_name_parts"]) for row in values}
    return current_member_names(
        household_ids=[row["pk"] for row in values], on=on, birth_year=birth_year
    )


def member_names_of(name_parts: list[list[str | None]]) -> list[str]:
    """The names `current_member_names` gives, from one household's
    `_current_member_name_parts`."""
    return [
        f"{full_name(*parts[:3])} ({parts[3]})"
        if len(parts) > 3 and parts[3]
        else full_name(*parts[:3])
        for parts in name_parts
    ]


SEARCH_ROW_VALUES = {
    "team_name": F("neighbourhood__district__team__name"),
    "district_name": F("neighbourhood__district__name"),
    "coordinator_first_name": F("coordinator__first_name"),
    "coordinator_last_name": F("coordinator__last_name"),
    "coordinator_username": F("coordinator__username"),
}
SEARCH_ROW_COLUMNS = (  # the household's own
    "uuid",
    "street",
    "house_number",
    "house_number_addition",
    "postcode",
    "city",
    "neighbourhood_id",
)


@dataclass(slots=True)
class SearchRow:
    """One household of the household search page, from plain values (no model per row)."""

    pk: int
    uuid: uuid.UUID
    address_line: str
    postcode_display: str
    city: str
    area_name: str | None  # the team of its district, else the district; None: outside
    coordinator_name: str  # "" without a coordinator
    member_names: list[str]  # current members with their year of birth
    bsn_lives_here: bool | None = None  # a BSN search: whether the person lives here now
    url: str = ""  # the household page
    clocks: list[Clock] = field(default_factory=list)
    nearest_clock: Clock | None = None


def _search_values(household: Household) -> dict:
    """What `search_values` reads of a household (its own columns, `SEARCH_ROW_VALUES`), from
    one loaded with its area and coordinator (a BSN search's)."""
    district = household.neighbourhood.district if household.neighbourhood else None
    coordinator = household.coordinator
    return {
        **{name: getattr(household, name) for name in SEARCH_ROW_COLUMNS},
        "pk": household.pk,
        "team_name": district.team.name if district and district.team else None,
        "district_name": district.name if district else None,
        "coordinator_first_name": coordinator.first_name if coordinator else None,
        "coordinator_last_name": coordinator.last_name if coordinator else None,
        "coordinator_username": coordinator.username if coordinator else None,
        "bsn_lives_here": getattr(household, "bsn_lives_here", None),
    }


SEARCH_ORDER = ("postcode", "house_number", "house_number_addition", "pk")


def search_values(search: HouseholdSearch) -> "QuerySet | list[dict] | NamedHouseholdRows":
    """`household_search` results as the plain values the search page shows (its own columns
    and `SEARCH_ROW_VALUES`), in the same order, to paginate: a queryset's as `.values()` (the
    page read in one query), a BSN search's few households, loaded already, as they are, a
    name search's ids as `NamedHouseholdRows`."""
    if search.ids is not None:
        return NamedHouseholdRows(search.ids)
    if search.rows is not None:
        return search.rows
    results = search.results
    if isinstance(results, QuerySet):
        return results.prefetch_related(None).values("pk", *SEARCH_ROW_COLUMNS, **SEARCH_ROW_VALUES)
    return [_search_values(household) for household in results]


class NamedHouseholdRows:
    """A name search's households (ids need-to-know has passed) for the paginator: a page is
    one statement compiled once per process, the ids bound as one array."""

    def __init__(self, ids: list[int]):
        self.ids = tuple(ids)

    def __len__(self) -> int:
        return len(self.ids)

    def count(self) -> int:
        return len(self.ids)

    def __getitem__(self, item: slice) -> list[dict]:
        start, stop = item.start or 0, item.stop
        if stop is not None and stop >= len(self.ids):
            stop = None  # the rest: one statement whatever the number of rows left

        def build(bind):
            households = Household.objects.filter(bind.in_array("pk", "ids", "bigint"))
            return households.order_by(*SEARCH_ORDER).values(
                "pk", *SEARCH_ROW_COLUMNS, **SEARCH_ROW_VALUES, **_search_extras(bind)
            )[start:stop]

        return precompiled_rows(
            key=("named households page", start, stop),
            build=build,
            values={"ids": self.ids, "on": timezone.localdate()},
        )


class PostcodeHouseholdRows:
    """A postcode search's households for the paginator: a page is one statement compiled
    once per user's access (`visibility_key`) and shape, the postcode (or the range of the
    four digits) bound; planning the need-to-know filter and the area's joins cost more than
    running it at 500,000 households (docs/performance.md, eleventh pass). Counted, when the
    paginator needs it, on `count_of` (the same households)."""

    def __init__(self, *, user, lookups: dict, count_of: QuerySet):
        self.user = user
        self.lookups = lookups
        self.count_of = count_of

    def count(self) -> int:
        return self.count_of.count()

    def __getitem__(self, item: slice) -> list[dict]:
        start, stop = item.start or 0, item.stop
        names = tuple(sorted(self.lookups))

        def build(bind):
            households = households_visible_to(self.user).filter(
                **{name: bind(name, CharField()) for name in names}
            )
            return households.order_by(*SEARCH_ORDER).values(
                "pk", *SEARCH_ROW_COLUMNS, **SEARCH_ROW_VALUES, **_search_extras(bind)
            )[start:stop]

        key = visibility_key(self.user)
        if key is None:
            return list(build(Bind(self.lookups, placeholders=False)))
        return precompiled_rows(
            key=("households by postcode page", names, start, stop, *key),
            build=build,
            values={**self.lookups, "on": timezone.localdate()},
        )


def _compiled_for_postgresql(bind) -> bool:
    """Whether a page is being compiled for PostgreSQL (`precompiled_rows`), where its rows
    can carry arrays read with them (`ArraySubquery`)."""
    return bind.placeholders and connection.vendor == "postgresql"


def _search_extras(bind) -> dict:
    """A search page's current members with their year of birth, read with its households
    on PostgreSQL (a compiled page's `bind`); none elsewhere (`search_rows` reads them)."""
    if not _compiled_for_postgresql(bind):
        return {}
    return {
        "member_name_parts": _current_member_name_parts(bind("on", DateField()), birth_year=True)
    }


def search_rows(values: list[dict]) -> list[SearchRow]:
    """A page of `search_values` as `SearchRow`s, with their current members' names (read
    with the page, else one query) and their links."""
    names = _member_names_of_rows(values, birth_year=True)
    link = uuid_url("cases:household_detail")
    return [
        SearchRow(
            pk=row["pk"],
            uuid=row["uuid"],
            address_line=address_line(
                row["street"], row["house_number"], row["house_number_addition"]
            ),
            postcode_display=format_postcode(row["postcode"]),
            city=row["city"],
            area_name=(row["team_name"] or row["district_name"])
            if row["neighbourhood_id"]
            else None,
            coordinator_name=user_name(
                row["coordinator_first_name"],
                row["coordinator_last_name"],
                row["coordinator_username"],
            ),
            member_names=names.get(row["pk"], []),
            bsn_lives_here=row.get("bsn_lives_here"),
            url=link(row["uuid"]),
        )
        for row in values
    ]


def _caseload_values(*, user, today: datetime.date) -> list[dict]:
    """The caseload's rows (`CASELOAD_FIELDS`); on PostgreSQL with each household's current
    members' name parts and due check-ins (`_caseload_extras`), read with the rows: two round
    trips fewer. In a request the statement is compiled once per user's access
    (`visibility_key`, which holds the day): building and compiling it took longer than
    running it at 500,000 households. The rows are read when it runs."""
    key = visibility_key(user)
    if key is None:
        return list(_caseload(user=user).values(*CASELOAD_FIELDS))
    return precompiled_rows(
        key=("caseload", *key),
        build=lambda bind: _caseload(user=user).values(*CASELOAD_FIELDS, **_caseload_extras(bind)),
        values={"on": today},
    )


def _caseload_extras(bind) -> dict:
    """Per caseload household, read with it on PostgreSQL (a compiled page's `bind`; none
    elsewhere): its current members' name parts and its due check-ins as [uuid, due date
    (ISO), id], in the order of `check_ins_due_for`."""
    if not _compiled_for_postgresql(bind):
        return {}
    on = bind("on", DateField())
    due_on = Func(F("due_on"), Value("YYYY-MM-DD"), function="to_char", output_field=TextField())
    return {
        "member_name_parts": _current_member_name_parts(on),
        "due_check_ins": ArraySubquery(
            plan_selectors.check_ins_due_of_outer_household().values(
                parts=_text_array(Cast("uuid", TextField()), due_on, Cast("pk", TextField()))
            )
        ),
    }


@dataclass(slots=True)
class DueCheckIn:
    """An aftercare check-in due in a household the user coordinates, on the caseload."""

    pk: int
    uuid: uuid.UUID | str
    due_on: datetime.date
    household: CaseloadRow
    url: str = ""  # where it is recorded (the view's)
    form_fields: str = ""  # the form's fields (the view's)


@dataclass(slots=True)
class CaseloadPage:
    households: list[CaseloadRow]
    check_ins: list[DueCheckIn]  # soonest first


def caseload_page(*, user) -> CaseloadPage:
    """The caseload page's rows (`caseload`) as plain values, with each household's current
    members' names and running clocks, and the due check-ins of the households the user
    coordinates (`check_ins_due_for`): three queries whatever the number of households on
    PostgreSQL (the caseload, its clocks, the access log's), five on SQLite; the household
    whose clock runs out first leads, then the order of `caseload`."""
    today = timezone.localdate()
    values = _caseload_values(user=user, today=today)
    read_with_rows = _read_with_rows(values)
    names = _member_names_of_rows(values, on=today)
    rows = [
        CaseloadRow(
            pk=row["pk"],
            uuid=row["uuid"],
            address_line=address_line(
                row["street"], row["house_number"], row["house_number_addition"]
            ),
            postcode_display=format_postcode(row["postcode"]),
            coordinator_id=row["coordinator_id"],
            my_participation=row["my_participation"],
            melding_deadline=row["melding_deadline"],
            next_action_due=row["next_action_due"],
            active_plan_count=row["active_plan_count"],
            member_names=names.get(row["pk"], []),
        )
        for row in values
    ]
    check_ins = _caseload_check_ins(
        rows=rows,
        values=values if read_with_rows else None,
        coordinated={row.pk for row in rows if row.coordinator_id == user.pk},
    )
    # each household's running clocks (the rows are need-to-know's already); the one whose
    # deadline comes first leads
    rows = clocks.with_clocks(rows, user=user, ids_visible=True, today=today)
    rows.sort(key=lambda row: row.nearest_clock.due_on if row.nearest_clock else datetime.date.max)
    return CaseloadPage(households=rows, check_ins=check_ins)


def _caseload_check_ins(*, rows, values, coordinated: set[int]) -> list[DueCheckIn]:
    """The due check-ins of the caseload's households the user coordinates (those it only
    takes part in are the coordinator's to do), soonest first: from the rows' `due_check_ins`
    when read with them, else one query (`check_ins_due_in`)."""
    by_pk = {row.pk: row for row in rows}
    if values is None:
        return [
            DueCheckIn(
                pk=check_in.pk,
                uuid=check_in.uuid,
                due_on=check_in.due_on,
                household=by_pk[check_in.plan.household_id],
            )
            for check_in in plan_selectors.check_ins_due_in(household_ids=sorted(coordinated))
        ]
    found = [
        DueCheckIn(
            pk=int(pk),
            uuid=check_in_uuid,
            due_on=datetime.date.fromisoformat(due_on),
            household=by_pk[row["pk"]],
        )
        for row in values
        if row["pk"] in coordinated
        for check_in_uuid, due_on, pk in row["due_check_ins"]
    ]
    found.sort(key=lambda check_in: (check_in.due_on, check_in.pk))
    return found


@dataclass
class HouseholdStory:
    meldingen: list
    conversations: list
    plans: list
    active_plan: SupportPlan | None
    open_plan: SupportPlan | None
    network: list


def _section_rows(household) -> dict:
    """The rows of each section of the household page that most households leave empty."""
    return {
        "meldingen": Melding.objects.filter(household=household),
        "conversations": KitchenTableConversation.objects.filter(household=household),
        "plans": SupportPlan.objects.filter(household=household),
        "network": InformalNetworkMember.objects.filter(household=household),
        "former_addresses": HouseholdAddress.objects.filter(household=household),
        "handovers": Handover.objects.filter(household=household),
        "progress_reports": ProgressReport.objects.filter(allocation__household=household),
    }


@functools.lru_cache(maxsize=4)
def _section_flags_sql(vendor: str) -> tuple[tuple[str, str, tuple], ...]:
    """(name, SQL, parameters) of an EXISTS per section, against the households table: built
    by the ORM once per process, so that a page does not build and compile seven subqueries
    on every request (about 1.5 ms)."""
    query = Household.objects.all().query
    compiler = query.get_compiler(connection=connection)
    flags = []
    for name, rows in _section_rows(OuterRef("pk")).items():
        sql, params = compiler.compile(Exists(rows).resolve_expression(query))
        flags.append((f"has_{name}", sql, tuple(params)))
    return tuple(flags)


def household_page_sections() -> dict[str, RawSQL]:
    """Whether each section of the household page that most households leave empty has rows:
    annotations for the page's one household query (`access_household(annotations=...)`), an
    EXISTS on an index each, so that `household_page` and `household_story` skip the query of
    an empty section. At 500,000 households most have no melding, plan, conversation, network
    member, move or progress report."""
    return {
        # the ORM's own SQL (_section_flags_sql), no input in it
        name: RawSQL(sql, params, output_field=BooleanField())  # noqa: S611
        for name, sql, params in _section_flags_sql(connection.vendor)
    }


def _has(household: Household, section: str) -> bool:
    """False only when the household was fetched with `household_page_sections` and the
    section is empty: without the annotation the section is read."""
    return getattr(household, f"has_{section}", True)


@dataclass
class HouseholdPage:
    former_addresses: list
    handovers: list
    progress_reports: list
    story: HouseholdStory


def household_page(*, household: Household) -> HouseholdPage:
    """What the household page shows beside its residents: former addresses and handovers,
    the latest progress reports and the household's story. An empty section (known from
    `household_page_sections`) costs no query."""
    return HouseholdPage(
        former_addresses=(
            list(household_former_addresses(household=household))
            if _has(household, "former_addresses")
            else []
        ),
        handovers=(
            list(household_handovers(household=household)) if _has(household, "handovers") else []
        ),
        progress_reports=(
            progress_reports_recent(household=household)
            if _has(household, "progress_reports")
            else []
        ),
        story=household_story(household=household),
    )


def household_story(*, household: Household, meldingen: list | None = None) -> HouseholdStory:
    """Everything that happened with the household, as one story: requests for help,
    conversations, plans and the informal network (the timeline is the journal's,
    `cases.journal.selectors`; a plan's evaluations are on the plan's page), with only the
    columns the household page shows. Pass the meldingen when they are loaded already; a
    section known to be empty (`household_page_sections`) is not read."""
    if meldingen is None:
        meldingen = (
            list(household_meldingen(household=household)) if _has(household, "meldingen") else []
        )
    conversations = []
    if _has(household, "conversations"):
        conversations = list(
            household.conversations.only(
                "uuid", "household_id", "held_on", "place", "resident_story"
            ).order_by("-held_on", "-pk")
        )
    plans = []
    if _has(household, "plans"):
        # each plan's household is this one (the related manager sets it): its coordinator
        # was read with the household
        plans = list(
            household.plans.only("uuid", "household_id", "status", "closed_at", "created_at")
            .annotate(
                goal_count=Count("goals", distinct=True),
                open_action_count=Count(
                    "actions", filter=Q(actions__done_on__isnull=True), distinct=True
                ),
            )
            .order_by("-created_at")
        )
    network = []
    if _has(household, "network"):
        network = list(
            household.network_members.select_related("volunteering__volunteer").order_by("name")
        )
    active_plan = next((plan for plan in plans if plan.is_active), None)
    open_plan = active_plan or next((plan for plan in plans if plan.is_draft), None)
    return HouseholdStory(
        meldingen=meldingen,
        conversations=conversations,
        plans=plans,
        active_plan=active_plan,
        open_plan=open_plan,
        network=network,
    )


def household_meldingen(*, household: Household):
    """The household's requests for help, open ones first, nearest deadline first."""
    return household.meldingen.annotate(
        is_open=Case(When(status=MeldingStatus.OPEN, then=0), default=1)
    ).order_by("is_open", "investigation_deadline", "pk")


HANDOVER_SECTION_LIMIT = 20


def handovers_incoming(*, team) -> QuerySet[Handover]:
    """The handovers waiting for a team after households moved into its district, oldest
    first, each with its household's residents (`current_memberships`), open plan
    (`open_plans`) and coordinator."""
    return (
        Handover.objects.pending()
        .filter(to_district_id=team.district_id)
        .select_related("household__coordinator", "from_district", "from_coordinator")
        .prefetch_related(
            Prefetch(
                "household__plans",
                queryset=SupportPlan.objects.open().order_by("status"),
                to_attr="open_plans",
            ),
            Prefetch(
                "household__memberships",
                queryset=HouseholdMembership.objects.current()
                .select_related("resident")
                .order_by("role", "resident__birth_date"),
                to_attr="current_memberships",
            ),
        )
        .order_by("created_at", "pk")
    )


def team_generalists(*, team) -> QuerySet:
    """The active generalists of a team: who may coordinate a household handed over to it."""
    return (
        User.objects.filter(
            team_memberships__team=team,
            team_memberships__active=True,
            groups__name=Role.GENERALIST,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def household_former_addresses(*, household: Household) -> QuerySet[HouseholdAddress]:
    """The addresses the household lived at before, most recent first."""
    return household.former_addresses.select_related("neighbourhood__district")


def household_handovers(*, household: Household) -> QuerySet[Handover]:
    return household.handovers.select_related(
        "from_district", "to_district", "accepted_by", "assigned_coordinator"
    )


@dataclass
class PersonWhereabouts:
    """A person found by BSN: where they live now (when the user may see it), and whether
    they live anywhere at all."""

    resident: Resident
    current: HouseholdMembership | None
    current_visible: bool


def person_by_bsn(*, user, bsn: str) -> PersonWhereabouts | None:
    """The person with this BSN, current members and former ones alike, with where they live
    now. None when nobody has this BSN."""
    memberships = _memberships_by_bsn(user=user, bsn=bsn)
    return _whereabouts(bsn=bsn, memberships=memberships, today=timezone.localdate())


def registered_bsn(value: str) -> str:
    """The normalised BSN when a person with it is registered already, else ""."""
    try:
        bsn = normalise_bsn((value or "").strip())
    except ValidationError:
        return ""
    return bsn if Resident.objects.filter(bsn=bsn).exists() else ""
