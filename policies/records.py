"""The mapping between a file's frontmatter and the fields of a `Policy`.

Reading checks every known field's type and collects what the schema does not know into a residue (kept in
`Policy.extra`). A value its field cannot hold (a score of 85.5, a date written 01/10/2024, one tag where a list
belongs) is kept as the file wrote it, in `Policy.invalid`, and its field left empty: the record is admitted, and
`problems` names what is wrong with each such value until an edit replaces it. Only an id that cannot name a file,
and text no file holds (a NUL character), are refused. Writing builds the frontmatter back in the order of the
record's own file: a value that still means what the file said is given back as the file wrote it (a quoted date
stays a string, a timestamp stays a date), and a value kept as written is written back in its key's place, so an
unedited record renders byte-identical and an edited one changes only the edited keys.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop

from policies import schema
from policies.codec import frontmatter
from policies.models import validate_policy_id
from policies.wording import Worded

# The frontmatter keys the records hold, and the sections they sit in (each path's proper prefixes), in the order
# the collection writes them: a key missing from a record's file is added at its place in this order.
LEAVES: tuple[schema.Field, ...] = schema.FIELDS
CONTAINERS: tuple[tuple[str, ...], ...] = tuple(
    dict.fromkeys(field.path[:depth] for field in LEAVES for depth in range(1, len(field.path)))
)

# Every model field that is part of a record's content: what history compares, hashes and exports.
CONTENT_FIELDS: tuple[str, ...] = schema.CONTENT_FIELDS

# Written by the review workflow when a reviewer approves: a value of theirs the file wrote in a form the field
# cannot hold is replaced by the approval's stamp, so it is a problem that blocks nothing.
STAMPED_BY_APPROVAL: tuple[str, ...] = schema.written_by(schema.Editable.WORKFLOW)

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,18}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_LEAF_BY_PATH = {leaf.path: leaf for leaf in LEAVES}
_LEAF_BY_ATTR = {leaf.attr: leaf for leaf in LEAVES}
_CONTAINER_PATHS = set(CONTAINERS)
_CANONICAL_ORDER: dict[tuple[str, ...], list[str]] = {}
for _leaf in LEAVES:
    # A container takes its place in its parent's order where its first leaf appears.
    for _depth in range(1, len(_leaf.path) + 1):
        _siblings = _CANONICAL_ORDER.setdefault(_leaf.path[: _depth - 1], [])
        if _leaf.path[_depth - 1] not in _siblings:
            _siblings.append(_leaf.path[_depth - 1])


def _canonical_paths(path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for key in _CANONICAL_ORDER.get(path, []):
        yield (*path, key)
        yield from _canonical_paths((*path, key))


# Every known key, dotted, in the collection's order: how values kept as written and problems are listed.
_KEY_ORDER = {".".join(path): index for index, path in enumerate(_canonical_paths())}
_LEAF_BY_KEY = {".".join(leaf.path): leaf for leaf in LEAVES}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field of a file.

    `at` is the key whose value is wrong if that is not the field's whole value (`relatedFacilities[41]`, a list's
    item); a problem that does not `block` the record's approval is one the approval's stamp replaces.
    """

    field: str
    message: str
    at: str = ""
    blocking: bool = True

    @property
    def where(self) -> str:
        return self.at or self.field


class RecordError(ValueError):
    """The frontmatter is valid YAML but not a valid policy record."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


def dotted(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return Worded(gettext_noop("the boolean %(value)s"), {"value": str(value).lower()})
    if isinstance(value, datetime.date):
        return Worded(gettext_noop("the date %(date)s (quote it to keep it text)"), {"date": value.isoformat()})
    if isinstance(value, (int, float)):
        return Worded(gettext_noop("the number %(number)s"), {"number": value})
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return Worded(gettext_noop("nothing (null)"))
    if isinstance(value, list):
        return Worded(gettext_noop("a list"))
    if isinstance(value, dict):
        return Worded(gettext_noop("a mapping"))
    return Worded(gettext_noop("a value of type %(type)s"), {"type": type(value).__name__})


class _Wrong(ValueError):
    """What is wrong with a frontmatter value, for the user; `item` is the index of the list item at fault."""

    def __init__(self, message: str, item: int | None = None) -> None:
        super().__init__(message)
        self.message = message  # a `Worded` text, which str(error) would flatten
        self.item = item


def _read_leaf(leaf: schema.Field, value: Any) -> Any:
    """The model value for a frontmatter value; raises `_Wrong` (a ValueError) if its field cannot hold it."""
    kind = leaf.kind
    if kind in ("text", "required_text", "id"):
        if value is None and kind == "text":
            return ""
        if not isinstance(value, str):
            raise _Wrong(Worded(gettext_noop("must be text, not %(value)s"), {"value": _describe(value)}))
        if kind == "id":
            if not value.strip():
                raise _Wrong(Worded(gettext_noop("must not be empty")))
            try:
                validate_policy_id(value)
            except ValidationError as error:
                raise _Wrong(" ".join(error.messages)) from None
            return value
        # Lengths the database needs (an index's entry size); a longer text is kept as written, as a problem.
        limit = leaf.max_length
        if limit is not None and len(value) > limit:
            raise _Wrong(
                Worded(
                    gettext_noop("is %(length)s characters long, over the limit of %(limit)s"),
                    {"length": f"{len(value):,}", "limit": f"{limit:,}"},
                )
            )
        return value
    if kind in ("year", "score"):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Wrong(Worded(gettext_noop("must be a whole number, not %(value)s"), {"value": _describe(value)}))
        low, high = leaf.value_range or (value, value)
        if kind == "score" and not low <= value <= high:
            raise _Wrong(
                Worded(
                    gettext_noop("must be from %(low)s to %(high)s, not %(value)s"),
                    {"low": low, "high": high, "value": value},
                )
            )
        if kind == "year" and not low <= value <= high:
            raise _Wrong(Worded(gettext_noop("must be a four-digit year, not %(value)s"), {"value": value}))
        return value
    if kind == "date":
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            if not _ISO_DATE.fullmatch(value):
                raise _Wrong(
                    Worded(gettext_noop("must be a date written YYYY-MM-DD, not %(value)s"), {"value": repr(value)})
                )
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                raise _Wrong(Worded(gettext_noop("%(value)s is not a real date"), {"value": repr(value)})) from None
        raise _Wrong(Worded(gettext_noop("must be a date (YYYY-MM-DD), not %(value)s"), {"value": _describe(value)}))
    if kind == "list":
        if value is None:
            return []
        if not isinstance(value, list):
            raise _Wrong(Worded(gettext_noop("must be a list, not %(value)s"), {"value": _describe(value)}))
        for index, item in enumerate(value):
            if not isinstance(item, str):
                message = gettext_noop("item %(number)s must be text, not %(value)s")
                raise _Wrong(Worded(message, {"number": index + 1, "value": _describe(item)}), item=index)
        return list(value)
    raise AssertionError(kind)


def typed_lines(text: str) -> list[str]:
    """The items of a list typed one a line: blank lines dropped, the items' own spaces kept."""
    return [line.rstrip("\r") for line in text.split("\n") if line.strip()]


def read_typed(attr: str, text: str) -> Any:
    """The value of field `attr` for `text` as a person types it in the field's box (a list one item a line, a
    whole number in digits, a date YYYY-MM-DD, an empty box for no value), checked as a file's value is; raises
    RecordError naming the field as the file does."""
    leaf = _LEAF_BY_ATTR.get(attr)
    kind = leaf.kind if leaf is not None else "text"
    # Browsers send every line break as CRLF; the collection's text has LF.
    value: Any = text.replace("\r\n", "\n")
    if leaf is not None and kind == "required_text" and not value.strip():
        raise RecordError([Problem(dotted(leaf.path), Worded(gettext_noop("must not be empty")))])
    if kind == "list":
        value = typed_lines(value.strip())
    elif kind in ("year", "score", "date"):
        typed = value.strip()
        # Anything but digits stays text, which `read_field` names in its refusal.
        value = None if not typed else int(typed) if _WHOLE_NUMBER.fullmatch(typed) and kind != "date" else typed
    return read_field(attr, value)


def read_field(attr: str, value: Any) -> Any:
    """The model value of field `attr` for `value`, checked as a file's value of it is; raises RecordError naming
    the field as the file does. Fields the frontmatter does not hold (`body`, `extra`) are returned as they are."""
    leaf = _LEAF_BY_ATTR.get(attr)
    if leaf is None:
        return value
    try:
        return _read_leaf(leaf, value)
    except ValueError as error:
        raise RecordError([Problem(dotted(leaf.path), getattr(error, "message", str(error)))]) from None


def _empty(leaf: schema.Field) -> Any:
    """The value of a field the file does not give, or gives in a form the field cannot hold."""
    return {"year": None, "score": None, "date": None, "list": []}.get(leaf.kind, "")


def _not_a_mapping(value: Any) -> str:
    return Worded(gettext_noop("must be a mapping, not %(value)s"), {"value": _describe(value)})


def _strictly_equal(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _write_leaf(leaf: schema.Field, model_value: Any, original: Any, present: bool) -> Any:
    """The frontmatter value for a model value: the file's own value while it still means the same."""
    if present:
        try:
            if _strictly_equal(_read_leaf(leaf, original), model_value):
                return original
        except ValueError:
            pass
    if leaf.kind == "date" and model_value is not None:
        # A file that wrote a YAML timestamp keeps getting one; otherwise the collection's quoted string.
        return model_value if isinstance(original, datetime.date) else model_value.isoformat()
    if leaf.kind == "list":
        return list(model_value)
    return model_value


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


_SURROGATE = re.compile("[\ud800-\udfff]")


def unholdable_text(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Where `value` (frontmatter, keys included, or a text) holds text no policy file holds, with what is wrong.

    A NUL character: a file holding one is refused as not text, and PostgreSQL cannot store one (SQLite can, so
    without this the same file was a record on one database and a crash on the other). YAML writes one as `"\\0"`
    and JSON as `"\\u0000"`. An unpaired surrogate: no UTF-8 file holds one, and neither database stores it.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            for _, message in unholdable_text(key):
                yield (
                    path,
                    Worded(gettext_noop("has a key %(key)s that %(problem)s"), {"key": repr(key), "problem": message}),
                )
            yield from unholdable_text(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unholdable_text(item, (*path, index))
    elif isinstance(value, str):
        if "\x00" in value:
            yield path, Worded(gettext_noop("contains a NUL character; policy files are text"))
        elif _SURROGATE.search(value):
            yield path, Worded(gettext_noop("is not valid Unicode (it has an unpaired surrogate)"))


def values_from_data(data: Mapping[str, Any], body: str) -> dict[str, Any]:
    """Model field values for a parsed record, each value its field cannot hold kept as written in `invalid`.

    Raises RecordError for an id that is missing or cannot name a file (the id names the record and its file),
    and for text no policy file holds (`unholdable_text`) anywhere in the frontmatter.
    """
    unholdable = [Problem(dotted(path) or "frontmatter", message) for path, message in unholdable_text(dict(data))]
    if unholdable:
        raise RecordError(unholdable)
    refused: list[Problem] = []
    kept: dict[str, Any] = {}
    values: dict[str, Any] = {"body": body}
    residue = _read_mapping((), data, values, kept, refused)
    if "policy_id" not in values and not refused:
        refused.append(Problem("id", Worded(gettext_noop("is missing"))))
    if refused:
        raise RecordError(refused)
    for leaf in LEAVES:
        values.setdefault(leaf.attr, _empty(leaf))
    values["extra"] = frontmatter.dump(residue) if residue else ""
    values["invalid"] = dump_as_written(kept)
    return values


def _read_mapping(
    path: tuple[str, ...],
    mapping: Mapping[Any, Any],
    values: dict[str, Any],
    kept: dict[str, Any],
    refused: list[Problem],
) -> dict[Any, Any]:
    """Store the known leaves below `path` in `values`, and in `kept` (by dotted key) the values of known keys their
    fields cannot hold; return the unknown keys (the residue)."""
    residue: dict[Any, Any] = {}
    for key, value in mapping.items():
        child = (*path, key) if isinstance(key, str) else None
        if child in _LEAF_BY_PATH:
            leaf = _LEAF_BY_PATH[child]
            try:
                values[leaf.attr] = _read_leaf(leaf, value)
            except ValueError as error:
                if leaf.kind == "id":
                    refused.append(Problem(dotted(child), getattr(error, "message", str(error))))
                else:
                    kept[dotted(child)] = value
        elif child in _CONTAINER_PATHS:
            if value is None:
                continue
            if not isinstance(value, dict):
                kept[dotted(child)] = value
                continue
            nested = _read_mapping(child, value, values, kept, refused)
            if nested:
                residue[key] = nested
        else:
            residue[key] = value
    return residue


def dump_as_written(kept: Mapping[str, Any]) -> str:
    """`Policy.invalid` for these values kept as written: YAML, keyed by dotted key in the collection's order (so that
    the same values are always the same text)."""
    if not kept:
        return ""
    return frontmatter.dump({key: kept[key] for key in sorted(kept, key=lambda key: _KEY_ORDER.get(key, -1))})


def key_of(attr: str) -> str:
    """The dotted key of a model field (`analysis.market.score` for `market_score`)."""
    return dotted(_LEAF_BY_ATTR[attr].path)


def leaf_for_key(key: str) -> schema.Field | None:
    """The field a dotted key names (None for a section, such as `analysis.market`)."""
    return _LEAF_BY_KEY.get(key)


def as_written(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values a record keeps as its file wrote them, by dotted key (`analysis.market.score`)."""
    text = values.get("invalid") or ""
    loaded = frontmatter.load(text) if text else None
    return loaded if isinstance(loaded, dict) else {}


def without_as_written(values: Mapping[str, Any], keys: Iterable[str]) -> str:
    """`Policy.invalid` with the values of `keys` no longer kept as written (their fields now hold a value)."""
    gone = set(keys)
    return dump_as_written({key: value for key, value in as_written(values).items() if key not in gone})


def problems(values: Mapping[str, Any], data: Mapping[str, Any] | None = None) -> list[Problem]:
    """What is wrong with a record's content: each value kept as written, and each required text left empty (said
    to be missing when `data`, its frontmatter, lacks the key). In the collection's key order.

    `values` may hold only some fields: those it lacks are not checked.
    """
    found = []
    kept = as_written(values)
    for key, value in kept.items():
        leaf = _LEAF_BY_KEY.get(key)
        if leaf is None:
            found.append(Problem(key, _not_a_mapping(value)))
            continue
        try:
            _read_leaf(leaf, value)
        except _Wrong as wrong:
            at = f"{key}[{wrong.item}]" if wrong.item is not None else ""
            if leaf.attr in STAMPED_BY_APPROVAL:
                message = Worded(
                    gettext_noop("%(problem)s; the approval's stamp replaces it"), {"problem": wrong.message}
                )
                found.append(Problem(key, message, at, blocking=False))
            else:
                found.append(Problem(key, wrong.message, at))
    for leaf in LEAVES:
        key = dotted(leaf.path)
        empty = leaf.attr in values and not str(values[leaf.attr] or "").strip()
        if leaf.kind == "required_text" and key not in kept and empty:
            missing = data is not None and not _holds(data, leaf.path)
            found.append(
                Problem(
                    key, Worded(gettext_noop("is missing")) if missing else Worded(gettext_noop("must not be empty"))
                )
            )
    return sorted(found, key=lambda problem: _KEY_ORDER.get(problem.field, -1))


def _holds(data: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    for key in path:
        if not isinstance(data, Mapping) or key not in data:
            return False
        data = data[key]
    return True


def new_problems(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Problem]:
    """The problems of `after` that `before` did not have with the same value: what an edit would introduce."""
    old_kept, new_kept = as_written(before), as_written(after)
    had = {problem.field for problem in problems(before)}

    def unchanged(key: str) -> bool:
        if (key in old_kept) != (key in new_kept):
            return False
        return key not in new_kept or frontmatter.same(old_kept[key], new_kept[key])

    return [problem for problem in problems(after) if problem.field not in had or not unchanged(problem.field)]


def schema_keys(
    residue: Mapping[Any, Any], path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], schema.Field | None]]:
    """The keys of `residue` (other frontmatter, shaped as `Policy.extra` holds it) that the schema knows: each
    field with its `schema.Field`, and each section (None) given anything but a mapping of keys it does not know.

    The import never leaves such a key in the residue, since it reads them as fields; written by hand, one would be
    dropped at export or written in place of the field (a section that is no mapping cannot be written at all).
    """
    for key, value in residue.items():
        child = (*path, key) if isinstance(key, str) else None
        if child in _LEAF_BY_PATH:
            yield child, _LEAF_BY_PATH[child]
        elif child in _CONTAINER_PATHS:
            if isinstance(value, dict) and value:
                yield from schema_keys(value, child)
            else:
                yield child, None


def data_from_values(values: Mapping[str, Any], template: Mapping[str, Any] | None) -> dict[str, Any]:
    """The frontmatter for model field values, shaped like `template` (the record's file) where there is one.

    A value kept as written stands in its key's place, whatever its field holds.
    """
    residue = frontmatter.load(values["extra"]) if values.get("extra") else {}
    if not isinstance(residue, dict):
        raise ValueError("other frontmatter must be a YAML mapping")
    build = _Build(values, as_written(values), fresh=template is None)
    return _build_mapping((), build, template or {}, residue)


@dataclass(frozen=True)
class _Build:
    values: Mapping[str, Any]
    kept: Mapping[str, Any]
    fresh: bool


def _build_mapping(
    path: tuple[str, ...], build: _Build, template: Mapping[Any, Any], residue: Mapping[Any, Any]
) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    known = _CANONICAL_ORDER.get(path, [])
    for key, original in template.items():
        built = _build_child(path, key, build, original, residue, present=True)
        if built is not _ABSENT:
            out[key] = built
    for key in known:
        if key not in template:
            built = _build_child(path, key, build, None, residue, present=False)
            if built is not _ABSENT:
                _insert_in_order(out, key, built, known)
    for key, value in residue.items():
        if key not in out and not (isinstance(key, str) and (*path, key) in _CONTAINER_PATHS):
            out[key] = value
    return out


class _Absent:
    pass


_ABSENT: Any = _Absent()


def _build_child(
    path: tuple[str, ...],
    key: Any,
    build: _Build,
    original: Any,
    residue: Mapping[Any, Any],
    *,
    present: bool,
) -> Any:
    child = (*path, key) if isinstance(key, str) else None
    if child is not None and dotted(child) in build.kept:
        return build.kept[dotted(child)]
    if child in _LEAF_BY_PATH:
        leaf = _LEAF_BY_PATH[child]
        model_value = build.values[leaf.attr]
        # A new file lists every top-level field, as the collection's files do (`sectors: []`); nested empty
        # fields and unknown values (null) are left out rather than invented.
        keep_empty = build.fresh and len(child) == 1 and model_value is not None
        if not present and _is_empty(model_value) and not keep_empty:
            return _ABSENT
        return _write_leaf(leaf, model_value, original, present)
    if child in _CONTAINER_PATHS:
        nested_residue = residue.get(key, {})
        nested_template = original if isinstance(original, dict) else {}
        built = _build_mapping(child, build, nested_template, nested_residue)
        if built:
            return built
        # An empty container stays exactly as the file wrote it (`provenance:` or `provenance: {}`).
        return original if present else _ABSENT
    if key in residue:
        return residue[key]
    return _ABSENT


def _insert_in_order(out: dict[Any, Any], key: str, value: Any, order: list[str]) -> None:
    """Insert `key` after the nearest key that precedes it in the collection's order."""
    rank = order.index(key)
    items = list(out.items())
    position = 0
    for index, (existing, _) in enumerate(items):
        if existing in order and order.index(existing) < rank:
            position = index + 1
    items.insert(position, (key, value))
    out.clear()
    out.update(items)


def policy_values(policy: Any) -> dict[str, Any]:
    """The content of a `Policy` (or a historical version of one) as model field values."""
    return {attr: getattr(policy, attr) for attr in CONTENT_FIELDS}


def content_hash(values: Mapping[str, Any]) -> str:
    """A fingerprint of a record's content that changes exactly when an export would change.

    Empty fields are left out: a field added to the schema later is empty in every older version, whose
    fingerprints (stored with each version) then still match the files that hold them.
    """
    canonical = json.dumps(
        {attr: values[attr] for attr in CONTENT_FIELDS if not _is_empty(values.get(attr))},
        sort_keys=True,
        ensure_ascii=False,
        default=lambda value: value.isoformat(),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def paths(attrs: Iterable[str]) -> str:
    """Model fields named as the file names them (`analysis.market.score`), for messages."""
    names = [_path_name(attr) for attr in attrs]
    return ", ".join(names) if names else "nothing"


def _path_name(attr: str) -> str:
    if attr == "invalid":
        return gettext("values kept as written")
    return dotted(_LEAF_BY_ATTR[attr].path) if attr in _LEAF_BY_ATTR else attr


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[str]:
    for attr in CONTENT_FIELDS:
        if not _strictly_equal(old.get(attr), new.get(attr)):
            yield attr


def changed_keys(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The keys whose value differs between two contents, as the file names them (a value kept as written by its
    own key), in the order of `CONTENT_FIELDS`."""
    keys: list[str] = []
    for attr in changed_fields(old, new):
        if attr != "invalid":
            keys.append(_path_name(attr))
            continue
        old_kept, new_kept = as_written(old), as_written(new)
        for key in sorted(old_kept.keys() | new_kept.keys(), key=lambda key: _KEY_ORDER.get(key, -1)):
            same = key in old_kept and key in new_kept and frontmatter.same(old_kept[key], new_kept[key])
            if not same and key not in keys:
                keys.append(key)
    return keys
