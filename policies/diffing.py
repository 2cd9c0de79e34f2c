"""Readable differences between two versions of a record, field by field, for editors and reviewers.

Text is compared word by word, except Chinese (and other CJK) text, which has no spaces: a word-level diff would
mark a whole paragraph as changed, so CJK characters are compared one by one. Fields are grouped as the record
is (identity, classification, each analysis dimension, ...), in the order of the change form.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from policies import schema
from policies.models import Policy, ReviewState

_CJK = (
    "\u2e80-\u2fdf"  # radicals
    "\u3000-\u303f"  # CJK punctuation
    "\u3040-\u30ff"  # kana
    "\u3400-\u4dbf"  # extension A
    "\u4e00-\u9fff"  # unified ideographs
    "\uf900-\ufaff"  # compatibility ideographs
    "\uff00-\uffef"  # full-width forms
    "\u2018-\u201f"  # curly quotes, used as CJK punctuation in the collection
)
_TOKEN = re.compile(rf"[{_CJK}]|\s+|[^\s{_CJK}]+")


def section_title(section: schema.Section) -> Any:
    """A section's heading: an analysis dimension's says it is one (`Analysis: MRV`)."""
    if section in schema.DIMENSION_SECTIONS.values():
        return format_lazy("{}: {}", gettext_lazy("Analysis"), section.label)
    return section.label


# The record's parts, in the order of the change form (`policies.schema`); then `state`, the review state, which the
# workflow changes.
SECTIONS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    *((section_title(section), tuple(schema.in_section(section))) for section in schema.SECTIONS),
    (gettext_lazy("Review"), ("state",)),
)


def tokenize(text: str) -> list[str]:
    """Split into CJK characters, runs of whitespace and words; joining the tokens gives the text back."""
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class Chunk:
    kind: str  # "equal", "delete" or "insert"
    text: str


TRIMMED_ABOVE = 200  # tokens


def diff_text(old: str, new: str) -> list[Chunk]:
    """The edit from `old` to `new` as equal, deleted and inserted chunks, in reading order."""
    a, b = tokenize(old), tokenize(new)
    # An edit touches a part of a long text; difflib's time grows with the square of what it is given, so it is
    # given only what lies between the common start and the common end. Short texts are left whole: difflib's
    # longest-match alignment reads better there (it may put the edit beside a later word).
    shorter = min(len(a), len(b))
    start = end = 0
    if shorter > TRIMMED_ABOVE:
        while start < shorter and a[start] == b[start]:
            start += 1
        while end < shorter - start and a[-1 - end] == b[-1 - end]:
            end += 1
    chunks: list[Chunk] = [Chunk("equal", "".join(a[:start]))] if start else []
    middle_a, middle_b = a[start : len(a) - end], b[start : len(b) - end]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False).get_opcodes():
        if op == "equal":
            chunks.append(Chunk("equal", "".join(middle_a[i1:i2])))
            continue
        if i2 > i1:
            chunks.append(Chunk("delete", "".join(middle_a[i1:i2])))
        if j2 > j1:
            chunks.append(Chunk("insert", "".join(middle_b[j1:j2])))
    if end:
        chunks.append(Chunk("equal", "".join(a[len(a) - end :])))
    return chunks


def diff_html(old: str, new: str) -> SafeString:
    """The edit as HTML: deletions in <del>, insertions in <ins>, all text escaped."""
    tags = {"delete": "del", "insert": "ins"}
    parts = []
    for chunk in diff_text(old, new):
        text = escape(chunk.text)
        parts.append(f"<{tags[chunk.kind]}>{text}</{tags[chunk.kind]}>" if chunk.kind in tags else text)
    return mark_safe("".join(parts))


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    diff: SafeString


@dataclass(frozen=True)
class Section:
    title: str
    fields: list[FieldChange]


def as_text(value: Any) -> str:
    """A field's value as the diff compares it: lists one item a line, dates as YYYY-MM-DD, nothing as ''."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _label(name: str) -> str:
    # Under "Analysis: Market" the part's name says enough.
    dimension, _, part = name.partition("_")
    if dimension in schema.DIMENSIONS and part in schema.DIMENSION_PARTS:
        return str(schema.PART_LABELS[part])
    return str(Policy._meta.get_field(name).verbose_name)


def _shown(name: str, value: Any) -> str:
    if name == "state" and value in ReviewState.values:
        return str(ReviewState(value).label)
    return as_text(value)


def compare(old: Any, new: Any, fields: Iterable[str] | None = None) -> list[Section]:
    """What changed from `old` to `new` (records or history rows of one), grouped by section, in form order.

    `fields` limits the comparison (default: every field of `SECTIONS`).
    """
    wanted = set(fields) if fields is not None else None
    sections = []
    for title, names in SECTIONS:
        changes = []
        for name in names:
            if wanted is not None and name not in wanted:
                continue
            before, after = _shown(name, getattr(old, name)), _shown(name, getattr(new, name))
            if before != after:
                changes.append(FieldChange(name, _label(name), diff_html(before, after)))
        if changes:
            sections.append(Section(title, changes))
    return sections


@dataclass(frozen=True)
class ListChange:
    """How a list changed, told as a count and the items added and removed: a long list (a record's facility ids)
    shown whole, or diffed line by line, buries the few ids that changed."""

    before: int
    after: int
    added: list[str]
    removed: list[str]
    reordered: bool  # the same items, in another order

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.reordered)


def compare_lists(old: Sequence[Any] | None, new: Sequence[Any] | None) -> ListChange:
    """The items `new` adds to `old` and those it drops, each in its list's order (a repeated item counts each time)."""
    before, after = [str(item) for item in old or []], [str(item) for item in new or []]
    left, right = Counter(before), Counter(after)
    added = _taking(after, right - left)
    removed = _taking(before, left - right)
    return ListChange(len(before), len(after), added, removed, not added and not removed and before != after)


def _taking(items: list[str], counts: Counter[str]) -> list[str]:
    taken = []
    for item in items:
        if counts[item] > 0:
            counts[item] -= 1
            taken.append(item)
    return taken


def compare_history(rows: Sequence[Any], previous: Any = None) -> list[list[Section]]:
    """For history rows, newest first, what each changed against the row before it (`previous` for the last).

    The oldest row of the record (its creation) has nothing to compare with: its list is empty.
    """
    older = [*rows[1:], previous]
    return [compare(before, row) if before is not None else [] for row, before in zip(rows, older, strict=True)]
