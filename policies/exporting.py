"""Records -> policy files.

By default only published content is written: for each record that is not rejected, the newest version a
reviewer verified. Each file goes back to the path it was imported from, rendered on top of that file's own text
so that an unedited record comes out byte-identical and an edited one differs only in the edited keys. Files are
replaced atomically and only when their bytes change.
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
from django.utils import timezone

from policies import frontmatter, locks, records, snapshots
from policies.models import FileSnapshot, Policy, PolicyFile, ReviewState


class Outcome(StrEnum):
    WRITTEN = "written"
    UNCHANGED = "unchanged"
    WOULD_CHANGE = "would change"
    FAILED = "failed"


@dataclass
class ExportResult:
    path: str
    outcome: Outcome
    policy_id: str
    message: str = ""


@dataclass
class ExportReport:
    results: list[ExportResult] = field(default_factory=list)
    skipped: int = 0

    @property
    def counts(self) -> Counter[Outcome]:
        return Counter(result.outcome for result in self.results)

    @property
    def ok(self) -> bool:
        return not self.counts[Outcome.FAILED]


@dataclass(frozen=True)
class RenderedPolicy:
    policy: Policy
    path: str
    text: str
    values: dict[str, Any]
    content_hash: str = ""  # of `values`, when already computed


def published_version(policy: Policy) -> Any | None:
    """The version of a record that is published: its newest verified one, unless the record is rejected."""
    if policy.state == ReviewState.REJECTED:
        return None
    if policy.state == ReviewState.VERIFIED:
        return policy
    return policy.last_verified_version()


def render_policy(policy: Policy, version: Any | None = None) -> RenderedPolicy:
    """The file text of `version` (a historical version of the record, or the record itself by default)."""
    values = records.policy_values(version if version is not None else policy)
    content_hash = records.content_hash(values)
    policy_file = policy.file_or_none
    if policy_file is None:
        path = f"{values['policy_id']}.md"
        text = frontmatter.render(None, records.data_from_values(values, None), values["body"])
    elif content_hash == policy_file.content_hash:
        path, text = policy_file.path, policy_file.snapshot.text
    else:
        document = frontmatter.parse(policy_file.snapshot.text)
        path = policy_file.path
        text = frontmatter.render(document, records.data_from_values(values, document.data), values["body"])
    return RenderedPolicy(policy, path, text, values, content_hash)


def iter_rendered(*, all_records: bool) -> Iterator[RenderedPolicy | Policy]:
    """Rendered files of the records to export; a record with nothing to publish is yielded as itself."""
    queryset = Policy.objects.select_related("file__snapshot").order_by("policy_id")
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
    progress: Callable[[Iterable[Any]], Iterator[Any]] | None = None,
) -> ExportReport:
    """Write the records' files below `out_dir` (nothing with `check`, which reports what would change)."""
    root = Path(out_dir).resolve()
    report = ExportReport()
    if not check:
        remove_stale_temp_files(root)
    items = iter_rendered(all_records=all_records)
    for item in progress(items) if progress else items:
        if isinstance(item, Policy):
            report.skipped += 1
            continue
        report.results.append(_export_one(item, root, check=check))
    return report


def _export_one(rendered: RenderedPolicy, root: Path, *, check: bool) -> ExportResult:
    policy_id = rendered.values["policy_id"]
    try:
        target = safe_target(root, rendered.path)
    except ValueError as error:
        return ExportResult(rendered.path, Outcome.FAILED, policy_id, str(error))
    data = rendered.text.encode("utf-8")
    try:
        current = target.read_bytes() if target.exists() else None
    except OSError as error:
        return ExportResult(rendered.path, Outcome.FAILED, policy_id, f"cannot be read: {error.strerror}")
    if current == data:
        outcome = Outcome.UNCHANGED
    elif check:
        return ExportResult(rendered.path, Outcome.WOULD_CHANGE, policy_id, "new file" if current is None else "")
    else:
        try:
            write_atomically(target, data)
        except OSError as error:
            return ExportResult(
                rendered.path, Outcome.FAILED, policy_id, f"could not be written: {error.strerror or error}"
            )
        outcome = Outcome.WRITTEN
    if not check:
        _record_export(rendered, data)
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


_TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def remove_stale_temp_files(root: Path) -> list[Path]:
    """Delete the temporary files of `write_atomically` that a killed export left below `root`.

    Only safe while holding the export lock: a running export's own temporary file looks the same.
    """
    removed = []
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            path = Path(folder, name)
            if _TEMP_NAME.match(name) and path.is_file() and not path.is_symlink():
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


def _record_export(rendered: RenderedPolicy, data: bytes) -> None:
    """The written file is now what app and collection agree on: the template and the base for conflicts."""
    file_sha256 = hashlib.sha256(data).hexdigest()
    content_hash = rendered.content_hash or records.content_hash(rendered.values)
    # The record was read with its file: when that already says so there is nothing to record, nor to lock.
    loaded = rendered.policy.file_or_none
    if loaded is not None and (loaded.path, loaded.file_sha256, loaded.content_hash) == (
        rendered.path,
        file_sha256,
        content_hash,
    ):
        return
    with transaction.atomic():
        policy_file = PolicyFile.objects.select_for_update().filter(policy=rendered.policy).first()
        if policy_file and (policy_file.path, policy_file.file_sha256, policy_file.content_hash) == (
            rendered.path,
            file_sha256,
            content_hash,
        ):
            return
        policy_file = policy_file or PolicyFile(policy_id=rendered.policy.pk)
        policy_file.path = rendered.path
        policy_file.snapshot = FileSnapshot.for_text(rendered.text)
        policy_file.file_sha256 = file_sha256
        policy_file.content_hash = content_hash
        policy_file.synced_at = timezone.now()
        policy_file.save()


@snapshots.reading_consistently
def export_to_zip(*, all_records: bool = False) -> tuple[bytes, ExportReport]:
    """The records' files in a zip archive, for download; the collection's sync state is left as it is."""
    report = ExportReport()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in iter_rendered(all_records=all_records):
            if isinstance(item, Policy):
                report.skipped += 1
                continue
            archive.writestr(item.path, item.text.encode("utf-8"))
            report.results.append(ExportResult(item.path, Outcome.WRITTEN, item.values["policy_id"]))
    return buffer.getvalue(), report
