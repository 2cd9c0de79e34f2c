"""Where policy files come from: files, folders and zip archives, read safely and within size limits.

Every input becomes a `SourceFile` named by its path relative to what the user gave (a folder or a zip), which
is also where the record is exported to later. Zip members are read one by one, never extracted: a member that
tries to leave the archive, a link, a duplicate or an archive that would inflate beyond the limits is refused
by name.
"""

from __future__ import annotations

import functools
import os
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from django.utils.translation import gettext

MARKDOWN_SUFFIXES = (".md", ".markdown")
ZIP_MAX_MEMBERS = 50_000
ZIP_MAX_TOTAL_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class SourceFile:
    """One file to import: `name` is its '/'-separated path relative to the folder or zip it came from."""

    name: str
    size: int
    opener: Callable[[], IO[bytes]]
    problem: str | None = None
    label: str = ""

    @property
    def shown(self) -> str:
        """How reports name the file: with the archive it came from, if any."""
        return f"{self.label}:{self.name}" if self.label else self.name

    def read(self, limit: int) -> bytes:
        """The file's bytes; raises SourceTooLarge when it holds more than `limit` bytes, OSError when a zip
        member is damaged or holds other than the size it declares (the size the archive's limits counted)."""
        if self.size > limit:
            raise SourceTooLarge(self.size, limit)
        try:
            with self.opener() as stream:
                data = stream.read(limit + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise OSError(
                gettext("is damaged or holds more than the %(size)s bytes it declares (%(error)s)")
                % {"size": f"{self.size:,}", "error": error}
            ) from None
        if len(data) > limit:
            raise SourceTooLarge(len(data), limit)
        if self.label and len(data) != self.size:
            raise OSError(
                gettext("declares %(size)s bytes but holds %(held)s")
                % {"size": f"{self.size:,}", "held": f"{len(data):,}"}
            )
        return data


class SourceTooLarge(ValueError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            gettext("is %(size)s bytes, over the limit of %(limit)s bytes")
            % {"size": f"{size:,}", "limit": f"{limit:,}"}
        )


def refused(name: str, problem: str, label: str = "") -> SourceFile:
    return SourceFile(name=name, size=0, opener=_unreadable, problem=problem, label=label)


def _unreadable() -> IO[bytes]:
    raise OSError("refused source")


def iter_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[SourceFile]:
    """The policy files under `paths`: Markdown files, folders (recursively, sorted) and .zip archives."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from _iter_folder(path)
        elif path.suffix.lower() == ".zip" and path.is_file():
            yield from iter_zip(path, label=path.name)
        elif path.is_file():
            yield _local_file(path, path.name)
        elif path.exists():
            yield refused(str(path), gettext("is not a regular file, folder or zip archive"))
        else:
            yield refused(str(path), gettext("does not exist"))


def _iter_folder(root: Path) -> Iterator[SourceFile]:
    for folder, dirnames, filenames in os.walk(root):
        # Hidden folders (.git, .obsidian) hold no records; symlinked folders could leave the tree.
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for filename in sorted(filenames):
            if filename.startswith(".") or not filename.lower().endswith(MARKDOWN_SUFFIXES):
                continue
            path = Path(folder, filename)
            name = path.relative_to(root).as_posix()
            if path.is_symlink():
                yield refused(name, gettext("is a symbolic link; links are not followed"))
            elif problem := control_character_problem(name):
                yield refused(name, problem)
            else:
                yield _local_file(path, name)


def _local_file(path: Path, name: str) -> SourceFile:
    try:
        info = path.stat()
    except OSError as error:
        return refused(name, gettext("cannot be read: %(error)s") % {"error": error.strerror})
    if not stat.S_ISREG(info.st_mode):
        return refused(name, gettext("is not a regular file"))
    return SourceFile(name=name, size=info.st_size, opener=lambda: path.open("rb"))


def iter_zip(archive: str | os.PathLike[str] | IO[bytes], *, label: str) -> Iterator[SourceFile]:
    """The Markdown members of a zip archive, each checked before anything is read from it."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as error:
        yield refused(label, gettext("is not a readable zip archive (%(error)s)") % {"error": error})
        return
    members = zf.infolist()
    if len(members) > ZIP_MAX_MEMBERS:
        yield refused(
            label,
            gettext("has %(count)s entries, more than the limit of %(limit)s")
            % {"count": f"{len(members):,}", "limit": f"{ZIP_MAX_MEMBERS:,}"},
        )
        return
    total = sum(member.file_size for member in members)
    if total > ZIP_MAX_TOTAL_BYTES:
        yield refused(
            label,
            gettext("would inflate to %(size)s bytes, over the limit of %(limit)s")
            % {"size": f"{total:,}", "limit": f"{ZIP_MAX_TOTAL_BYTES:,}"},
        )
        return
    seen: set[str] = set()
    for member in members:
        if member.is_dir():
            continue
        name = member.filename
        problem = zip_member_problem(member)
        if problem is None and name.lower() in seen:
            problem = gettext("appears twice in the archive")
        seen.add(name.lower())
        if problem:
            yield refused(name, problem, label)
        elif name.lower().endswith(MARKDOWN_SUFFIXES) and not PurePosixPath(name).name.startswith("."):
            yield SourceFile(
                name=name,
                size=member.file_size,
                opener=functools.partial(zf.open, member),
                label=label,
            )


def zip_member_problem(member: zipfile.ZipInfo) -> str | None:
    """Why a zip member must not be read, or None."""
    name = member.filename
    if "\\" in name or (len(name) > 1 and name[1] == ":"):
        return gettext("has a Windows path (backslash or drive letter)")
    if name.startswith("/"):
        return gettext("has an absolute path")
    if ".." in PurePosixPath(name).parts:
        return gettext("has a path that leaves the archive ('..')")
    if stat.S_ISLNK(member.external_attr >> 16):
        return gettext("is a symbolic link")
    if "\x00" in name:
        return gettext("has a NUL byte in its name")
    return control_character_problem(name)


def control_character_problem(path: str) -> str | None:
    """Why `path` cannot be where a record's file lives because of a character in it, or None.

    The path is where the export writes the record again: a line break, tab or other control character in it
    names a file that reports, listings and checkouts on other platforms show as something else, or not at all.
    """
    for character in path:
        if unicodedata.category(character) in ("Cc", "Zl", "Zp"):
            return gettext("has a control character in its name (%(character)r, U+%(code)04X)") % {
                "character": character,
                "code": ord(character),
            }
    return None


def iter_uploads(uploads: Iterable) -> Iterator[SourceFile]:
    """Files uploaded through the admin: Markdown files, or zip archives of them."""
    for upload in uploads:
        name = PurePosixPath(upload.name.replace("\\", "/")).name
        if name.lower().endswith(".zip"):
            yield from iter_zip(upload, label=name)
        elif name.lower().endswith(MARKDOWN_SUFFIXES):
            yield SourceFile(name=name, size=upload.size, opener=functools.partial(upload.open, "rb"))
        else:
            yield refused(name, gettext("is neither a Markdown file (.md) nor a zip archive"))
