"""The mapping between a file's frontmatter and the fields of a `Policy`.

Reading checks every known field's type and collects what the schema does not know into a residue (kept in
`Policy.extra`). Writing builds the frontmatter back in the order of the record's own file: a value that still
means what the file said is given back as the file wrote it (a quoted date stays a string, a timestamp stays a
date), so an unedited record renders byte-identical and an edited one changes only the edited keys.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import ValidationError

from policies import frontmatter
from policies.models import ANALYSIS_DIMENSIONS, ANALYSIS_PARTS, Policy, validate_policy_id

Kind = Literal["id", "text", "required_text", "year", "score", "date", "list"]


@dataclass(frozen=True)
class Leaf:
    """A frontmatter value held by one model field."""

    path: tuple[str, ...]
    attr: str
    kind: Kind


# Containers are listed before their children, in the order the collection writes them: a key missing from a
# record's file is added at its place in this order.
CONTAINERS: tuple[tuple[str, ...], ...] = (
    ("analysis",),
    *(("analysis", d) for d in ANALYSIS_DIMENSIONS),
    ("impactAnalysis",),
    ("evolution",),
    ("implementationDetails",),
    ("provenance",),
)

LEAVES: tuple[Leaf, ...] = (
    Leaf(("id",), "policy_id", "id"),
    Leaf(("country",), "country", "text"),
    Leaf(("year",), "year", "year"),
    Leaf(("status",), "status", "text"),
    Leaf(("category",), "category", "text"),
    Leaf(("pubDate",), "pub_date", "date"),
    Leaf(("reviewStatus",), "review_status", "text"),
    Leaf(("legalWeight",), "legal_weight", "text"),
    Leaf(("sectors",), "sectors", "list"),
    *(
        Leaf(("analysis", d, part), f"{d}_{part}", "score" if part == "score" else "text")
        for d in ANALYSIS_DIMENSIONS
        for part in ANALYSIS_PARTS
    ),
    Leaf(("impactAnalysis", "economic"), "impact_economic", "text"),
    Leaf(("impactAnalysis", "technical"), "impact_technical", "text"),
    Leaf(("impactAnalysis", "environmental"), "impact_environmental", "text"),
    Leaf(("evolution", "supersedes"), "supersedes", "list"),
    Leaf(("evolution", "clusters"), "clusters", "list"),
    Leaf(("implementationDetails", "authority"), "implementation_authority", "text"),
    Leaf(("implementationDetails", "mechanism"), "implementation_mechanism", "text"),
    Leaf(("implementationDetails", "fundingScale"), "implementation_funding_scale", "text"),
    Leaf(("relatedFacilities",), "related_facilities", "list"),
    Leaf(("url",), "url", "text"),
    Leaf(("source",), "source", "text"),
    Leaf(("provenance", "author"), "provenance_author", "text"),
    Leaf(("provenance", "reviewer"), "provenance_reviewer", "text"),
    Leaf(("provenance", "lastAuditDate"), "provenance_last_audit_date", "date"),
    Leaf(("title",), "title", "required_text"),
    Leaf(("scope",), "scope", "text"),
    Leaf(("tags",), "tags", "list"),
    Leaf(("description",), "description", "text"),
)

# Every model field that is part of a record's content: what history compares, hashes and exports.
CONTENT_FIELDS: tuple[str, ...] = (*(leaf.attr for leaf in LEAVES), "body", "extra")

# Lengths the database enforces (PostgreSQL refuses longer text; SQLite would silently keep it).
_MAX_LENGTH = {
    leaf.attr: length
    for leaf in LEAVES
    if (length := getattr(Policy._meta.get_field(leaf.attr), "max_length", None)) is not None
}
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
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


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field of a file."""

    field: str
    message: str


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
        return f"the boolean {str(value).lower()}"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()} (quote it to keep it text)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "nothing (null)"
    return f"a {'list' if isinstance(value, list) else 'mapping' if isinstance(value, dict) else type(value).__name__}"


def _read_leaf(leaf: Leaf, value: Any) -> Any:
    """The model value for a frontmatter value; raises ValueError with a message for the user."""
    kind = leaf.kind
    if kind in ("text", "required_text", "id"):
        if value is None and kind == "text":
            return ""
        if not isinstance(value, str):
            raise ValueError(f"must be text, not {_describe(value)}")
        if kind != "text" and not value.strip():
            raise ValueError("must not be empty")
        limit = _MAX_LENGTH.get(leaf.attr)
        if limit is not None and len(value) > limit:
            raise ValueError(f"is {len(value):,} characters long, over the limit of {limit:,}")
        if kind == "id":
            try:
                validate_policy_id(value)
            except ValidationError as error:
                raise ValueError(" ".join(error.messages)) from None
        return value
    if kind in ("year", "score"):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"must be a whole number, not {_describe(value)}")
        if kind == "score" and not 0 <= value <= 100:
            raise ValueError(f"must be from 0 to 100, not {value}")
        if kind == "year" and not 1000 <= value <= 9999:
            raise ValueError(f"must be a four-digit year, not {value}")
        return value
    if kind == "date":
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            if not _ISO_DATE.match(value):
                raise ValueError(f"must be a date written YYYY-MM-DD, not {value!r}")
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a real date") from None
        raise ValueError(f"must be a date (YYYY-MM-DD), not {_describe(value)}")
    if kind == "list":
        if value is None:
            return []
        if not isinstance(value, list):
            raise ValueError(f"must be a list, not {_describe(value)}")
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise ValueError(f"item {index + 1} must be text, not {_describe(item)}")
        return list(value)
    raise AssertionError(kind)


def read_field(attr: str, value: Any) -> Any:
    """The model value of field `attr` for `value`, checked as a file's value of it is; raises RecordError naming
    the field as the file does. Fields the frontmatter does not hold (`body`, `extra`) are returned as they are."""
    leaf = _LEAF_BY_ATTR.get(attr)
    if leaf is None:
        return value
    try:
        return _read_leaf(leaf, value)
    except ValueError as error:
        raise RecordError([Problem(dotted(leaf.path), str(error))]) from None


def _strictly_equal(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _write_leaf(leaf: Leaf, model_value: Any, original: Any, present: bool) -> Any:
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


def values_from_data(data: Mapping[str, Any], body: str) -> dict[str, Any]:
    """Model field values for a parsed record; raises RecordError listing every field that is wrong."""
    problems: list[Problem] = []
    values: dict[str, Any] = {"body": body}
    residue = _read_mapping((), data, values, problems)
    wrong = {problem.field for problem in problems}
    for leaf in LEAVES:
        if leaf.attr not in values and dotted(leaf.path) not in wrong:
            if leaf.kind in ("id", "required_text"):
                problems.append(Problem(dotted(leaf.path), "is missing"))
            else:
                values[leaf.attr] = _read_leaf(leaf, None)
    if problems:
        raise RecordError(problems)
    values["extra"] = frontmatter.dump(residue) if residue else ""
    return values


def _read_mapping(
    path: tuple[str, ...], mapping: Mapping[Any, Any], values: dict[str, Any], problems: list[Problem]
) -> dict[Any, Any]:
    """Store the known leaves below `path` in `values`; return the unknown keys (the residue)."""
    residue: dict[Any, Any] = {}
    for key, value in mapping.items():
        child = (*path, key) if isinstance(key, str) else None
        if child in _LEAF_BY_PATH:
            leaf = _LEAF_BY_PATH[child]
            try:
                values[leaf.attr] = _read_leaf(leaf, value)
            except ValueError as error:
                problems.append(Problem(dotted(child), str(error)))
        elif child in _CONTAINER_PATHS:
            if value is None:
                continue
            if not isinstance(value, dict):
                problems.append(Problem(dotted(child), f"must be a mapping, not {_describe(value)}"))
                continue
            nested = _read_mapping(child, value, values, problems)
            if nested:
                residue[key] = nested
        else:
            residue[key] = value
    return residue


def schema_keys(
    residue: Mapping[Any, Any], path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Leaf | None]]:
    """The keys of `residue` (other frontmatter, shaped as `Policy.extra` holds it) that the schema knows: each
    field with its `Leaf`, and each section (None) given anything but a mapping of keys it does not know.

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
    """The frontmatter for model field values, shaped like `template` (the record's file) where there is one."""
    residue = frontmatter.load(values["extra"]) if values.get("extra") else {}
    if not isinstance(residue, dict):
        raise ValueError("other frontmatter must be a YAML mapping")
    return _build_mapping((), values, template or {}, residue, fresh=template is None)


def _build_mapping(
    path: tuple[str, ...],
    values: Mapping[str, Any],
    template: Mapping[Any, Any],
    residue: Mapping[Any, Any],
    *,
    fresh: bool,
) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    known = _CANONICAL_ORDER.get(path, [])
    for key, original in template.items():
        built = _build_child(path, key, values, original, residue, present=True, fresh=fresh)
        if built is not _ABSENT:
            out[key] = built
    for key in known:
        if key not in template:
            built = _build_child(path, key, values, None, residue, present=False, fresh=fresh)
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
    values: Mapping[str, Any],
    original: Any,
    residue: Mapping[Any, Any],
    *,
    present: bool,
    fresh: bool,
) -> Any:
    child = (*path, key) if isinstance(key, str) else None
    if child in _LEAF_BY_PATH:
        leaf = _LEAF_BY_PATH[child]
        model_value = values[leaf.attr]
        # A new file lists every top-level field, as the collection's files do (`sectors: []`); nested empty
        # fields and unknown values (null) are left out rather than invented.
        keep_empty = fresh and len(child) == 1 and model_value is not None
        if not present and _is_empty(model_value) and not keep_empty:
            return _ABSENT
        return _write_leaf(leaf, model_value, original, present)
    if child in _CONTAINER_PATHS:
        nested_residue = residue.get(key, {})
        nested_template = original if isinstance(original, dict) else {}
        built = _build_mapping(child, values, nested_template, nested_residue, fresh=fresh)
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
    names = [dotted(_LEAF_BY_ATTR[attr].path) if attr in _LEAF_BY_ATTR else attr for attr in attrs]
    return ", ".join(names) if names else "nothing"


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[str]:
    for attr in CONTENT_FIELDS:
        if not _strictly_equal(old.get(attr), new.get(attr)):
            yield attr
