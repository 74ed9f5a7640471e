"""What decides what a user may see, read once and cached per user (docs/performance.md):
roles, team districts, plan participations, consultant areas and today's cover, membership of
a partner organisation and break-the-glass grants.

The facts are cached under the user's access version, kept in the database
(`teams.models.AccessVersion`, raised in the transaction of every change to those rows: group
changes also from the admin, team memberships, consultant areas and absences, plan
participants and plans, break-the-glass grants, partner professionals) and under today's date
(cover is per day). A request reads the version (along with the signed-in user,
`teams.backends`, or else one primary-key query) and then the cache; so
a change shows on the next request in every web process, with Redis or with each process's own
local-memory cache. An entry is never kept past the earliest expiry of a grant it holds, and a
grant is checked against the clock whenever it is used.

`AccessFactsMiddleware` primes the signed-in user of a request with these facts once; the
per-request helpers (`teams.roles.user_roles`, `teams.memberships.district_ids_of_user`,
`teams.selectors.work_area_of_consultant`, `cases.permissions.is_partner_professional`,
`cases.audit.break_glass_household_uuids`) then answer without a query. Called outside a
request (tasks, commands, tests) they read the database as before."""

import contextlib
import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models import CharField, DateTimeField, F, IntegerField, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty

from cases.plans.models import ParticipantStatus, PlanParticipant, PlanStatus
from cases.privacy.models import BreakGlassAccess
from networks.models import OrganisationProfessional
from teams.models import AreaConsultant, ConsultantAbsence, Team
from teams.selectors import access_version_for

FACTS = "_wijkwerk_facts"
# the per-request memos of the helpers the facts answer for (see the module docstring)
PRIMED = (
    "_wijkwerk_roles",
    "_wijkwerk_district_ids",
    "_wijkwerk_work_area",
    "_wijkwerk_partner_professional",
    "_wijkwerk_break_glass",
    "_wijkwerk_visible",
)


@dataclass(frozen=True)
class Grant:
    household_id: int
    household_uuid: str
    expires_at: datetime.datetime


@dataclass(frozen=True)
class AccessFacts:
    version: int
    roles: frozenset[str]
    district_ids: frozenset[int]
    participation_household_ids: frozenset[int]
    work_area: frozenset[tuple[int, str]]
    partner_professional: bool
    grants: tuple[Grant, ...]

    def grants_active(self, now: datetime.datetime | None = None) -> list[Grant]:
        """The break-the-glass grants that still last (checked against the clock each time)."""
        now = now or timezone.now()
        return [grant for grant in self.grants if grant.expires_at > now]


def _rows(user, *, now: datetime.datetime, today: datetime.date):
    """All facts in one statement: a UNION ALL of (kind, text, number, at) rows."""
    text, number, at = CharField(), IntegerField(), DateTimeField()

    def part(queryset, kind, *, text_of=None, number_of=None, at_of=None):
        return (
            queryset.order_by()
            .annotate(
                fact_kind=Value(kind, output_field=CharField()),
                # typed NULLs: PostgreSQL matches the UNION's column types pairwise
                fact_text=Cast(Value(None), text) if text_of is None else text_of,
                fact_number=Cast(Value(None), number) if number_of is None else number_of,
                fact_at=Cast(Value(None), at) if at_of is None else at_of,
            )
            .values_list("fact_kind", "fact_text", "fact_number", "fact_at")
        )

    parts = [
        part(Group.objects.filter(user=user), "role", text_of=Cast(F("name"), text)),
        part(
            Team.objects.filter(members__user=user, members__active=True),
            "district",
            number_of=Cast(F("district_id"), number),
        ),
        part(
            PlanParticipant.objects.filter(user=user)
            .exclude(status=ParticipantStatus.DECLINED)
            .exclude(plan__status=PlanStatus.CLOSED),
            "participation",
            number_of=Cast(F("plan__household_id"), number),
        ),
        part(
            AreaConsultant.objects.filter(user=user),
            "area",
            text_of=Cast(F("law_domain"), text),
            number_of=Cast(F("district_id"), number),
        ),
        part(
            ConsultantAbsence.objects.current(today).filter(substitute=user),
            "area",
            text_of=Cast(F("consultant__law_domain"), text),
            number_of=Cast(F("consultant__district_id"), number),
        ),
        part(OrganisationProfessional.objects.active().filter(user=user), "partner"),
        part(
            BreakGlassAccess.objects.active(now).filter(user=user),
            "grant",
            text_of=Cast(F("household_uuid"), text),
            number_of=Cast(F("household_id"), number),
            at_of=Cast(F("expires_at"), at),
        ),
    ]
    return parts[0].union(*parts[1:], all=True)


def facts_load(user, *, version: int, now=None) -> AccessFacts:
    """The facts from the database (one query)."""
    now = now or timezone.now()
    found: dict[str, list] = {}
    for kind, text, number, at in _rows(user, now=now, today=timezone.localdate(now)):
        found.setdefault(kind, []).append((text, number, at))
    return AccessFacts(
        version=version,
        roles=frozenset(text for text, _n, _a in found.get("role", ())),
        district_ids=frozenset(number for _t, number, _a in found.get("district", ())),
        participation_household_ids=frozenset(
            number for _t, number, _a in found.get("participation", ())
        ),
        work_area=frozenset((number, text) for text, number, _a in found.get("area", ())),
        partner_professional=bool(found.get("partner")),
        grants=tuple(
            sorted(
                (
                    Grant(
                        household_id=number, household_uuid=str(uuid.UUID(str(text))), expires_at=at
                    )
                    for text, number, at in found.get("grant", ())
                ),
                key=lambda grant: grant.expires_at,
            )
        ),
    )


def _cache_key(user_id, version: int, today: datetime.date) -> str:
    return f"access-facts:{user_id}:{version}:{today.isoformat()}"


def access_facts(user) -> AccessFacts:
    """The user's facts: the ones primed on this user object for the request, else from the
    cache under the user's current version (one query), else from the database (one more)."""
    primed = getattr(user, FACTS, None)
    if primed is not None:
        return primed
    now = timezone.now()
    version = access_version_for(user)
    key = _cache_key(user.pk, version, timezone.localdate(now))
    facts = cache.get(key)
    if facts is None or facts.grants_active(now) != list(facts.grants):
        facts = facts_load(user, version=version, now=now)
        timeout = settings.ACCESS_FACTS_CACHE_SECONDS
        if facts.grants:  # never past the earliest expiry of a grant
            left = (facts.grants[0].expires_at - now).total_seconds()
            timeout = max(1, min(timeout, int(left)))
        cache.set(key, facts, timeout)
    return facts


def access_facts_prime(user) -> None:
    """Give a signed-in user object its facts for this request (see the module docstring)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "client", None) is not None:
        return
    facts = access_facts(user)
    user.__dict__.update(
        {
            FACTS: facts,
            "_wijkwerk_roles": facts.roles,
            "_wijkwerk_district_ids": set(facts.district_ids),
            "_wijkwerk_work_area": facts.work_area,
            "_wijkwerk_partner_professional": facts.partner_professional,
            "_wijkwerk_break_glass": frozenset(
                grant.household_uuid for grant in facts.grants_active()
            ),
        }
    )


def access_facts_forget(user) -> None:
    """Drop the facts primed on this user object (a service changed them in this request)."""
    for name in (FACTS, *PRIMED):
        with contextlib.suppress(AttributeError):
            delattr(user, name)  # through a lazy request.user too


class AccessFactsMiddleware:
    """Primes `request.user` with its access facts when it is first used (after
    `AuthenticationMiddleware`; an anonymous request pays nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        lazy_user = request.user

        def primed():
            if isinstance(lazy_user, SimpleLazyObject):
                if lazy_user._wrapped is empty:
                    lazy_user._setup()
                user = lazy_user._wrapped
            else:
                user = lazy_user
            access_facts_prime(user)
            return user

        request.user = SimpleLazyObject(primed)
        return self.get_response(request)
