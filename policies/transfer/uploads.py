"""How much one upload to the admin's import may hold.

The web import runs inside the request, and gunicorn stops a worker that takes longer than 30 s
(`config/gunicorn.py`). An upload may therefore hold `WEB_IMPORT_MAX_FILES` files (zip members counted) and
`WEB_IMPORT_MAX_BYTES` of them, uncompressed; larger collections go through `manage.py import_policies`, which runs
as long as it needs. An upload is measured twice, and refused before any file is parsed: while Django reads the
request (`UploadLimit`, which stops reading at the limits, so that nothing beyond them is buffered or spooled
to disk), then as the files the import would take (`policies.forms.ImportForm`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext


class UploadLimit(FileUploadHandler):
    """Stops reading a request once it holds more files or bytes than the web import takes.

    Install it before anything reads `request.POST` or `request.FILES`. `exceeded` then says what the upload
    held beyond the limits (None if nothing), and the files Django kept are only those before the limit.
    """

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.files = 0
        self.received = 0
        self.exceeded: str | None = None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.files += 1
        if self.files > settings.WEB_IMPORT_MAX_FILES:
            self._stop(gettext("more than %(count)s files") % {"count": f"{settings.WEB_IMPORT_MAX_FILES:,}"})

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        # An upload's bytes are those of its files uncompressed but for a zip's records of its members: the
        # same limit holds for both.
        if self.received > settings.WEB_IMPORT_MAX_BYTES:
            self._stop(gettext("more than %(size)s") % {"size": filesizeformat(settings.WEB_IMPORT_MAX_BYTES)})
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the handlers after this one store the file

    def _stop(self, exceeded: str) -> None:
        self.exceeded = exceeded
        # Django reads the rest of the request and drops it, so that the browser still gets the answer.
        raise StopUpload(connection_reset=False)


def too_large(holds: str) -> str:
    """The refusal of an upload that holds more than the web import takes: what it held, and what to do."""
    return gettext(
        "This upload holds %(holds)s; an import here takes at most %(files)s files (zip members counted) and "
        "%(size)s at a time, so that it finishes within the request. Nothing was imported. Upload fewer files at "
        "a time, or import the whole collection on the server with `manage.py import_policies PATH` (files, "
        "folders or zip archives)."
    ) % {
        "holds": holds,
        "files": f"{settings.WEB_IMPORT_MAX_FILES:,}",
        "size": filesizeformat(settings.WEB_IMPORT_MAX_BYTES),
    }
