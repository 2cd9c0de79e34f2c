"""What the import and export commands print: one line per file worth a look, then a summary table."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator

from tqdm import tqdm

PROGRESS_THRESHOLD = 200


def progress[T](items: Iterable[T], *, total: int | None, label: str) -> Iterator[T]:
    """A progress bar on stderr for long runs in a terminal; silent otherwise."""
    shown = sys.stderr.isatty() and (total is None or total >= PROGRESS_THRESHOLD)
    yield from tqdm(items, total=total, desc=label, unit=" files", disable=not shown, leave=False)


def summary_table(counts: dict[str, int], order: Iterable[str]) -> str:
    rows = [(name, counts.get(name, 0)) for name in order]
    width = max(len(name) for name, _ in rows)
    lines = [f"{'outcome':<{width}}  files", f"{'-' * width}  -----"]
    lines += [f"{name:<{width}}  {count:>5}" for name, count in rows]
    lines.append(f"{'total':<{width}}  {sum(count for _, count in rows):>5}")
    return "\n".join(lines)
