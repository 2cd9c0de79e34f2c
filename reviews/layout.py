"""What the review screen shows of a record: every part an approval publishes, in the schema's sections, each with
its change since the last verified version.

A reviewer approves all of it, so nothing is left out: the known fields (a value the file wrote in a form its field
cannot hold is shown as written), the rendered description and body, and the keys the schema does not know.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from policies import diffing, records, schema
from policies.rendering import render_markdown

# A list longer than this is folded away behind its count: a record lists a thousand facility ids.
FOLDED_LIST_LENGTH = 12
_DIMENSION_BY_SECTION = {section: d for d, section in schema.DIMENSION_SECTIONS.items()}


@dataclass(frozen=True)
class ShownField:
    name: str
    label: Any
    value: Any  # text, or a list of texts for a list field
    is_list: bool = False
    html: SafeString | None = None  # Markdown, rendered as published
    preformatted: bool = False  # YAML, shown as written
    written: str | None = None  # the value as the file wrote it, when its field cannot hold it
    diff: SafeString | None = None  # the change since the last verified version
    list_change: diffing.ListChange | None = None

    @property
    def folded(self) -> bool:
        return self.is_list and len(self.value) > FOLDED_LIST_LENGTH


@dataclass(frozen=True)
class ShownSection:
    key: str
    title: Any
    fields: list[ShownField]
    dimension: str | None = None  # the analysis dimension the section holds, which has a verdict

    @property
    def changed(self) -> bool:
        return any(field.diff is not None or field.list_change for field in self.fields)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _shown(name: str, policy: Any, kept: dict[str, Any], baseline: Any, diffs: dict[str, SafeString]) -> ShownField:
    value = getattr(policy, name)
    field = schema.BY_ATTR.get(name)
    if field is None:  # a part: the body, the unknown keys or the values kept as written
        part = next(part for part in schema.PARTS if part.attr == name)
        if name == "body":
            return ShownField(name, part.label, value, html=render_markdown(value), diff=diffs.get(name))
        return ShownField(name, part.label, value, preformatted=True, diff=diffs.get(name))
    key = records.key_of(name)
    written = records.dump_as_written({key: kept[key]}).partition(": ")[2].strip() if key in kept else None
    if field.kind == "list":
        items = [_text(item) for item in value or []]
        change = diffing.compare_lists(getattr(baseline, name), value) if baseline is not None else None
        return ShownField(name, field.label, items, is_list=True, written=written, list_change=change or None)
    html = render_markdown(value) if field.form_box.markdown else None
    return ShownField(name, field.label, _text(value), html=html, written=written, diff=diffs.get(name))


def _present(field: ShownField) -> bool:
    return bool(field.value) or field.written is not None or field.diff is not None or bool(field.list_change)


def record_sections(policy: Any, baseline: Any) -> list[ShownSection]:
    """The record's content by section, in the order of the change form, leaving out what is empty and unchanged
    (nothing of it is published). `baseline`, the last verified version (or None), is what the changes are against.
    """
    kept = records.as_written(records.policy_values(policy))
    diffs = (
        {change.name: change.diff for section in diffing.compare(baseline, policy) for change in section.fields}
        if baseline is not None
        else {}
    )
    sections = []
    for section in schema.SECTIONS:
        fields = [_shown(name, policy, kept, baseline, diffs) for name in schema.in_section(section)]
        shown = [field for field in fields if _present(field)]
        if shown:
            sections.append(
                ShownSection(section.key, diffing.section_title(section), shown, _DIMENSION_BY_SECTION.get(section))
            )
    return sections
