"""A generalist on a phone (360 px) adds a letter to the household's documents from the household
page (htmx, a real clamd scanning it), is told why a program named .pdf is refused, and
downloads the letter; the section passes axe and no page scrolls sideways."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases.documents.models import HouseholdDocument, ScanStatus
from tests.browser.sweep import axe_serious, horizontal_overflow
from tests.clamd import clamav, clamd_socket  # noqa: F401 - the real scanner for this module

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clamav"),
]

PHONE = {"width": 360, "height": 740}
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 52


def test_a_generalist_adds_and_downloads_a_document_on_a_phone(
    page, login, generalist, make_household, tmp_path
):
    household = make_household()
    letter = tmp_path / "brief-verhuurder.pdf"
    letter.write_bytes(PDF)
    program = tmp_path / "factuur.pdf"
    program.write_bytes(EXE)

    page.set_viewport_size(PHONE)
    login("generalist")
    page.goto(f"/huishoudens/{household.uuid}/")
    section = page.locator("#documents")
    expect(section.get_by_text("Nog geen documenten.")).to_be_visible()  # loaded by htmx
    section.get_by_text("Document toevoegen").click()

    section.get_by_label("Bestand").set_input_files(str(program))
    section.get_by_role("button", name="Document opslaan").press("Enter")
    expect(section.locator(".error")).to_contain_text("EXE")  # refused by its content
    assert not HouseholdDocument.objects.exists()
    assert axe_serious(page) == []

    section.get_by_label("Bestand").set_input_files(str(letter))
    section.get_by_label("Soort").select_option("letter")
    section.get_by_label("Omschrijving").fill("Betalingsregeling huur")
    section.get_by_role("button", name="Document opslaan").press("Enter")

    link = section.get_by_role("link", name="brief-verhuurder.pdf downloaden")
    expect(link).to_be_visible()
    expect(section.get_by_role("status")).to_contain_text("Document opgeslagen")
    document = HouseholdDocument.objects.get()
    assert document.scan_status == ScanStatus.CLEAN
    with page.expect_download() as download:
        link.press("Enter")
    assert download.value.suggested_filename == "brief-verhuurder.pdf"
    assert Path(download.value.path()).read_bytes() == PDF
    assert axe_serious(page) == []
    assert horizontal_overflow(page, page.url) == []
