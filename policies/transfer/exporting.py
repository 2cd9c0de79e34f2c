"""Records -> policy files.

By default only published content is written: for each record that is not rejected, the newest version a
reviewer verified. Each file goes back to the path it was imported from, rendered on top of the text of the file
that version came from, so that an unedited record comes out byte-identical and an edited one differs only in
the edited keys. Files are replaced atomically and only when their bytes change; two records never share one.

What each file holds, and what it says of its review, is `policies.filetext`'s: the export decides which records
are written, and where, and writes them safely.

Every export lists the files below the folder that it wrote earlier (their bytes are ones it exported) and that
no longer belong to a published record; `prune` removes them. A file the app did not write is never touched.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any

from django.db import transaction
from django.utils.translation import gettext, pgettext_lazy

from policies import locks, records
from policies.filetext import RenderedPolicy, published_version, render_policy
from policies.models import Policy, PolicyFile, SeenFile
from policies.transfer import snapshots, sources


class ExportOutcome(StrEnum):
    WRITTEN = "written"
    UNCHANGED = "unchanged"
    WOULD_CHANGE = "would change"
    STALE = "stale"
    REMOVED = "removed"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """The outcome in the reader's language; the value stays the word the API uses."""
        return str(OUTCOME_LABELS[self])


OUTCOME_LABELS = {
    ExportOutcome.WRITTEN: pgettext_lazy("export outcome", "written"),
    ExportOutcome.UNCHANGED: pgettext_lazy("export outcome", "unchanged"),
    ExportOutcome.WOULD_CHANGE: pgettext_lazy("export outcome", "would change"),
    ExportOutcome.STALE: pgettext_lazy("export outcome", "stale"),
    ExportOutcome.REMOVED: pgettext_lazy("export outcome", "removed"),
    ExportOutcome.FAILED: pgettext_lazy("export outcome", "failed"),
}


@dataclass
class ExportResult:
    path: str
    outcome: ExportOutcome
    policy_id: str
    message: str = ""


@dataclass
class ExportReport:
    results: list[ExportResult] = field(default_factory=list)
    skipped: int = 0

    @property
    def counts(self) -> Counter[ExportOutcome]:
        return Counter(result.outcome for result in self.results)

    @property
    def ok(self) -> bool:
        return not self.counts[ExportOutcome.FAILED]

    @property
    def changes_pending(self) -> bool:
        """What `--check` fails on: files that would be written, or stale files left to prune."""
        return bool(self.counts[ExportOutcome.WOULD_CHANGE] or self.counts[ExportOutcome.STALE])


def iter_rendered(*, all_records: bool) -> Iterator[RenderedPolicy | Policy]:
    """Rendered files of the records to export; a record with nothing to publish is yielded as itself."""
    queryset = Policy.objects.select_related("file", "template").order_by("policy_id")
    for policy in queryset.iterator(chunk_size=200):
        version = policy if all_records else published_version(policy)
        yield policy if version is None else render_policy(policy, version)
        policy.forget_related()


@locks.exclusively("export")
@snapshots.reading_consistently
def export_to_folder(
    out_dir: str | os.PathLike[str],
    *,
    all_records: bool = False,
    check: bool = False,
    prune: bool = False,
    progress: Callable[[Iterable[Any]], Iterator[Any]] | None = None,
) -> ExportReport:
    """Write the records' files below `out_dir` (nothing with `check`, which reports what would change).

    Files the app wrote there earlier that no longer belong to an exported record are reported as stale, and
    removed with `prune`.
    """
    root = Path(out_dir).resolve()
    report = ExportReport()
    if not check:
        remove_stale_temp_files(root)
    exported = set(SeenFile.objects.filter(how=SeenFile.How.EXPORTED).values_list("sha256", flat=True))
    targets: dict[str, str] = {}
    items = iter_rendered(all_records=all_records)
    for item in _to_write(progress(items) if progress else items, report, targets):
        report.results.append(_export_one(item, root, check=check, exported=exported))
    report.results.extend(_stale_files(root, set(targets), exported, check=check, prune=prune))
    return report


def _to_write(
    items: Iterable[RenderedPolicy | Policy], report: ExportReport, targets: dict[str, str]
) -> Iterator[RenderedPolicy]:
    """The files to write: records with nothing published are counted as skipped, and a record whose path
    another one wrote first (`targets`, by path folded to lower case, as checkouts may) is refused."""
    for item in items:
        if isinstance(item, Policy):
            report.skipped += 1
            continue
        unsafe = sources.control_character_problem(item.path)
        if unsafe is not None:
            # Only a record stored before its id or its file's name was checked for them has one.
            failed = ExportResult(
                item.path,
                ExportOutcome.FAILED,
                item.values["policy_id"],
                gettext("%(problem)s; not written") % {"problem": unsafe},
            )
            report.results.append(failed)
            continue
        holder = targets.setdefault(item.path.casefold(), item.values["policy_id"])
        if holder != item.values["policy_id"]:
            report.results.append(_shared_path(item, holder))
            continue
        yield item


def _shared_path(rendered: RenderedPolicy, holder: str) -> ExportResult:
    return ExportResult(
        rendered.path,
        ExportOutcome.FAILED,
        rendered.values["policy_id"],
        gettext("is also the file of the record %(id)s; two records never share a file, so this one was not written")
        % {"id": holder},
    )


def _stale_files(
    root: Path, exported_paths: set[str], exported: set[str], *, check: bool, prune: bool
) -> Iterator[ExportResult]:
    """Files below `root` that this app wrote and that no exported record's file is any more."""
    if not root.is_dir():
        return
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(folder, name)
            relative = path.relative_to(root).as_posix()
            if not name.endswith(".md") or relative.casefold() in exported_paths or path.is_symlink():
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if hashlib.sha256(data).hexdigest() not in exported:
                continue  # not written by this app, or changed by someone since: never touched
            if not prune or check:
                yield ExportResult(
                    relative, ExportOutcome.STALE, "", gettext("written by an earlier export; no record's file now")
                )
                continue
            try:
                path.unlink()
            except OSError as error:
                yield ExportResult(
                    relative,
                    ExportOutcome.FAILED,
                    "",
                    gettext("could not be removed: %(error)s") % {"error": error.strerror or error},
                )
                continue
            yield ExportResult(
                relative, ExportOutcome.REMOVED, "", gettext("written by an earlier export; no record's file now")
            )


def _export_one(rendered: RenderedPolicy, root: Path, *, check: bool, exported: set[str]) -> ExportResult:
    policy_id = rendered.values["policy_id"]
    try:
        target = safe_target(root, rendered.path)
    except ValueError as error:
        return ExportResult(rendered.path, ExportOutcome.FAILED, policy_id, str(error))
    data = rendered.text.encode("utf-8")
    try:
        current = target.read_bytes() if target.exists() else None
    except OSError as error:
        return ExportResult(
            rendered.path,
            ExportOutcome.FAILED,
            policy_id,
            gettext("cannot be read: %(error)s") % {"error": error.strerror},
        )
    if current == data:
        outcome = ExportOutcome.UNCHANGED
    elif check:
        return ExportResult(
            rendered.path, ExportOutcome.WOULD_CHANGE, policy_id, gettext("new file") if current is None else ""
        )
    else:
        try:
            write_atomically(target, data)
        except OSError as error:
            return ExportResult(
                rendered.path,
                ExportOutcome.FAILED,
                policy_id,
                gettext("could not be written: %(error)s") % {"error": error.strerror or error},
            )
        outcome = ExportOutcome.WRITTEN
    if not check:
        _record_export(rendered, data, exported)
    return ExportResult(rendered.path, outcome, policy_id)


def safe_target(root: Path, relative: str) -> Path:
    """`root / relative`, refusing any path that would end up outside `root`."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or "\\" in relative or not pure.parts:
        raise ValueError(f"{relative!r} is not a safe relative path")
    target = root.joinpath(*pure.parts)
    if not target.parent.resolve().is_relative_to(root) or target.is_symlink():
        raise ValueError(f"{relative!r} would be written outside the export folder")
    return target


_TEMP_NAME = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


def remove_stale_temp_files(root: Path) -> list[Path]:
    """Delete the temporary files of `write_atomically` that a killed export left below `root`.

    Only safe while holding the export lock: a running export's own temporary file looks the same.
    """
    removed = []
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            path = Path(folder, name)
            if _TEMP_NAME.fullmatch(name) and path.is_file() and not path.is_symlink():
                path.unlink()
                removed.append(path)
    return removed


def write_atomically(target: Path, data: bytes) -> None:
    """Replace `target` with `data` so that a crash leaves either the old file or the new one, never a part.

    A rewritten file keeps its permissions; a new one gets those `open()` would give it (0o666 less the umask), not
    the owner-only mode of the temporary file: the site that reads the files may run as another user.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    descriptor, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as temp:
            os.fchmod(temp.fileno(), mode)
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _umask() -> int:
    """The process's umask, read without changing it where Linux reports it (/proc/self/status, since 4.7)."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    # Elsewhere it can only be read by setting it and putting it back. The umask belongs to the whole process, so
    # a thread creating a file in between gets 0o077 for it: too private at worst, never more open than meant.
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _record_export(rendered: RenderedPolicy, data: bytes, exported: set[str]) -> None:
    """Remember the bytes as the exported version's, and the record's path if it had none."""
    sha256 = hashlib.sha256(data).hexdigest()
    if sha256 in exported and rendered.policy.file_or_none is not None:
        return  # the usual case, nothing to write: every export of an unchanged collection
    with transaction.atomic():
        has_file = PolicyFile.objects.filter(policy=rendered.policy).exists()
        if not has_file and not PolicyFile.objects.filter(path=rendered.path).exists():
            PolicyFile.objects.create(policy=rendered.policy, path=rendered.path)
        # Marked as exported even when an import saw the same bytes first: the export wrote them here too.
        SeenFile.objects.bulk_create(
            [
                SeenFile(
                    policy=rendered.policy,
                    sha256=sha256,
                    content_hash=records.content_hash(rendered.values),
                    how=SeenFile.How.EXPORTED,
                    version=rendered.version,
                )
            ],
            update_conflicts=True,
            unique_fields=["sha256"],
            update_fields=["how"],
        )
    exported.add(sha256)


@snapshots.reading_consistently
def export_to_zip(*, all_records: bool = False) -> tuple[bytes, ExportReport]:
    """The records' files in a zip archive, for download; the collection's sync state is left as it is."""
    report = ExportReport()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in _to_write(iter_rendered(all_records=all_records), report, {}):
            archive.writestr(item.path, item.text.encode("utf-8"))
            report.results.append(ExportResult(item.path, ExportOutcome.WRITTEN, item.values["policy_id"]))
    return buffer.getvalue(), report
