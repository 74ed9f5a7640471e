"""Retention per law: which files expire, and that destruction leaves only a record."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import SET_NULL
from django.test import override_settings
from django.urls import reverse

from cases.audit import access_log_record
from cases.avg.models import DestructionRecord
from cases.avg.selectors import retention_expires_on, retention_facts
from cases.avg.services import HANDLED_RELATIONS, household_destroy, retention_apply
from cases.households.models import Household, HouseholdMembership, Resident
from cases.legal_terms import add_months
from cases.privacy.models import AccessAction, AccessLogEntry
from cases.tasks import retention_apply as retention_task
from teams.roles import Role
from tests.cases.avg_factories import PRODUCT_TRAITS, backdate, file_build
from tests.factories import HouseholdMembershipFactory, MeldingFactory
from tests.provision_factories import ProductFactory

TODAY = datetime.date(2026, 11, 24)


def years_ago(years: int, days: int = 0) -> datetime.date:
    return add_months(TODAY, -12 * years) - datetime.timedelta(days=days)


@pytest.fixture
def build(make_household, area, generalist):
    def make(*, on, law="wmo", residents=1, **kwargs):
        household = make_household(residents=residents)
        rows = file_build(household, on=on, law=law, team=area["team"], worker=generalist, **kwargs)
        return household, rows

    return make


@pytest.fixture
def product_for(db):
    return lambda law: ProductFactory(**PRODUCT_TRAITS[law])


def _content_counts() -> dict[str, int]:
    """Rows per model of the cases app, the access log and destruction records aside."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_app_config("cases").get_models(include_auto_created=True)
        if model not in (AccessLogEntry, DestructionRecord)
    }


def test_every_relation_to_household_and_resident_is_handled():
    """A new model pointing at a household or resident must be added to the destruction."""
    found = set()
    for model in (Household, Resident):
        for rel in model._meta.get_fields(include_hidden=True):
            if not (rel.is_relation and rel.auto_created and not rel.concrete):
                continue
            if rel.related_model._meta.auto_created:
                continue  # the through table of a many-to-many: listed by its field
            found.add(f"{rel.related_model._meta.label}.{rel.field.name}")
            if rel.field.name == "household" and rel.related_model.__name__ == "BreakGlassAccess":
                assert rel.on_delete is SET_NULL  # kept: the record outlives the file
    assert found - HANDLED_RELATIONS == set(), "add these to HANDLED_RELATIONS and handle them"


def test_retention_expiry_handles_leap_days():
    expires = retention_expires_on
    assert expires(closed_on=datetime.date(2012, 2, 29), years=15) == datetime.date(2027, 2, 28)
    assert expires(closed_on=datetime.date(2010, 6, 1), years=15) == datetime.date(2025, 6, 1)


def test_expiry_per_law_and_what_survives(build, make_household):
    wmo_old, _ = build(on=years_ago(15, days=1), law="wmo")
    wmo_young, _ = build(on=years_ago(15, days=-1), law="wmo")  # expires tomorrow
    participation_old, _ = build(on=years_ago(16), law="participatie")
    youth_16, _ = build(on=years_ago(16), law="jeugd")  # Jeugdwet: 20 years
    youth_21, _ = build(on=years_ago(21), law="jeugd")
    running, _ = build(on=years_ago(16), law="wmo", allocation_running=True)
    no_provisions = make_household()
    HouseholdMembership.objects.filter(household=no_provisions).update(start_date=years_ago(17))
    backdate(no_provisions, years_ago(16))
    fresh = make_household()  # created today

    facts = {f.household_uuid: f for f in retention_facts(today=TODAY)}
    assert facts[wmo_old.uuid].years == 15 and facts[wmo_old.uuid].expired(TODAY)
    assert not facts[wmo_young.uuid].expired(TODAY)
    assert facts[participation_old.uuid].law == "participatie"
    assert facts[youth_16.uuid].years == 20 and not facts[youth_16.uuid].expired(TODAY)
    assert facts[running.uuid].running
    assert facts[no_provisions.uuid].law == "wmo"
    assert facts[no_provisions.uuid].rule == "no provisions: the Wmo term"
    assert not facts[fresh.uuid].expired(TODAY)

    run = retention_apply(today=TODAY)

    destroyed = {r.household_uuid for r in run.records}
    assert destroyed == {wmo_old.uuid, participation_old.uuid, youth_21.uuid, no_provisions.uuid}
    survivors = set(Household.objects.values_list("uuid", flat=True))
    assert survivors == {wmo_young.uuid, youth_16.uuid, running.uuid, fresh.uuid}
    record = DestructionRecord.objects.get(household_uuid=youth_21.uuid)
    assert (record.law, record.retention_years) == ("jeugd", 20)
    assert record.closed_on == years_ago(21)
    assert record.expired_on == retention_expires_on(closed_on=years_ago(21), years=20)
    assert record.run_id == run.run_id and record.run_by == "retention task"
    assert record.counts["household"] == 1
    assert record.counts["supportplan"] == 1
    assert record.counts["allocation"] == 1 and record.counts["progressreport"] == 1
    assert record.counts["consent"] == 1 and record.counts["resident"] == 1


def test_the_longest_term_of_the_files_laws_applies(build, product_for):
    household, rows = build(on=years_ago(16), law="wmo")
    application = rows["application"]
    youth = product_for("jeugd")
    type(application).objects.create(
        household=household,
        product=youth,
        motivation="Jeugdhulp",
        applied_on=years_ago(17),
        decision_deadline=years_ago(17) + datetime.timedelta(weeks=8),  # stored, as it was
        status="withdrawn",
    )
    backdate(household, years_ago(16))
    [facts] = retention_facts(households=Household.objects.filter(pk=household.pk), today=TODAY)
    assert facts.laws == ("jeugd", "wmo") and facts.law == "jeugd" and facts.years == 20
    assert not facts.expired(TODAY)


@override_settings(RETENTION_YEARS={"wmo": 15, "participatie": 15, "jeugd": 10})
def test_terms_come_from_settings(build):
    household, _ = build(on=years_ago(11), law="jeugd")
    [facts] = retention_facts(households=Household.objects.filter(pk=household.pk), today=TODAY)
    assert facts.years == 10 and facts.expired(TODAY)


def test_destruction_leaves_no_content_only_the_record_and_the_log(build, generalist):
    keep, _ = build(on=years_ago(2))  # not expired: must stay complete
    before = _content_counts()
    household, rows = build(on=years_ago(16), residents=2)
    access_log_record(
        request_or_user=generalist,
        action=AccessAction.VIEW,
        object_type="household",
        object_id=household.uuid,
        household_uuid=household.uuid,
    )
    log_rows = AccessLogEntry.objects.filter(household_uuid=household.uuid).count()
    assert _content_counts() != before

    run = retention_apply(today=TODAY)

    assert [r.household_uuid for r in run.records] == [household.uuid]
    assert _content_counts() == before  # every content row of the file is gone, no other
    assert Household.objects.filter(pk=keep.pk).exists()
    # the log outlives the file: its rows stay, plus one for the destruction itself
    assert AccessLogEntry.objects.filter(household_uuid=household.uuid).count() == log_rows + 1
    destruction_row = AccessLogEntry.objects.filter(
        household_uuid=household.uuid, object_type="destruction"
    ).get()
    assert destruction_row.action == AccessAction.CHANGE and destruction_row.username == ""
    record = DestructionRecord.objects.get()
    assert record.counts["resident"] == 2
    text = str(record.__dict__)
    for content in (rows["resident"].last_name, rows["resident"].bsn, household.street):
        assert content not in text


def test_a_resident_of_another_household_is_kept(build, make_household):
    household, rows = build(on=years_ago(16))
    resident = rows["resident"]
    elsewhere = make_household(residents=0)
    HouseholdMembership.objects.filter(resident=resident).update(end_date=years_ago(16))
    HouseholdMembershipFactory(household=elsewhere, resident=resident)

    retention_apply(today=TODAY)

    resident.refresh_from_db()
    assert list(resident.memberships.values_list("household", flat=True)) == [elsewhere.pk]
    assert resident.consents.count() == 1  # person-level data stays with the living file
    assert not Household.objects.filter(pk=household.pk).exists()


def test_a_file_that_changed_since_the_scan_is_skipped(build):
    household, _ = build(on=years_ago(16))
    [facts] = retention_facts(households=Household.objects.filter(pk=household.pk), today=TODAY)
    assert facts.expired(TODAY)
    MeldingFactory(household=household, question="Nieuwe vraag")

    assert household_destroy(facts=facts, run_id=facts.household_uuid, run_by="x") is None
    assert Household.objects.filter(pk=household.pk).exists()
    assert not DestructionRecord.objects.exists()


def test_dry_run_changes_nothing_and_the_command_reports(build):
    household, _ = build(on=years_ago(16))
    before = _content_counts()
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert str(household.uuid) in out.getvalue() and "would be destroyed" in out.getvalue()
    assert _content_counts() == before and not DestructionRecord.objects.exists()


def test_command_destroys_as_the_named_user(build, user_with_role):
    officer = user_with_role(Role.PRIVACY_OFFICER, username="privacy")
    household, _ = build(on=years_ago(16))
    out = io.StringIO()
    call_command("apply_retention", "--user", "privacy", stdout=out)
    assert "1 destroyed" in out.getvalue()
    record = DestructionRecord.objects.get()
    assert record.run_by == "privacy"
    log = AccessLogEntry.objects.get(object_type="destruction")
    assert log.user_id == officer.pk and log.household_uuid == household.uuid


def test_periodic_task_runs_the_service(build):
    household, _ = build(on=years_ago(16))
    result = retention_task.delay().get()
    assert result["destroyed"] == 1
    assert not Household.objects.filter(pk=household.pk).exists()


def test_scan_query_count_does_not_grow_with_the_number_of_files(
    build, django_assert_max_num_queries
):
    for years in (3, 16, 21):
        build(on=years_ago(years))
    with django_assert_max_num_queries(3):
        facts = retention_facts(today=TODAY)
    assert len(facts) == 3


def test_privacy_officer_sees_destruction_records(
    client, build, user_with_role, generalist, django_assert_max_num_queries
):
    for _ in range(3):
        build(on=years_ago(16))
    retention_apply(today=TODAY)
    client.force_login(user_with_role(Role.PRIVACY_OFFICER))
    url = reverse("avg:destruction_list")
    # 6: the first request also reads the user's access facts (version + one statement)
    with django_assert_max_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    for record in DestructionRecord.objects.all():
        assert str(record.household_uuid) in body
    assert "langste termijn van de wetten in het dossier: Wmo" in body
    assert "Meldingen: 1" in body or "meldingen: 1" in body
    client.force_login(generalist)
    assert client.get(url).status_code == 403


def test_destruction_ends_a_volunteers_help_and_keeps_the_volunteer(build, area, generalist):
    """A volunteer helped the destroyed household, and a resident of it was a volunteer: the help
    goes with the file, the volunteer (and their person record) stays in the register."""
    from cases.volunteers.models import Volunteer, Volunteering
    from cases.volunteers.services import volunteer_register, volunteering_start
    from tests.factories import OrganisationFactory, ResidentFactory

    household, rows = build(on=years_ago(16), residents=1)
    organisation = OrganisationFactory(type="volunteer_organisation")

    def register(resident):
        return volunteer_register(
            resident=resident,
            district=area["district"],
            offers=["buddy"],
            consent_organisation=organisation,
            consent_given_by="zelf",
            started_on=years_ago(17),
            by=generalist,
        )

    helper = register(ResidentFactory())
    volunteering_start(
        volunteer=helper,
        household=household,
        category="buddy",
        what="Wandelen",
        started_on=years_ago(17),
        by=generalist,
    )
    own = register(rows["resident"])

    run = retention_apply(today=TODAY)

    assert [r.household_uuid for r in run.records] == [household.uuid]
    assert not Volunteering.objects.exists()
    assert set(Volunteer.objects.values_list("pk", flat=True)) == {helper.pk, own.pk}
    assert Resident.objects.filter(pk=rows["resident"].pk).exists()  # kept: a volunteer
