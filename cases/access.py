"""The access helper: who may open which household file, and every read checked and logged in
one place (Zulip's `access_*`: fetch *and* check).

- `households_visible_to(user)`: need-to-know as one SQL filter, the start of every list,
  search and detail (docs/privacy.md);
- `household_for_user`: fetch one household or 404 (not visible = not existing);
- `access_household` / `access_object`: fetch, check the role and the object, and log the
  outcome: a refusal (`denied`), a miss (`not_found`) and a read (`view`). A POST that is
  allowed writes no row here: its service records the change with `cases.audit.audit_change`
  in the write's transaction, and when nothing was changed the `household_file` mark records
  the read instead, so a failed or refused write never leaves an "allowed change" row;
- `household_file`: the mark on every household-file view, guaranteeing one row per request;
- `AdminReadsLogged`: the same for the admin: every read of a resident's or household's data
  there writes the `view` rows a screen would.
"""

import functools
import operator
import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet, UUIDField, prefetch_related_objects
from django.http import Http404
from django.utils import timezone

from cases import permissions
from cases.access_facts import FACTS
from cases.audit import access_log_record, access_log_record_many, access_was_logged
from cases.households.models import (
    Handover,
    Household,
    HouseholdMembership,
    LivedInDistricts,
    current_members_prefetch,
)
from cases.plans.models import ParticipantStatus, PlanParticipant, PlanStatus
from cases.privacy.models import AccessAction, AccessResult, BreakGlassAccess
from cases.provisions.models import (
    ApplicationStatus,
    Notification,
    NotificationKind,
    ProvisionApplication,
)
from socialdomain.precompiled import Bind, precompiled_objects
from teams.roles import Role, has_role
from teams.selectors import district_ids_of_user, work_area_of_consultant

T = TypeVar("T")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HOUSEHOLD_FOUND = "_wijkwerk_access_household_uuid"


def household_file(object_type: str):
    """Mark a view as a household-file view and guarantee its access log row.

    The access helper writes the row of a read, a refusal or a miss; a service writes the row of
    a change. When a request ends without either (a form posted with errors, an action that
    changed nothing), this writes one: `view` when the page was shown, `denied` / `not_found`
    when it was refused, so every request to a household-file view writes exactly one row and
    never an allowed change that did not happen. The row names the URL's household, or else the
    one `access_object` fetched (an application's or a referral's). Put it directly above the
    function, below `login_required` and the method decorators.
    `tests/test_permission_matrix.py` and `tests/cases/privacy/test_access_log_per_view.py` find
    the household-file views by this mark."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            def record(result):
                attempted_change = request.method not in SAFE_METHODS
                access_log_record(
                    request_or_user=request,
                    action=(
                        AccessAction.CHANGE
                        if attempted_change and result != AccessResult.ALLOWED
                        else AccessAction.VIEW
                    ),
                    object_type=object_type,
                    object_id=next(iter(kwargs.values()), ""),
                    # the household the access helper found, else the one the URL names
                    household_uuid=getattr(request, HOUSEHOLD_FOUND, None)
                    or kwargs.get("household_uuid"),
                    result=result,
                )

            try:
                response = view(request, *args, **kwargs)
            except (PermissionDenied, Http404) as exc:
                if not access_was_logged(request):
                    denied = isinstance(exc, PermissionDenied)
                    record(AccessResult.DENIED if denied else AccessResult.NOT_FOUND)
                raise
            if not access_was_logged(request):
                record(AccessResult.DENIED if response.status_code == 403 else AccessResult.ALLOWED)
            return response

        wrapped.household_file = object_type
        return wrapped

    return decorator


def _household_of(obj) -> Household:
    if isinstance(obj, Household):
        return obj
    household = getattr(obj, "household", None)
    if household is None and getattr(obj, "plan", None) is not None:
        household = obj.plan.household
    return household


def access_object(
    request,
    *,
    object_type: str,
    object_id,
    fetch: Callable[[], T],
    user_may: Callable[[object], bool] | None = None,
    may: Callable[[object, T], bool] | None = None,
    household_of: Callable[[T], Household | None] = _household_of,
    residents_of: Callable[[T], Iterable] | None = None,
    attempted_action: str | None = None,
    household_uuid=None,
) -> T:
    """Fetch an object of a household file and check who asks, logging the outcome.

    `user_may(user)` is checked before fetching (the role), `fetch()` raises `Http404` when the
    object does not exist or is not visible, `may(user, obj)` is checked on the object. A
    refusal is logged as `denied`, a miss as `not_found` (both with the attempted action), a
    read as `view`; an allowed POST is left to its service (see the module docstring).

    `residents_of(obj)` names the residents (UUIDs) the row is about, when it should.
    `attempted_action` is what a refusal or miss is logged as: by default `change` for a POST
    and `view` otherwise; an edit form passes `change`, so a refusal to even show it reads as a
    refused change (an allowed GET is still logged as a view). `household_uuid` is the
    household the URL names, logged on a miss too."""
    attempted_change = request.method not in SAFE_METHODS
    action = AccessAction.CHANGE if attempted_change else AccessAction.VIEW
    resident_uuids = ()

    def log(result, action=action):
        access_log_record(
            request_or_user=request,
            action=action,
            object_type=object_type,
            object_id=object_id,
            household_uuid=household_uuid,
            resident_uuids=resident_uuids,
            result=result,
        )

    try:
        if user_may is not None and not user_may(request.user):
            raise PermissionDenied
        obj = fetch()
        household = household_of(obj)
        household_uuid = household.uuid if household is not None else None
        if residents_of is not None:
            resident_uuids = residents_of(obj)
        if may is not None and not may(request.user, obj):
            raise PermissionDenied
        # handed over: the team the household moved away from reads, it no longer writes
        if (
            attempted_change
            and household is not None
            and household_read_only_for(request.user, household)
        ):
            raise PermissionDenied
    except PermissionDenied:
        log(AccessResult.DENIED, attempted_action or action)
        raise
    except Http404:
        log(AccessResult.NOT_FOUND, attempted_action or action)
        raise
    if attempted_change:
        # the service logs the change; if it changes nothing, the mark logs the household's view
        setattr(request, HOUSEHOLD_FOUND, household_uuid)
    else:
        log(AccessResult.ALLOWED)
    return obj


def access_household(
    request,
    household_uuid,
    *,
    object_type: str = "household",
    user_may: Callable[[object], bool] | None = None,
    may: Callable[[object, Household], bool] | None = None,
    residents_of: Callable[[Household], Iterable] | None = None,
    attempted_action: str | None = None,
    members: bool = True,
    annotations: dict | None = None,
) -> Household:
    """`access_object` for a household: its file, area, coordinator and current members
    (`current_memberships`; `members=False` leaves them out, for a caller that reads the
    memberships itself and sets them with `current_members_of`). `annotations` are added to
    the household's one query (a page's `household_page_sections`)."""
    return access_object(
        request,
        object_type=object_type,
        object_id=household_uuid,
        fetch=lambda: household_for_user(
            user=request.user,
            household_uuid=household_uuid,
            members=members,
            annotations=annotations,
        ),
        user_may=user_may,
        may=may,
        residents_of=residents_of,
        attempted_action=attempted_action,
        household_uuid=household_uuid,
    )


def household_for_user(
    *, user, household_uuid, members: bool = True, annotations: dict | None = None
) -> Household:
    """The household with its area and current members (not with `members=False`), or 404
    when it does not exist or the user may not see it (the two are indistinguishable on
    purpose). `annotations` are added to the query.

    In a request the statement is compiled once per user's access (`visibility_key`) and
    names of annotations (a page passes the same ones: `household_page_sections`), the UUID
    bound when it runs."""
    try:
        household_uuid = uuid.UUID(str(household_uuid))
    except ValueError:
        raise Http404("No household found") from None

    def build(bind):
        households = households_visible_to(user).with_area().select_related("coordinator")
        if annotations:
            households = households.annotate(**annotations)
        # the UUID is unique: no ORDER BY to compile (`.first()` orders by the model's ordering)
        return households.filter(uuid=bind("uuid", UUIDField())).order_by()[:1]

    key = visibility_key(user)
    if key is None:
        found = list(build(Bind({"uuid": household_uuid}, placeholders=False)))
    else:
        found = precompiled_objects(
            key=("household for user", *key, tuple(sorted(annotations or ()))),
            build=build,
            values={"uuid": household_uuid},
        )
    if not found:
        raise Http404("No household found")
    if members:
        prefetch_related_objects(found, current_members_prefetch())
    return found[0]


def households_visible_to(user, *, handed_over: bool = True) -> QuerySet[Household]:
    """Households whose file the user may open (need-to-know), as one SQL filter:

    - the team of the household's district: its active members (generalists, team lead);
    - the household's coordinator;
    - professionals brought into one of its plans while they take part (invited or accepted,
      not declined, plan not closed);
    - consultants for the households of applications they decide: those in their work area
      (district and law domain, their own or substituted today), assigned to them, decided or
      co-signed by them, or awaiting the co-signature they were asked for;
    - anyone who broke the glass for it, while that grant lasts;
    - read only: the team of a district the household moved away from (`Handover`), for the
      audit of what it wrote (`handed_over=False` leaves these out: `household_read_only_for`).

    Roles that do not work with files (functional administrator, privacy officer, policy
    officer, GP, partner) see none."""
    if not permissions.can_use_register(user):
        return Household.objects.none()
    # built once per request (primed users); getattr, not __dict__: request.user is lazy
    memo = getattr(user, "_wijkwerk_visible", None)
    if memo is not None and handed_over in memo:
        return Household.objects.filter(memo[handed_over])
    districts, arms = _visibility_arms(user, handed_over=handed_over)
    visible = arms[0]
    if districts:
        visible |= Q(neighbourhood__district_id__in=districts)
    visible = functools.reduce(operator.or_, arms[1:], visible)
    if getattr(user, FACTS, None) is not None:
        if memo is None:
            memo = {}
            user._wijkwerk_visible = memo
        memo[handed_over] = visible
    return Household.objects.filter(visible)


def _visibility_arms(user, *, handed_over: bool) -> tuple[list[int], list[Q]]:
    """The rules of `households_visible_to`, apart: the districts of the user's teams (a
    household there is visible), and every other rule as a filter on households (at least
    one: the coordinator)."""
    now = timezone.now()
    facts = getattr(user, FACTS, None)  # primed for a request (cases.access_facts)
    districts = sorted(district_ids_of_user(user=user))
    arms = [Q(coordinator=user)]
    if facts is not None:
        # plan participations and break-the-glass grants: household ids from the cached facts
        ids = set(facts.participation_household_ids)
        ids.update(grant.household_id for grant in facts.grants_active(now))
        if ids:
            arms.append(Q(pk__in=sorted(ids)))
    else:  # outside a request (tasks, commands): the same rules as subqueries
        taking_part = (
            PlanParticipant.objects.filter(user=user)
            .exclude(status=ParticipantStatus.DECLINED)
            .exclude(plan__status=PlanStatus.CLOSED)
        )
        arms.append(Q(pk__in=taking_part.values("plan__household_id")))
        arms.append(
            Q(pk__in=BreakGlassAccess.objects.active(now).filter(user=user).values("household_id"))
        )
    if has_role(user, Role.CONSULTANT):
        for applications in _applications_decided_by(user, now):
            arms.append(Q(pk__in=applications.values("household_id")))
    if handed_over and districts:
        arms.append(
            Q(pk__in=Handover.objects.filter(from_district_id__in=districts).values("household_id"))
        )
    return districts, arms


def residents_in_reach(user) -> list[Q]:
    """Filters on residents whose union holds everyone who lives today in a household visible
    to the user (`households_visible_to`), and possibly others: a search narrows by them before
    it follows anyone to a household, then applies need-to-know to the households as usual.
    Each filter is meant for a query of its own (a UNION ALL), so each can use its own index;
    no resident is in two of them.

    - a household in one of the user's team districts: reached from the resident's own row
      (`LivedInDistricts`: the neighbourhoods of every household they have a membership of);
    - every other rule: its households collected (one index scan each, a UNION), and their
      current residents taken.

    No filter: the user opens no file."""
    if not permissions.can_use_register(user):
        return []
    districts, arms = _visibility_arms(user, handed_over=True)
    households = functools.reduce(
        lambda union, arm: union.union(
            Household.objects.filter(arm).order_by().values("pk"), all=True
        ),
        arms[1:],
        Household.objects.filter(arms[0]).order_by().values("pk"),
    )
    elsewhere = Q(
        pk__in=HouseholdMembership.objects.current()
        .filter(household_id__in=households)
        .values("resident_id")
    )
    if not districts:
        return [elsewhere]
    lived_there = LivedInDistricts(districts)
    return [Q(lived_there), elsewhere & ~Q(lived_there)]


def visibility_key(user) -> tuple | None:
    """What fixes the SQL of `households_visible_to(user)` in this request, as a hashable key.
    A query with the need-to-know filter in it can then be compiled once per key
    (`socialdomain.precompiled`) instead of on every request.

    The filter's SQL depends only on these:
    - the user;
    - the access facts (roles, team districts, plan participations, today's work area). They
      are fixed by the user's access version and today's date (`cases.access_facts`);
    - the break-the-glass grants that last at this moment.

    The rows themselves (a coordinator set, an application assigned) are read when the
    statement runs. Without primed facts (tasks, commands), or for a user who sees no
    household, there is no key: build the query as usual."""
    facts = getattr(user, FACTS, None)
    if facts is None or not permissions.can_use_register(user):
        return None
    now = timezone.now()
    grants = tuple(sorted(grant.household_id for grant in facts.grants_active(now)))
    return ("visible to", user.pk, facts.version, timezone.localdate(now), grants)


def household_read_only_for(user, household: Household) -> bool:
    """Whether the user reaches the household only as a member of the team it was handed over
    from after a move (see `households_visible_to`): they read its file, they do not write."""
    districts = district_ids_of_user(user=user)
    if (
        not districts
        or not Handover.objects.filter(
            household_id=household.pk, from_district_id__in=districts
        ).exists()
    ):
        return False
    return not households_visible_to(user, handed_over=False).filter(pk=household.pk).exists()


def _applications_decided_by(user, now) -> list[QuerySet]:
    """The applications a consultant decides (see `households_visible_to`), one queryset per
    rule so that each is an index scan (assigned, decided, co-signed, asked to co-sign, in the
    work area): all on the applications' own columns (their district is stored), with the
    consultant's work area for today from the cached facts. One OR over all of them made
    PostgreSQL scan every application with its decision (26 ms at 500,000 households)."""
    applications = ProvisionApplication.objects.all()
    rules = [
        applications.filter(assigned_to=user),
        applications.filter(decision__decided_by=user),
        applications.filter(decision__cosigned_by=user),
        applications.filter(
            status=ApplicationStatus.AWAITING_COSIGN,
            pk__in=Notification.objects.filter(user=user, kind=NotificationKind.COSIGN).values(
                "application_id"
            ),
        ),
    ]
    area = Q()
    for district_id, law in sorted(work_area_of_consultant(user=user, on=timezone.localdate(now))):
        area |= Q(district_id=district_id, law=law)
    if area:
        rules.append(applications.filter(area))
    return rules


# --- The admin ------------------------------------------------------------------------------


class AdminReadsLogged:
    """A mixin for a `ModelAdmin` of residents' or households' data (docs/privacy.md, "The
    admin"): every read there is logged like a screen's, through `cases.audit`:

    - a record's page (change view, also read-only, and a form shown again with errors), its
      history and its delete confirmation: one `view` row with the household;
    - a list page (also a raw-id lookup popup): one `view` row per object shown, with its
      household (one INSERT), and a `search` row (kind `admin`, the count) when it was searched;
    - the admin's autocomplete never lists such data: refused (403).

    `access_object_type` names the object in the log; `access_household_lookup` and
    `access_resident_lookup` are the lookups (from the model) of the household's and the
    resident's UUID: through `memberships` the current household is taken. A successful write
    logs nothing here: the service it calls records the change."""

    access_object_type = ""
    access_household_lookup = "household__uuid"
    access_resident_lookup = ""

    def access_log_reads(self, request, objects) -> None:
        """Log `view` rows for the objects shown on an admin page."""
        objects = list(objects)
        if not objects:
            return
        items = self._access_items(objects)
        if len(items) == 1:
            object_id, household_uuid, resident_uuids = items[0]
            access_log_record(
                request_or_user=request,
                action=AccessAction.VIEW,
                object_type=self.access_object_type,
                object_id=object_id,
                household_uuid=household_uuid,
                resident_uuids=resident_uuids,
            )
        else:
            access_log_record_many(
                request_or_user=request,
                action=AccessAction.VIEW,
                object_type=self.access_object_type,
                items=items,
            )

    def _access_items(self, objects) -> list[tuple]:
        """(object id, household UUID, resident UUIDs) per object, in one query."""
        lookups = [self.access_household_lookup]
        if self.access_resident_lookup:
            lookups.append(self.access_resident_lookup)
        membership = self.access_household_lookup.partition("household__uuid")[0]
        through_memberships = membership.endswith("memberships__")
        if through_memberships:
            lookups.append(f"{membership}end_date")  # a resident's current household first
        found = {}
        rows = self.model._base_manager.filter(pk__in=[obj.pk for obj in objects])
        for pk, household_uuid, *values in rows.values_list("pk", *lookups):
            resident_uuid = values[0] if self.access_resident_lookup else None
            current = not through_memberships or values[-1] is None
            if pk not in found or (current and household_uuid is not None):
                found[pk] = (household_uuid, resident_uuid)
        items = []
        for obj in objects:
            household_uuid, resident_uuid = found.get(obj.pk, (None, None))
            resident_uuids = [resident_uuid] if resident_uuid else []
            items.append((getattr(obj, "uuid", obj.pk), household_uuid, resident_uuids))
        return items

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not add:
            self.access_log_reads(request, [obj])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            shown = list(changelist.result_list)
            if changelist.query:  # the kind and count, never what was typed
                access_log_record(
                    request_or_user=request,
                    action=AccessAction.SEARCH,
                    object_type=self.access_object_type,
                    search_kind="admin",
                    result_count=len(shown),
                )
            self.access_log_reads(request, shown)
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        self._log_context_object(request, response)
        return response

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        if request.method in SAFE_METHODS:
            self._log_context_object(request, response)
        return response

    def _log_context_object(self, request, response) -> None:
        obj = (getattr(response, "context_data", None) or {}).get("object")
        if isinstance(obj, self.model):
            self.access_log_reads(request, [obj])

    def get_search_results(self, request, queryset, search_term):
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "autocomplete":
            raise PermissionDenied  # a search over residents' data outside any logged page
        return super().get_search_results(request, queryset, search_term)
