"""What a document may be: its size (`settings.DOCUMENT_MAX_BYTES`) and its type, read from the
content (the `filetype` library reads the file's first bytes, its "magic number"), never from
the name. The type must be one of `settings.DOCUMENT_ALLOWED_TYPES` (file types by their usual
extension: pdf, jpg, png, docx, ...), and the name's extension must match what the content is:
a PDF named `.exe` and a program named `.pdf` are both refused."""

import hashlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# names that mean the same type as the one filetype reports
EXTENSION_ALIASES = {"jpeg": "jpg", "tiff": "tif"}
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    extension: str  # the type the content shows (filetype's extension)
    content_type: str
    size: int
    sha256: str


def _extension(filename: str) -> str:
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    return EXTENSION_ALIASES.get(suffix, suffix)


def allowed_types() -> list[str]:
    return [EXTENSION_ALIASES.get(t.lower(), t.lower()) for t in settings.DOCUMENT_ALLOWED_TYPES]


def clean_filename(filename: str) -> str:
    """The name as shown and offered on download: no directories, no control characters."""
    name = PurePath(str(filename).replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"/\\')
    return name.strip()[:255]


def check_file(*, stream: BinaryIO, filename: str) -> CheckedFile:
    """Check size and type of an upload; raise `ValidationError` with the reason. The stream is
    read once (for its hash) and left at its start."""
    name = clean_filename(filename)
    if not name:
        raise ValidationError(_("The file has no name."))
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    digest = hashlib.sha256(head)
    size = len(head)
    maximum = settings.DOCUMENT_MAX_BYTES
    while chunk := stream.read(64 * 1024):
        size += len(chunk)
        if size > maximum:
            break
        digest.update(chunk)
    stream.seek(0)
    if size == 0:
        raise ValidationError(_("The file is empty."))
    if size > maximum:
        raise ValidationError(
            _("The file is larger than %(maximum)s.") % {"maximum": filesizeformat(maximum)}
        )
    kind = filetype.guess(head)
    allowed = allowed_types()
    shown = ", ".join(f".{extension}" for extension in allowed)
    if kind is None:
        raise ValidationError(
            _("The type of this file cannot be recognised from its content. Allowed: %(allowed)s.")
            % {"allowed": shown}
        )
    if kind.extension not in allowed:
        raise ValidationError(
            _("This file is a %(type)s file by its content; allowed are %(allowed)s.")
            % {"type": kind.extension.upper(), "allowed": shown}
        )
    extension = _extension(name)
    if extension != kind.extension:
        raise ValidationError(
            _(
                "The file's name ends in “.%(extension)s” but its content is a %(type)s file. "
                "Give it the right name, or choose another file."
            )
            % {"extension": extension or "", "type": kind.extension.upper()}
        )
    return CheckedFile(
        filename=name,
        extension=kind.extension,
        content_type=kind.mime,
        size=size,
        sha256=digest.hexdigest(),
    )
