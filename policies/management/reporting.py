"""What the import and export commands print: one line per file worth a look, then a summary table."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext
from tqdm import tqdm

PROGRESS_THRESHOLD = 200


def progress[T](items: Iterable[T], *, total: int | None, label: str) -> Iterator[T]:
    """A progress bar on stderr for long runs in a terminal; silent otherwise."""
    shown = sys.stderr.isatty() and (total is None or total >= PROGRESS_THRESHOLD)
    yield from tqdm(items, total=total, desc=label, unit=" files", disable=not shown, leave=False)


def summary_table(counts: dict[str, int], order: Iterable[tuple[str, str]]) -> str:
    """A count per outcome; `order` pairs each outcome's key in `counts` with the name shown for it."""
    rows = [(str(label), counts.get(key, 0)) for key, label in order]
    total = gettext("total")
    heading, files = gettext("outcome"), gettext("files")
    width = max(_width(name) for name in [heading, total, *(name for name, _ in rows)])
    lines = [f"{_padded(heading, width)}  {files:>5}", f"{'-' * width}  -----"]
    lines += [f"{_padded(name, width)}  {count:>5}" for name, count in rows]
    lines.append(f"{_padded(total, width)}  {sum(count for _, count in rows):>5}")
    return "\n".join(lines)


def _width(text: str) -> int:
    """Columns a terminal gives the text: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)


def _padded(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
