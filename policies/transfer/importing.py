"""Policy files -> records.

Each file is imported on its own, atomically, and ends with one outcome and a reason. A file is refused only when
the app cannot hold it faithfully and safely (not YAML, not a mapping, an id that cannot name a file, tags, bombs,
bad bytes, NUL characters even written as escapes, too large); a value its field cannot hold is kept as written
and reported as a problem, with its line and column, for an editor to fix in the app (`records.problems`). A file
the app has already seen is older than the record, never newer: bytes it has read or written are recognised by
their hash without being parsed, and content that any version of the record had changes nothing. Only content the
app has never seen is a change: taken whole when nobody changed the record since the content it descends from,
merged field by field when both sides changed different fields, and left alone as a conflict for an editor to
settle when both changed the same field (`policies.merging`); `force` takes the file whole.

Files are read and parsed a batch at a time outside any transaction, then the batch is stored in one transaction
with a savepoint per file: a file still lands whole or not at all, but a commit (a disk flush on PostgreSQL) and
the lookup of existing records are shared by the batch, and the database is locked only while storing. The
batch's new records are inserted together, a few statements for all of them, unless the database refuses one.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy

from policies import checks, filetext, locks, records, saving
from policies.codec import frontmatter
from policies.models import FacilityList, FileSnapshot, ImportConflict, Policy, PolicyFile, SeenFile, history_row
from policies.transfer import merging
from policies.transfer.sources import SourceFile, SourceTooLarge


class ImportOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    MERGED = "merged"
    UNCHANGED = "unchanged"
    OLDER = "older"
    REJECTED = "rejected"
    CONFLICT = "conflict"

    @property
    def label(self) -> str:
        """The outcome in the reader's language; the value stays the word the API and the files use."""
        return str(OUTCOME_LABELS[self])


OUTCOME_LABELS = {
    ImportOutcome.CREATED: pgettext_lazy("import outcome", "created"),
    ImportOutcome.UPDATED: pgettext_lazy("import outcome", "updated"),
    ImportOutcome.MERGED: pgettext_lazy("import outcome", "merged"),
    ImportOutcome.UNCHANGED: pgettext_lazy("import outcome", "unchanged"),
    ImportOutcome.OLDER: pgettext_lazy("import outcome", "older"),
    ImportOutcome.REJECTED: pgettext_lazy("import outcome", "rejected"),
    ImportOutcome.CONFLICT: pgettext_lazy("import outcome", "conflict"),
}


@dataclass
class FileResult:
    name: str
    outcome: ImportOutcome
    message: str = ""
    policy_id: str | None = None
    warnings: list[str] = field(default_factory=list)
    # What must be fixed before the record can be approved: "line 28, column 12, field ...: what is wrong".
    problems: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """The outcome, with how many problems the file brought (`created, 2 problems`)."""
        if not self.problems:
            return self.outcome.label
        count = len(self.problems)
        return ngettext("%(outcome)s, %(count)d problem", "%(outcome)s, %(count)d problems", count) % {
            "outcome": self.outcome.label,
            "count": count,
        }


@dataclass
class ImportReport:
    results: list[FileResult] = field(default_factory=list)
    dry_run: bool = False

    @property
    def counts(self) -> Counter[ImportOutcome]:
        return Counter(result.outcome for result in self.results)

    @property
    def ok(self) -> bool:
        """True when no file was rejected or left in conflict (files admitted with problems are fine)."""
        counts = self.counts
        return not counts[ImportOutcome.REJECTED] and not counts[ImportOutcome.CONFLICT]

    @property
    def problem_count(self) -> int:
        return sum(len(result.problems) for result in self.results)

    @property
    def problem_summary(self) -> str:
        """How many problems the import brought, in how many files; empty if none."""
        count = self.problem_count
        if not count:
            return ""
        files = sum(1 for result in self.results if result.problems)
        in_files = ngettext("in %(files)d file", "in %(files)d files", files) % {"files": files}
        return ngettext(
            "%(count)d problem %(in_files)s needs fixing before approval.",
            "%(count)d problems %(in_files)s need fixing before approval.",
            count,
        ) % {"count": count, "in_files": in_files}


class _Rejected(Exception):
    def __init__(self, message: str, policy_id: str | None = None) -> None:
        super().__init__(message)
        self.policy_id = policy_id


class _DryRun(Exception):
    """Raised to roll back a dry run's transaction after its outcome is known."""


@dataclass
class _Seen:
    """A file whose bytes the app has read or written before: decided by its hash, never parsed."""

    source: SourceFile
    file_sha256: str


# A batch ends at this many files to store or after this long reading them, whichever comes first: SQLite's
# writers wait for the whole batch's transaction, so it must stay short.
BATCH_FILES = 100
BATCH_SECONDS = 0.5
# Other than on PostgreSQL (see `_insert`), new records are inserted this many to a statement: a statement of a
# hundred seed-sized rows takes tens of MB to build on the client.
BULK_ROWS = 20
# An import that stores this many records refreshes PostgreSQL's planner statistics (`_refresh_planner_statistics`).
ANALYZE_AFTER = 1000


@dataclass
class _Parsed:
    """A file read, parsed and checked, waiting for its batch to be stored."""

    source: SourceFile
    document: frontmatter.Document
    values: dict
    file_sha256: str
    warnings: list[checks.Finding]

    @property
    def policy_id(self) -> str:
        return self.values["policy_id"]


def check_import_permission(user) -> None:
    """Only people who may add and change policies import them; commands without a user act as the system."""
    if user is not None and not (user.has_perm("policies.add_policy") and user.has_perm("policies.change_policy")):
        raise PermissionDenied(gettext("Importing policies needs the permissions to add and change policies."))


@locks.exclusively("import")
@checks.deferred_refresh()
def import_sources(
    sources: Iterable[SourceFile],
    *,
    user=None,
    origin: str,
    force: bool = False,
    dry_run: bool = False,
    progress: Callable[[Iterable[SourceFile]], Iterator[SourceFile]] | None = None,
) -> ImportReport:
    """Import every source file and report what happened to each.

    `origin` names the door the files came through ("import_policies", "admin upload") in each history entry.
    """
    check_import_permission(user)
    report = ImportReport(dry_run=dry_run)
    known_hashes = set(SeenFile.objects.filter(policy__isnull=False).values_list("sha256", flat=True))
    ids_seen: dict[str, str] = {}
    batch: list[FileResult | _Parsed | _Seen] = []
    batch_hashes: set[str] = set()
    started = time.monotonic()

    def store_batch() -> None:
        report.results.extend(
            _store_batch(batch, user=user, origin=origin, force=force, dry_run=dry_run, known_hashes=known_hashes)
        )
        batch.clear()
        batch_hashes.clear()

    for source in progress(sources) if progress else sources:
        item = _read_one(source, known_hashes=known_hashes, ids_seen=ids_seen, batch_hashes=batch_hashes)
        if item is None:
            # The same bytes wait in this batch: once it is stored they are known, as one file at a time had it.
            store_batch()
            item = _read_one(source, known_hashes=known_hashes, ids_seen=ids_seen, batch_hashes=batch_hashes)
            assert item is not None  # no bytes are pending now
        if isinstance(item, _Parsed):
            batch_hashes.add(item.file_sha256)
        if not batch:
            started = time.monotonic()
        batch.append(item)
        if len(batch_hashes) >= BATCH_FILES or (batch_hashes and time.monotonic() - started > BATCH_SECONDS):
            store_batch()
    store_batch()
    _refresh_planner_statistics(report)
    return report


def _refresh_planner_statistics(report: ImportReport) -> None:
    """After a large import, have PostgreSQL describe the tables anew before anyone lists them.

    Its statistics are refreshed by autovacuum a minute or more after the rows change; until then the planner
    plans the admin list for the table it last sampled (after 20,000 new records into an empty table, it read
    the whole table to list fifty: 117 ms instead of 46).
    """
    stored = report.counts[ImportOutcome.CREATED] + report.counts[ImportOutcome.UPDATED]
    if report.dry_run or stored < ANALYZE_AFTER or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Policy, Policy.history.model, PolicyFile):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _read_one(
    source: SourceFile, *, known_hashes: set[str], ids_seen: dict[str, str], batch_hashes: set[str]
) -> FileResult | _Parsed | _Seen | None:
    """The file read, parsed and checked; its result if that already decides it; None if its bytes are pending."""
    try:
        if source.problem:
            raise _Rejected(source.problem)
        try:
            raw = source.read(settings.POLICY_FILE_MAX_BYTES)
        except SourceTooLarge as error:
            raise _Rejected(str(error)) from None
        except OSError as error:
            raise _Rejected(gettext("cannot be read: %(error)s") % {"error": error.strerror or error}) from None
        file_sha256 = hashlib.sha256(raw).hexdigest()
        if file_sha256 in known_hashes:
            return _Seen(source, file_sha256)
        if file_sha256 in batch_hashes:
            return None
        document = _parse(raw)
        try:
            values = records.values_from_data(document.data, document.body)
        except records.RecordError as error:
            raise _Rejected(_describe_problems(document, error)) from None
        policy_id = values["policy_id"]
        if policy_id in ids_seen:
            raise _Rejected(
                gettext("has the same id %(id)r as %(other)s") % {"id": policy_id, "other": ids_seen[policy_id]},
                policy_id,
            )
        ids_seen[policy_id] = source.shown
        warnings = checks.locate(checks.check_values(values, document.data), document)
        return _Parsed(source, document, values, file_sha256, warnings)
    except _Rejected as rejection:
        return FileResult(source.shown, ImportOutcome.REJECTED, str(rejection), rejection.policy_id)


def _store_batch(
    batch: list[FileResult | _Parsed | _Seen],
    *,
    user,
    origin: str,
    force: bool,
    dry_run: bool,
    known_hashes: set[str],
) -> list[FileResult]:
    """Store the batch's parsed files, each in a savepoint of one transaction; the results in the batch's order."""
    parsed = [item for item in batch if isinstance(item, _Parsed)]
    seen = _judge_seen([item for item in batch if isinstance(item, _Seen)])
    stored: dict[str, FileResult] = {}
    existing: dict[str, Policy] = {}
    if parsed:
        with transaction.atomic():
            _compress_quickly()
            # Ids are unique within an import, so each record is looked up (and locked) once, for the whole batch.
            existing = {
                policy.policy_id: policy
                for policy in Policy.objects.select_for_update(of=("self",), no_key=True)
                .select_related("file")
                .filter(policy_id__in=[item.policy_id for item in parsed])
            }
            new = [item for item in parsed if item.policy_id not in existing]
            if len(new) > 1 and not dry_run:
                stored.update(_store_new_together(new, user=user, origin=origin))
            for file in parsed:
                if file.file_sha256 not in stored:
                    stored[file.file_sha256] = _store_one(
                        file, existing.get(file.policy_id), user=user, origin=origin, force=force, dry_run=dry_run
                    )
            if not dry_run:
                checks.store_batch_warnings()
    for policy in existing.values():
        policy.forget_related()
    results = []
    for item in batch:
        if isinstance(item, FileResult):
            results.append(item)
            continue
        if isinstance(item, _Seen):
            results.append(seen[item.file_sha256])
            continue
        result = stored[item.file_sha256]
        if result.outcome is not ImportOutcome.REJECTED:
            if not dry_run and result.outcome is not ImportOutcome.CONFLICT:
                known_hashes.add(item.file_sha256)
            result.warnings = [str(warning) for warning in item.warnings if not warning.blocking]
            if result.outcome in (ImportOutcome.CREATED, ImportOutcome.UPDATED):
                result.problems = [warning.located for warning in item.warnings if warning.blocking]
        results.append(result)
    return results


def _judge_seen(items: list[_Seen]) -> dict[str, FileResult]:
    """Results for files whose bytes the app has seen: the record's content, or an older version of it."""
    if not items:
        return {}
    known = {
        row["sha256"]: row
        for row in SeenFile.objects.filter(sha256__in=[item.file_sha256 for item in items]).values(
            "sha256", "content_hash", "version", "policy__policy_id", "policy__content_hash", "policy__version"
        )
    }
    results = {}
    for item in items:
        row = known[item.file_sha256]
        policy_id = row["policy__policy_id"]
        if row["content_hash"] == row["policy__content_hash"]:
            results[item.file_sha256] = FileResult(
                item.source.shown,
                ImportOutcome.UNCHANGED,
                gettext("same bytes as a file already read or written (the record's version %(version)d)")
                % {"version": row["policy__version"]},
                policy_id,
            )
        else:
            results[item.file_sha256] = FileResult(
                item.source.shown,
                ImportOutcome.OLDER,
                _older(row["version"], row["policy__version"]),
                policy_id,
            )
    return results


def _older(version: int, current: int) -> str:
    if version == current:
        # A file merged into the record, or settled field by field: the record holds what it brought, and more.
        return gettext("older than the record: already taken into its version %(version)d; nothing was changed") % {
            "version": version
        }
    return gettext(
        "older than the record (version %(version)d; the record is at version %(current)d): nothing was changed"
    ) % {"version": version, "current": current}


def _compress_quickly() -> None:
    """On PostgreSQL, compress the transaction's long values (texts, facility lists) with lz4 where it can.

    PostgreSQL compresses every value over about 2 KB before storing it, with pglz unless told otherwise: for
    seed-sized records that was a third of the server's work in an import. lz4 compresses several times faster
    (and a little less tightly); values keep the method they were stored with, and every reader decompresses
    either. A server built without lz4 keeps pglz.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(name, 'lz4', true) FROM pg_settings "
            "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
        )


def _store_one(item: _Parsed, policy: Policy | None, *, user, origin: str, force: bool, dry_run: bool) -> FileResult:
    try:
        with transaction.atomic():
            result = _store(item, policy, user=user, origin=origin, force=force)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except DatabaseError as error:
        # The file's savepoint was rolled back whole; the next file gets its own chance.
        message = gettext("could not be stored, nothing of it was saved: %(error)s") % {"error": error}
        return FileResult(item.source.shown, ImportOutcome.REJECTED, message, item.policy_id)
    return result


def _store_new_together(items: list[_Parsed], *, user, origin: str) -> dict[str, FileResult]:
    """Store new records with a few statements per table for them all; nothing (an empty dict) if any is refused.

    Saving them one by one (`saving.create_record`) costs five inserts and a savepoint each, a round trip apiece
    on PostgreSQL. This does what that does for each, in bulk: the record, its history row (`history_row`, the
    same user and reason, its facility list by reference) and the warnings' refresh (`checks.refresh_after_save`).
    If the database refuses any row, the savepoint takes all of them back and each file is stored on its own,
    so that only the file at fault is rejected.
    """
    now = timezone.now()
    reasons = [f"Imported from {item.source.shown} ({origin})" for item in items]
    hashes = [records.content_hash(item.values) for item in items]
    snapshots = [
        FileSnapshot.for_text_unsaved(item.document.text, content_hash)
        for item, content_hash in zip(items, hashes, strict=True)
    ]
    policies = [
        Policy(**item.values, content_hash=content_hash, template=snapshot)
        for item, content_hash, snapshot in zip(items, hashes, snapshots, strict=True)
    ]
    facility_lists = [FacilityList.for_ids(policy.related_facilities) for policy in policies]
    if PolicyFile.objects.filter(path__in=[item.source.name for item in items]).exists():
        return {}  # stored one by one, so that each file whose path a record holds is refused on its own
    try:
        with transaction.atomic():
            # Snapshots first: every new record and version refers to its file's text.
            _insert(snapshots, key="sha256", update_conflicts=True, unique_fields=["sha256"], update_fields=["sha256"])
            for policy, snapshot in zip(policies, snapshots, strict=True):
                policy.template_id = snapshot.pk
            _insert(policies, key="policy_id")
            _insert(
                list({facility_list.sha256: facility_list for facility_list in facility_lists}.values()),
                ignore_conflicts=True,
            )
            _insert(
                [
                    history_row(policy, user=user, reason=reason, history_type="+", date=now, facilities=facility_list)
                    for policy, reason, facility_list in zip(policies, reasons, facility_lists, strict=True)
                ]
            )
            PolicyFile.objects.bulk_create(
                PolicyFile(policy_id=policy.pk, path=item.source.name)
                for policy, item in zip(policies, items, strict=True)
            )
            SeenFile.objects.bulk_create(
                SeenFile(
                    policy_id=policy.pk,
                    sha256=item.file_sha256,
                    content_hash=content_hash,
                    how=SeenFile.How.IMPORTED,
                    version=policy.version,
                )
                for policy, item, content_hash in zip(policies, items, hashes, strict=True)
            )
    except DatabaseError:
        return {}
    for policy, item in zip(policies, items, strict=True):
        checks.refresh_after_save(None, {name: getattr(policy, name) for name in checks.CHECKED_FIELDS})
        checks.note_checked(policy, item.warnings)
    return {
        item.file_sha256: FileResult(item.source.shown, ImportOutcome.CREATED, gettext("new record"), item.policy_id)
        for item in items
    }


def _insert(
    objs: Sequence[Model],
    *,
    key: str | None = None,
    ignore_conflicts: bool = False,
    update_conflicts: bool = False,
    unique_fields: list[str] | None = None,
    update_fields: list[str] | None = None,
) -> None:
    """Insert new rows as `bulk_create` does; on PostgreSQL their new primary keys are set only given `key`.

    Django's `bulk_create` on PostgreSQL sends each column as one array (`UNNEST`), which psycopg quotes in
    Python, element by element: for seed-sized records (long texts, a thousand facility ids) that took longer
    than the database's own work. There the rows are sent as one single-row `INSERT` each through `executemany`,
    which psycopg pipelines: one round trip for them all, each value quoted once. `executemany` returns no rows,
    so new primary keys are read back by `key`, a unique field (one query).
    """
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            objs,
            batch_size=BULK_ROWS,
            ignore_conflicts=ignore_conflicts,
            update_conflicts=update_conflicts,
            unique_fields=unique_fields,
            update_fields=update_fields,
        )
        return
    opts = model._meta
    query_options: dict[str, Any] = {}
    if ignore_conflicts:
        query_options["on_conflict"] = OnConflict.IGNORE
    elif update_conflicts:
        query_options = {
            "on_conflict": OnConflict.UPDATE,
            "unique_fields": [opts.get_field(name) for name in unique_fields or ()],
            "update_fields": [opts.get_field(name) for name in update_fields or ()],
        }
    fields = [field for field in opts.concrete_fields if not field.generated and field is not opts.auto_field]
    query = InsertQuery(model, **query_options)
    query.insert_values(fields, [objs[0]])
    compiler = query.get_compiler(connection=connection)
    [(sql, _)] = compiler.as_sql()
    # What `as_sql` does for each row of a statement; every row then fits the first row's placeholders.
    rows = [[compiler.prepare_value(field, compiler.pre_save_val(field, obj)) for field in fields] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    if key is not None and opts.auto_field is not None:
        keys = {getattr(obj, key) for obj in objs}
        stored = dict(model._default_manager.filter(**{f"{key}__in": keys}).values_list(key, "pk"))
        for obj in objs:
            obj.pk = stored[getattr(obj, key)]
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def _parse(raw: bytes) -> frontmatter.Document:
    if b"\x00" in raw:
        line, column = _position(raw, raw.index(b"\x00"))
        raise _Rejected(
            gettext("line %(line)d, column %(column)d: contains a NUL byte; policy files are text")
            % {"line": line, "column": column}
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _position(raw, error.start)
        raise _Rejected(
            gettext("line %(line)d, column %(column)d: is not valid UTF-8 (byte 0x%(byte)02x)")
            % {"line": line, "column": column, "byte": raw[error.start]}
        ) from None
    try:
        return frontmatter.parse(text, limits=frontmatter.Limits(max_text=settings.POLICY_FILE_MAX_BYTES))
    except frontmatter.FrontmatterError as error:
        raise _Rejected(str(error)) from None


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset."""
    before = raw[:offset]
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, len(before[line_start:].decode("utf-8", "replace")) + 1


def _describe_problems(document: frontmatter.Document, error: records.RecordError) -> str:
    parts = []
    for problem in error.problems:
        where = frontmatter.locate(document, problem.field)
        if where:
            parts.append(
                gettext("line %(line)d, column %(column)d, field %(field)s: %(problem)s")
                % {"line": where[0], "column": where[1], "field": problem.field, "problem": problem.message}
            )
        else:
            parts.append(gettext("field %(field)s: %(problem)s") % {"field": problem.field, "problem": problem.message})
    return "; ".join(parts)


def _store(item: _Parsed, policy: Policy | None, *, user, origin: str, force: bool) -> FileResult:
    """Store one file; `policy` is the record with its id, locked, or None."""
    source, values, policy_id = item.source, item.values, item.policy_id
    reason = f"Imported from {source.shown} ({origin})"
    theirs_hash = records.content_hash(values)
    if policy is None:
        holder = _path_holder(source.name)
        if holder is not None:
            return FileResult(source.shown, ImportOutcome.REJECTED, _path_taken(source.name, holder), policy_id)
        policy = Policy(**values, template=FileSnapshot.for_text(item.document.text, theirs_hash))
        saving.create_record(policy, user=user, reason=reason)
        checks.note_checked(policy, item.warnings)
        PolicyFile.objects.create(policy=policy, path=source.name)
        SeenFile.remember(policy, item.file_sha256, theirs_hash, SeenFile.How.IMPORTED)
        return FileResult(source.shown, ImportOutcome.CREATED, gettext("new record"), policy_id)

    if theirs_hash == policy.content_hash:
        SeenFile.remember(policy, item.file_sha256, theirs_hash, SeenFile.How.IMPORTED)
        return FileResult(
            source.shown,
            ImportOutcome.UNCHANGED,
            gettext("same content as the record (version %(version)d)") % {"version": policy.version},
            policy_id,
        )
    older = policy.history.filter(content_hash=theirs_hash).order_by("-history_id").values_list("version", flat=True)
    if older:
        SeenFile.remember(policy, item.file_sha256, theirs_hash, SeenFile.How.IMPORTED, version=older[0])
        return FileResult(source.shown, ImportOutcome.OLDER, _older(older[0], policy.version), policy_id)

    bases = known_contents(policy)
    # A file rendered from a version (an export, the API's file) states it with `filetext.claims`.
    rendered = next((b.version for b in bases if b.version and records.content_hash(b.values) == theirs_hash), None)
    if rendered is not None:
        SeenFile.remember(policy, item.file_sha256, theirs_hash, SeenFile.How.IMPORTED, version=rendered)
        if rendered == policy.version:
            message = gettext("same content as the record (version %(version)d) as its file states it") % {
                "version": policy.version
            }
            return FileResult(source.shown, ImportOutcome.UNCHANGED, message, policy_id)
        return FileResult(source.shown, ImportOutcome.OLDER, _older(rendered, policy.version), policy_id)
    ours = records.policy_values(policy)
    if force:
        changed = list(records.changed_fields(ours, values))
        _take(item, policy, changed, user=user, reason=f"{reason}, taken whole: {records.paths(changed)}")
        checks.note_checked(policy, item.warnings)
        return FileResult(
            source.shown,
            ImportOutcome.UPDATED,
            gettext("taken whole: %(fields)s") % {"fields": records.paths(changed)},
            policy_id,
        )
    merge = merging.merge(merging.closest_base(values, bases), ours, values)
    if merge.conflicts:
        _file_conflict(item, policy, merge, user=user)
        return FileResult(source.shown, ImportOutcome.CONFLICT, _describe_conflict(policy, merge), policy_id)
    if not merge.taken:
        SeenFile.remember(policy, item.file_sha256, theirs_hash, SeenFile.How.IMPORTED)
        return FileResult(
            source.shown,
            ImportOutcome.UNCHANGED,
            gettext("the record (version %(version)d) already has every change the file makes")
            % {"version": policy.version},
            policy_id,
        )
    taken = records.paths(merge.taken)
    if not merge.app_changed:
        _take(item, policy, merge.taken, user=user, reason=f"{reason}: {taken}")
        checks.note_checked(policy, item.warnings)
        return FileResult(
            source.shown, ImportOutcome.UPDATED, gettext("changed: %(fields)s") % {"fields": taken}, policy_id
        )
    kept = records.paths(merge.kept)
    _take(
        item,
        policy,
        merge.taken,
        user=user,
        reason=f"{reason}, merged with the app's changes since {merge.base.label}: took {taken} from the file, "
        f"kept {kept} from the app",
    )
    # The record's own warnings: a value the file kept as written may be one the app has fixed since, or not.
    merged = checks.locate(checks.check_values(records.policy_values(policy), item.document.data), item.document)
    checks.note_checked(policy, merged)
    return FileResult(
        source.shown,
        ImportOutcome.MERGED,
        gettext("took %(taken)s from the file; kept %(kept)s, changed in the app since %(base)s")
        % {"taken": taken, "kept": kept, "base": merge.base.label},
        policy_id,
        problems=[warning.located for warning in merged if warning.blocking],
    )


# How many of a record's newest versions a file's new content is compared with to find where it came from.
MERGE_BASES = 100


def known_contents(policy: Policy) -> list[merging.Base]:
    """Every content of the record the app has seen: its newest versions and the files they were imported from."""
    rows = list(policy.history.select_related("template").order_by("-history_id")[:MERGE_BASES])
    bases = []
    for row in rows:
        stored, stated = records.policy_values(row), filetext.stated_values(row)
        bases.append(
            merging.Base(
                stored,
                gettext("version %(version)d") % {"version": row.version},
                2 * row.history_id,
                version=row.version,
            )
        )
        if stated != stored:
            label = gettext("version %(version)d as its file states it") % {"version": row.version}
            bases.append(merging.Base(stated, label, 2 * row.history_id, stored=stored, version=row.version))
    templates: dict[int | None, Any] = {}
    for row in rows:
        templates.setdefault(row.template_id, row)
    for template_id, row in templates.items():
        if template_id is None:
            continue
        try:
            document = frontmatter.parse(row.template.text)
            values = records.values_from_data(document.data, document.body)
        except (frontmatter.FrontmatterError, records.RecordError):
            continue
        label = gettext("the file version %(version)d was imported from") % {"version": row.version}
        bases.append(merging.Base(values, label, 2 * row.history_id - 1))
    return bases


def _take(item: _Parsed, policy: Policy, names: list[str], *, user, reason: str) -> None:
    """Save the file's values of `names` as the record's next version, rendered on the file's own text."""
    theirs_hash = records.content_hash(item.values)
    for name in names:
        setattr(policy, name, item.values[name])
    policy.template = FileSnapshot.for_text(item.document.text, theirs_hash)
    saving.save_record(policy, user=user, reason=reason)
    if policy.file_or_none is None and _path_holder(item.source.name) is None:
        PolicyFile.objects.create(policy=policy, path=item.source.name)
    SeenFile.remember(policy, item.file_sha256, theirs_hash, SeenFile.How.IMPORTED)


def _file_conflict(item: _Parsed, policy: Policy, merge: merging.Merge, *, user) -> None:
    """Keep the file for an editor to settle (once: importing it again finds the open conflict)."""
    open_conflict = ImportConflict.objects.filter(
        policy=policy, file_sha256=item.file_sha256, resolved_at__isnull=True
    ).first()
    conflict = open_conflict or ImportConflict(policy=policy, file_sha256=item.file_sha256)
    conflict.source = item.source.shown[:500]
    conflict.file = FileSnapshot.for_text(item.document.text, records.content_hash(item.values))
    conflict.base = merge.base.label[:500]
    conflict.version = policy.version
    conflict.taken = merge.taken
    conflict.fields = [
        {"field": c.field, "base": _jsonable(c.base), "ours": _jsonable(c.ours), "theirs": _jsonable(c.theirs)}
        for c in merge.conflicts
    ]
    conflict.created_by = user if user is not None and user.is_authenticated else None
    conflict.save()


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _shorten(value, limit: int = 60) -> str:
    text = gettext("nothing") if value in (None, "", []) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe_conflict(policy: Policy, merge: merging.Merge) -> str:
    fields = "; ".join(
        gettext("%(field)s: was %(base)s, the record has %(ours)s, the file has %(theirs)s")
        % {
            "field": records.paths([c.field]),
            "base": _shorten(c.base),
            "ours": _shorten(c.ours),
            "theirs": _shorten(c.theirs),
        }
        for c in merge.conflicts
    )
    who = saving.saved_by(saving.last_save(policy))
    when = f"{timezone.localtime(policy.updated_at):%Y-%m-%d %H:%M}"
    return gettext(
        "changed both in the app (version %(version)d, last saved by %(who)s on %(when)s) and in the file since "
        "%(base)s: %(fields)s. Both were left alone: settle each field under Import conflicts in the admin, or "
        "import with --force to take the file whole"
    ) % {"version": policy.version, "who": who, "when": when, "base": merge.base.label, "fields": fields}


def _path_holder(path: str) -> Policy | None:
    holder = PolicyFile.objects.filter(path=path).select_related("policy").first()
    return holder.policy if holder is not None else None


def _path_taken(path: str, holder: Policy) -> str:
    return gettext(
        "%(path)s is the file of the record %(id)s; two records never share a file: give this file its own name"
    ) % {"path": path, "id": holder.policy_id}
