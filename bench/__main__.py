"""`python -m bench [--quick]`: measure, then print one table of figures, floors and ratios against the targets."""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.collection import bench_root, markdown_files, sample_folder
from bench.databases import BACKENDS, fresh_database, maintenance_dsn, postgres_available, postgres_server

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = ROOT / "examples" / "policies" / "intl-paris-art-6-4-ccs.md"
SCREENS_SMALL = 200
SCREEN_ROUNDS = 3
SCREENS = (
    "admin list",
    "admin list, filtered",
    "admin list, searched: a common word",
    "admin list, searched: one id",
    "change form",
    "history (100 versions)",
    "review screen",
    "review queue",
)


@dataclass
class Row:
    measure: str
    database: str
    size: str
    time: str
    floor: str
    ratio: float | None
    target: float | None
    note: str = ""

    def cells(self) -> list[str]:
        ratio = "" if self.ratio is None else f"{self.ratio:.2f}"
        target = "" if self.target is None else f"<= {self.target:g}"
        verdict = "" if self.target is None or self.ratio is None else ("ok" if self.ratio <= self.target else "MISSED")
        return [self.measure, self.database, self.size, self.time, self.floor, ratio, target, verdict, self.note]


HEADER = ["measure", "database", "N", "time", "floor", "ratio", "target", "", "note"]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2,000 records only (screens: 200 vs 2,000).")
    parser.add_argument("--runs", type=int, default=3, help="Runs of each 2,000-record measurement (median).")
    parser.add_argument("--large-runs", type=int, default=1, help="Runs at 20,000 records (each takes minutes).")
    parser.add_argument("--database", choices=BACKENDS, action="append", help="Only these (default: both).")
    options = parser.parse_args()
    sizes = [2000] if options.quick else [2000, 20000]
    backends = options.database or list(BACKENDS)
    if "postgresql" in backends and not postgres_available():
        _say(f"PostgreSQL at {postgres_server()} is not reachable: measuring SQLite only.")
        backends.remove("postgresql")
    started = time.monotonic()
    _collect_static()
    rows: list[Row] = []
    for backend in backends:
        rows.extend(_measure(backend, sizes, options))
    print(_machine())
    print()
    print(_table(rows))
    print(f"\nTotal time {time.monotonic() - started:.0f} s.")


def _measure(backend: str, sizes: list[int], options: argparse.Namespace) -> list[Row]:
    imports: dict[int, list[dict[str, Any]]] = {}
    exports: dict[int, list[dict[str, Any]]] = {}
    screens_small: dict[str, Any] = {}
    screens_large: dict[str, Any] = {}
    for size in sizes:
        folder = str(sample_folder(size))
        runs = options.runs if size <= 2000 else options.large_runs
        for run in range(runs):
            with fresh_database(backend) as url:
                _say(f"{backend}, {size:,} records, run {run + 1} of {runs}: import")
                imports.setdefault(size, []).append(_work("import", url, folder=folder))
                _say(f"{backend}, {size:,} records, run {run + 1} of {runs}: export")
                exports.setdefault(size, []).append(_work("export", url, folder=folder, scratch=str(bench_root())))
                if size == sizes[-1] and run == 0:
                    screens_small, screens_large = _screens(backend, url, size)
    with fresh_database(backend) as url:
        _say(f"{backend}: history growth")
        history = _work("history", url, seed=str(SEED_FILE))
    return [
        *_import_rows(backend, imports),
        *_export_rows(backend, exports),
        *_memory_rows(backend, imports, exports, sizes),
        *_screen_rows(backend, screens_small, screens_large, sizes[-1]),
        *_history_rows(backend, history),
    ]


def _screens(backend: str, large_url: str, size: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The screens at SCREENS_SMALL records and at `size` (already in `large_url`), in alternating rounds.

    Each screen's fastest round counts: the two sizes are measured minutes apart on a shared machine, and
    alternating them lets a busy minute slow both or neither.
    """
    rounds: dict[str, list[dict[str, Any]]] = {"small": [], "large": []}
    # The same record's screens at both sizes (the large collection holds the small one's files): the first from
    # the middle of the small collection whose id is part of no other id, so that searching it lists one record.
    folder = sample_folder(SCREENS_SMALL)
    large_ids = [path.stem for path in markdown_files(sample_folder(size))]
    for path in markdown_files(folder)[SCREENS_SMALL // 2 :]:
        policy_id = re.search(r"^id: (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)[1].strip("'\"")
        if sum(policy_id in other for other in large_ids) == 1:
            break
    with fresh_database(backend) as small_url:
        _work("load", small_url, folder=str(folder))
        for url in (small_url, large_url):
            _work("settle", url)
        for number in range(SCREEN_ROUNDS):
            _say(f"{backend}: screens, {SCREENS_SMALL} and {size:,} records, round {number + 1} of {SCREEN_ROUNDS}")
            rounds["small"].append(_work("screens", small_url, policy_id=policy_id))
            rounds["large"].append(_work("screens", large_url, policy_id=policy_id))
    small, large = (
        {name: min((r[name] for r in runs), key=lambda m: m["seconds"]) for name in SCREENS} for runs in rounds.values()
    )
    return small, large


def _production_env(**extra: str) -> dict[str, str]:
    """The environment of a process that runs as production does: DEBUG off (no query log), static files
    collected (in the bench folder, by `_collect_static`)."""
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-" + "not-secret-" * 4,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_STATIC_ROOT": str(bench_root() / "static"),
        **extra,
    }


def _collect_static() -> None:
    """Production pages name static files by the hashes collectstatic writes down."""
    _say("collecting static files")
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"collectstatic failed:\n{done.stderr[-4000:]}")


def _work(task: str, database_url: str, **args: Any) -> dict[str, Any]:
    """Run one task in a fresh process, as production runs."""
    env = _production_env(DATABASE_URL=database_url)
    done = subprocess.run(
        [sys.executable, "-m", "bench.worker", task, json.dumps(args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"bench task {task!r} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def _median_ratio(runs: list[dict[str, Any]], key: str, floor: str = "floor") -> float:
    return statistics.median(run[key] / run[floor] for run in runs)


def _seconds(value: float) -> str:
    return f"{value:.2f} s"


def _runs(runs: list[dict[str, Any]]) -> str:
    return f"median of {len(runs)}" if len(runs) > 1 else "1 run"


def _import_rows(backend: str, imports: dict[int, list[dict[str, Any]]]) -> list[Row]:
    rows = []
    for size, runs in imports.items():
        floor = _seconds(_median(runs, "floor"))
        rows.append(
            Row(
                "import, with history",
                backend,
                f"{size:,}",
                _seconds(_median(runs, "import")),
                floor,
                _median_ratio(runs, "import"),
                1.5,
                f"floor: libyaml parse; {_runs(runs)}",
            )
        )
        rows.append(
            Row(
                "re-import, unchanged files",
                backend,
                f"{size:,}",
                _seconds(_median(runs, "reimport")),
                floor,
                _median_ratio(runs, "reimport"),
                0.2,
                "recognised by hash",
            )
        )
    return rows


def _export_rows(backend: str, exports: dict[int, list[dict[str, Any]]]) -> list[Row]:
    rows = []
    for size, runs in exports.items():
        floor = _seconds(_median(runs, "floor"))
        rows.append(
            Row(
                "export --all, unedited",
                backend,
                f"{size:,}",
                _seconds(_median(runs, "unedited")),
                floor,
                _median_ratio(runs, "unedited"),
                1.5,
                "floor: libyaml dump; nothing rewritten",
            )
        )
        rows.append(
            Row(
                "export --all, 10% edited",
                backend,
                f"{size:,}",
                _seconds(_median(runs, "edited")),
                floor,
                _median_ratio(runs, "edited"),
                1.5,
                "the edited tenth rewritten",
            )
        )
    return rows


def _memory_rows(backend: str, imports: dict, exports: dict, sizes: list[int]) -> list[Row]:
    if len(sizes) < 2:
        return []
    small, large = sizes[0], sizes[-1]
    rows = []
    for name, runs in (("import", imports), ("export", exports)):
        low, high = _median(runs[small], "peak_mb"), _median(runs[large], "peak_mb")
        rows.append(
            Row(
                f"peak memory, {name}",
                backend,
                f"{large:,} vs {small:,}",
                f"{high:.0f} MB",
                f"{low:.0f} MB",
                high / low,
                1.5,
                "ru_maxrss of the worker process",
            )
        )
    return rows


def _screen_rows(backend: str, small: dict[str, Any], large: dict[str, Any], size: int) -> list[Row]:
    rows = []
    for name in SCREENS:
        before, after = small[name], large[name]
        queries = f"queries: {before['queries']} -> {after['queries']}"
        if "rows" in after:
            queries += f"; rows listed: {before['rows']} -> {after['rows']}"
        rows.append(
            Row(
                name,
                backend,
                f"{size:,} vs {SCREENS_SMALL}",
                f"{after['seconds'] * 1000:.0f} ms",
                f"{before['seconds'] * 1000:.0f} ms",
                after["seconds"] / before["seconds"],
                1.5,
                queries,
            )
        )
    return rows


def _history_rows(backend: str, history: dict[str, Any]) -> list[Row]:
    copy = history["facility list bytes"]
    return [
        Row(
            "history, per text edit",
            backend,
            "1 record",
            f"{history['text edit']:,.0f} B",
            "",
            None,
            None,
            f"a copy of the ~1,000 facility ids ({copy:,} B) is no longer stored per version",
        ),
        Row(
            "history, per facility edit",
            backend,
            "1 record",
            f"{history['facility edit']:,.0f} B",
            "",
            None,
            None,
            "a new list is stored once, shared by every version and record listing it",
        ),
    ]


def _table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join("---" for _ in HEADER) + "|"]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def _machine() -> str:
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else platform.processor()
    )
    return (
        f"Machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, PostgreSQL {_postgres_version()}; {time.strftime('%Y-%m-%d')}"
    )


def _postgres_version() -> str:
    if not postgres_available():
        return "not reachable"
    import psycopg

    with psycopg.connect(maintenance_dsn()) as connection:
        return str(connection.execute("SHOW server_version").fetchone()[0]).split()[0]


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
