"""YAML as js-yaml 4 reads and writes it, driven by libyaml's event parser.

PyYAML's loaders speak YAML 1.1 (``NO`` is False, ``012`` is 10) and keep the last of two duplicate keys;
our files are read by js-yaml 4 (``load`` with its default schema) and written by ``dump(data,
{lineWidth: -1})``. This module composes values from libyaml events itself, with an explicit stack, so that
resolution, duplicate keys, depth and alias expansion are all decided here, before any memory is spent: an
alias is counted as the nodes and characters of text it repeats before it is expanded, and what is read is
refused once it would hold more than the limits allow.

Python shapes: mappings are ``dict`` (keys are ``str``, as in a JS object), sequences ``list``, ``!!binary``
is ``bytes``, a date-only timestamp is a ``date`` and any other timestamp an aware UTC ``datetime`` with
millisecond precision. ``!!omap`` gives a list of one-key dicts, ``!!pairs`` a list of ``[key, value]``
lists and ``!!set`` a dict whose values are None: exactly the JS values js-yaml builds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

TAG = "tag:yaml.org,2002:"
NO_DOCUMENT: Any = type("NoDocument", (), {"__repr__": lambda self: "NO_DOCUMENT"})()


class YamlProblem(Exception):
    """A YAML text that js-yaml would refuse; line and column are 0-based in that text."""

    def __init__(
        self, message: str, line: int | None = None, column: int | None = None, path: tuple[str | int, ...] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.path = path


# --- scalar resolution (js-yaml 4 lib/type/*.js) -------------------------------------------------------

_FLOAT_RE = re.compile(
    r"[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TIMESTAMP_RE = re.compile(
    r"([0-9]{4})-([0-9][0-9]?)-([0-9][0-9]?)(?:[Tt]|[ \t]+)([0-9][0-9]?):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9][0-9]?)(?::([0-9]{2}))?))?"
)
_DIGITS = {2: frozenset("01"), 8: frozenset("01234567"), 16: frozenset("0123456789abcdefABCDEF")}
_NULLS = frozenset(("~", "null", "Null", "NULL"))
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_KNOWN_TYPES = {name: "scalar" for name in ("str", "null", "bool", "int", "float", "timestamp", "binary", "merge")}
_KNOWN_TYPES.update(map="mapping", set="mapping", seq="sequence", omap="sequence", pairs="sequence")


def resolve_int(text: str) -> int | None:
    body = text[1:] if text[:1] in ("-", "+") else text
    sign = -1 if text[:1] == "-" else 1
    if len(body) > 2 and body[0] == "0" and body[1] in "bxo":
        base = {"b": 2, "x": 16, "o": 8}[body[1]]
        if not _DIGITS[base].issuperset(body[2:]):
            return None
        value = sign * int(body[2:], base)
    elif body.isascii() and body.isdigit():
        value = sign * int(body)
    else:
        return None
    # A JS number: the nearest double, and no int at all when that overflows.
    try:
        return int(float(value))
    except OverflowError:
        return None


def resolve_float(text: str) -> float | None:
    if not _FLOAT_RE.fullmatch(text):
        return None
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return -math.inf if text[0] == "-" else math.inf
    if lowered == ".nan":
        return math.nan
    value = float(text)
    return value if math.isfinite(value) else None


def _days_from_civil(year: int, month: int, day: int) -> int:
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _utc_days(year: int, month: int, day: int) -> int:
    # JS Date.UTC: years 0-99 mean 1900-1999 and out-of-range months and days roll over.
    if 0 <= year <= 99:
        year += 1900
    year += (month - 1) // 12
    return _days_from_civil(year, (month - 1) % 12 + 1, 1) + day - 1


def resolve_timestamp(text: str) -> date | datetime | None:
    match = _DATE_RE.fullmatch(text)
    try:
        if match:
            year, month, day = (int(group) for group in match.groups())
            return date(1970, 1, 1) + timedelta(days=_utc_days(year, month, day))
        match = _TIMESTAMP_RE.fullmatch(text)
        if not match:
            return None
        year, month, day, hour, minute, second = (int(group) for group in match.groups()[:6])
        fraction, _zone, tz_sign, tz_hour, tz_minute = match.groups()[6:]
        millis = int((fraction[:3] + "00")[:3]) if fraction else 0
        offset = (int(tz_hour) * 60 + int(tz_minute or 0)) * 60000 if tz_sign else 0
        total = _utc_days(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + millis
        return _EPOCH + timedelta(milliseconds=total - (offset if tz_sign == "+" else -offset))
    except OverflowError:
        raise YamlProblem(f"timestamp {text!r} is out of the range Python dates can hold") from None


_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n\r"


def resolve_binary(text: str) -> bytes | None:
    # A port of js-yaml's type/binary.js, quirks included ('=' counts as six bits).
    bits = 0
    for char in text:
        code = _BASE64.find(char)
        if code < 0:
            return None
        if code <= 64:
            bits += 6
    if bits % 8:
        return None
    chars = [_BASE64.index(c) for c in text if c not in "\r\n="]
    result = bytearray()
    buffer = 0
    for index, code in enumerate(chars):
        if index % 4 == 0 and index:
            result += bytes(((buffer >> 16) & 0xFF, (buffer >> 8) & 0xFF, buffer & 0xFF))
        buffer = ((buffer << 6) | code) & 0xFFFFFFFF
    tail = len(chars) % 4 * 6
    if tail == 0:
        result += bytes(((buffer >> 16) & 0xFF, (buffer >> 8) & 0xFF, buffer & 0xFF))
    elif tail == 18:
        result += bytes(((buffer >> 10) & 0xFF, (buffer >> 2) & 0xFF))
    elif tail == 12:
        result.append((buffer >> 4) & 0xFF)
    return bytes(result)


# Explicitly tagged scalars (`!!int 12`) read by the same resolver as plain ones; None means "not of this type".
_TAGGED_SCALARS: dict[str, Callable[[str], Any]] = {
    "int": resolve_int,
    "float": resolve_float,
    "timestamp": resolve_timestamp,
    "binary": resolve_binary,
}


def resolve_plain(text: str) -> tuple[Any, bool]:
    """Resolve an untagged plain scalar; the flag says whether it is the merge key ``<<``."""
    if text == "" or text in _NULLS:
        return None, False
    if text in _BOOLS:
        return _BOOLS[text], False
    first = text[0]
    if first in "0123456789+-.":
        number: Any = resolve_int(text)
        if number is None:
            number = resolve_float(text)
        if number is None and first.isdigit():
            number = resolve_timestamp(text)
        if number is not None:
            return number, False
    return text, text == "<<"


def js_number(value: float) -> str:
    """JavaScript's ``String(number)`` for a double (both languages print the shortest round-trip digits)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    _sign, digit_tuple, exponent = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    assert isinstance(exponent, int)
    point = exponent + len(digit_tuple)  # the decimal point sits after this many digits
    sign = "-" if value < 0 else ""
    count = len(digits)
    if count <= point <= 21:
        return sign + digits + "0" * (point - count)
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * -point + digits
    rest = "." + digits[1:] if count > 1 else ""
    return f"{sign}{digits[0]}{rest}e{'+' if point > 0 else '-'}{abs(point - 1)}"


# --- js-yaml 3 (bundled by gray-matter) reads some plain strings as numbers; dump quotes those too ------

_V3_FLOAT_RE = re.compile(
    r"[-+]?(?:0|[1-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_V3_INT_RE = re.compile(
    r"[-+]?(?:0b[01_]*[01][01_]*|0x[0-9a-fA-F_]*[0-9a-fA-F][0-9a-fA-F_]*|0[0-7_]*[0-7][0-7_]*|0"
    r"|[1-9_][0-9_]*(?::[0-5]?[0-9])*)"
)


def _v3_reads_as_number(text: str) -> bool:
    if text.endswith("_"):
        return False
    if _V3_FLOAT_RE.fullmatch(text):
        return True
    match = _V3_INT_RE.fullmatch(text)
    return bool(match) and text.lstrip("+-")[:1] != "_" and any(c.isdigit() for c in text)


# --- composing values from libyaml events ----------------------------------------------------------------


@dataclass
class Layout:
    """Where a node sits in the text (0-based lines and columns), kept for minimal re-rendering."""

    kind: str  # "scalar", "alias", "map" or "seq"
    flow: bool
    start: tuple[int, int]
    end: tuple[int, int] = (0, 0)  # just after the last character of content
    style: str = ""
    defines_anchor: bool = False
    has_merge: bool = False
    entries: dict[str, Entry] = field(default_factory=dict)
    last: Layout | None = None  # the last child of a collection
    items: list[Layout] = field(default_factory=list)  # a sequence's items, in order


@dataclass
class Entry:
    key_start: tuple[int, int]
    key_end: tuple[int, int]
    value: Layout


class _Frame:
    __slots__ = (
        "anchor",
        "count_at_start",
        "is_map",
        "key",
        "key_layout",
        "key_mark",
        "key_merge",
        "layout",
        "overridable",
        "path",
        "tag",
        "text_at_start",
        "value",
    )

    def __init__(
        self,
        value: Any,
        is_map: bool,
        anchor: str | None,
        tag: str | None,
        count: int,
        text: int,
        path: tuple[str | int, ...],
        layout: Layout | None,
    ) -> None:
        self.value = value
        self.is_map = is_map
        self.anchor = anchor
        self.tag = tag
        self.count_at_start = count
        self.text_at_start = text
        self.path = path
        self.key: Any = NO_DOCUMENT  # no pending key
        self.key_merge = False
        self.key_layout: Layout | None = None
        self.key_mark: Any = None
        self.overridable: set[str] = set()
        self.layout = layout


_BREAK_PLACEHOLDERS = "\x85\u2028\u2029"


def _shield_breaks(text: str) -> tuple[str, dict[int, int] | None]:
    # libyaml follows YAML 1.1, where NEL, LS and PS break lines; in YAML 1.2 (js-yaml) they are ordinary
    # characters. Swap them for private-use characters libyaml treats as text, and swap back in values.
    if not any(char in text for char in _BREAK_PLACEHOLDERS):
        return text, None
    lowered = text.lower()
    free = (cp for cp in range(0xE000, 0xF900) if chr(cp) not in text and f"{cp:04x}" not in lowered)
    forward = {ord(char): next(free) for char in _BREAK_PLACEHOLDERS}
    return text.translate(forward), {placeholder: original for original, placeholder in forward.items()}


def _copy(value: Any) -> Any:
    # Aliases are expanded into copies so that the result is a plain tree (the budget was checked first).
    if type(value) is dict:
        return {key: _copy(item) for key, item in value.items()}
    if type(value) is list:
        return [_copy(item) for item in value]
    return value


def _js_key(value: Any) -> str:
    # A JS object key is String(key).
    if type(value) is str:
        return value
    if value is None:
        return "null"
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) in (int, float):
        return js_number(float(value))
    raise YamlProblem(f"mapping keys must be scalars, not {type(value).__name__}")


def _is_index_key(key: str) -> bool:
    return key.isascii() and key.isdigit() and (key == "0" or key[0] != "0") and int(key) < 2**32 - 1


def js_key_order(mapping: dict[str, Any]) -> dict[str, Any]:
    """JS objects list integer-like keys first, ascending; mirror that so dict order is JS order."""
    if not any(_is_index_key(key) for key in mapping):
        return mapping
    indexes = sorted((key for key in mapping if _is_index_key(key)), key=int)
    ordered = {key: mapping[key] for key in indexes}
    ordered.update((key, value) for key, value in mapping.items() if key not in ordered)
    return ordered


class Composer:
    def __init__(self, text: str, *, max_depth: int, max_nodes: int, max_text: int, record: bool = False) -> None:
        self.text, self.restore = _shield_breaks(text)
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        # Text a document spells out is bounded by the size of the file; the limit is for what aliases repeat,
        # so a document without aliases is never refused (it reads back under any smaller limit, too).
        self.max_text = max(max_text, len(text))
        self.record = record
        self.nodes = 0
        self.text_read = 0  # characters of scalars (keys too), each alias counting all the text it repeats
        self.merge_work = 0
        # An anchor's value with the nodes and characters of text it holds; None while it is being read.
        self.anchors: dict[str, tuple[Any, int, int] | None] = {}
        self.stack: list[_Frame] = []
        self.root: Any = NO_DOCUMENT
        self.root_layout: Layout | None = None
        self.mark: tuple[int, int] | None = None

    def compose(self) -> Any:
        try:
            self._run()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            message = " ".join(part for part in (exc.problem, exc.context) if part)
            line, column = (mark.line, mark.column) if mark is not None else (None, None)
            raise YamlProblem(message or str(exc), line, column, self._path()) from None
        except yaml.reader.ReaderError as exc:
            line, column = self._position(exc.position)
            raise YamlProblem(f"unacceptable character #x{exc.character:04x}: {exc.reason}", line, column) from None
        except UnicodeEncodeError as exc:
            line, column = self._position(exc.start)
            raise YamlProblem(f"unencodable character: {exc.reason}", line, column) from None
        except yaml.YAMLError as exc:  # pragma: no cover - libyaml reports everything with marks
            raise YamlProblem(str(exc)) from None
        except RecursionError:  # pragma: no cover - the stack is explicit; this is a last line of defence
            raise YamlProblem("document nested too deeply") from None
        return self.root

    def _position(self, index: int) -> tuple[int, int]:
        before = self.text[:index]
        return before.count("\n"), index - (before.rfind("\n") + 1)

    def _path(self) -> tuple[str | int, ...]:
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if frame.is_map:
            return frame.path + ((frame.key,) if type(frame.key) is str else ())
        return (*frame.path, len(frame.value))

    def _fail(self, message: str, mark: Any, path: tuple[str | int, ...] | None = None) -> YamlProblem:
        return YamlProblem(message, mark.line, mark.column, self._path() if path is None else path)

    def _count(self, nodes: int, text: int, mark: Any) -> None:
        self.nodes += nodes
        if self.nodes > self.max_nodes:
            raise self._fail(f"more than {self.max_nodes} nodes once aliases are expanded", mark)
        self.text_read += text
        if self.text_read > self.max_text:
            raise self._fail(f"aliases expand the text to more than {self.max_text:,} characters, the limit", mark)

    def _run(self) -> None:
        parser = CParser(self.text)
        get_event = parser.get_event
        get_event()  # StreamStartEvent
        documents = 0
        stack = self.stack
        record = self.record
        while True:
            # Dispatch on the exact class (faster than isinstance); typed loosely as mypy cannot narrow on it.
            event: Any = get_event()
            kind = type(event)
            if kind is ScalarEvent:
                self._count(1, len(event.value), event.start_mark)
                value, merge = self._scalar(event)
                layout = None
                if record:
                    layout = Layout(
                        "scalar",
                        False,
                        _pos(event.start_mark),
                        _pos(event.end_mark),
                        event.style,
                        defines_anchor=event.anchor is not None,
                    )
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, 1, len(event.value))
                self._attach(value, merge, layout, event.start_mark)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if len(stack) >= self.max_depth:
                    raise self._fail(f"collections nested deeper than {self.max_depth}", event.start_mark)
                self._count(1, 0, event.start_mark)
                is_map = kind is MappingStartEvent
                self._check_collection_tag(event, is_map)
                if event.anchor is not None:
                    self.anchors[event.anchor] = None  # in progress: an alias to it would be recursive
                layout = None
                if record:
                    layout = Layout(
                        "map" if is_map else "seq",
                        bool(event.flow_style),
                        _pos(event.start_mark),
                        defines_anchor=event.anchor is not None,
                    )
                stack.append(
                    _Frame(
                        {} if is_map else [],
                        is_map,
                        event.anchor,
                        event.tag,
                        self.nodes,
                        self.text_read,
                        self._path(),
                        layout,
                    )
                )
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                frame = stack.pop()
                value = self._finish_collection(frame, event.start_mark)
                if frame.anchor is not None:
                    nodes = self.nodes - frame.count_at_start + 1
                    self.anchors[frame.anchor] = (value, nodes, self.text_read - frame.text_at_start)
                layout = frame.layout
                if layout is not None and layout.flow:
                    layout.end = _pos(event.end_mark)
                self._attach(value, False, layout, event.start_mark)
            elif kind is AliasEvent:
                target = self.anchors.get(event.anchor, NO_DOCUMENT)
                if target is NO_DOCUMENT:
                    raise self._fail(f"unidentified alias {event.anchor!r}", event.start_mark)
                if target is None:
                    raise self._fail(f"recursive alias {event.anchor!r} is not supported", event.start_mark)
                self._count(target[1], target[2], event.start_mark)
                layout = Layout("alias", False, _pos(event.start_mark), _pos(event.end_mark)) if record else None
                self._attach(_copy(target[0]), False, layout, event.start_mark)
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self._fail("expected a single document in the stream, but found more", event.start_mark)
            elif kind is StreamEndEvent:
                return
            elif kind is not DocumentEndEvent:  # pragma: no cover
                raise self._fail(f"unexpected {kind.__name__}", event.start_mark)

    def _scalar(self, event: ScalarEvent) -> tuple[Any, bool]:
        text = event.value
        if self.restore is not None:
            text = text.translate(self.restore)
        tag = event.tag
        plain = event.style == "" or event.style is None
        if tag is None:
            return resolve_plain(text) if plain else (text, False)
        if tag == "!":
            return text, False
        if not tag.startswith(TAG):
            raise self._fail(f"unknown tag !<{tag}>", event.start_mark)
        name = tag[len(TAG) :]
        data: str | None = None if plain and text == "" else text
        if name in ("seq", "map", "omap", "pairs", "set"):
            if data is not None:
                kind = "mapping" if name in ("map", "set") else "sequence"
                raise self._fail(
                    f'unacceptable node kind for !<{tag}> tag; it should be "{kind}", not "scalar"', event.start_mark
                )
            return ({} if name in ("map", "set") else []), False
        value: Any = None
        resolved = True
        if name == "str":
            value = data or ""
        elif name == "null":
            resolved = data is None or data in _NULLS
        elif name == "bool":
            resolved = data in _BOOLS
            value = _BOOLS.get(data or "")
        elif name in _TAGGED_SCALARS:
            value = None if data is None else _TAGGED_SCALARS[name](data)
            resolved = value is not None
        elif name == "merge":
            resolved = data is None or data == "<<"
            return data, resolved
        else:
            raise self._fail(f"unknown tag !<{tag}>", event.start_mark)
        if not resolved:
            raise self._fail(f"cannot resolve a node with !<{tag}> explicit tag", event.start_mark)
        return value, False

    def _check_collection_tag(self, event: Any, is_map: bool) -> None:
        tag = event.tag
        if tag is None or tag == "!":
            return
        name = tag[len(TAG) :] if tag.startswith(TAG) else None
        if name in (("map", "set") if is_map else ("seq", "omap", "pairs")):
            return
        if name not in _KNOWN_TYPES:
            raise self._fail(f"unknown tag !<{tag}>", event.start_mark)
        wanted = _KNOWN_TYPES[name]
        actual = "mapping" if is_map else "sequence"
        raise self._fail(
            f'unacceptable node kind for !<{tag}> tag; it should be "{wanted}", not "{actual}"', event.start_mark
        )

    def _finish_collection(self, frame: _Frame, mark: Any) -> Any:
        value = frame.value
        tag = frame.tag
        if frame.is_map:
            value = js_key_order(value)
            if tag == TAG + "set" and any(item is not None for item in value.values()):
                raise self._fail(f"cannot resolve a node with !<{tag}> explicit tag", mark, frame.path)
            return value
        if tag == TAG + "omap" or tag == TAG + "pairs":
            seen: set[str] = set()
            for item in value:
                if type(item) is not dict or len(item) != 1 or (tag == TAG + "omap" and next(iter(item)) in seen):
                    raise self._fail(f"cannot resolve a node with !<{tag}> explicit tag", mark, frame.path)
                seen.add(next(iter(item)))
            if tag == TAG + "pairs":
                return [[key, item] for pair in value for key, item in pair.items()]
        return value

    def _attach(self, value: Any, merge: bool, layout: Layout | None, mark: Any) -> None:
        stack = self.stack
        if not stack:
            self.root = value
            self.root_layout = layout
            return
        frame = stack[-1]
        if layout is not None and layout.defines_anchor and frame.layout is not None:
            frame.layout.defines_anchor = True
        if not frame.is_map:
            frame.value.append(value)
            if frame.layout is not None and layout is not None:
                frame.layout.end = layout.end
                frame.layout.last = layout
                frame.layout.items.append(layout)
            return
        if frame.key is NO_DOCUMENT:
            frame.key = "<<" if merge else _js_key_or_fail(self, value, mark)
            frame.key_merge = merge
            frame.key_layout = layout
            frame.key_mark = mark
            return
        key = frame.key
        mapping = frame.value
        if frame.key_merge:
            self._merge(frame, value, mark)
            if frame.layout is not None:
                frame.layout.has_merge = True
        elif key in mapping and key not in frame.overridable:
            raise self._fail(f"duplicate key {key!r}", frame.key_mark, frame.path)
        else:
            mapping[key] = value
            frame.overridable.discard(key)
        if frame.layout is not None and layout is not None and frame.key_layout is not None:
            frame.layout.entries[key] = Entry(frame.key_layout.start, frame.key_layout.end, layout)
            frame.layout.end = layout.end
            frame.layout.last = layout
            if frame.key_layout.defines_anchor:
                frame.layout.defines_anchor = True
        frame.key = NO_DOCUMENT
        frame.key_layout = None

    def _merge(self, frame: _Frame, value: Any, mark: Any) -> None:
        sources = value if type(value) is list else [value]
        if type(value) is list and len(value) > 100:
            raise self._fail("abnormal merge sequence size", mark, frame.path)
        for source in sources:
            if type(source) is list:
                source = {str(index): item for index, item in enumerate(source)}
            elif type(source) in (date, datetime):
                source = {}
            elif type(source) is not dict:
                raise self._fail("cannot merge mappings; the provided source object is unacceptable", mark, frame.path)
            self.merge_work += 1 + len(source)
            if self.merge_work > 10000:
                raise self._fail("merge keys exceeded maxTotalMergeKeys (10000)", mark, frame.path)
            for key, item in source.items():
                if key not in frame.value:
                    frame.value[key] = item
                    frame.overridable.add(key)


def _pos(mark: Any) -> tuple[int, int]:
    return mark.line, mark.column


def _js_key_or_fail(composer: Composer, value: Any, mark: Any) -> str:
    try:
        return _js_key(value)
    except YamlProblem as problem:
        raise composer._fail(problem.message, mark) from None


def compose(
    text: str, *, max_depth: int, max_nodes: int, max_text: int, record: bool = False
) -> tuple[Any, Layout | None]:
    """One YAML document as js-yaml 4 loads it (NO_DOCUMENT for an empty stream), and optionally its layout.

    Refused (YamlProblem) once it would hold more than `max_nodes` nodes or `max_text` characters of text (keys
    included) with every alias expanded, counted before the alias is; `max_text` is at least the text's length.
    """
    composer = Composer(text, max_depth=max_depth, max_nodes=max_nodes, max_text=max_text, record=record)
    return composer.compose(), composer.root_layout


# --- writing, a port of js-yaml 4 lib/dumper.js with {lineWidth: -1} -------------------------------------

_ESCAPES = {
    0x00: "\\0",
    0x07: "\\a",
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0B: "\\v",
    0x0C: "\\f",
    0x0D: "\\r",
    0x1B: "\\e",
    0x22: '\\"',
    0x5C: "\\\\",
    0x85: "\\N",
    0xA0: "\\_",
    0x2028: "\\L",
    0x2029: "\\P",
}
# YAML 1.1 booleans and sexagesimals: js-yaml 4 quotes them for older readers (its noCompatMode is off).
_DEPRECATED_BOOLEANS = frozenset(
    ("y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF")
)
_BASE60_RE = re.compile(r"[-+]?[0-9_]+(?::[0-9_]+)+(?:\.[0-9_]*)?")
_NOT_PLAIN_FIRST = frozenset("-?:,[]{}#&*!|=>'\"%@`")
_FLOW_INDICATORS = frozenset(",[]{}")
_PRINTABLE = re.compile(r"[\x20-\x7e\xa1-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*")
_PRINTABLE_OR_LF = re.compile(r"[\n\x20-\x7e\xa1-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*")
_MAX_SAFE_INT = 2**53


def _printable(code: int) -> bool:
    return (
        0x20 <= code <= 0x7E
        or (0xA1 <= code <= 0xD7FF and code not in (0x2028, 0x2029))
        or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
        or 0x10000 <= code <= 0x10FFFF
    )


def _ambiguous(text: str) -> bool:
    if text in _NULLS or text in _BOOLS or text == "<<":
        return True
    if text[0] in "0123456789+-.":
        if resolve_int(text) is not None or resolve_float(text) is not None:
            return True
        if _DATE_RE.fullmatch(text) or _TIMESTAMP_RE.fullmatch(text):
            return True
        # Deviation from js-yaml 4: gray-matter reads with js-yaml 3, which takes 1_000 as a number.
        if _v3_reads_as_number(text):
            return True
    return False


def _plain_allowed(text: str, inblock: bool) -> bool:
    first = text[0]
    if not _printable(ord(first)) or first in " \t" or first in _NOT_PLAIN_FIRST:
        return False
    if text[-1] in " \t:":
        return False
    previous = ""
    for char in text:
        if char == "#":
            if previous in ("", " ", "\t"):
                return False
        elif (previous == ":" and char in " \t") or (not inblock and char in _FLOW_INDICATORS and previous != ":"):
            return False
        previous = char
    return True


def _escape(text: str) -> str:
    out = []
    for char in text:
        code = ord(char)
        escape = _ESCAPES.get(code)
        if escape is None and _printable(code):
            out.append(char)
        elif escape is not None:
            out.append(escape)
        elif code <= 0xFF:
            out.append(f"\\x{code:02X}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04X}")
        else:
            out.append(f"\\U{code:08X}")
    return "".join(out)


def write_scalar(text: str, col: int, iskey: bool, inblock: bool) -> str:
    if not text:
        return "''"
    if text.isdigit() and text.isascii():
        return f"'{text}'"  # an int to js-yaml 4 (or a number to js-yaml 3 once it overflows)
    if text in _DEPRECATED_BOOLEANS or _BASE60_RE.fullmatch(text):
        return f"'{text}'"
    # A character outside js-yaml's printable set (tab, CR, NEL, ...) forces double quotes.
    if not (_PRINTABLE if iskey else _PRINTABLE_OR_LF).fullmatch(text):
        return '"' + _escape(text) + '"'
    if "\n" not in text:
        if _plain_allowed(text, inblock) and not _ambiguous(text):
            return text
        return "'" + text.replace("'", "''") + "'"
    indent = " " * max(2, col)
    indicator = "2" if text.lstrip("\n").startswith(" ") else ""
    clip = text.endswith("\n")
    keep = clip and (text.endswith("\n\n") or text == "\n")
    chomp = "+" if keep else ("" if clip else "-")
    lines = text.split("\n")
    body = "\n".join(indent + line if line else line for line in lines)
    if body.endswith("\n"):
        body = body[:-1]
    return f"|{indicator}{chomp}\n{body}"


def _write_number(value: int | float) -> str:
    if type(value) is int:
        if abs(value) <= _MAX_SAFE_INT:
            return str(value)
        if abs(value) >= 1e21 or float(value) != value:
            raise ValueError(f"{value} cannot be written exactly as a JavaScript number")
        return js_number(float(value))
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if value == 0 and math.copysign(1.0, value) < 0:
        return "-0.0"
    text = js_number(value)
    if value == int(value):
        # Deviation: js-yaml writes 1.0 as "1", which reads back as an int; keep it a float.
        return text + ".0" if abs(value) < 1e21 else text
    return re.sub(r"^([-+]?[0-9]+)e", r"\1.e", text)


def _write_datetime(value: date) -> str:
    if type(value) is date:
        # Deviation: js-yaml writes a Date, so 2024-10-01T00:00:00.000Z; a date-only value stays a date.
        return value.isoformat()
    assert isinstance(value, datetime)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetimes are ambiguous; give an aware datetime")
    if value.microsecond % 1000:
        raise ValueError("js-yaml keeps milliseconds only; round the datetime first")
    utc = value.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def _binary_text(value: bytes) -> str:
    import base64

    return base64.b64encode(value).decode("ascii")


def write_node(
    value: Any, col: int, block: bool, compact: bool, iskey: bool = False, ancestors: tuple[int, ...] = ()
) -> str:
    """js-yaml's writeNode with indent 2; ``col`` is ``indent * level``."""
    kind = type(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is str:
        return write_scalar(value, col, iskey, block)
    if kind is int or kind is float:
        return _write_number(value)
    if kind is date or kind is datetime:
        return _write_datetime(value)
    if kind is bytes:
        if not value:
            raise ValueError("js-yaml writes empty binary as AAAA, which reads back as three zero bytes")
        return "!!binary " + write_scalar(_binary_text(value), col, iskey, block)
    if isinstance(value, Mapping) or kind is list:
        if id(value) in ancestors:
            raise ValueError("cannot write cyclic data")
        inner = (*ancestors, id(value))
        if isinstance(value, Mapping):
            if not value:
                return "{}"
            return _write_block_mapping(value, col, compact, inner)
        if not value:
            return "[]"
        return _write_block_sequence(value, col, compact, inner)
    raise TypeError(f"cannot write a {kind.__name__} as YAML")


def _write_block_sequence(items: list[Any], col: int, compact: bool, ancestors: tuple[int, ...]) -> str:
    parts: list[str] = []
    newline = "\n" + " " * col
    for item in items:
        if type(item) is str:
            dumped = write_scalar(item, col + 2, False, True)
        else:
            dumped = write_node(item, col + 2, True, True, False, ancestors)
        if not compact or parts:
            parts.append(newline)
        parts.append("-" if dumped.startswith("\n") else "- ")
        parts.append(dumped)
    return "".join(parts)


def write_pair(key: str, value: Any, col: int, ancestors: tuple[int, ...] = (), key_text: str | None = None) -> str:
    """One ``key: value`` entry of a block mapping whose keys sit at column ``col``."""
    if type(key) is not str:
        raise TypeError(f"mapping keys must be str, not {type(key).__name__}")
    dumped_key = write_scalar(key, col + 2, True, True) if key_text is None else key_text
    # js-yaml counts UTF-16 code units; libyaml refuses implicit keys longer than 1024 characters.
    explicit = len(dumped_key) > 1024 or (len(dumped_key) > 512 and len(dumped_key.encode("utf-16-le")) > 2048)
    parts = ["? " + dumped_key + "\n" + " " * col if explicit else dumped_key]
    dumped = write_node(value, col + 2, True, explicit, False, ancestors)
    parts.append(":" if dumped.startswith("\n") else ": ")
    parts.append(dumped)
    return "".join(parts)


def _write_block_mapping(mapping: Mapping[str, Any], col: int, compact: bool, ancestors: tuple[int, ...]) -> str:
    parts: list[str] = []
    newline = "\n" + " " * col
    for key in mapping:
        if type(key) is not str:
            raise TypeError(f"mapping keys must be str, not {type(key).__name__}")
    for key, value in js_key_order(dict(mapping)).items():
        if not compact or parts:
            parts.append(newline)
        parts.append(write_pair(key, value, col, ancestors))
    return "".join(parts)


def dump(value: Any) -> str:
    try:
        return write_node(value, 0, True, True) + "\n"
    except RecursionError:
        raise ValueError("data nested too deeply to write") from None


def same(a: Any, b: Any) -> bool:
    """Type-strict deep equality: True != 1, 1 != 1.0, 0.0 != -0.0, nan == nan, dict order matters."""
    if type(a) is not type(b):
        return False
    if type(a) is float:
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if type(a) is dict:
        return len(a) == len(b) and list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    if type(a) is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is datetime:
        return a == b and a.utcoffset() == b.utcoffset()
    return bool(a == b)
