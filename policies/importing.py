"""Policy files -> records.

Each file is imported on its own, atomically, and ends with one outcome and a reason. A file whose bytes the app
has seen before is recognised by its hash without being parsed. A record edited in the app since its file was
last read or written is never overwritten by a changed file unless the caller forces it.

Files are read and parsed a batch at a time outside any transaction, then the batch is stored in one transaction
with a savepoint per file: a file still lands whole or not at all, but a commit (a disk flush on PostgreSQL) and
the lookup of existing records are shared by the batch, and the database is locked only while storing. The
batch's new records are inserted together, a few statements for all of them, unless the database refuses one.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone

from policies import checks, frontmatter, locks, records
from policies.models import FacilityList, FileSnapshot, Policy, PolicyFile
from policies.sources import SourceFile, SourceTooLarge


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"
    CONFLICT = "conflict"


@dataclass
class FileResult:
    name: str
    outcome: Outcome
    message: str = ""
    policy_id: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    results: list[FileResult] = field(default_factory=list)
    dry_run: bool = False

    @property
    def counts(self) -> Counter[Outcome]:
        return Counter(result.outcome for result in self.results)

    @property
    def ok(self) -> bool:
        """True when no file was rejected or left in conflict."""
        counts = self.counts
        return not counts[Outcome.REJECTED] and not counts[Outcome.CONFLICT]


class _Rejected(Exception):
    def __init__(self, message: str, policy_id: str | None = None) -> None:
        super().__init__(message)
        self.policy_id = policy_id


class _DryRun(Exception):
    """Raised to roll back a dry run's transaction after its outcome is known."""


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
    warnings: list[checks.Warning]

    @property
    def policy_id(self) -> str:
        return self.values["policy_id"]


def check_import_permission(user) -> None:
    """Only people who may add and change policies import them; commands without a user act as the system."""
    if user is not None and not (user.has_perm("policies.add_policy") and user.has_perm("policies.change_policy")):
        raise PermissionDenied("Importing policies needs the permissions to add and change policies.")


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
    known_hashes = set(PolicyFile.objects.values_list("file_sha256", flat=True))
    ids_seen: dict[str, str] = {}
    batch: list[FileResult | _Parsed] = []
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
    stored = report.counts[Outcome.CREATED] + report.counts[Outcome.UPDATED]
    if report.dry_run or stored < ANALYZE_AFTER or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Policy, Policy.history.model, PolicyFile):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _read_one(
    source: SourceFile, *, known_hashes: set[str], ids_seen: dict[str, str], batch_hashes: set[str]
) -> FileResult | _Parsed | None:
    """The file read, parsed and checked; its result if that already decides it; None if its bytes are pending."""
    try:
        if source.problem:
            raise _Rejected(source.problem)
        try:
            raw = source.read(settings.POLICY_FILE_MAX_BYTES)
        except SourceTooLarge as error:
            raise _Rejected(str(error)) from None
        except OSError as error:
            raise _Rejected(f"cannot be read: {error.strerror or error}") from None
        file_sha256 = hashlib.sha256(raw).hexdigest()
        if file_sha256 in known_hashes:
            return FileResult(source.shown, Outcome.UNCHANGED, "same bytes as when last imported or exported")
        if file_sha256 in batch_hashes:
            return None
        document = _parse(raw)
        try:
            values = records.values_from_data(document.data, document.body)
        except records.RecordError as error:
            raise _Rejected(_describe_problems(document, error)) from None
        policy_id = values["policy_id"]
        if policy_id in ids_seen:
            raise _Rejected(f"has the same id {policy_id!r} as {ids_seen[policy_id]}", policy_id)
        ids_seen[policy_id] = source.shown
        return _Parsed(source, document, values, file_sha256, checks.check_values(values))
    except _Rejected as rejection:
        return FileResult(source.shown, Outcome.REJECTED, str(rejection), rejection.policy_id)


def _store_batch(
    batch: list[FileResult | _Parsed], *, user, origin: str, force: bool, dry_run: bool, known_hashes: set[str]
) -> list[FileResult]:
    """Store the batch's parsed files, each in a savepoint of one transaction; the results in the batch's order."""
    parsed = [item for item in batch if isinstance(item, _Parsed)]
    if not parsed:
        return [item for item in batch if isinstance(item, FileResult)]
    stored: dict[str, FileResult] = {}
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
        for item in parsed:
            if item.file_sha256 not in stored:
                stored[item.file_sha256] = _store_one(
                    item, existing.get(item.policy_id), user=user, origin=origin, force=force, dry_run=dry_run
                )
    for policy in existing.values():
        policy.forget_related()
    results = []
    for item in batch:
        if isinstance(item, FileResult):
            results.append(item)
            continue
        result = stored[item.file_sha256]
        if result.outcome is not Outcome.REJECTED:
            if not dry_run and result.outcome is not Outcome.CONFLICT:
                known_hashes.add(item.file_sha256)
            result.warnings = [str(warning) for warning in item.warnings]
        results.append(result)
    return results


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
        message = f"could not be stored, nothing of it was saved: {error}"
        return FileResult(item.source.shown, Outcome.REJECTED, message, item.policy_id)
    return result


def _store_new_together(items: list[_Parsed], *, user, origin: str) -> dict[str, FileResult]:
    """Store new records with a few statements per table for them all; nothing (an empty dict) if any is refused.

    Saving them one by one costs five inserts and a savepoint each, a round trip apiece on PostgreSQL. The bulk
    inserts skip `post_save`, so what its receivers do for a new record is done here: simple-history's version
    (by the same user, with the same reason, its facility list by reference as `store_facilities` stores it) and
    the stored warnings' refresh (`checks.refresh_after_save`); `reviews.signals` does nothing for a new record.
    If the database refuses any row, the savepoint takes all of them back and each file is stored on its own,
    so that only the file at fault is rejected.
    """
    now = timezone.now()
    reasons = [f"Imported from {item.source.shown} ({origin})" for item in items]
    policies = [Policy(**item.values) for item in items]
    facility_lists = [FacilityList.for_ids(policy.related_facilities) for policy in policies]
    snapshots = [FileSnapshot.for_text_unsaved(item.document.text) for item in items]
    history_model = Policy.history.model
    try:
        with transaction.atomic():
            _insert(policies, key="policy_id")
            _insert(
                list({facility_list.sha256: facility_list for facility_list in facility_lists}.values()),
                ignore_conflicts=True,
            )
            _insert(
                [
                    history_model(
                        history_date=now,
                        history_type="+",
                        history_user=user,
                        history_change_reason=reason,
                        facilities_id=facility_list.sha256,
                        **{field.attname: getattr(policy, field.attname) for field in history_model.tracked_fields},
                    )
                    for policy, reason, facility_list in zip(policies, reasons, facility_lists, strict=True)
                ]
            )
            _insert(snapshots, key="sha256", update_conflicts=True, unique_fields=["sha256"], update_fields=["sha256"])
            PolicyFile.objects.bulk_create(
                PolicyFile(
                    policy_id=policy.pk,
                    path=item.source.name,
                    snapshot=snapshot,
                    file_sha256=item.file_sha256,
                    content_hash=records.content_hash(item.values),
                    synced_at=now,
                )
                for policy, item, snapshot in zip(policies, items, snapshots, strict=True)
            )
    except DatabaseError:
        return {}
    for policy, item in zip(policies, items, strict=True):
        checks.refresh_after_save(None, {name: getattr(policy, name) for name in checks.CHECKED_FIELDS})
        checks.note_checked(policy, item.warnings)
    return {
        item.file_sha256: FileResult(item.source.shown, Outcome.CREATED, "new record", item.policy_id) for item in items
    }


def _insert(
    objs: list[Model],
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
    options = {
        "ignore_conflicts": ignore_conflicts,
        "update_conflicts": update_conflicts,
        "unique_fields": unique_fields,
        "update_fields": update_fields,
    }
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=BULK_ROWS, **options)
        return
    opts = model._meta
    query_options = {}
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
    query.insert_values(fields, objs[:1])
    compiler = query.get_compiler(connection=connection)
    [(sql, _)] = compiler.as_sql()
    # What `as_sql` does for each row of a statement; every row then fits the first row's placeholders.
    rows = ([compiler.prepare_value(field, compiler.pre_save_val(field, obj)) for field in fields] for obj in objs)
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
        raise _Rejected(f"line {line}, column {column}: contains a NUL byte; policy files are text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _position(raw, error.start)
        raise _Rejected(f"line {line}, column {column}: is not valid UTF-8 (byte 0x{raw[error.start]:02x})") from None
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
        prefix = f"line {where[0]}, column {where[1]}, " if where else ""
        parts.append(f"{prefix}field {problem.field}: {problem.message}")
    return "; ".join(parts)


def _store(item: _Parsed, policy: Policy | None, *, user, origin: str, force: bool) -> FileResult:
    """Store one file; `policy` is the record with its id, locked, or None."""
    source, document, values, file_sha256 = item.source, item.document, item.values, item.file_sha256
    policy_id = item.policy_id
    reason = f"Imported from {source.shown} ({origin})"
    if policy is None:
        policy = Policy(**values)
        policy.save_as(user=user, reason=reason)
        checks.note_checked(policy, item.warnings)
        _record_file(policy, None, source.name, document.text, file_sha256, values)
        return FileResult(source.shown, Outcome.CREATED, "new record", policy_id)

    current = records.policy_values(policy)
    policy_file = policy.file_or_none
    edited_in_app = policy_file is None or records.content_hash(current) != policy_file.content_hash
    changed = list(records.changed_fields(current, values))
    if not changed:
        _record_file(policy, policy_file, source.name, document.text, file_sha256, values)
        return FileResult(source.shown, Outcome.UNCHANGED, "same content; the file's bytes were recorded", policy_id)
    if edited_in_app and not force:
        last = policy.history.first()
        who = getattr(last, "history_user", None) or "a command"
        return FileResult(
            source.shown,
            Outcome.CONFLICT,
            f"the record was changed in the app (version {policy.version}, by {who} on "
            f"{timezone.localtime(policy.updated_at):%Y-%m-%d %H:%M}) since its file was last imported or "
            f"exported, and the file changed too ({', '.join(changed)}); both were left alone "
            "(use --force to take the file)",
            policy_id,
        )
    for attr in changed:
        setattr(policy, attr, values[attr])
    policy.save_as(user=user, reason=f"{reason}: {', '.join(changed)}")
    checks.note_checked(policy, item.warnings)
    _record_file(policy, policy_file, source.name, document.text, file_sha256, values)
    return FileResult(source.shown, Outcome.UPDATED, f"changed: {', '.join(changed)}", policy_id)


def _record_file(
    policy: Policy, policy_file: PolicyFile | None, path: str, text: str, file_sha256: str, values: dict
) -> None:
    """Remember the file as the record's template and as the state both sides agreed on."""
    snapshot = FileSnapshot.for_text(text)
    policy_file = policy_file or PolicyFile(policy_id=policy.pk)
    policy_file.path = path
    policy_file.snapshot = snapshot
    policy_file.file_sha256 = file_sha256
    policy_file.content_hash = records.content_hash(values)
    policy_file.synced_at = timezone.now()
    policy_file.save()
