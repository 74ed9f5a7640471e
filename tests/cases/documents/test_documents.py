"""Documents on a household's file: checked by content (a PDF named .exe and a program named
.pdf are both refused), scanned by a real ClamAV daemon (tests/clamd.py: EICAR is refused),
kept in quarantine when no scanner answers and then never downloadable, downloaded only through
the checking and logging view, included in the inzage export and destroyed with the file."""

import datetime
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.avg import services as avg_services
from cases.avg.inzage import inzage_build, inzage_pdf, inzage_zip
from cases.avg.selectors import retention_facts
from cases.documents import scanner, services
from cases.documents.models import HouseholdDocument, ScanStatus
from cases.documents.storage import document_storage
from cases.households.models import Household
from cases.legal_terms import add_months
from cases.privacy.models import AccessAction, AccessLogEntry, AccessResult
from teams.roles import Role
from tests.cases.avg_factories import file_build
from tests.clamd import DETECTED_AS, EICAR, SIGNATURE_NAME
from tests.factories import TeamMemberFactory

TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
# the EICAR test string inside a file whose content says PDF: the type check lets it through,
# so only the virus scanner stands between it and the file
EICAR_PDF = b"%PDF-1.4\n" + EICAR + b"\n%%EOF\n"


@pytest.fixture
def household(make_household, generalist):
    household = make_household(residents=2)
    household.coordinator = generalist
    household.save(update_fields=["coordinator"])
    return household


@pytest.fixture
def colleague(area):
    return TeamMemberFactory(team=area["team"], user__username="colleague").user


def upload(household, by, content=PDF, filename="brief.pdf", **fields):
    values = {"category": "letter", "document_date": TODAY, "description": "Brief verhuurder"}
    return services.document_upload(
        household=household,
        by=by,
        file=io.BytesIO(content),
        filename=filename,
        **(values | fields),
    )


def stored_files() -> list[str]:
    root = Path(document_storage().location)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def stored(document) -> bytes:
    with document_storage().open(document.storage_name, "rb") as f:
        return f.read()


def changes():
    return list(AccessLogEntry.objects.filter(action=AccessAction.CHANGE))


@pytest.fixture(autouse=True)
def _empty_storage():
    """Each test starts with no stored files of this process."""
    storage = document_storage()
    before = set(stored_files())
    yield
    for name in set(stored_files()) - before:
        storage.delete(name)


# --- the service: type by content, the real scanner -------------------------------------------


def test_a_clean_pdf_is_scanned_stored_and_logged(clamav, household, colleague):
    document = upload(household, colleague)

    assert document.scan_status == ScanStatus.CLEAN and document.scanned_at is not None
    assert document.downloadable
    assert (document.content_type, document.size) == ("application/pdf", len(PDF))
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored(document) == PDF
    # stored under UUIDs, never under the name the user gave
    assert "brief" not in document.storage_name
    assert document.storage_name.startswith(str(household.uuid))
    [row] = changes()
    assert (row.object_type, row.object_id) == ("document", str(document.uuid))
    assert row.household_uuid == household.uuid and row.user == colleague


def test_the_eicar_test_file_is_refused_by_the_scanner_and_nothing_is_kept(
    clamav, household, colleague
):
    with pytest.raises(ValidationError) as refused:
        upload(household, colleague, content=EICAR_PDF, filename="rekening.pdf")

    assert SIGNATURE_NAME in str(refused.value)
    assert not HouseholdDocument.objects.exists()
    assert stored_files() == [] and changes() == []


def test_the_bare_eicar_file_is_refused_with_or_without_a_scanner(
    clamav, settings, household, colleague
):
    with pytest.raises(ValidationError):
        upload(household, colleague, content=EICAR, filename="eicar.com")
    settings.CLAMD_SOCKET = ""
    with pytest.raises(ValidationError):
        upload(household, colleague, content=EICAR, filename="eicar.pdf")
    assert not HouseholdDocument.objects.exists() and stored_files() == []


def test_a_pdf_renamed_to_exe_and_an_exe_renamed_to_pdf_are_refused_by_content(
    clamav, household, colleague
):
    with pytest.raises(ValidationError) as pdf_as_exe:
        upload(household, colleague, content=PDF, filename="brief.exe")
    assert "PDF" in str(pdf_as_exe.value) and ".exe" in str(pdf_as_exe.value)

    with pytest.raises(ValidationError) as exe_as_pdf:
        upload(household, colleague, content=EXE, filename="brief.pdf")
    assert "EXE" in str(exe_as_pdf.value)

    assert not HouseholdDocument.objects.exists() and stored_files() == []


def test_allowed_types_and_the_size_limit_come_from_the_settings(
    clamav, settings, household, colleague
):
    settings.DOCUMENT_ALLOWED_TYPES = ["pdf"]
    with pytest.raises(ValidationError):
        upload(household, colleague, content=PNG, filename="foto.png")
    settings.DOCUMENT_ALLOWED_TYPES = ["pdf", "png"]
    assert upload(household, colleague, content=PNG, filename="foto.PNG").content_type == (
        "image/png"
    )

    settings.DOCUMENT_MAX_BYTES = len(PDF) - 1
    with pytest.raises(ValidationError):
        upload(household, colleague)
    settings.DOCUMENT_MAX_BYTES = len(PDF)
    assert upload(household, colleague).size == len(PDF)


def test_an_empty_file_and_a_date_in_the_future_are_refused(household, colleague):
    with pytest.raises(ValidationError):
        upload(household, colleague, content=b"")
    with pytest.raises(ValidationError):
        upload(household, colleague, document_date=TODAY + datetime.timedelta(days=1))
    assert not HouseholdDocument.objects.exists()


def test_only_the_professionals_of_the_file_upload(household, user_with_role):
    officer = user_with_role(Role.PRIVACY_OFFICER)
    with pytest.raises(PermissionDenied):
        upload(household, officer)
    assert not HouseholdDocument.objects.exists() and stored_files() == []


# --- quarantine: no scanner, or one that does not answer ----------------------------------------


def test_without_a_scanner_an_upload_is_kept_in_quarantine(household, colleague):
    document = upload(household, colleague)

    assert document.scan_status == ScanStatus.QUARANTINED and not document.downloadable
    assert stored(document) == PDF


def test_a_scanner_that_does_not_answer_means_quarantine(settings, tmp_path, household, colleague):
    settings.CLAMD_SOCKET = str(tmp_path / "no-clamd.sock")
    assert scanner.configured() and not scanner.ping()

    document = upload(household, colleague)

    assert document.scan_status == ScanStatus.QUARANTINED


def test_the_rescan_releases_a_clean_file_and_removes_an_infected_one(
    clamd_socket, settings, household, colleague, django_capture_on_commit_callbacks
):
    clean = upload(household, colleague)
    infected = upload(household, colleague, content=EICAR_PDF, filename="virus.pdf")
    assert infected.scan_status == ScanStatus.QUARANTINED  # no scanner ran: not refused yet
    assert services.documents_rescan().scanner_unavailable  # still none configured

    settings.CLAMD_SOCKET = clamd_socket
    with django_capture_on_commit_callbacks(execute=True):
        run = services.documents_rescan()

    assert (run.clean, run.infected) == ([clean.pk], [infected.pk])
    clean.refresh_from_db()
    infected.refresh_from_db()
    assert clean.downloadable and stored(clean) == PDF
    assert infected.scan_status == ScanStatus.INFECTED and not infected.downloadable
    assert infected.virus_name == DETECTED_AS and infected.storage_name == ""
    assert stored_files() == [clean.storage_name]
    assert {row.reason for row in changes()} >= {
        "virus scan: clean",
        f"virus scan: {DETECTED_AS} found, file removed",
    }
    assert services.documents_rescan().examined == 0  # nothing left in quarantine


def test_the_rescan_is_a_beat_task(settings):
    from cases.tasks import documents_rescan

    entry = settings.CELERY_BEAT_SCHEDULE["cases-documents-rescan"]
    assert entry["task"] == documents_rescan.name == "cases.documents_rescan"


def test_clamd_replies_are_read_as_clean_infected_or_unavailable():
    assert scanner.parse_reply("stream: OK").clean
    found = scanner.parse_reply("stream: Win.Test.EICAR_HDB-1 FOUND")
    assert found.infected and found.virus == "Win.Test.EICAR_HDB-1"
    assert scanner.parse_reply("INSTREAM size limit exceeded. ERROR").status == "unavailable"
    assert scanner.parse_reply("").status == "unavailable"


# --- the screen and the download ------------------------------------------------------------------


def post_upload(client, household, content=PDF, filename="brief.pdf", **extra):
    data = {
        "file": SimpleUploadedFile(filename, content, content_type="application/octet-stream"),
        "category": "statement",
        "document_date": TODAY.isoformat(),
        "description": "Bankafschrift",
    }
    return client.post(reverse("cases:household_documents", args=[household.uuid]), data, **extra)


def download_url(document):
    return reverse("cases:document_download", args=[document.household.uuid, document.uuid])


def test_upload_and_download_through_the_screen(clamav, client, household, colleague):
    client.force_login(colleague)
    response = post_upload(client, household)
    assert response.status_code == 302
    document = HouseholdDocument.objects.get()
    assert (document.category, document.original_filename) == ("statement", "brief.pdf")

    page = client.get(reverse("cases:household_documents", args=[household.uuid]))
    assert download_url(document) in page.content.decode()

    response = client.get(download_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "brief.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    read = AccessLogEntry.objects.filter(action=AccessAction.VIEW, object_type="document").get()
    assert (read.object_id, read.household_uuid, read.result) == (
        str(document.uuid),
        household.uuid,
        AccessResult.ALLOWED,
    )


def test_the_screen_refuses_a_renamed_file_with_the_reason(clamav, client, household, colleague):
    client.force_login(colleague)
    response = post_upload(client, household, content=EXE, filename="brief.pdf")
    assert response.status_code == 200
    assert "EXE" in response.content.decode()
    response = post_upload(client, household, content=PDF, filename="brief.exe")
    assert response.status_code == 200 and ".exe" in response.content.decode()
    response = post_upload(client, household, content=EICAR_PDF, filename="brief.pdf")
    assert response.status_code == 200 and SIGNATURE_NAME in response.content.decode()
    assert not HouseholdDocument.objects.exists() and stored_files() == []


def test_a_quarantined_or_infected_document_is_never_downloadable(
    client, household, colleague, clamd_socket, settings, django_capture_on_commit_callbacks
):
    client.force_login(colleague)
    assert post_upload(client, household, content=EICAR_PDF).status_code == 302
    document = HouseholdDocument.objects.get()
    page = client.get(reverse("cases:household_documents", args=[household.uuid]))
    assert download_url(document) not in page.content.decode()

    response = client.get(download_url(document))
    assert response.status_code == 403
    assert not hasattr(response, "streaming_content")
    refused = AccessLogEntry.objects.filter(object_type="document").latest("pk")
    assert refused.result == AccessResult.DENIED

    settings.CLAMD_SOCKET = clamd_socket
    with django_capture_on_commit_callbacks(execute=True):
        services.documents_rescan()
    response = client.get(download_url(document))
    assert response.status_code == 403 and not hasattr(response, "streaming_content")
    assert stored_files() == []


def test_outside_need_to_know_the_documents_are_not_found(
    clamav, client, household, colleague, other_area, user_with_role
):
    document = upload(household, colleague)
    outsider = TeamMemberFactory(team=other_area["team"], user__username="outsider").user
    client.force_login(outsider)
    assert client.get(download_url(document)).status_code == 404
    page = reverse("cases:household_documents", args=[household.uuid])
    assert client.get(page).status_code == 404
    assert post_upload(client, household).status_code == 404
    assert HouseholdDocument.objects.count() == 1
    row = AccessLogEntry.objects.filter(user=outsider, object_type="document").get()
    assert row.result == AccessResult.NOT_FOUND

    client.force_login(user_with_role(Role.POLICY_OFFICER))
    assert client.get(download_url(document)).status_code == 403
    # another household's document through this household's URL: not found
    client.force_login(colleague)
    other = upload(household, colleague)
    wrong = reverse(
        "cases:document_download", args=[other_area_household(other_area).uuid, other.uuid]
    )
    assert client.get(wrong).status_code == 404


def other_area_household(other_area):
    from tests.factories import HouseholdFactory

    return HouseholdFactory(neighbourhood=other_area["neighbourhood"])


def test_the_list_is_paginated_in_a_constant_number_of_queries(
    client, household, colleague, django_assert_max_num_queries
):
    client.force_login(colleague)
    url = reverse("cases:household_documents", args=[household.uuid])
    upload(household, colleague)
    client.get(url, HTTP_HX_REQUEST="true")  # warm: sessions, roles
    with CaptureQueriesContext(connection) as few:
        client.get(url, HTTP_HX_REQUEST="true")
    for number in range(25):
        upload(household, colleague, filename=f"brief-{number}.pdf")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("brief-") == 20  # one page
    second = client.get(url + "?page=2", HTTP_HX_REQUEST="true").content.decode()
    assert second.count("brief") == 6


def test_the_household_page_loads_the_documents_section(client, household, colleague):
    client.force_login(colleague)
    page = client.get(reverse("cases:household_detail", args=[household.uuid]))
    assert reverse("cases:household_documents", args=[household.uuid]) in page.content.decode()


# --- inzage and retention ----------------------------------------------------------------------


def test_the_inzage_export_lists_the_documents_and_the_zip_holds_the_clean_files(
    clamav, settings, household, colleague
):
    clean = upload(household, colleague, description="Ondertekend plan", category="plan")
    settings.CLAMD_SOCKET = ""
    waiting = upload(household, colleague, filename="later.pdf")
    resident = household.memberships.first().resident

    data = inzage_build(resident=resident)
    documents = {d["uuid"]: d for d in data["households"][0]["documents"]}
    assert documents[str(clean.uuid)]["description"] == "Ondertekend plan"
    assert documents[str(clean.uuid)]["file_in_export"].endswith("brief.pdf")
    assert documents[str(waiting.uuid)]["file_in_export"] == ""

    archive = zipfile.ZipFile(io.BytesIO(inzage_zip(data, inzage_pdf(data))))
    assert archive.read(documents[str(clean.uuid)]["file_in_export"]) == PDF
    assert json.loads(archive.read("inzage.json"))["households"][0]["documents"]
    assert archive.read("inzage.pdf").startswith(b"%PDF")
    assert not [name for name in archive.namelist() if "later.pdf" in name]


def test_the_privacy_officer_downloads_the_zip(
    clamav, client, household, colleague, user_with_role
):
    upload(household, colleague)
    resident = household.memberships.first().resident
    client.force_login(user_with_role(Role.PRIVACY_OFFICER))
    response = client.get(reverse("avg:inzage_zip", args=[resident.uuid]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert any(name.endswith("brief.pdf") for name in names)


def test_documents_and_their_files_are_destroyed_with_the_household(
    clamav, make_household, area, generalist, django_capture_on_commit_callbacks
):
    household = make_household(residents=1)
    file_build(household, on=add_months(TODAY, -16 * 12), team=area["team"], worker=generalist)
    upload(household, generalist)
    assert len(stored_files()) == 1
    [facts] = retention_facts(households=Household.objects.filter(pk=household.pk), today=TODAY)

    with django_capture_on_commit_callbacks(execute=True):
        record = avg_services.household_destroy(
            facts=facts, run_id=facts.household_uuid, run_by="t", today=TODAY
        )

    assert record.counts["householddocument"] == 1
    assert not HouseholdDocument.objects.exists() and stored_files() == []


# --- storage by setting -----------------------------------------------------------------------


def test_the_documents_storage_is_s3_compatible_by_setting_and_private():
    from tests.test_settings import run_manage

    script = (
        "from django.core.files.storage import storages; s = storages['documents']; "
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.default_acl, "
        "s.querystring_auth, s.location)"
    )
    env = {
        "DEBUG": "true",
        "DOCUMENT_STORAGE_BACKEND": "storages.backends.s3.S3Storage",
        "DOCUMENT_S3_BUCKET": "dossiers",
        "DOCUMENT_S3_ENDPOINT_URL": "http://minio:9000",
    }
    result = run_manage("shell", "--no-imports", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "S3Storage",
        "dossiers",
        "http://minio:9000",
        "private",
        "True",
        "documents",
    ]

    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        script.replace("s.bucket_name, s.endpoint_url, s.default_acl, s.querystring_auth, ", ""),
        env={"DEBUG": "true"},
    )
    assert result.returncode == 0, result.stderr
    name, location = result.stdout.split()
    assert name == "PrivateFileSystemStorage"
    assert location.endswith("private/documents") and "static" not in location
    with pytest.raises(NotImplementedError):  # no URL to serve a document from
        document_storage().url("any")
