"""Residents' and households' data in the admin (issue 25, item 1; docs/privacy.md, "The
admin"): the functional administrator opens no conversation, consent, signal, correction
request or household; what remains (residents, for the person merge; a superuser's read-only
looks) is access-logged like a screen: one `view` row with the household per record shown."""

import datetime
import functools

import pytest
from django.contrib import admin
from django.urls import reverse

from cases.access import AdminReadsLogged
from cases.households.models import Household, Resident
from cases.network.models import NetworkActionReport, NetworkLink, ReportStatus
from cases.plans.models import SupportPlan
from cases.privacy.models import AccessAction, AccessLogEntry, AccessResult
from cases.volunteers.models import OfferCategory
from cases.volunteers.services import volunteer_register, volunteering_start
from networks.models import OrganisationType
from teams.roles import Role
from tests.cases.avg_factories import file_build
from tests.factories import OrganisationFactory, ResidentFactory

LOGGED = sorted(
    (
        model
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, AdminReadsLogged)
    ),
    key=lambda model: model._meta.model_name,
)
# the file's content: never for the functional administrator, not even a list
NOT_FOR_BEHEER = [model for model in LOGGED if model is not Resident]


@pytest.fixture
def file(make_household, area, generalist):
    household = make_household(residents=2)
    rows = file_build(household, on=datetime.date(2025, 3, 1), team=area["team"], worker=generalist)
    rows["household"] = household
    # the reciprocity register: a member of this household volunteers, a neighbour helps it
    organisation = OrganisationFactory(type=OrganisationType.VOLUNTEER_ORGANISATION)
    register = functools.partial(
        volunteer_register,
        district=area["district"],
        offers=[OfferCategory.BUDDY],
        consent_organisation=organisation,
        consent_given_by="de inwoner zelf",
        by=generalist,
    )
    register(resident=household.memberships.first().resident)
    neighbour = register(resident=make_household().memberships.first().resident)
    volunteering_start(
        volunteer=neighbour,
        household=household,
        category=OfferCategory.BUDDY,
        what="Boodschappen",
        by=generalist,
    )
    # a network member's link to their action, and what they reported through it
    action = rows["plan"].actions.get(owner_kind="network")
    link = NetworkLink.objects.create(
        plan=rows["plan"],
        member=action.owner_network_member,
        token_hash="0" * 64,
        expires_on=datetime.date(2025, 2, 1),
    )
    NetworkActionReport.objects.create(link=link, action=action, status=ReportStatus.DONE)
    return rows


@pytest.fixture
def beheer(user_with_role):
    return user_with_role(Role.FUNCTIONAL_ADMIN, username="beheer")


def mark() -> int:
    return AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def rows_after(before: int):
    return list(AccessLogEntry.objects.filter(pk__gt=before).order_by("pk"))


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def object_of(model, household):
    model_admin = admin.site._registry[model]
    return model._base_manager.filter(**{model_admin.access_household_lookup: household.uuid})[0]


def test_every_admin_of_a_households_data_logs_its_reads():
    """A new admin for a model that points at a household, a resident or a plan must log."""
    file_models = {Household, Resident, SupportPlan}
    for model, model_admin in admin.site._registry.items():
        forward = [*model._meta.fields, *model._meta.many_to_many]
        if model in file_models or any(field.related_model in file_models for field in forward):
            assert isinstance(model_admin, AdminReadsLogged), model


@pytest.mark.parametrize("model", NOT_FOR_BEHEER, ids=lambda model: model._meta.model_name)
def test_beheer_cannot_open_a_files_content_in_the_admin(client, beheer, file, model):
    obj = object_of(model, file["household"])
    client.force_login(beheer)
    for path in (
        url(model, "changelist"),
        url(model, "change", obj.pk),
        url(model, "history", obj.pk),
    ):
        assert client.get(path).status_code in (403, 404), path
    assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code in (403, 404)
    assert model._base_manager.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", LOGGED, ids=lambda model: model._meta.model_name)
def test_each_admin_read_writes_one_row_with_the_household(client, admin_user, file, model):
    household = file["household"]
    model_admin = admin.site._registry[model]
    obj = object_of(model, household)
    client.force_login(admin_user)
    for view in ("change", "history"):
        before = mark()
        assert client.get(url(model, view, obj.pk)).status_code == 200
        rows = rows_after(before)
        assert len(rows) == 1, (view, [(row.action, row.object_type) for row in rows])
        row = rows[0]
        assert (row.action, row.result) == (AccessAction.VIEW, AccessResult.ALLOWED)
        assert row.object_type == model_admin.access_object_type
        assert row.object_id == str(getattr(obj, "uuid", obj.pk))
        assert row.household_uuid == household.uuid
        assert (row.user, row.username) == (admin_user, admin_user.username)
    # a list page: one row per object shown, each with its household
    before = mark()
    response = client.get(url(model, "changelist"))
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    rows = rows_after(before)
    assert len(rows) == len(shown) >= 1
    assert {row.object_id for row in rows} == {str(getattr(o, "uuid", o.pk)) for o in shown}
    assert household.uuid in {row.household_uuid for row in rows}


def test_beheer_reads_residents_for_the_merge_and_each_read_is_logged(client, beheer, file):
    resident, household = file["resident"], file["household"]
    client.force_login(beheer)
    before = mark()
    page = client.get(url(Resident, "change", resident.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # read-only
    (row,) = rows_after(before)
    assert (row.action, row.object_type, row.user) == (AccessAction.VIEW, "resident", beheer)
    assert row.household_uuid == household.uuid
    assert row.resident_uuids == [str(resident.uuid)]
    # a search: a `search` row with the kind and count (never the term), and a row per result
    before = mark()
    response = client.get(url(Resident, "changelist"), {"q": resident.last_name})
    shown = list(response.context["cl"].result_list)
    rows = rows_after(before)
    assert rows[0].action == AccessAction.SEARCH
    assert (rows[0].search_kind, rows[0].result_count) == ("admin", len(shown))
    assert resident.last_name not in str(vars(rows[0]))
    assert [row.action for row in rows[1:]] == [AccessAction.VIEW] * len(shown)
    # the merge page shows two records: two rows
    twin = ResidentFactory(bsn=None, last_name=resident.last_name)
    before = mark()
    page = client.post(
        url(Resident, "changelist"),
        {"action": "merge_residents", "_selected_action": [resident.pk, twin.pk]},
    )
    assert page.status_code == 200
    rows = rows_after(before)
    assert sorted(row.object_id for row in rows) == sorted([str(resident.uuid), str(twin.uuid)])
    assert {row.household_uuid for row in rows} == {household.uuid, None}  # the twin has none


def test_beheer_cannot_change_add_or_delete_residents(client, beheer, file):
    resident = file["resident"]
    client.force_login(beheer)
    response = client.post(
        url(Resident, "change", resident.pk),
        {"first_name": "Gewijzigd", "last_name": resident.last_name},
    )
    assert response.status_code == 403
    assert client.get(url(Resident, "add")).status_code == 403
    assert client.post(url(Resident, "delete", resident.pk), {"post": "yes"}).status_code == 403
    resident.refresh_from_db()
    assert resident.first_name != "Gewijzigd"


@pytest.mark.parametrize("field", ["resident", "household"])
def test_the_admin_autocomplete_never_lists_residents_or_households(
    client, admin_user, file, field
):
    """An autocomplete answer is a search outside any logged page: refused, for anyone."""
    client.force_login(admin_user)
    source = {"resident": "consent", "household": "supportplan"}[field]
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "cases", "model_name": source, "field_name": field, "term": "a"},
    )
    assert response.status_code == 403
