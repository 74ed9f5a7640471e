import datetime
import time
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from socialdomain.cache import cache_is_shared, generation_current
from teams import permissions
from teams.backends import ACCESS_VERSION_READ

# Public here for the other apps; defined in teams.memberships so teams.permissions can use it.
from teams.memberships import district_ids_of_user as district_ids_of_user
from teams.models import (
    AccessVersion,
    AreaConsultant,
    AreaStatistics,
    ConsultantAbsence,
    District,
    LawDomain,
    Neighbourhood,
    Postcode,
    RoleChange,
    Specialism,
    Team,
    TeamMember,
)
from teams.validators import normalise_postcode

FULL_TIME_HOURS = Decimal(36)


def postcode_lookup(*, postcode: str) -> Postcode | None:
    """The postcode with its neighbourhood, district and municipality, or None when the
    (well-formed) postcode is not in this municipality. Raises ValidationError when malformed."""
    return Postcode.objects.with_area().filter(postcode=normalise_postcode(postcode)).first()


def neighbourhood_id_for_postcode(postcode: str) -> int | None:
    """The neighbourhood of a normalised postcode (`1234AB`), or None outside the municipality."""
    return (
        Postcode.objects.filter(postcode=postcode)
        .values_list("neighbourhood_id", flat=True)
        .first()
    )


def teams_of_user(*, user) -> list[Team]:
    if not user.is_authenticated:
        return []
    return list(
        Team.objects.filter(members__user=user, members__active=True).select_related("district")
    )


@dataclass(frozen=True)
class Contact:
    """Whom to call for one law domain today: the consultant, or their substitute."""

    law_domain: str
    law_domain_label: str
    name: str
    phone: str
    email: str
    reachable_hours: str
    is_substitute: bool = False
    substitutes_for: str = ""
    until: datetime.date | None = None


@dataclass(frozen=True)
class AreaContacts:
    postcode: Postcode
    team: Team | None
    contacts: list[Contact]

    @property
    def neighbourhood(self):
        return self.postcode.neighbourhood

    @property
    def district(self):
        return self.postcode.neighbourhood.district


def _display_name(user) -> str:
    return user.get_full_name() or user.username


def consultant_contact(consultant: AreaConsultant, absences: list) -> Contact:
    """The contact for one consultant, given their absences that cover today."""
    absence = max(absences, key=lambda a: a.start_date, default=None)
    if absence is None:
        return Contact(
            law_domain=consultant.law_domain,
            law_domain_label=consultant.get_law_domain_display(),
            name=_display_name(consultant.user),
            phone=consultant.phone,
            email=consultant.email,
            reachable_hours=consultant.reachable_hours,
        )
    return Contact(
        law_domain=consultant.law_domain,
        law_domain_label=consultant.get_law_domain_display(),
        name=_display_name(absence.substitute),
        phone=absence.substitute_phone,
        email=absence.substitute_email,
        reachable_hours="",
        is_substitute=True,
        substitutes_for=_display_name(consultant.user),
        until=absence.end_date,
    )


def area_contacts_for_postcode(*, postcode: str, on: datetime.date | None = None):
    """The district, its wijkteam and today's area consultants (or substitutes) for a postcode;
    None when the well-formed postcode is outside the municipality. Raises ValidationError
    (plain Dutch) when malformed. Three queries, whatever the area. Never household data."""
    on = on or timezone.localdate()
    area = (
        Postcode.objects.select_related(
            "neighbourhood__district__municipality", "neighbourhood__district__team"
        )
        .filter(postcode=normalise_postcode(postcode))
        .first()
    )
    if area is None:
        return None
    district = area.neighbourhood.district
    consultants = (
        AreaConsultant.objects.filter(district=district)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "absences",
                queryset=ConsultantAbsence.objects.current(on).select_related("substitute"),
                to_attr="current_absences",
            )
        )
    )
    order = {domain: index for index, domain in enumerate(LawDomain.values)}
    contacts = sorted(
        (consultant_contact(c, c.current_absences) for c in consultants),
        key=lambda contact: order[contact.law_domain],
    )
    return AreaContacts(postcode=area, team=getattr(district, "team", None), contacts=contacts)


AREA_CONTACTS_CACHE_SECONDS = 300
AREA_CONTACTS_GENERATION_KEY = "area-contacts:generation"
_OUTSIDE = "outside"
# cache key -> (generation, monotonic time it expires, answer): the answers this process made
# or read for a caller that gave the generation its request's authentication read along
# (`area_contacts_cached`). A municipality's postcodes in one form (the API's, about 3 KiB an
# answer): emptied when full
_process_answers: dict[str, tuple[str, float, object]] = {}
_PROCESS_ANSWERS_MAX = 2_000


def area_contacts_generation() -> str | None:
    """The cache generation of area contacts (`socialdomain.cache.generation_current`);
    `teams.services.area_contacts_changed` renews it whenever areas, teams, consultants or
    absences change, so cached answers are never stale after a change (and expire after
    AREA_CONTACTS_CACHE_SECONDS anyway)."""
    return generation_current(AREA_CONTACTS_GENERATION_KEY)


def area_contacts_cached(*, postcode: str, form: str = "", render=None, generation=None):
    """`area_contacts_for_postcode` for today, from the cache (Redis in production) when it was
    asked before: the GP lookup answers without a database query for a known postcode. Keyed
    by language (the labels are translated), date (absences) and postcode, and kept with the
    generation it was made in: the generation and the answer are read in one round trip, and
    an answer of an older generation is made again. With `render` (and a `form` naming it),
    the answer is kept as `render` makes it of the contacts (the API's JSON), so a repeated
    question costs neither the query nor the rendering.

    `generation`: the current generation, when the caller read it already (the partner API's
    authentication reads it along, `socialdomain.cache.read_along`). The process then also
    keeps the answer itself under that generation, for AREA_CONTACTS_CACHE_SECONDS at most,
    and a repeated question of the same generation costs no round trip at all; `render` should
    then give plain data (a serializer's `ReturnDict` keeps its serializer alive)."""
    normalised = normalise_postcode(postcode)  # ValidationError when malformed
    today = timezone.localdate()
    key = f"area-contacts:{get_language()}:{today.isoformat()}:{normalised}:{form}"
    keep = generation is not None and cache_is_shared()
    if generation is not None:
        kept = _process_answers.get(key)
        if kept is not None and kept[0] == generation and kept[1] > time.monotonic():
            return kept[2]
        found = {key: cache.get(key)}
    else:
        found = cache.get_many([AREA_CONTACTS_GENERATION_KEY, key])
        generation = found.get(AREA_CONTACTS_GENERATION_KEY)
        if generation is None:
            generation = area_contacts_generation()
    cached = found.get(key)
    if cached is not None and cached[0] == generation:
        result = None if cached[1] == _OUTSIDE else cached[1]
    else:
        result = area_contacts_for_postcode(postcode=normalised, on=today)
        if result is not None and render is not None:
            result = render(result)
        cache.set(
            key, (generation, _OUTSIDE if result is None else result), AREA_CONTACTS_CACHE_SECONDS
        )
    if keep:
        if len(_process_answers) >= _PROCESS_ANSWERS_MAX:
            _process_answers.clear()
        expires = time.monotonic() + AREA_CONTACTS_CACHE_SECONDS
        _process_answers[key] = (generation, expires, result)
    return result


@dataclass
class DistrictCoverage:
    district: District
    missing_domains: list[str]
    uncovered_postcodes: int
    empty_neighbourhoods: list[Neighbourhood]


def coverage_report() -> list[DistrictCoverage]:
    """Per district what is missing: a team (then its postcodes are uncovered), consultants per
    law domain, neighbourhoods without postcodes. Overlaps cannot be stored: a postcode is a
    primary key with one neighbourhood and a district has at most one team (the import refuses
    a postcode that already belongs to another neighbourhood). A fixed number of queries."""
    districts = (
        District.objects.select_related("municipality", "team")
        .annotate(postcode_count=Count("neighbourhoods__postcodes"))
        .prefetch_related(
            Prefetch(
                "neighbourhoods",
                queryset=Neighbourhood.objects.annotate(postcode_count=Count("postcodes")),
            ),
            "consultants",
        )
        .order_by("municipality__name", "name")
    )
    report = []
    for district in districts:
        present = {consultant.law_domain for consultant in district.consultants.all()}
        report.append(
            DistrictCoverage(
                district=district,
                missing_domains=[
                    label for value, label in LawDomain.choices if value not in present
                ],
                uncovered_postcodes=0 if hasattr(district, "team") else district.postcode_count,
                empty_neighbourhoods=[
                    n for n in district.neighbourhoods.all() if not n.postcode_count
                ],
            )
        )
    return report


@dataclass(frozen=True)
class MemberLoad:
    member: TeamMember
    caseload: int
    specialisms: list[str]

    @property
    def per_fte(self) -> Decimal | None:
        """Households per full-time equivalent (36 hours)."""
        if not self.member.contract_hours:
            return None
        return (Decimal(self.caseload) * FULL_TIME_HOURS / self.member.contract_hours).quantize(
            Decimal("0.1")
        )

    @property
    def overloaded(self) -> bool:
        per_fte = self.per_fte
        if per_fte is None:
            return self.caseload > 0
        return per_fte > settings.TEAM_CASELOAD_PER_FTE


def team_for_lead(*, user, district_code: str) -> Team:
    """The team of a district with its statistics, if the user may see its overview: its own
    team lead, or a functional administrator. 404 otherwise (indistinguishable)."""
    team = (
        Team.objects.select_related("district__statistics", "district__municipality")
        .filter(district__code=district_code)
        .first()
    )
    if team is None or not permissions.can_view_team(user, team):
        raise Http404("No team found")
    return team


def team_member_loads(*, team: Team) -> list[MemberLoad]:
    """Active members with their caseload: households they coordinate (a reverse relation,
    so teams need not import cases). Two queries."""
    members = (
        team.members.filter(active=True)
        .select_related("user")
        .prefetch_related("specialisms")
        .annotate(caseload=Count("user__coordinated_households"))
        .order_by("user__last_name", "user__first_name", "pk")
    )
    return [
        MemberLoad(
            member=member,
            caseload=member.caseload,
            specialisms=[s.get_specialism_display() for s in member.specialisms.all()],
        )
        for member in members
    ]


# Simple rules of thumb: a share above the threshold asks for one of the specialisms.
COMPOSITION_RULES = [
    (
        "share_single_parent",
        Decimal(10),
        {Specialism.YOUTH},
        _("Many single-parent households (%(share)s%%) and no youth specialist in the team."),
    ),
    (
        "share_under_18",
        Decimal(22),
        {Specialism.YOUTH},
        _("Many residents under 18 (%(share)s%%) and no youth specialist in the team."),
    ),
    (
        "share_low_income",
        Decimal(12),
        {Specialism.DEBTS, Specialism.WORK_INCOME},
        _(
            "Many low-income households (%(share)s%%) and no specialist in debts or work "
            "& income in the team."
        ),
    ),
    (
        "share_65_plus",
        Decimal(25),
        {Specialism.ELDERLY},
        _("Many residents aged 65 or over (%(share)s%%) and no elderly-care specialist."),
    ),
]


def composition_hints(*, statistics: AreaStatistics | None, specialisms: set[str]) -> list[str]:
    if statistics is None:
        return []
    hints = []
    for field_name, threshold, wanted, message in COMPOSITION_RULES:
        share = getattr(statistics, field_name)
        if share >= threshold and not wanted & specialisms:
            hints.append(message % {"share": share})
    return hints


def specialism_counts(loads: list[MemberLoad]) -> list[tuple[str, int]]:
    """(label, number of members) for every specialism, zeros included, for the team page."""
    counts = dict.fromkeys(Specialism.values, 0)
    for load in loads:
        for specialism in load.member.specialisms.all():
            counts[specialism.specialism] += 1
    return [(Specialism(value).label, count) for value, count in counts.items()]


def work_area_of_consultant(*, user, on: datetime.date | None = None) -> set[tuple[int, str]]:
    """The (district, law domain) pairs a consultant covers: their own areas, plus the areas of
    absent colleagues they substitute for today."""
    if not user.is_authenticated:
        return set()
    today = timezone.localdate()
    on = on or today
    cached = getattr(user, "_wijkwerk_work_area", None) if on == today else None
    if cached is not None:  # read once per request (cases.access_facts)
        return set(cached)
    own = AreaConsultant.objects.filter(user=user).values_list("district_id", "law_domain")
    substituted = (
        ConsultantAbsence.objects.current(on)
        .filter(substitute=user)
        .values_list("consultant__district_id", "consultant__law_domain")
    )
    return set(own) | set(substituted)


def access_version_of(*, user_id) -> int:
    """The user's access version (`AccessVersion`; 0 without a row): one primary-key read."""
    return (
        AccessVersion.objects.filter(user_id=user_id).values_list("version", flat=True).first() or 0
    )


def access_version_for(user) -> int:
    """The user's access version: the one the authentication backend read along with the user
    (`teams.backends`), used once, or else `access_version_of` (one primary-key read)."""
    if ACCESS_VERSION_READ in user.__dict__:  # None: the user has no version row yet
        return user.__dict__.pop(ACCESS_VERSION_READ) or 0
    return access_version_of(user_id=user.pk)


def role_changes(*, username: str = ""):
    """The record of role and rights changes, newest first; with `username`, those made to or
    by that user (exactly that username)."""
    changes = RoleChange.objects.all()
    if username:
        changes = changes.filter(Q(username=username) | Q(by_username=username))
    return changes.order_by("-at", "-pk")
