"""The Dutch catalogue covers every UI string and the compiled catalogue matches it."""

import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"
SOURCE_DIRS = ("socialdomain", "cases", "teams", "networks", "templates")


def entries(po):
    return {(e.msgctxt, e.msgid, e.msgid_plural) for e in po if not e.obsolete}


def test_every_message_is_translated():
    po = polib.pofile(str(PO))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or e.fuzzy)]
    assert not missing, f"untranslated or fuzzy in {PO.name}: {missing}"


def test_compiled_catalogue_is_up_to_date():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    assert {e.msgid: e.msgstr for e in po.translated_entries() if not e.msgid_plural} == {
        e.msgid: e.msgstr for e in mo if e.msgid and not e.msgid_plural
    }, "run: python manage.py compilemessages"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext (xgettext) is not installed")
def test_catalogue_contains_every_string_in_the_code(tmp_path, settings, monkeypatch):
    # makemessages writes next to the sources: run it on a copy
    source = tmp_path / "src"
    for name in SOURCE_DIRS:
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    (source / "locale").mkdir()
    settings.LOCALE_PATHS = [source / "locale"]
    monkeypatch.chdir(source)
    call_command("makemessages", locale=["nl"], no_location=True, verbosity=0)
    fresh = polib.pofile(str(source / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    missing = entries(fresh) - entries(polib.pofile(str(PO)))
    assert not missing, (
        f"run: python manage.py makemessages -l nl --no-location; missing: {missing}"
    )
