"""Three-way merges of a record's content, field by field: what a file changed against what the app changed.

A file the app has never seen descends from some content the app has seen: a version of the record, or a file
it imported. That common base is the known content closest to the file (fewest fields apart, the newest on a
tie), since an AI regenerating a draft or a person editing an exported file changes a few fields of what they
started from; between equally close ones the oldest, since an older base can only make more of the app's
changes count as changes (kept, or a conflict), never fewer. Each field then follows whichever side changed it;
a field both sides changed differently is a conflict for a person to settle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from policies.records import CONTENT_FIELDS, changed_fields


@dataclass(frozen=True)
class Base:
    """Known content of a record: one of its versions (as stored, or as its exported file states it), or a file
    the app imported for it."""

    values: Mapping[str, Any]  # as a file holding it says it: what a file's changes are measured against
    label: str  # "version 3", "the file version 2 was imported from"
    order: int  # newer is larger
    stored: Mapping[str, Any] | None = None  # the version as stored, where its file states it otherwise
    version: int | None = None  # the version it is, or None for an imported file

    @property
    def record_values(self) -> Mapping[str, Any]:
        """What the app's changes are measured against."""
        return self.stored if self.stored is not None else self.values


@dataclass(frozen=True)
class FieldConflict:
    field: str
    base: Any
    ours: Any
    theirs: Any


@dataclass
class Merge:
    base: Base
    taken: list[str] = field(default_factory=list)  # changed in the file only: the file's value is taken
    kept: list[str] = field(default_factory=list)  # changed in the app only: the record's value stays
    conflicts: list[FieldConflict] = field(default_factory=list)

    @property
    def app_changed(self) -> bool:
        """Whether the record changed since the base, in fields the file did not change the same way."""
        return bool(self.kept or self.conflicts)


def closest_base(theirs: Mapping[str, Any], bases: Iterable[Base]) -> Base:
    """The known content the file most likely descends from (the oldest of the closest); `bases` is not empty."""
    return min(bases, key=lambda base: (len(list(changed_fields(base.values, theirs))), base.order))


def merge(base: Base, ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> Merge:
    """Compare each content field of the record (`ours`) and the file (`theirs`) with `base`."""
    result = Merge(base)
    ours_changed = set(changed_fields(base.record_values, ours))
    theirs_changed = set(changed_fields(base.values, theirs))
    differing = set(changed_fields(ours, theirs))
    for name in CONTENT_FIELDS:
        if name not in differing:
            continue
        if name in theirs_changed and name in ours_changed:
            result.conflicts.append(FieldConflict(name, base.values.get(name), ours.get(name), theirs.get(name)))
        elif name in theirs_changed:
            result.taken.append(name)
        elif name in ours_changed:
            result.kept.append(name)
    return result
