"""The measurements, each run in a worker process of its own (see `bench.worker`) against a prepared database."""

from __future__ import annotations

import contextlib
import multiprocessing
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db import connection, connections
from django.db.models import F, Func, IntegerField
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench import floors
from bench.collection import markdown_files

EDITED_SHARE = 10  # every tenth record is edited before the second export
# Floors are per-file costs of uniform files: above this many files they are measured on an even sample and scaled.
FLOOR_FILES = 1000
HISTORY_VERSIONS = 100
SCREEN_REPEATS = 5


def migrate(_: dict[str, Any]) -> dict[str, Any]:
    call_command("migrate", verbosity=0)
    return {}


def load(args: dict[str, Any]) -> dict[str, Any]:
    """Import a folder without timing it: the records the screens are measured on."""
    from policies.transfer.importing import import_sources
    from policies.transfer.sources import iter_paths

    migrate(args)
    report = import_sources(iter_paths([args["folder"]]), origin="bench")
    return {"counts": {str(k): v for k, v in report.counts.items()}}


def import_(args: dict[str, Any]) -> dict[str, Any]:
    """The floor (libyaml parse of every file), then the import of the folder, then its re-import."""
    from policies.transfer.importing import import_sources
    from policies.transfer.sources import iter_paths

    files = markdown_files(Path(args["folder"]))
    floor = _apart(floors.parse_seconds, files)
    migrate(args)
    started = time.perf_counter()
    report = import_sources(iter_paths([args["folder"]]), origin="bench")
    imported = time.perf_counter() - started
    assert report.counts["created"] == len(files), report.counts
    started = time.perf_counter()
    again = import_sources(iter_paths([args["folder"]]), origin="bench")
    reimported = time.perf_counter() - started
    assert again.counts["unchanged"] == len(files), again.counts
    return {"floor": floor, "import": imported, "reimport": reimported}


def export(args: dict[str, Any]) -> dict[str, Any]:
    """`export_policies --all` into a copy of the collection: unedited, then after editing a tenth of the records."""
    from policies.models import Policy
    from policies.transfer.exporting import export_to_folder

    files = markdown_files(Path(args["folder"]))
    floor = _apart(floors.dump_seconds, files)
    with tempfile.TemporaryDirectory(dir=args["scratch"]) as scratch:
        out = shutil.copytree(args["folder"], Path(scratch, "collection"))
        started = time.perf_counter()
        report = export_to_folder(out, all_records=True)
        unedited = time.perf_counter() - started
        assert report.counts["unchanged"] == len(files), report.counts
        pks = list(Policy.objects.order_by("pk").values_list("pk", flat=True)[::EDITED_SHARE])
        with _saving_many():
            for policy in Policy.objects.filter(pk__in=pks).iterator(chunk_size=100):
                policy.market_label = f"{policy.market_label} (checked)"
                policy.save_as(user=None, reason="bench edit")
        started = time.perf_counter()
        report = export_to_folder(out, all_records=True)
        edited = time.perf_counter() - started
        assert report.counts["written"] == len(pks), report.counts
    return {"floor": floor, "unedited": unedited, "edited": edited}


def _apart(measure, files: list[Path]) -> float:
    """`_scaled(measure, files)` in a forked process, so that the floor's own allocations stay out of this
    worker's peak memory, which is the import's or the export's alone."""
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(_scaled, (measure, files))


def _scaled(measure, files: list[Path]) -> float:
    step = max(1, round(len(files) / FLOOR_FILES))
    return measure(files[::step]) * len(files) / len(files[::step])


def _saving_many():
    """Many saves in a row: the warnings of the collection are refreshed once at the end, as an import does."""
    from policies import checks

    return getattr(checks, "deferred_refresh", contextlib.nullcontext)()


def screens(args: dict[str, Any]) -> dict[str, Any]:
    """Render time (median) and queries of each admin and review screen, as a superuser."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from policies.models import Policy

    # Run again on the same database for another round: the users and the versions are made once.
    users = get_user_model().objects
    editor, _ = users.get_or_create(username="bench-editor", defaults={"is_staff": True})
    editor.groups.add(Group.objects.get(name="Editor"))
    viewer, _ = users.get_or_create(username="bench-admin", defaults={"is_staff": True, "is_superuser": True})
    policy = Policy.objects.get(policy_id=args["policy_id"])
    with _saving_many():
        for number in range(HISTORY_VERSIONS - policy.history.count()):
            policy.body = f"{policy.body}\nEdit {number}."
            policy.save_as(user=editor, reason=f"bench edit {number}")
    client = Client()
    client.force_login(viewer)
    changelist = reverse("admin:policies_policy_changelist")
    pages = {
        "admin list": changelist,
        "admin list, filtered": f"{changelist}?state__exact=pending&category={policy.category}",
        # A common word lists a full page at both sizes (about a third of the generated records hold it); an id
        # lists one record. Either way the two sizes render the same number of rows.
        "admin list, searched: a common word": f"{changelist}?q=carbon",
        "admin list, searched: one id": f"{changelist}?q={policy.policy_id}",
        "change form": reverse("admin:policies_policy_change", args=[policy.pk]),
        "history (100 versions)": reverse("admin:policies_policy_history", args=[policy.pk]),
        "review screen": reverse("admin:policies_policy_review", args=[policy.pk]),
        "review queue": reverse("admin:policies_policy_review_queue"),
    }
    results = {}
    for name, url in pages.items():
        times = []
        for _ in range(SCREEN_REPEATS):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, (name, response.status_code)
        results[name] = {"seconds": statistics.median(times), "queries": len(queries)}
        if name.startswith("admin list"):
            results[name]["rows"] = response.content.count(b'name="_selected_action"')
    return results


def history(args: dict[str, Any]) -> dict[str, Any]:
    """Database bytes per version of a seed-sized record: text edits, and edits of its facility list."""
    from policies.models import FacilityList, Policy
    from policies.transfer.importing import import_sources
    from policies.transfer.sources import iter_paths

    migrate(args)
    import_sources(iter_paths([args["seed"]]), origin="bench")
    policy = Policy.objects.get()
    tables = [Policy.history.model._meta.db_table, FacilityList._meta.db_table]
    results = {"facility list bytes": _stored_list_bytes(policy.history.get().facilities_id)}
    before = _table_bytes(tables)
    for number in range(HISTORY_VERSIONS):
        policy.market_label = f"{policy.market_label}."
        policy.save_as(user=None, reason=f"bench edit {number}")
    after = _table_bytes(tables)
    results["text edit"] = (after - before) / HISTORY_VERSIONS
    for number in range(HISTORY_VERSIONS):
        policy.related_facilities = [*policy.related_facilities, f"{9000 + number}"]
        policy.save_as(user=None, reason=f"bench facility edit {number}")
    results["facility edit"] = (_table_bytes(tables) - after) / HISTORY_VERSIONS
    return results


def _table_bytes(tables: list[str]) -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                "SELECT SUM(pgsize) FROM dbstat WHERE name IN "
                f"(SELECT name FROM sqlite_master WHERE tbl_name IN ({marks}))",
                tables,
            )
        else:
            cursor.execute("SELECT SUM(pg_total_relation_size(t::regclass)) FROM unnest(%s::text[]) AS t", [tables])
        return int(cursor.fetchone()[0] or 0)


def _stored_list_bytes(key: str) -> int:
    """What one copy of a facility list takes as a column value (compressed by TOAST on PostgreSQL)."""
    from policies.models import FacilityList

    function = "pg_column_size" if connection.vendor == "postgresql" else "length"
    size = Func(F("ids"), function=function, output_field=IntegerField())
    return FacilityList.objects.filter(pk=key).annotate(size=size).values_list("size", flat=True).get()


def settle(args: dict[str, Any]) -> dict[str, Any]:
    """PostgreSQL: VACUUM ANALYZE, the state autovacuum brings a database to within minutes of an import.

    Measured right after 20,000 records were imported and 2,000 edited, the lists read about 2x slower than on
    a database of the same records that had been vacuumed and analysed. The screens measure how the pages scale
    with the collection, not a database autovacuum has not reached yet.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {}


TASKS = {
    "migrate": migrate,
    "settle": settle,
    "load": load,
    "import": import_,
    "export": export,
    "screens": screens,
    "history": history,
}
