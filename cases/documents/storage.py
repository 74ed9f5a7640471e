"""Where documents are kept: the `documents` alias of `settings.STORAGES` (a private directory on
local disk by default, S3-compatible storage such as MinIO by setting, via django-storages).
Files are named by the household's and the document's UUID, never by what the user called
them, and are never served under a URL: `cases.documents.views.document_download` streams them
after checking and logging."""

import logging
from collections.abc import Iterable

from django.core.files.storage import FileSystemStorage, Storage, storages

logger = logging.getLogger(__name__)


class PrivateFileSystemStorage(FileSystemStorage):
    """Local disk without URLs: a document is only ever handed out by the download view, which
    checks and logs; asking its URL is a programming error."""

    def url(self, name):
        raise NotImplementedError(
            "household documents have no URL: download them through cases:document_download"
        )


def document_storage() -> Storage:
    return storages["documents"]


def storage_name_for(*, household_uuid, document_uuid) -> str:
    return f"{household_uuid}/{document_uuid}"


def files_delete(names: Iterable[str]) -> int:
    """Delete stored files (called on commit of the transaction that removed their rows). A
    file that cannot be deleted is logged, not raised: the row is gone already."""
    storage = document_storage()
    deleted = 0
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:
            logger.exception("could not delete a stored document file")
            continue
        deleted += 1
    return deleted
