"""Partner API for allocations (toewijzingen): list and read the caller's own, report start
(305) and stop (307) of care, send and list progress reports."""

import datetime

import django_filters
from django import forms
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from cases.audit import access_log_record_many, access_log_shown_rows, request_context
from cases.consent.models import ConsentPurpose
from cases.consent.selectors import consent_annotate
from cases.partners import selectors as partner_selectors
from cases.partners import services as partner_services
from cases.partners.api import examples
from cases.partners.api.access import AccessLoggedMixin
from cases.partners.api.allocation_rows import AllocationPage, allocation_page_json
from cases.partners.api.allocation_rows import log_item as rows_log_item
from cases.partners.api.serializers import (
    AllocationSerializer,
    CareStartSerializer,
    CareStopSerializer,
    DeliveredBySerializer,
    ProgressReportSerializer,
)
from cases.partners.selectors import progress_reports_for
from cases.partners.services import ProgressReportRefused, progress_report_create
from cases.privacy.models import AccessAction, AccessResult
from cases.provisions.models import Allocation, AllocationStatus
from networks.api.permissions import api_client_of
from networks.api.views import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    IF_NONE_MATCH,
    NOT_MODIFIED,
    NewestFirstCursor,
    PartnerApiMixin,
    etag_header,
    idempotent_replayed_header,
)
from networks.models import ApiScope, IdempotencyRecord, Organisation
from socialdomain.api.conditional import ConditionalMixin, etag_for
from socialdomain.api.idempotency import idempotent
from socialdomain.api.problems import Conflict, PreconditionFailed, Unprocessable
from socialdomain.api.schema import problem_example, problem_response


class UtcMomentField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment, in UTC: ISO 8601 allows offsets up to ±23:59, PostgreSQL up to
    ±15:59."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(_("This moment is out of range.")) from None


class UtcMomentFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcMomentField


class AllocationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AllocationStatus.choices)
    start_date_from = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    start_date_to = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")
    updated_since = UtcMomentFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Allocation
        fields = ["status"]


@extend_schema_view(
    list=extend_schema(
        summary="List your allocations (iWmo/iJw 301)",
        description="The allocations (toewijzingen) the municipality made to your organisation "
        "(and to your cooperative), newest first: product, extent, period, client and "
        "address, and whether you reported start (305) or stop (307) of care. Filter on "
        "`status`, the allocation's `start_date` (`start_date_from`, `start_date_to`) or "
        "`updated_since` (every change since a moment, e.g. to catch up after downtime). "
        "Cursor pagination: follow `next` (`page_size` at most 200). Each allocation read is "
        "recorded in the municipality's access log.",
        examples=examples.ALLOCATIONS,
    ),
    retrieve=extend_schema(
        summary="Read one allocation",
        description="One of your allocations, with an `ETag`: send it back in `If-Match` when "
        "you report start or stop, and a change in between is refused with 412. With "
        "`If-None-Match` holding the current ETag, the answer is a 304. Another "
        "organisation's allocation, or an unknown id, is a 404.",
        parameters=[IF_NONE_MATCH, etag_header(200)],
        responses={200: AllocationSerializer, 304: NOT_MODIFIED},
        examples=examples.ALLOCATION,
    ),
)
class AllocationViewSet(
    AccessLoggedMixin,
    PartnerApiMixin,
    ConditionalMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's allocations. Another organisation's allocation is a 404."""

    serializer_class = AllocationSerializer
    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-f-]{36}"
    pagination_class = NewestFirstCursor
    filter_backends = [DjangoFilterBackend]
    filterset_class = AllocationFilter
    required_scopes = {"GET": ApiScope.ALLOCATIONS_READ, "POST": ApiScope.ALLOCATIONS_WRITE}
    log_object_type = "allocation"

    def log_item(self, allocation) -> tuple:
        clients = [allocation.client.uuid] if allocation.client_id else []
        return allocation.uuid, allocation.household.uuid, clients

    def list(self, request, *args, **kwargs):
        """A page from plain rows (`AllocationPage`: the query compiled once per shape): the
        same cursor and JSON, no model or serializer per allocation; one access-log row per
        allocation shown (one INSERT)."""
        filterset = None  # no filter asked for: no form to build and validate
        if any(name in request.query_params for name in AllocationFilter.base_filters):
            filterset = DjangoFilterBackend().get_filterset(
                request, Allocation.objects.none(), self
            )
            if not filterset.is_valid():
                raise translate_validation(filterset.errors)
        # on PostgreSQL the page's statement writes its access-log rows itself (one per
        # allocation shown, `cases.audit.ShownRowsLog`); elsewhere one INSERT after it
        log = access_log_shown_rows(
            request_or_user=request, action=AccessAction.VIEW, object_type=self.log_object_type
        )
        page = self.paginate_queryset(
            AllocationPage(
                organisation=api_client_of(request).organisation,
                filterset=filterset,
                log=log,
                shown=self.paginator.get_page_size(request) or 0,
            )
        )
        self.logged_page = None  # logged here, from the rows
        if log is None:
            access_log_record_many(
                request_or_user=request,
                action=AccessAction.VIEW,
                object_type=self.log_object_type,
                items=[rows_log_item(row) for row in page],
            )
        return self.get_paginated_response(allocation_page_json(page))

    def _allocation(self, uuid, queryset=None):
        """The caller's allocation, or 404 (logged as not found)."""
        allocation = (
            (queryset if queryset is not None else self.get_queryset()).filter(uuid=uuid).first()
        )
        if allocation is None:
            self.log_not_found(
                uuid, AccessAction.CHANGE if self.request.method == "POST" else AccessAction.VIEW
            )
            raise Http404
        return allocation

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no client
            return Allocation.objects.none()
        organisation = api_client_of(self.request).organisation
        queryset = partner_selectors.allocations_for_organisation(
            organisation=organisation
        ).select_related("product", "client", "household", "delivered_by")
        # name, birth date and address only with consent for the provider-allocation purpose
        return consent_annotate(
            queryset,
            resident_field="client",
            organisation=organisation,
            purpose=ConsentPurpose.PROVIDER_ALLOCATION,
            name="client_data_shared",
        )

    def _report(self, request, uuid, serializer_class, report):
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        found = None
        try:
            with transaction.atomic():
                found = get_object_or_404(
                    self.get_queryset().select_for_update(of=("self",)), uuid=uuid
                )
                self.check_precondition(found)
                try:
                    allocation = report(found, serializer.validated_data, found.version)
                except partner_services.AllocationStateConflict as exc:
                    raise Conflict(str(exc)) from exc
                except partner_services.StaleAllocation as exc:
                    raise PreconditionFailed() from exc
                except partner_services.NoContract as exc:
                    raise Unprocessable(str(exc), code="no_contract") from exc
                except partner_services.NotTheProvider as exc:
                    raise PermissionDenied(str(exc)) from exc
        except Exception:
            # logged after the rollback, so the attempt stays in the log: a miss as `not_found`;
            # an allowed report that changed nothing (a conflict, a broken rule) as a view
            if found is None:
                self.log_not_found(uuid, AccessAction.CHANGE)
            else:
                self.log_object(found)
            raise
        # the service logged the change
        allocation = self.get_queryset().get(pk=allocation.pk)
        data = AllocationSerializer(allocation).data
        return Response(data, headers={"ETag": etag_for(data)})

    @extend_schema(
        request=CareStartSerializer,
        responses={
            200: OpenApiResponse(AllocationSerializer, description="Started: the allocation."),
            400: problem_response(
                "Invalid date: before the allocation's start or after its end.",
                problem_example(
                    "before the allocation's start",
                    400,
                    errors={
                        "date": (
                            lambda: (
                                gettext(
                                    "Care cannot start before the allocation's start date "
                                    "(%(date)s)."
                                )
                                % {"date": "2025-03-03"}
                            ),
                            "invalid",
                        )
                    },
                ),
            ),
            422: problem_response(
                "The provider has no contract for the allocation's product on that day.",
                problem_example(
                    "no contract",
                    422,
                    _(
                        "There is no contract with %(provider)s for %(product)s on %(date)s; "
                        "care cannot start. Ask the municipality's contract manager."
                    ),
                    code="no_contract",
                ),
            ),
            409: problem_response(
                "Care on this allocation was already started (or stopped).",
                problem_example(
                    "already started",
                    409,
                    _("Care on this allocation has already been started."),
                    code="conflict",
                ),
            ),
        },
        parameters=[IDEMPOTENCY_KEY, IF_MATCH, etag_header(200), idempotent_replayed_header(200)],
        summary="Report the start of care (iWmo/iJw 305)",
        description="The day care started on this allocation. Not before the allocation's "
        "start date, not after its end date (400); a second start is a 409; without a "
        "contract between the provider and the municipality for the product on that day a 422 "
        "(`no_contract`). Send the ETag "
        "you read in `If-Match` to be sure nothing changed in between (412), and an "
        "`Idempotency-Key` to retry safely. Answers the allocation as it is now, with its new "
        "ETag; your webhooks get `allocation.changed`.",
        examples=examples.START,
    )
    @action(detail=True, methods=["post"])
    def start(self, request, uuid=None):
        return idempotent(
            IdempotencyRecord,
            lambda: self._report(
                request,
                uuid,
                CareStartSerializer,
                lambda allocation, data, version: partner_services.allocation_start(
                    allocation=allocation,
                    started_on=data["date"],
                    expected_version=version,
                    by=request.user,
                    context=request_context(request),
                ),
            ),
            request,
        )

    @extend_schema(
        request=CareStopSerializer,
        responses={
            200: OpenApiResponse(AllocationSerializer, description="Stopped: the allocation."),
            400: problem_response(
                "Invalid date or end reason.",
                problem_example(
                    "after the allocation's end",
                    400,
                    errors={
                        "date": (
                            lambda: (
                                gettext(
                                    "Care cannot stop after the allocation's end date (%(date)s)."
                                )
                                % {"date": "2026-03-02"}
                            ),
                            "invalid",
                        )
                    },
                ),
            ),
            409: problem_response(
                "Care was not started, or was already stopped.",
                problem_example(
                    "already stopped",
                    409,
                    _("Care on this allocation has already been stopped."),
                    code="conflict",
                ),
                problem_example(
                    "not started",
                    409,
                    _("Care on this allocation has not been started yet."),
                    code="conflict",
                ),
            ),
        },
        parameters=[IDEMPOTENCY_KEY, IF_MATCH, etag_header(200), idempotent_replayed_header(200)],
        summary="Report the end of care with an end reason (iWmo/iJw 307)",
        description="The day care stopped and why: an end reason from WMO588 (Wmo: 02, 19, "
        "20, 21, 22, 23, 31, 36, 37, 38, 39) or JZ588 (Jeugdwet: 02, 20, 31, 32, 33, 34, 35, "
        "36, 37, 38, 39), after a granted change request `37`. Not after the allocation's end "
        "date, not before care started (400); stopping an allocation that never started or "
        "already stopped is a 409. `If-Match` and `Idempotency-Key` as for start. Answers the "
        "allocation as it is now; your webhooks get `allocation.changed`.",
        examples=examples.STOP,
    )
    @action(detail=True, methods=["post"])
    def stop(self, request, uuid=None):
        return idempotent(
            IdempotencyRecord,
            lambda: self._report(
                request,
                uuid,
                CareStopSerializer,
                lambda allocation, data, version: partner_services.allocation_stop(
                    allocation=allocation,
                    stopped_on=data["date"],
                    reason=data["reason"],
                    expected_version=version,
                    by=request.user,
                    context=request_context(request),
                ),
            ),
            request,
        )

    @extend_schema(
        request=DeliveredBySerializer,
        responses={
            200: OpenApiResponse(AllocationSerializer, description="The allocation."),
            400: problem_response(
                "Not the provider nor a member of its cooperative, or an unknown code.",
                problem_example(
                    "not a member",
                    400,
                    errors={
                        "delivered_by": (
                            lambda: (
                                gettext(
                                    "%(organisation)s is not the provider nor a member of its "
                                    "cooperative."
                                )
                                % {"organisation": "Thuiszorg Dommelstede"}
                            ),
                            "invalid",
                        )
                    },
                ),
            ),
            403: problem_response(
                "The token lacks the scope, or you are a member, not the provider named.",
                problem_example(
                    "not the provider",
                    403,
                    _("Only the provider named on the allocation can say who delivers it."),
                    code="permission_denied",
                ),
            ),
        },
        parameters=[IDEMPOTENCY_KEY, IF_MATCH, etag_header(200), idempotent_replayed_header(200)],
        summary="Say which cooperative member delivers the care",
        description="For a cooperative: the member organisation (its `code` or AGB code) that "
        "delivers this allocation, or null for the cooperative itself. Only the provider named "
        "on the allocation may set it (403 for a member); the member must belong to the "
        "cooperative today (400). The member's webhooks then receive the allocation's events "
        "too. `If-Match` and `Idempotency-Key` as for start.",
        examples=examples.DELIVERED_BY,
    )
    @action(detail=True, methods=["post"], url_path="delivered-by")
    def delivered_by(self, request, uuid=None):
        caller = api_client_of(request).organisation

        def deliver(allocation, data, version):
            code = data["delivered_by"]
            organisation = None
            if code:
                organisation = (
                    Organisation.objects.filter(code=code).first()
                    or Organisation.objects.filter(agb_code=code).exclude(agb_code="").first()
                )
                if organisation is None:
                    raise ValidationError(
                        {"delivered_by": [gettext("No organisation has this code.")]}
                    )
            return partner_services.allocation_delivered_by_set(
                allocation=allocation,
                delivered_by=organisation,
                caller=caller,
                expected_version=version,
                by=request.user,
                context=request_context(request),
            )

        return idempotent(
            IdempotencyRecord,
            lambda: self._report(request, uuid, DeliveredBySerializer, deliver),
            request,
        )

    @extend_schema(
        methods=["GET"],
        responses={200: ProgressReportSerializer(many=True)},
        summary="List your organisation's progress reports on this allocation",
        description="The progress reports (voortgangsrapportages) your organisation sent on "
        "this allocation, newest first; never another organisation's. Cursor pagination.",
        examples=examples.PROGRESS_REPORTS,
    )
    @extend_schema(
        methods=["POST"],
        request=ProgressReportSerializer,
        responses={
            201: OpenApiResponse(ProgressReportSerializer, description="The report, stored."),
            403: problem_response(
                "The token lacks the scope; or care has not started; or no consent of the "
                "client (or legal basis) covers sharing progress with your organisation.",
                problem_example(
                    "care not started",
                    403,
                    _(
                        "Care on this allocation has not started; a progress report cannot be "
                        "accepted yet."
                    ),
                    code="permission_denied",
                ),
            ),
        },
        parameters=[IDEMPOTENCY_KEY, idempotent_replayed_header(201)],
        summary="Send a progress report (needs started care and the client's consent)",
        description="A progress report over a period on an allocation whose care started: "
        "what happened and, optionally, goal attainment from 1 (not at all) to 5 (fully). "
        "Accepted only while the client's recorded consent covers progress reports to your "
        "organisation (or a legal basis is recorded); otherwise a 403 that names no other "
        "data. Send an `Idempotency-Key` to retry safely.",
        examples=examples.PROGRESS_REPORT_CREATE,
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="progress-reports",
        filter_backends=[],
    )
    def progress_reports(self, request, uuid=None):
        organisation = api_client_of(request).organisation
        if request.method == "GET":
            allocation = self._allocation(uuid)
            reports = progress_reports_for(allocation=allocation, organisation=organisation)
            self.log_object(allocation, object_type="progress_report")
            page = super().paginate_queryset(reports)
            return self.get_paginated_response(ProgressReportSerializer(page, many=True).data)
        return idempotent(
            IdempotencyRecord, lambda: self._progress_report(request, uuid, organisation), request
        )

    def _progress_report(self, request, uuid, organisation):
        allocation = self._allocation(uuid)
        serializer = ProgressReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            report = progress_report_create(
                allocation=allocation,
                organisation=organisation,
                by=request.user,
                context=request_context(request),
                **serializer.validated_data,
            )
        except ProgressReportRefused as exc:
            self.log_object(
                allocation,
                AccessAction.CHANGE,
                object_type="progress_report",
                result=AccessResult.DENIED,
            )
            raise PermissionDenied(exc.args[0]) from exc
        # the service logged the change
        return Response(ProgressReportSerializer(report).data, status=status.HTTP_201_CREATED)
