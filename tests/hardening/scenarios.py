"""Scenarios the hardening tests run in a process of their own, against a database file or server of their own.

`python -m tests.hardening.scenarios NAME [ARGS...]` with DATABASE_URL set. Each prints progress lines as it
goes and, last, one JSON line with what it found; the tests read that line (see `databases.ScenarioDatabase.scenario`).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

from policies import (  # noqa: E402
    checks,
    locks,
    records,
)
from policies.models import CollectionCheckOwed, Policy, PolicyFile, PolicyWarning  # noqa: E402
from policies.transfer import exporting  # noqa: E402
from policies.transfer.importing import import_sources  # noqa: E402
from policies.transfer.sources import iter_paths  # noqa: E402
from reviews.models import ReviewEvent  # noqa: E402
from tests.data import SEED  # noqa: E402
from tests.factories import approve  # noqa: E402


def say(line: str) -> None:
    print(line, flush=True)


def result(**facts: Any) -> None:
    print(json.dumps(facts, default=str), flush=True)


def pragmas() -> None:
    """What the SQLite connection really runs with."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout")
        busy_timeout = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous")
        synchronous = cursor.fetchone()[0]
    result(
        journal_mode=journal_mode,
        busy_timeout_ms=busy_timeout,
        synchronous=synchronous,
        transaction_mode=connection.transaction_mode,
    )


def make_policy(policy_id: str, **values: Any) -> Policy:
    policy = Policy(policy_id=policy_id, title=values.pop("title", policy_id), **values)
    policy.save_as(user=None, reason="Created for a scenario")
    return policy


def run_threads(count: int, rounds: int, step: Callable[[int, int], None]) -> list[str]:
    """Start `count` threads together, each calling `step(thread, round)` `rounds` times; return their errors."""
    connection.close()
    errors: list[str] = []
    start = threading.Barrier(count)

    def work(number: int) -> None:
        try:
            start.wait()
            for round_ in range(rounds):
                step(number, round_)
        except Exception:
            errors.append(traceback.format_exc(limit=3))
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors


def read_then_write(threads: str, rounds: str) -> None:
    """Each thread, each round: lock a record, read its tags, append its own and save, in one transaction."""
    ids = [make_policy(f"shared-{n}").pk for n in range(2)]

    def step(number: int, round_: int) -> None:
        with transaction.atomic():
            policy = Policy.objects.select_for_update().get(pk=ids[round_ % len(ids)])
            policy.tags = [*policy.tags, f"t{number}-r{round_}"]
            policy.save_as(user=None, reason=f"thread {number} round {round_}")

    began = time.monotonic()
    errors = run_threads(int(threads), int(rounds), step)
    policies = Policy.objects.filter(pk__in=ids)
    result(
        errors=errors,
        seconds=round(time.monotonic() - began, 2),
        tags=sum(len(p.tags) for p in policies),
        versions=sum(p.version for p in policies),
        history_rows=Policy.history.filter(id__in=ids).count(),
        distinct_tags=len({tag for p in policies for tag in p.tags}),
    )


def edit_neighbours(threads: str, rounds: str) -> None:
    """Each thread edits its own record, all sharing a text and naming each other: the saves rewrite each
    other's stored warnings, the case that deadlocked on PostgreSQL."""
    count = int(threads)
    shared = ["A shared sentence of evidence, long enough to count as copied.", "Another shared sentence, also long."]
    ids = [f"neighbour-{n}" for n in range(count)]
    pks = [
        make_policy(policy_id, market_evidence=shared[0], supersedes=[ids[(n + 1) % count]]).pk
        for n, policy_id in enumerate(ids)
    ]

    def step(number: int, round_: int) -> None:
        policy = Policy.objects.get(pk=pks[number])
        policy.market_evidence = shared[(round_ + number) % 2]
        policy.save_as(user=None, reason=f"thread {number} round {round_}")

    errors = run_threads(count, int(rounds), step)
    result(errors=errors, versions=sum(Policy.objects.filter(pk__in=pks).values_list("version", flat=True)))


def hold_lock(name: str, seconds: str) -> None:
    with locks.exclusive(name):
        say("held")
        time.sleep(float(seconds))
    result(released=True)


def write_collection(folder: str, count: str, body_kb: str, variant: str) -> None:
    """`count` policy files in `folder`: the seed's text under new ids, with a body of `body_kb` KiB per variant."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    text = SEED.read_text(encoding="utf-8")
    for n in range(int(count)):
        policy_id = f"scenario-{n:04d}"
        body = f"\nVariant {variant} of {policy_id}.\n" + (f"{variant} " * 512 + "\n") * int(body_kb)
        head, _, _ = text.partition("\n---\n")
        file_text = head.replace("id: intl-paris-art-6-4-ccs", f"id: {policy_id}", 1) + "\n---\n" + body
        (out / f"{policy_id}.md").write_text(file_text, encoding="utf-8")
    result(written=int(count))


def import_folder(folder: str) -> None:
    """Import `folder`, saying the name of each file as its import begins."""

    def announce(sources):
        for source in sources:
            say(f"importing {source.name}")
            yield source

    report = import_sources(iter_paths([folder]), origin="scenario", progress=announce)
    result(counts={str(k): v for k, v in report.counts.items()})


def check_records(folder_a: str, folder_b: str) -> None:
    """For each record: which variant of its file it holds, in its content and in its file bookkeeping."""
    found: dict[str, str] = {}
    for path_a in sorted(Path(folder_a).glob("*.md")):
        raw = {v: (Path(f) / path_a.name).read_bytes() for v, f in (("A", folder_a), ("B", folder_b))}
        policy = Policy.objects.filter(policy_id=path_a.stem).select_related("file").first()
        if policy is None:
            found[path_a.stem] = "missing"
            continue
        from policies.codec import frontmatter

        states = set()
        for variant, data in raw.items():
            document = frontmatter.parse(data.decode("utf-8"))
            values = records.values_from_data(document.data, document.body)
            content_matches = not list(records.changed_fields(records.policy_values(policy), values))
            file_matches = policy.seen_files.filter(sha256=hashlib.sha256(data).hexdigest()).exists()
            history = policy.history.count()
            if content_matches and file_matches and history == {"A": 1, "B": 2}[variant]:
                states.add(variant)
        found[path_a.stem] = "".join(sorted(states)) or "between"
    result(records=found)


def export_folder(folder: str) -> None:
    """Export every record's current state to `folder`, saying each file's path as its write begins."""

    def announce(items):
        for item in items:
            say(f"exporting {getattr(item, 'path', item)}")
            yield item

    report = exporting.export_to_folder(folder, all_records=True, progress=announce)
    result(counts={str(k): v for k, v in report.counts.items()})


def edit_bodies(suffix: str) -> None:
    for policy in Policy.objects.all():
        policy.body += suffix
        policy.save_as(user=None, reason="Edited for a scenario")
    result(edited=Policy.objects.count())


def export_while_approving(folder: str) -> None:
    """Start an export; once it has read its first record, a reviewer approves the last one in another thread."""
    editor = get_user_model().objects.create_user("scenario-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    reviewer = get_user_model().objects.create_user("scenario-reviewer", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewer"))
    created = [make_policy(f"snap-{n}", title=f"Published title {n}", market_score=50) for n in range(5)]
    for policy in created:
        approve(policy, reviewer)
        policy.refresh_from_db()
        policy.title = f"Draft title {policy.policy_id[-1]}"
        policy.save_as(user=editor, reason="Draft after publication")
    last = created[-1]
    connection.close()
    approval: dict[str, Any] = {}

    def approve_last() -> None:
        began = time.monotonic()
        try:
            policy = Policy.objects.get(pk=last.pk)
            approve(policy, reviewer)
            approval["state"] = Policy.objects.get(pk=last.pk).state
        except Exception:
            approval["error"] = traceback.format_exc(limit=3)
        finally:
            approval["seconds"] = round(time.monotonic() - began, 2)
            connections.close_all()

    def approve_after_first(items):
        iterator = iter(items)
        first = next(iterator)
        reviewer_thread = threading.Thread(target=approve_last)
        reviewer_thread.start()
        reviewer_thread.join(timeout=30)
        approval["finished_during_export"] = not reviewer_thread.is_alive()
        yield first
        yield from iterator

    exporting.export_to_folder(folder, progress=approve_after_first)
    last_file = Path(folder, f"{last.policy_id}.md").read_text(encoding="utf-8")
    result(
        approval=approval,
        last_title_exported="Published title 4" if "Published title 4" in last_file else "Draft title 4",
        events=ReviewEvent.objects.filter(policy_id=last.pk).count(),
    )


def fingerprint() -> None:
    """Every record and every history row, hashed, to compare a database with its restored backup."""
    digest = hashlib.sha256()
    for model, order in (
        (Policy, "pk"),
        (Policy.history.model, "history_id"),
        (PolicyFile, "pk"),
        (ReviewEvent, "pk"),
    ):
        for row in model.objects.order_by(order).values():
            digest.update(json.dumps(row, sort_keys=True, default=str).encode())
    result(
        policies=Policy.objects.count(),
        history_rows=Policy.history.count(),
        events=ReviewEvent.objects.count(),
        users=get_user_model().objects.count(),
        sha256=digest.hexdigest(),
    )


def stored_warnings() -> None:
    """Each record's stored warnings (field and code, sorted), and whether a check of the collection is owed."""
    found: dict[str, list[list[str]]] = {
        policy_id: [] for policy_id in Policy.objects.values_list("policy_id", flat=True)
    }
    for policy_id, field_name, code in PolicyWarning.objects.values_list("policy__policy_id", "field", "code"):
        found[policy_id].append([field_name, code])
    result(warnings={k: sorted(v) for k, v in found.items()}, owed=CollectionCheckOwed.objects.exists())


def full_check() -> None:
    """Every record's warnings as a check of the whole collection finds them."""
    found = checks.refresh_collection()
    result(warnings={k: sorted([w.field, w.code] for w in v) for k, v in found.items()})


SCENARIOS = {
    f.__name__: f
    for f in (
        pragmas,
        edit_neighbours,
        read_then_write,
        hold_lock,
        write_collection,
        import_folder,
        check_records,
        export_folder,
        edit_bodies,
        export_while_approving,
        fingerprint,
        stored_warnings,
        full_check,
    )
}

if __name__ == "__main__":
    SCENARIOS[sys.argv[1]](*sys.argv[2:])
