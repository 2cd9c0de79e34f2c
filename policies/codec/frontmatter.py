"""The policy file codec: Markdown with YAML frontmatter, read and written as our JavaScript readers do.

A file is ``---`` on its first line, the YAML mapping, a line that is exactly ``---``, then the body
(gray-matter's rules, made strict where gray-matter guesses). Values are read as js-yaml 4's ``load`` reads
them and written as its ``dump(data, {lineWidth: -1})`` writes them; see ``policies/codec/_yaml12.py`` for the
value shapes and the few places where ``dump`` deviates so that what it writes reads back the same.

``render`` keeps every byte it has no reason to touch: an unchanged record comes back as its original text,
and an edit replaces only the lines of the keys that changed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from policies.codec import _yaml12
from policies.codec._yaml12 import Layout, YamlProblem, same

__all__ = [
    "Document",
    "FrontmatterError",
    "Limits",
    "dump",
    "load",
    "locate",
    "locate_all",
    "parse",
    "render",
    "same",
    "split",
]


class FrontmatterError(ValueError):
    """A file that cannot be read as a frontmatter record."""

    def __init__(
        self, message: str, *, line: int | None = None, column: int | None = None, field: str | None = None
    ) -> None:
        self.message = message
        self.line = line  # 1-based, in the whole file
        self.column = column  # 1-based
        self.field = field  # dotted path, e.g. "analysis.market" or "relatedFacilities[3]"
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}")
        if self.field is not None:
            where.append(f"field {self.field}")
        return ", ".join(where) + ": " + self.message if where else self.message


@dataclass(frozen=True)
class Limits:
    max_depth: int = 64  # nesting depth of collections
    max_nodes: int = 200_000  # nodes after alias expansion, checked while composing
    # Characters of text (keys and values) after alias expansion, checked while composing: callers pass the
    # file size limit, so that aliases never make a record larger than a file may be (2 MB, its default).
    max_text: int = 2 * 1024 * 1024


@dataclass(frozen=True)
class Document:
    text: str  # the exact original text
    data: dict[str, Any]  # the frontmatter mapping, as js-yaml 4 reads it
    body: str  # everything after the closing delimiter line


_OPENING = re.compile(r"\ufeff?---[ \t]*(\r?\n)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class _Split:
    yaml_start: int
    yaml_end: int
    body_start: int
    newline: str
    first_line: int  # 0-based file line of the first YAML line


def _split(text: str) -> _Split:
    opening = _OPENING.match(text)
    if opening is None:
        raise FrontmatterError("missing frontmatter: the file must start with a line '---'", line=1, column=1)
    start = opening.end()
    # gray-matter ends the frontmatter at the first "\n---", whatever follows it on that line.
    found = text.find("\n---", start - 1)
    if found == -1:
        raise FrontmatterError("unterminated frontmatter: no closing line '---'", line=1, column=1)
    end = found + 1
    after = end + 3
    rest = text[after : after + 2]
    if rest[:1] not in ("", "\n") and rest != "\r\n" and rest != "\r":
        line = text.count("\n", 0, end) + 1
        raise FrontmatterError(
            "a line starting with '---' must be exactly '---' (gray-matter would end the frontmatter here)",
            line=line,
            column=4,
        )
    body_start = after + (2 if rest == "\r\n" else 1 if rest[:1] in ("\n", "\r") else 0)
    return _Split(start, end, body_start, opening.group(1), 1)


def _error(problem: YamlProblem, first_line: int) -> FrontmatterError:
    field = None
    if problem.path:
        field = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in problem.path).lstrip(".")
    line = None if problem.line is None else problem.line + first_line + 1
    column = None if problem.column is None else problem.column + 1
    return FrontmatterError(problem.message, line=line, column=column, field=field)


def _compose(yaml_text: str, limits: Limits, first_line: int, record: bool = False) -> tuple[Any, Layout | None]:
    try:
        return _yaml12.compose(
            yaml_text,
            max_depth=limits.max_depth,
            max_nodes=limits.max_nodes,
            max_text=limits.max_text,
            record=record,
        )
    except YamlProblem as problem:
        raise _error(problem, first_line) from None


def load(yaml_text: str, *, limits: Limits = Limits()) -> Any:
    """One YAML document, as js-yaml 4's ``load`` reads it (None for an empty one)."""
    value, _layout = _compose(yaml_text, limits, 0)
    return None if value is _yaml12.NO_DOCUMENT else value


def dump(data: Any) -> str:
    """``jsyaml.dump(data, {lineWidth: -1})``, except where that would not read back as ``data``.

    Floats with an integral value keep a ``.0``, a ``date`` is written as a date rather than a midnight
    timestamp, and strings that gray-matter's js-yaml 3 would read as numbers (``1_000``) are quoted.
    Raises TypeError or ValueError for data that cannot round-trip (non-str keys, naive datetimes, ...).
    """
    return _yaml12.dump(data)


def split(text: str) -> tuple[str, str]:
    """The YAML text and the body of a file, divided as `parse` divides them (FrontmatterError if it cannot)."""
    parts = _split(text)
    return text[parts.yaml_start : parts.yaml_end], text[parts.body_start :]


def parse(text: str, *, limits: Limits = Limits()) -> Document:
    """Split a file into its frontmatter mapping and body; FrontmatterError says where and why it fails."""
    split = _split(text)
    data, _layout = _compose(text[split.yaml_start : split.yaml_end], limits, split.first_line)
    if data is _yaml12.NO_DOCUMENT:
        data = {}
    if type(data) is not dict:
        raise FrontmatterError(
            f"the frontmatter must be a mapping, not {type(data).__name__}", line=split.first_line + 1, column=1
        )
    return Document(text=text, data=data, body=text[split.body_start :])


def render(document: Document | None, data: Mapping[str, Any], body: str) -> str:
    """The file for ``data`` and ``body``, touching only the lines of ``document`` that must change.

    The original data is read again from ``document.text``, so editing ``document.data`` in place and
    passing it back works. Raises TypeError or ValueError (from ``dump``) for data that cannot be written.
    """
    new = dict(data)
    if document is None:
        return "---\n" + dump(new) + "---\n" + body
    text = document.text
    split = _split(text)
    yaml_text = text[split.yaml_start : split.yaml_end]
    old, layout = _compose(yaml_text, Limits(), split.first_line, record=True)
    if old is _yaml12.NO_DOCUMENT:
        old = {}
    if same(new, old):
        return text[: split.body_start] + body
    new_yaml = _render_yaml(layout, _lines_of(yaml_text), old, new, split.newline)
    return text[: split.yaml_start] + new_yaml + text[split.yaml_end : split.body_start] + body


_FIELD_PART = re.compile(r"[^.\[\]]+")


def locate(document: Document, field: str) -> tuple[int, int] | None:
    """The 1-based line and column in the file of a field's value, named as in errors ("analysis.mrv.score",
    "relatedFacilities[3]" for a list's fourth item); of its nearest enclosing value if it is not there."""
    return locate_all(document, [field])[field]


def locate_all(document: Document, fields: list[str]) -> dict[str, tuple[int, int] | None]:
    """`locate` for several fields, reading the file once."""
    split = _split(document.text)
    _data, root = _compose(document.text[split.yaml_start : split.yaml_end], Limits(), split.first_line, True)
    found: dict[str, tuple[int, int] | None] = {}
    for field in fields:
        position, layout = None, root
        for name in _FIELD_PART.findall(field):
            child = None
            if layout is not None and layout.kind == "seq" and name.isdigit():
                child = layout.items[int(name)] if int(name) < len(layout.items) else None
            elif layout is not None and name in layout.entries:
                child = layout.entries[name].value
            if child is None:
                break
            position, layout = child.start, child
        found[field] = None if position is None else (position[0] + split.first_line + 1, position[1] + 1)
    return found


# --- minimal re-rendering ------------------------------------------------------------------------------


class _Rewrite(Exception):
    """The enclosing node must be written anew (keys reordered, merge keys, an unusual layout)."""


class _RewriteAll(Exception):
    """The whole frontmatter must be written anew (an anchor that an edit would remove)."""


@dataclass
class _Edit:
    start: int  # first line replaced (0-based, in the YAML block)
    end: int  # line after the last one replaced
    text: str  # replacement, each line ending in "\n"


def _lines_of(text: str) -> list[str]:
    """Lines with their breaks, split where libyaml counts lines."""
    lines = _LINE_BREAK.split(text)
    breaks = _LINE_BREAK.findall(text)
    return [line + brk for line, brk in zip(lines, [*breaks, ""], strict=True)]


def _render_yaml(layout: Layout | None, source: list[str], old: Any, new: dict[str, Any], newline: str) -> str:
    if not new or type(old) is not dict or layout is None or layout.kind != "map" or layout.flow:
        return dump(new).replace("\n", newline)
    lines = [line.rstrip("\r\n") for line in source]
    edits: list[_Edit] = []
    try:
        _diff_mapping(layout, old, new, lines, edits)
    except (_Rewrite, _RewriteAll):
        return dump(new).replace("\n", newline)
    result = list(source)
    for edit in sorted(edits, key=lambda edit: (edit.start, edit.end), reverse=True):
        result[edit.start : edit.end] = [edit.text.replace("\n", newline)]
    return "".join(result)


def _entry_end(value: Layout, lines: list[str]) -> int:
    """The line after the last line of an entry's value."""
    while value.kind in ("map", "seq") and not value.flow and value.last is not None:
        value = value.last
    line, column = value.end
    end = line + 1 if column > 0 else line
    if value.kind == "scalar" and value.style in ("|", ">"):
        header = lines[value.start[0]][value.start[1] :].split("#")[0]
        if "+" not in header:
            # Clip and strip chomping: trailing blank lines belong to what follows, not to this value. A line of
            # spaces deeper than the scalar's indentation is content, though (`|2` holding " \n").
            indent = _block_indent(value, header, lines, end)
            while end > value.start[0] + 1 and _is_blank_line(lines[end - 1], indent):
                end -= 1
    return max(end, value.start[0] + 1)


def _block_indent(value: Layout, header: str, lines: list[str], end: int) -> int:
    """The indentation of a block scalar's content: from its indicator, else from its first non-empty line."""
    header_line = lines[value.start[0]]
    digits = [c for c in header if c.isdigit()]
    if digits:
        return len(header_line) - len(header_line.lstrip(" ")) + int(digits[0])
    for line in lines[value.start[0] + 1 : end]:
        if line.strip(" \t\r\n"):
            return len(line) - len(line.lstrip(" "))
    return len(max(lines, key=len))  # no content at all: every line is blank


def _is_blank_line(line: str, indent: int) -> bool:
    text = line.rstrip("\r\n")
    return not text.strip(" \t") and len(text) <= indent


def _diff_mapping(
    layout: Layout, old: dict[str, Any], new: dict[str, Any], lines: list[str], edits: list[_Edit]
) -> None:
    if layout.has_merge or list(layout.entries) != list(old):
        raise _Rewrite
    common_old = [key for key in old if key in new]
    common_new = [key for key in new if key in old]
    if common_old != common_new:
        raise _Rewrite
    entries = layout.entries
    column = next(iter(entries.values())).key_start[1]
    for entry in entries.values():
        if entry.key_start[1] != column or lines[entry.key_start[0]][:column].strip():
            raise _Rewrite
    for key, entry in entries.items():
        start, end = entry.key_start[0], _entry_end(entry.value, lines)
        if key not in new:
            if entry.value.defines_anchor:
                raise _RewriteAll
            edits.append(_Edit(start, end, ""))
            continue
        if same(old[key], new[key]):
            continue
        value = entry.value
        if value.kind == "map" and not value.flow and type(new[key]) is dict and new[key] and type(old[key]) is dict:
            nested: list[_Edit] = []
            try:
                _diff_mapping(value, old[key], new[key], lines, nested)
            except _Rewrite:
                pass
            else:
                edits.extend(nested)
                continue
        if value.defines_anchor:
            raise _RewriteAll
        key_text = None
        if entry.key_start[0] == entry.key_end[0]:
            key_text = lines[start][entry.key_start[1] : entry.key_end[1]]
        edits.append(_Edit(start, end, _pair(key, new[key], column, key_text)))
    # Added keys go after their preceding sibling in the new order, or before the first entry.
    anchor_line = next(iter(entries.values())).key_start[0]
    pending: list[str] = []
    for key in new:
        if key in entries:
            if pending:
                edits.append(_Edit(anchor_line, anchor_line, "".join(pending)))
                pending = []
            anchor_line = _entry_end(entries[key].value, lines)
        else:
            pending.append(_pair(key, new[key], column, None))
    if pending:
        edits.append(_Edit(anchor_line, anchor_line, "".join(pending)))


def _pair(key: str, value: Any, column: int, key_text: str | None) -> str:
    return " " * column + _yaml12.write_pair(key, value, column, key_text=key_text) + "\n"
