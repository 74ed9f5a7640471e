"""AVG rights for the privacy officer: inzage (JSON and PDF) and correction requests."""

import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cases.avg import services as avg_services
from cases.avg.inzage import FORMAT, inzage_build, inzage_pdf
from cases.avg.models import CorrectionRequest, CorrectionStatus
from cases.avg.selectors import avg_request_deadline
from cases.households.models import HouseholdMembership
from cases.intake.models import InformalNetworkMember
from cases.legal_terms import add_months
from cases.plans.models import PlanGoal, PlanStatus, SupportPlan
from cases.privacy.models import AccessAction, AccessLogEntry
from cases.provisions.models import ProvisionApplication
from cases.provisions.selectors import application_decision_deadline
from teams.roles import Role
from tests.cases.avg_factories import file_build
from tests.factories import ResidentFactory


@pytest.fixture
def officer(user_with_role):
    return user_with_role(Role.PRIVACY_OFFICER, username="privacy")


@pytest.fixture
def file(make_household, area, generalist):
    household = make_household(residents=2)
    rows = file_build(household, on=datetime.date(2025, 3, 1), team=area["team"], worker=generalist)
    rows["household"] = household
    return rows


def _pdf_text(data: bytes) -> str:
    """The PDF's text layer as a reader (or a screen reader) gets it, through pypdf."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- corrections: services ---------------------------------------------------------------------


def test_deadline_is_one_month_clamped_to_the_end_of_the_month(db):
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 12, 15), 1) == datetime.date(2027, 1, 15)
    # 29 February 2024 is a Thursday: the AVG term ends on it
    assert avg_request_deadline(received_on=datetime.date(2024, 1, 31)) == datetime.date(
        2024, 2, 29
    )


def test_record_and_grant_a_correction(officer, make_household):
    resident = make_household().memberships.first().resident
    received = timezone.localdate() - datetime.timedelta(days=3)
    correction = avg_services.correction_request_record(
        resident=resident,
        what_is_wrong="Geboortedatum klopt niet",
        should_be="12-03-1980",
        received_on=received,
        by=officer,
    )
    assert correction.deadline == avg_request_deadline(received_on=received)
    assert correction.is_open
    avg_services.correction_request_handle(
        correction=correction, status=CorrectionStatus.GRANTED, outcome="Aangepast", by=officer
    )
    correction.refresh_from_db()
    assert correction.status == "granted" and correction.handled_by == officer
    assert correction.handled_on == timezone.localdate()
    with pytest.raises(ValidationError):  # answered once
        avg_services.correction_request_handle(
            correction=correction, status=CorrectionStatus.REFUSED, outcome="Nee", by=officer
        )


def test_refusal_needs_a_reason_and_only_the_officer_may(officer, generalist, make_household):
    resident = make_household().memberships.first().resident
    correction = avg_services.correction_request_record(
        resident=resident, what_is_wrong="Adres", by=officer
    )
    with pytest.raises(ValidationError) as exc:
        avg_services.correction_request_handle(
            correction=correction, status=CorrectionStatus.REFUSED, outcome=" ", by=officer
        )
    assert "outcome" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        avg_services.correction_request_handle(
            correction=correction, status=CorrectionStatus.REFUSED, outcome="x", by=generalist
        )
    with pytest.raises(PermissionDenied):
        avg_services.correction_request_record(resident=resident, what_is_wrong="x", by=generalist)
    with pytest.raises(ValidationError):
        avg_services.correction_request_record(
            resident=resident,
            what_is_wrong="x",
            received_on=timezone.localdate() + datetime.timedelta(days=1),
            by=officer,
        )


# --- screens ---------------------------------------------------------------------------------


def test_officer_finds_a_resident_by_bsn_and_records_a_correction(client, officer, file):
    resident = file["resident"]
    client.force_login(officer)
    response = client.post(reverse("avg:index"), {"bsn": resident.bsn})
    assert resident.full_name in response.content.decode()
    search = AccessLogEntry.objects.get(action=AccessAction.SEARCH)
    assert search.search_kind == "bsn" and search.result_count == 1
    assert resident.bsn not in str(search.__dict__)  # what was searched for is never kept

    url = reverse("avg:resident", args=[resident.uuid])
    response = client.post(
        url,
        {
            "received_on": timezone.localdate().isoformat(),
            "what_is_wrong": "Mijn achternaam is verkeerd gespeld",
            "should_be": "Jansen",
        },
    )
    assert response.status_code == 302
    correction = CorrectionRequest.objects.get(what_is_wrong__startswith="Mijn achternaam")
    assert correction.recorded_by == officer
    log = AccessLogEntry.objects.filter(object_type="correction_request").get()
    assert log.action == AccessAction.CHANGE and log.resident_uuids == [str(resident.uuid)]


def test_officer_answers_from_the_list(client, officer, file, django_assert_max_num_queries):
    resident = file["resident"]
    today = timezone.localdate()
    for number in range(30):  # received 40..11 days ago: the oldest are overdue
        received_on = today - datetime.timedelta(days=40 - number)
        CorrectionRequest.objects.create(
            resident=resident,
            what_is_wrong=f"Fout {number}",
            received_on=received_on,
            deadline=avg_request_deadline(received_on=received_on),
        )
    client.force_login(officer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("avg:correction_list"), {"status": "open"})
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == 30 and len(page.object_list) == 25
    body = response.content.decode()
    overdue = (today - avg_request_deadline(received_on=today - datetime.timedelta(days=40))).days
    assert f"{overdue} dagen over de termijn" in body and "Fout 0" in body  # soonest first

    correction = page.object_list[0]
    url = reverse("avg:correction_detail", args=[correction.uuid])
    response = client.post(url, {"status": "refused", "outcome": "", "handled_on": ""})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(
        url,
        {
            "status": "refused",
            "outcome": "De gegevens kloppen met de BRP",
            "handled_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    correction.refresh_from_db()
    assert correction.status == "refused"


OTHER_ROLES = [role for role in Role if role != Role.PRIVACY_OFFICER]


@pytest.mark.parametrize("name", ["avg:index", "avg:correction_list", "avg:destruction_list"])
def test_others_may_not_use_the_avg_screens(client, generalist, user_with_role, name):
    for user in (generalist, *(user_with_role(role) for role in OTHER_ROLES)):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403


def test_others_may_not_export(client, generalist, user_with_role, file):
    resident = file["resident"]
    for user in (generalist, *(user_with_role(role) for role in OTHER_ROLES)):
        client.force_login(user)
        for name in ("avg:inzage_json", "avg:inzage_pdf", "avg:resident"):
            assert client.get(reverse(name, args=[resident.uuid])).status_code == 403
    assert not AccessLogEntry.objects.filter(action=AccessAction.EXPORT).exists()


# --- inzage ------------------------------------------------------------------------------------


def test_json_export_holds_the_complete_file_and_who_accessed_it(client, officer, generalist, file):
    household, resident = file["household"], file["resident"]
    client.force_login(generalist)
    client.get(reverse("cases:household_detail", args=[household.uuid]))
    client.force_login(officer)
    client.post(reverse("avg:index"), {"bsn": resident.bsn})  # logs the resident found

    response = client.get(reverse("avg:inzage_json", args=[resident.uuid]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="inzage-')
    data = json.loads(response.content)
    assert data["format"] == FORMAT
    assert data["resident"]["bsn"] == resident.bsn
    [home] = data["households"]
    assert home["uuid"] == str(household.uuid)
    assert home["meldingen"][0]["question"] == "Hulp bij de administratie"
    assert home["conversations"][0]["scores"][0]["score"] == 2
    plan = home["plans"][0]
    assert plan["goals"][0]["description"] == "Rust in de financiën"
    assert {a["description"] for a in plan["actions"]} == {"Post sorteren", "Meegaan naar de bank"}
    assert plan["versions"][0]["number"] == 1
    assert plan["evaluations"][0]["scores"][0]["score"] == 4
    application = home["applications"][0]
    assert application["decision"]["outcome"] == "grant"
    allocation = application["allocations"][0]
    assert allocation["progress_reports"][0]["text"] == "Cliënt komt afspraken na."
    assert data["consents"][0]["categories"] == ["progress"]
    assert data["correction_requests"][0]["what_is_wrong"] == "Telefoonnummer klopt niet"
    # who accessed the file: the generalist's view and this export itself
    log = data["access_log"]
    assert any(
        e["username"] == "generalist" and e["action"] == "view" and e["roles"] == ["generalist"]
        for e in log
    )
    assert log[-1]["username"] == "privacy" and log[-1]["action"] == "export"
    # also entries that name only the resident (no household), e.g. an earlier search result
    assert any(e["action"] == "search" and e["household"] == "" for e in log)
    export = AccessLogEntry.objects.filter(action=AccessAction.EXPORT).get()
    assert export.resident_uuids == [str(resident.uuid)] and export.object_type == "inzage"


def test_pdf_export_is_a_readable_dutch_document(client, officer, file):
    client.force_login(officer)
    response = client.get(reverse("avg:inzage_pdf", args=[file["resident"].uuid]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "Uw dossier bij de gemeente" in text
    assert "Wie heeft uw dossier bekeken" in text
    assert file["resident"].last_name in text
    assert "Rust in de financiën" in text
    assert AccessLogEntry.objects.filter(action=AccessAction.EXPORT).count() == 1


def test_the_pdf_holds_what_the_json_holds_with_dutch_labels(client, officer, file):
    """Remarks, own and network strength, basic needs, the network and evaluations: in the
    JSON export, so in the PDF as well, labelled in Dutch."""
    data = inzage_build(resident=file["resident"])
    [household] = data["households"]
    [conversation] = household["conversations"]
    text = " ".join(_pdf_text(inzage_pdf(data)).split())
    for name in ("own_strength", "network_strength", "resident_remarks", "agreements"):
        assert conversation[name] and " ".join(conversation[name].split()) in text, name
    assert "Wat de inwoner zelf kan" in text and "Opmerkingen van de inwoner bij" in text
    assert "Basisbehoefte" in text
    # yes / no / not asked, and the life domains not discussed
    answers = {need["need"]: need["answer"] for need in conversation["basic_needs"]}
    assert answers == {"debts": "yes", "income": "no", "housing": "not_asked", "food": "not_asked"}
    assert "Basisbehoefte Schulden: acuut probleem (Deurwaarder geweest)" in text
    assert "Basisbehoefte Inkomen: geen acuut probleem" in text
    assert "Basisbehoefte Voedsel: niet gevraagd" in text
    assert conversation["domains_not_discussed"] == ["justice"]
    assert "Justitie: niet besproken" in text
    assert household["network"] and household["network"][0]["name"] in text
    [plan] = household["plans"]
    assert plan["evaluations"] and "Evaluatie" in text
    assert plan["evaluations"][0]["notes"] in text
    assert "Uw netwerk" in text


def test_the_pdf_prints_every_name_in_its_own_script(client, officer, make_household):
    """Şahin, Łukasz Dağ and a name in Arabic script come out of the text layer as they were
    typed (a vendored font with the glyphs; Arabic shaped right to left by HarfBuzz)."""
    household = make_household(residents=0)
    resident = ResidentFactory(first_name="Łukasz Dağ", last_name="Şahin")
    arabic = ResidentFactory(first_name="محمد", last_name="العلي")
    for person in (resident, arabic):
        HouseholdMembership.objects.create(
            household=household, resident=person, start_date=datetime.date(2020, 1, 1)
        )
    InformalNetworkMember.objects.create(household=household, kind="family", name="فاطمة")
    client.force_login(officer)
    response = client.get(reverse("avg:inzage_pdf", args=[resident.uuid]))
    text = _pdf_text(response.content)
    assert "Łukasz Dağ Şahin" in text
    assert "فاطمة" in text  # the network member, shaped and read back in logical order
    assert "?" not in text.split("Naam:")[1].splitlines()[0]  # nothing replaced
    pdf = PdfReader(io.BytesIO(response.content))
    assert pdf.metadata.title == "Uw dossier bij de gemeente"
    top, sections = pdf.outline[0], pdf.outline[1]  # a bookmark per section, for navigation
    assert top.title == "Uw dossier bij de gemeente"
    assert sections[0].title == "Uw persoonsgegevens"
    assert any(item.title.startswith("Huishouden: ") for item in sections)


def test_export_query_count_does_not_grow_with_the_file(file, generalist):
    resident, household = file["resident"], file["household"]

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            inzage_build(resident=resident)
        return len(queries)

    small = count()
    for number in range(4):
        plan = SupportPlan.objects.create(  # closed: a household has one draft at a time
            household=household,
            created_by=generalist,
            status=PlanStatus.CLOSED,
            aftercare_in_place="Waakvlam",
        )
        PlanGoal.objects.create(plan=plan, domain="housing", description=f"Doel {number}")
        ProvisionApplication.objects.create(
            household=household,
            product=file["product"],
            motivation="meer",
            applied_by=generalist,
            decision_deadline=application_decision_deadline(
                law=file["product"].law, applied_on=timezone.localdate()
            ),
        )
    assert count() == small
    # +1 journal, +1 appointments, +1 agreements, +2 addresses and handovers, +1 objections,
    # +1 volunteer register, +1 documents, +1 the resident's "not agreed" answers, +1 the
    # network members' links
    assert small <= 35


def test_export_view_query_budget(client, officer, file, django_assert_max_num_queries):
    client.force_login(officer)
    # +1 network participants, journal, appointments, agreements, objections, volunteer
    # register, documents, "not agreed" answers, network members' links; +2 addresses, handovers
    with django_assert_max_num_queries(43):
        response = client.get(reverse("avg:inzage_json", args=[file["resident"].uuid]))
    assert response.status_code == 200


def test_unknown_resident_is_404(client, officer):
    client.force_login(officer)
    import uuid

    assert client.get(reverse("avg:inzage_json", args=[uuid.uuid4()])).status_code == 404


def test_the_avg_admin_only_shows(client, file):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    correction = file["correction"]
    for name in ("correctionrequest", "destructionrecord"):
        assert client.get(reverse(f"admin:cases_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:cases_{name}_add")).status_code == 403
    change_url = reverse("admin:cases_correctionrequest_change", args=[correction.pk])
    assert client.post(change_url, {"outcome": "x"}).status_code == 403
    delete_url = reverse("admin:cases_correctionrequest_delete", args=[correction.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert CorrectionRequest.objects.filter(pk=correction.pk, outcome="Nummer aangepast").exists()


def test_demo_gives_the_privacy_officer_work(client, db):
    from django.core.management import call_command

    call_command("seed_demo", households=12, verbosity=0)
    call_command("seed_demo", households=12, verbosity=0)  # idempotent
    assert CorrectionRequest.objects.count() == 4
    extended = CorrectionRequest.objects.get(extension_told_on__isnull=False)
    assert extended.deadline == avg_request_deadline(
        received_on=extended.received_on, extended=True
    )
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="privacy"))
    home = client.get(reverse("home")).content.decode()
    assert "AVG-verzoeken" in home
    response = client.get(reverse("avg:correction_list"), {"status": "open"})
    assert response.context["page"].paginator.count == 3
    body = response.content.decode()
    assert "over de termijn" in body  # the one received 38 days ago
    assert "verlengd met 2 maanden" in body  # the complex one, received 45 days ago
