"""The access log (NEN 7513 in spirit): who looked at or changed whose file, when, from where,
with what result and why.

One module for the concern: the model, its choices and the one write function
`access_log_record`. The model is imported at the bottom of `cases/models.py` so that Django
registers it with the cases app.

Entries outlive both the user and the file: the user is copied as username and role names
(the user id has no database constraint), the household and residents as UUID values, not
foreign keys. The log is append-only three times over: the model refuses to save an existing
row or delete one, its queryset refuses `update()` and `delete()`, and on PostgreSQL a trigger
(migration `access_log`) refuses UPDATE and DELETE on the table for every client.
"""

import functools

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.http import Http404
from django.utils import timezone

from cases import permissions
from cases.audit import access_log_record, access_was_logged
from cases.households.models import Household
from cases.plans.models import (
    ParticipantStatus,
    PlanParticipant,
    PlanStatus,
)
from cases.privacy.models import AccessAction, AccessResult, BreakGlassAccess
from cases.provisions.models import (
    ApplicationStatus,
    Notification,
    NotificationKind,
    ProvisionApplication,
)
from teams.models import AreaConsultant, ConsultantAbsence
from teams.roles import Role, has_role
from teams.selectors import district_ids_of_user


def household_file(object_type: str):
    """Mark a view as a household-file view and guarantee its access log row.

    The view writes its own row (with the household) when it shows or changes the file. When it
    refuses (403) or finds nothing visible (404) without having logged, this writes the
    `denied` / `not_found` row, so every request to a household-file view writes exactly one.
    Put it directly above the function, below `login_required` and the method decorators.
    `tests/test_permission_matrix.py` and `tests/cases/test_access_log_per_view.py` find the
    household-file views by this mark."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            def record(result):
                access_log_record(
                    request_or_user=request,
                    action=AccessAction.CHANGE if request.method == "POST" else AccessAction.VIEW,
                    object_type=object_type,
                    object_id=next(iter(kwargs.values()), ""),
                    household_uuid=kwargs.get("household_uuid"),
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
                # a view that forgot its own row still leaves one (the per-view test catches it)
                record(AccessResult.DENIED if response.status_code == 403 else AccessResult.ALLOWED)
            return response

        wrapped.household_file = object_type
        return wrapped

    return decorator


def households_visible_to(user) -> QuerySet[Household]:
    """Households whose file the user may open (need-to-know), as one SQL filter:

    - the team of the household's district: its active members (generalists, team lead);
    - the household's coordinator;
    - professionals brought into one of its plans while they take part (invited or accepted,
      not declined, plan not closed);
    - consultants for the households of applications they decide: those in their work area
      (district and law domain, their own or substituted today), assigned to them, decided or
      co-signed by them, or awaiting the co-signature they were asked for;
    - anyone who broke the glass for it, while that grant lasts.

    Roles that do not work with files (functional administrator, privacy officer, policy
    officer, GP, partner) see none."""
    if not permissions.can_use_register(user):
        return Household.objects.none()
    now = timezone.now()
    taking_part = (
        PlanParticipant.objects.filter(user=user)
        .exclude(status=ParticipantStatus.DECLINED)
        .exclude(plan__status=PlanStatus.CLOSED)
    )
    visible = (
        Q(neighbourhood__district_id__in=district_ids_of_user(user=user))
        | Q(coordinator=user)
        | Q(pk__in=taking_part.values("plan__household_id"))
        | Q(
            pk__in=BreakGlassAccess.objects.filter(user=user, expires_at__gt=now).values(
                "household_id"
            )
        )
    )
    if has_role(user, Role.CONSULTANT):
        visible |= Q(pk__in=_applications_decided_by(user, now).values("household_id"))
    return Household.objects.filter(visible)


def _applications_decided_by(user, now) -> QuerySet:
    """The applications a consultant decides (see `households_visible_to`)."""
    today = timezone.localdate(now)
    district = OuterRef("household__neighbourhood__district_id")
    own_area = AreaConsultant.objects.filter(
        user=user, district_id=district, law_domain=OuterRef("law")
    )
    substituted = ConsultantAbsence.objects.current(today).filter(
        substitute=user, consultant__district_id=district, consultant__law_domain=OuterRef("law")
    )
    cosign_asked = Notification.objects.filter(
        user=user, application_id=OuterRef("pk"), kind=NotificationKind.COSIGN
    )
    return ProvisionApplication.objects.filter(
        Q(assigned_to=user)
        | Q(decision__decided_by=user)
        | Q(decision__cosigned_by=user)
        | Q(status=ApplicationStatus.AWAITING_COSIGN) & Exists(cosign_asked)
        | Exists(own_area)
        | Exists(substituted)
    )
