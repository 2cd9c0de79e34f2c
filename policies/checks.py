"""Record checks: things in a record a reviewer should look at before trusting it.

`check_values` reads one record: first its problems (`records.problems`: values its fields cannot hold, kept as
written, and required texts left empty), which block its approval and are placed by line and column in its file
(`locate`), then what a reviewer should look at. `check_in_collection` compares it with the others: the ids its
`evolution.supersedes` names must exist and must not lead back to it, and its evidence and labels should not be
copied word for word from another record (a common trait of generated text).

The warnings are stored (`PolicyWarning`) so that the admin list can filter on them without running any check:
saving a record rewrites its own warnings and, of the records the change affects, the warnings that compare
them with it (`refresh_after_save`); an import or `manage.py check_policies` rewrites the whole collection's
(`refresh_collection`).
"""

from __future__ import annotations

import bisect
import datetime
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import cached_property, reduce
from operator import or_
from typing import Any
from urllib.parse import urlsplit

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop

from policies import countries, filetext, locks, records, wording
from policies.codec import frontmatter
from policies.models import ANALYSIS_DIMENSIONS, HUMAN_AUDIT_PENDING, CollectionCheckOwed, Policy, PolicyWarning
from policies.schema import DIMENSION_LABELS
from policies.wording import Worded

# Shorter texts (a label such as "Tax credit" or "税收抵免") are shared by unrelated records as a matter of course.
# Measured in display columns, a CJK character taking two, so that the limit means the same in either script.
MIN_COPIED_WIDTH = 24
SHOWN_OTHERS = 3

COPYABLE_FIELDS: tuple[str, ...] = tuple(f"{d}_{part}" for d in ANALYSIS_DIMENSIONS for part in ("label", "evidence"))
CHECKED_FIELDS: tuple[str, ...] = (
    "policy_id",
    "title",
    "invalid",
    "review_status",
    "provenance_reviewer",
    "year",
    "pub_date",
    "url",
    "country",
    "supersedes",
    "related_facilities",
    *(f"{d}_{part}" for d in ANALYSIS_DIMENSIONS for part in ("score", "label", "evidence", "citation")),
)


# The codes of problems: a value kept as written, a required text left empty.
AS_WRITTEN = "value_as_written"
EMPTY_REQUIRED = "empty_required"
PROBLEM_CODES = (AS_WRITTEN, EMPTY_REQUIRED)


@dataclass(frozen=True)
class Finding:
    """One finding of the checks, a warning or a problem: the frontmatter key it concerns (dotted), what is
    wrong, and a stable code.

    A problem (`PROBLEM_CODES`) also says where its value is in the record's file, once `locate` has found it, and
    whether it blocks the record's approval; `at` is the key of its value if not the field's own (a list's item).
    """

    field: str
    message: str
    code: str = ""
    blocking: bool = False
    line: int | None = None
    column: int | None = None
    at: str = ""

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"

    @property
    def is_problem(self) -> bool:
        return self.code in PROBLEM_CODES

    @property
    def located(self) -> str:
        """What is wrong and where, as the import reports it."""
        if self.line is None:
            return gettext("field %(field)s: %(message)s") % {"field": self.field, "message": self.message}
        return gettext("line %(line)s, column %(column)s, field %(field)s: %(message)s") % {
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
        }


def _listed(items: Iterable[str], limit: int = 5) -> str:
    items = list(items)
    shown = ", ".join(repr(item) for item in items[:limit])
    if len(items) <= limit:
        return shown
    return Worded(gettext_noop("%(shown)s and %(count)d more"), {"shown": shown, "count": len(items) - limit})


def problem_warnings(values: Mapping[str, Any], data: Mapping[str, Any] | None = None) -> list[Finding]:
    """The record's problems (`records.problems`) as warnings, not yet located in its file."""
    kept = records.as_written(values)
    return [
        Finding(
            problem.field,
            problem.message,
            AS_WRITTEN if problem.field in kept else EMPTY_REQUIRED,
            blocking=problem.blocking,
            at=problem.at,
        )
        for problem in records.problems(values, data)
    ]


def locate(warnings: list[Finding], document: frontmatter.Document) -> list[Finding]:
    """`warnings` with each problem placed at the line and column of its value in `document`, the record's file."""
    wanted = [warning.at or warning.field for warning in warnings if warning.is_problem]
    if not wanted:
        return warnings
    positions = frontmatter.locate_all(document, wanted)
    located = []
    for warning in warnings:
        position = positions.get(warning.at or warning.field) if warning.is_problem else None
        located.append(replace(warning, line=position[0], column=position[1]) if position else warning)
    return located


def located_problems(policy: Policy, version: Any = None) -> list[Finding]:
    """The problems of a version of the record (the record itself by default), placed in the file it exports as."""
    version = version if version is not None else policy
    values = records.policy_values(version)
    if not records.problems(values):
        return []
    try:
        document = frontmatter.parse(filetext.render_policy(policy, version).text)
    except (TypeError, ValueError):
        return problem_warnings(values)
    return locate(problem_warnings(values, document.data), document)


def _placed(pk: int, warnings: list[Finding]) -> list[Finding]:
    """The record's warnings with its problems worked out on, and placed in, the file it exports as now."""
    if not any(warning.is_problem for warning in warnings):
        return warnings
    policy = Policy.objects.select_related("template", "file").filter(pk=pk).first()
    if policy is None:
        return warnings
    return [*located_problems(policy), *(warning for warning in warnings if not warning.is_problem)]


def check_values(values: Mapping[str, Any], data: Mapping[str, Any] | None = None) -> list[Finding]:
    """The warnings for one record's content (model field values) that need no other record, its problems first.

    `data`, the record's frontmatter, tells a required text that is missing from one that is empty.
    """
    warnings = problem_warnings(values, data)
    reviewer = values.get("provenance_reviewer") or ""
    if values.get("review_status") == "verified" and reviewer.strip() in ("", HUMAN_AUDIT_PENDING):
        warnings.append(
            Finding(
                "reviewStatus",
                Worded(
                    gettext_noop(
                        "claims to be verified, but provenance.reviewer is %(reviewer)r: a verification without a "
                        "human reviewer is not trusted"
                    ),
                    {"reviewer": reviewer},
                ),
                "unreviewed_verification",
            )
        )
    year, pub_date = values.get("year"), values.get("pub_date")
    if isinstance(year, int) and isinstance(pub_date, datetime.date) and year != pub_date.year:
        warnings.append(
            Finding(
                "year",
                Worded(
                    gettext_noop("is %(year)s, but pubDate %(date)s is in %(date_year)s"),
                    {"year": year, "date": pub_date.isoformat(), "date_year": pub_date.year},
                ),
                "year_mismatch",
            )
        )
    url = (values.get("url") or "").strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            warnings.append(
                Finding("url", Worded(gettext_noop("%(url)r is not an http(s) address"), {"url": url}), "url_not_http")
            )
    for d in ANALYSIS_DIMENSIONS:
        if values.get(f"{d}_score") is not None and not (values.get(f"{d}_citation") or "").strip():
            warnings.append(
                Finding(
                    f"analysis.{d}.citation",
                    Worded(
                        gettext_noop("is empty, but the %(dimension)s dimension is scored"),
                        {"dimension": DIMENSION_LABELS[d]},
                    ),
                    "missing_citation",
                )
            )
    warnings.extend(_check_facilities(values.get("related_facilities") or []))
    warnings.extend(_check_country(values.get("country") or ""))
    return warnings


def _check_country(country: str) -> Iterator[Finding]:
    """A place the vocabulary does not know (policies/data/countries.toml): a slip, or a place to add there."""
    if not country.strip() or countries.find(country) is not None:
        return
    place = countries.closest(country)
    if place is None:
        message = Worded(
            gettext_noop(
                "%(country)r is not in the desk's list of countries and regions (an administrator adds new places "
                "to it)"
            ),
            {"country": country},
        )
    else:
        message = Worded(
            gettext_noop(
                "%(country)r is not in the desk's list of countries and regions; did you mean %(zh)s (%(en)s)? (An "
                "administrator adds new places to the list.)"
            ),
            {"country": country, "zh": place.zh, "en": place.en},
        )
    yield Finding(
        "country",
        message,
        "unknown_country",
    )


def _check_facilities(ids: list[str]) -> Iterator[Finding]:
    # Records list up to ~1,400 ids: set sizes and one regex pass over the joined list keep this cheap.
    if len(set(ids)) != len(ids):
        counts = Counter(ids)
        repeated = [facility for facility, count in counts.items() if count > 1]
        yield Finding(
            "relatedFacilities",
            Worded(gettext_noop("lists %(ids)s more than once"), {"ids": _listed(repeated)}),
            "duplicate_facility",
        )
    joined = "\n".join(ids)
    odd = _ODD_FACILITY.findall(joined) if ids and not _FACILITY_LINES.fullmatch(joined) else []
    if odd:
        yield Finding(
            "relatedFacilities",
            Worded(
                gettext_noop(
                    "has ids of an unexpected form: %(ids)s (expected digits, optionally '-digits', like '1103-2')"
                ),
                {"ids": _listed(odd)},
            ),
            "facility_form",
        )


_FACILITY_LINES = re.compile(r"[0-9]+(?:-[0-9]+)?(?:\n[0-9]+(?:-[0-9]+)?)*")
_ODD_FACILITY = re.compile(r"^(?![0-9]+(?:-[0-9]+)?$).*$", re.MULTILINE)


def _copyable(text: str | None) -> str | None:
    """The text if it is long enough for a verbatim copy to mean something, else None."""
    if not text:
        return None
    stripped = text.strip()
    if len(stripped) >= MIN_COPIED_WIDTH:
        return text
    if len(stripped) * 2 < MIN_COPIED_WIDTH:
        return None
    width = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in stripped)
    return text if width >= MIN_COPIED_WIDTH else None


def _part_field(name: str) -> str:
    dimension, part = name.split("_")
    return f"analysis.{dimension}.{part}"


@dataclass
class Collection:
    """What the collection checks know about the records.

    `ids` holds at least every existing id that a checked record names; `supersedes` is the whole collection's
    graph (id -> ids it supersedes, records with none left out); `text_users` maps at least each checked
    record's copyable texts to the ids of every record using them.
    """

    ids: set[str]
    supersedes: dict[str, list[str]]
    text_users: dict[str, set[str]] = field(default_factory=dict)
    # For a check of the whole collection, instead of `text_users`: each text more than one record uses, with how
    # many do and the first few of them by id; a text missing from it has no other user.
    shared_texts: dict[str, tuple[int, list[str]]] | None = None
    # For a check of the whole collection: every cycle, found at once (`all_cycles`).
    cycles: dict[str, list[str]] | None = None

    @classmethod
    def around(
        cls,
        rows: Sequence[Mapping[str, Any]],
        supersedes: dict[str, list[str]] | None = None,
        text_uses: dict[str, set[tuple[str, int, str]]] | None = None,
    ) -> Collection:
        """What checking `rows` against the stored collection needs, read with a few queries.

        `supersedes` and `text_uses` (covering the rows' texts) are passed if the caller has just read them.
        """
        named = {target for row in rows for target in row["supersedes"] or ()}
        if text_uses is None:
            text_uses = _text_uses({text for row in rows for name in COPYABLE_FIELDS if (text := _copyable(row[name]))})
        return cls(
            ids=set(Policy.objects.filter(policy_id__in=named).values_list("policy_id", flat=True)),
            supersedes=supersedes if supersedes is not None else load_supersedes(),
            text_users={text: {use[0] for use in uses} for text, uses in text_uses.items()},
        )

    def others_using(self, text: str, policy_id: str) -> tuple[list[str], int]:
        """The first few other records using `text` (by id), and how many there are."""
        if self.shared_texts is not None:
            count, first = self.shared_texts.get(text, (1, []))
            return [user for user in first if user != policy_id][:SHOWN_OTHERS], count - 1
        users = self._sorted_users.get(text)
        if users is None:
            users = self._sorted_users[text] = sorted(self.text_users.get(text, ()))
        count = len(users) - (policy_id in self.text_users.get(text, ()))
        return [user for user in users[: SHOWN_OTHERS + 1] if user != policy_id][:SHOWN_OTHERS], count

    @cached_property
    def _sorted_users(self) -> dict[str, list[str]]:
        return {}

    def cycle_through(self, policy_id: str) -> list[str] | None:
        """The shortest way along supersedes from the record back to itself, [id, ..., id], if there is one."""
        if self.cycles is not None:
            return self.cycles.get(policy_id)
        component = cycle_members(policy_id, self.supersedes)
        return _path_back(policy_id, self.supersedes, component) if component else None


def all_cycles(graph: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """For each id on a cycle of supersedes, the way back to itself: [id, ..., id]."""
    cycles = {}
    for component in _strongly_connected(graph):
        first = next(iter(component))
        if len(component) > 1 or first in graph.get(first, ()):
            for start in component:
                cycles[start] = _path_back(start, graph, component)
    return cycles


def cycle_members(start: str, graph: Mapping[str, list[str]]) -> set[str]:
    """The ids on cycles of supersedes through `start` (none if it is on no cycle).

    Costs what `start` reaches, not the whole graph: a save checks the cycles through its own record only.
    """
    reached, stack = {start}, [start]
    while stack:
        for child in graph.get(stack.pop(), ()):
            if child not in reached:
                reached.add(child)
                stack.append(child)
    back: dict[str, list[str]] = {}
    for node in reached:
        for child in graph.get(node, ()):
            back.setdefault(child, []).append(node)
    if start not in back:
        return set()
    members, stack = {start}, [start]
    while stack:
        for parent in back.get(stack.pop(), ()):
            if parent not in members:
                members.add(parent)
                stack.append(parent)
    return members


def load_supersedes() -> dict[str, list[str]]:
    """The collection's supersedes graph: for each record that supersedes any, the ids it names."""
    rows = Policy.objects.exclude(supersedes=[]).values_list("policy_id", "supersedes")
    return {policy_id: supersedes for policy_id, supersedes in rows.iterator(chunk_size=5000) if supersedes}


def _text_uses(texts: set[str]) -> dict[str, set[tuple[str, int, str]]]:
    """For each text, where it is used: (record id, record pk, model field name)."""
    uses: dict[str, set[tuple[str, int, str]]] = {text: set() for text in texts}
    if not texts:
        return uses
    wanted = reduce(or_, (Q(**{f"{name}__in": texts}) for name in COPYABLE_FIELDS))
    for row in Policy.objects.filter(wanted).values("pk", "policy_id", *COPYABLE_FIELDS).iterator(chunk_size=2000):
        for name in COPYABLE_FIELDS:
            if row[name] in uses:
                uses[row[name]].add((row["policy_id"], row["pk"], name))
    return uses


def _strongly_connected(graph: Mapping[str, list[str]]) -> Iterator[set[str]]:
    """Tarjan's strongly connected components of `graph`, without recursion (chains can be long)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                yield component


def _path_back(start: str, graph: Mapping[str, list[str]], component: set[str]) -> list[str]:
    """The shortest way from `start` back to itself inside its component (breadth first)."""
    came_from: dict[str, str] = {}
    queue = [start]
    for node in queue:
        for child in graph.get(node, ()):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if child in component and child not in came_from:
                came_from[child] = node
                queue.append(child)
    return [start, start]


def check_supersedes(values: Mapping[str, Any], collection: Collection) -> list[Finding]:
    """Ids in `evolution.supersedes` that are not in the collection, and cycles of supersedes through the record."""
    warnings = []
    missing = [target for target in values.get("supersedes") or () if target not in collection.ids]
    if missing:
        warnings.append(
            Finding(
                "evolution.supersedes",
                Worded(gettext_noop("names %(ids)s, not in the collection"), {"ids": _listed(missing)}),
                "unknown_supersedes",
            )
        )
    way = collection.cycle_through(values["policy_id"])
    if way:
        warnings.append(
            Finding(
                "evolution.supersedes",
                Worded(gettext_noop("supersedes itself through a cycle: %(cycle)s"), {"cycle": " → ".join(way)}),
                "supersedes_cycle",
            )
        )
    return warnings


def _copied_warning(name: str, shown: list[str], count: int) -> Finding | None:
    if not count:
        return None
    listed = ", ".join(shown)
    if count > len(shown):
        more = {"shown": listed, "count": count - len(shown)}
        listed = Worded(gettext_noop("%(shown)s and %(count)d more"), more)
    return Finding(
        _part_field(name),
        Worded(gettext_noop("is copied word for word in %(records)s"), {"records": listed}),
        "copied_text",
    )


def check_copies(values: Mapping[str, Any], collection: Collection) -> list[Finding]:
    """Labels and evidence that other records use word for word."""
    warnings = []
    for name in COPYABLE_FIELDS:
        text = _copyable(values.get(name))
        if text:
            warning = _copied_warning(name, *collection.others_using(text, values["policy_id"]))
            if warning:
                warnings.append(warning)
    return warnings


def check_in_collection(values: Mapping[str, Any], collection: Collection) -> list[Finding]:
    """The warnings for one record that come from comparing it with the rest of the collection."""
    return [*check_supersedes(values, collection), *check_copies(values, collection)]


def check_record(values: Mapping[str, Any], collection: Collection) -> list[Finding]:
    """Every warning for one record: its own content, then against the collection."""
    return [*check_values(values), *check_in_collection(values, collection)]


def _stored(pk: int, warning: Finding) -> PolicyWarning:
    return PolicyWarning(
        policy_id=pk,
        field=warning.field,
        code=warning.code,
        message=warning.message,
        wording=wording.data_of(warning.message),
        blocking=warning.blocking,
        line=warning.line,
        column=warning.column,
    )


def _store(found: Mapping[int, list[Finding]]) -> None:
    PolicyWarning.objects.bulk_create(
        (_stored(pk, w) for pk, warnings in found.items() for w in warnings),
        batch_size=2000,
    )


def refresh_collection() -> dict[str, list[Finding]]:
    """Check every record against the whole collection and store the warnings; returns them by record id."""
    found: dict[str, list[Finding]] = {}
    _refresh_collection(found)
    return found


# Rows are read a hundred at a time: a seed-sized record's facility list alone is about 70 KB of Python objects.
_CHUNK = 100
# What `check_in_collection` reads of a record.
_COMPARED_FIELDS = ("policy_id", "supersedes", *COPYABLE_FIELDS)


def _refresh_collection(
    found: dict[str, list[Finding]] | None = None, checked: Mapping[int, tuple[int, tuple[Finding, ...]]] | None = None
) -> None:
    """Rewrite every record's warnings, adding them to `found` (by record id) if given.

    One pass streams the records, checking and storing each in turn; memory holds only the supersedes graph and
    the texts more than one record uses (found in SQL), not the collection, which scales to any size. `checked`
    holds records' `check_values` already worked out, by pk, with the version they are for: a record still at
    that version is only compared with the collection, without reading its facility list (most of its row).
    """
    with transaction.atomic():
        graph = load_supersedes()
        collection = Collection(
            ids=_existing_ids({target for named in graph.values() for target in named}),
            supersedes=graph,
            shared_texts=_shared_texts(),
            cycles=all_cycles(graph),
        )
        PolicyWarning.objects.all().delete()
        pending: list[PolicyWarning] = []

        def store(row: Mapping[str, Any], warnings: list[Finding]) -> None:
            if any(warning.is_problem and warning.line is None for warning in warnings):
                warnings = _placed(row["pk"], warnings)
            if found is not None:
                found[row["policy_id"]] = warnings
            pending.extend(_stored(row["pk"], w) for w in warnings)
            if len(pending) >= 1000:
                PolicyWarning.objects.bulk_create(pending)
                pending.clear()

        unchecked: list[int] = []
        if checked:
            rows = Policy.objects.order_by("policy_id").values("pk", "version", *_COMPARED_FIELDS)
            for row in rows.iterator(chunk_size=_CHUNK):
                version, warnings = checked.get(row["pk"], (None, []))
                if version == row["version"]:
                    store(row, [*warnings, *check_in_collection(row, collection)])
                else:
                    unchecked.append(row["pk"])
        else:
            rows = Policy.objects.order_by("policy_id").values("pk", *CHECKED_FIELDS)
            for row in rows.iterator(chunk_size=_CHUNK):
                store(row, check_record(row, collection))
        for start in range(0, len(unchecked), _CHUNK):
            chunk = unchecked[start : start + _CHUNK]
            for row in Policy.objects.filter(pk__in=chunk).order_by("policy_id").values("pk", *CHECKED_FIELDS):
                store(row, check_record(row, collection))
        PolicyWarning.objects.bulk_create(pending)
        CollectionCheckOwed.objects.all().delete()


def _existing_ids(ids: set[str]) -> set[str]:
    """Those of `ids` that name a record (asked in slices: SQLite limits a statement's parameters)."""
    wanted, existing = sorted(ids), set[str]()
    for start in range(0, len(wanted), 900):
        existing.update(
            Policy.objects.filter(policy_id__in=wanted[start : start + 900]).values_list("policy_id", flat=True)
        )
    return existing


def _shared_texts() -> dict[str, tuple[int, list[str]]]:
    """Each copyable text used by more than one record: how many records use it, and the first few by id.

    The database pairs up the texts (one UNION of the copyable columns, counted per text), so only the shared
    ones reach Python, through a server-side cursor on PostgreSQL.
    """
    quote = connection.ops.quote_name
    table = quote(Policy._meta.db_table)
    id_column = quote(Policy._meta.get_field("policy_id").column)
    columns = [quote(Policy._meta.get_field(name).column) for name in COPYABLE_FIELDS]
    uses = " UNION ".join(
        f"SELECT {column} AS text, {id_column} AS policy_id FROM {table} WHERE LENGTH({column}) >= %s"
        for column in columns
    )
    sql = (
        "SELECT text, policy_id FROM (SELECT text, policy_id, COUNT(*) OVER (PARTITION BY text) AS users "
        f"FROM ({uses}) AS uses) AS counted WHERE users > 1"
    )
    # A text shorter than half the minimum width cannot reach it, whatever its script.
    shortest = (MIN_COPIED_WIDTH + 1) // 2
    shared: dict[str, tuple[int, list[str]]] = {}
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [shortest] * len(columns))
        while chunk := cursor.fetchmany(2000):
            for text, policy_id in chunk:
                count, first = shared.get(text) or (0, [])
                if len(first) <= SHOWN_OTHERS or policy_id < first[-1]:
                    bisect.insort(first, policy_id)
                    del first[SHOWN_OTHERS + 1 :]
                shared[text] = (count + 1, first)
    return {text: users for text, users in shared.items() if _copyable(text)}


def refresh_records(
    policy_ids: Iterable[str],
    *,
    supersedes: dict[str, list[str]] | None = None,
    text_uses: dict[str, set[tuple[str, int, str]]] | None = None,
) -> dict[str, list[Finding]]:
    """Check these records against the collection and store their warnings; returns them by record id.

    `supersedes` is the collection's graph and `text_uses` the uses of the records' texts, if the caller has just
    read them.
    """
    with transaction.atomic(savepoint=False):
        rows = list(
            Policy.objects.filter(policy_id__in=set(policy_ids)).order_by("policy_id").values("pk", *CHECKED_FIELDS)
        )
        collection = Collection.around(rows, supersedes, text_uses)
        found = {row["pk"]: _placed(row["pk"], check_record(row, collection)) for row in rows}
        PolicyWarning.objects.filter(policy_id__in=list(found)).delete()
        _store(found)
    return {row["policy_id"]: found[row["pk"]] for row in rows}


def _refresh_supersedes_of(policy_ids: set[str], graph: dict[str, list[str]]) -> None:
    """Rewrite only the supersedes warnings of these records."""
    rows = list(Policy.objects.filter(policy_id__in=policy_ids).values("pk", "policy_id", "supersedes"))
    named = {target for row in rows for target in row["supersedes"] or ()}
    collection = Collection(set(Policy.objects.filter(policy_id__in=named).values_list("policy_id", flat=True)), graph)
    PolicyWarning.objects.filter(
        policy_id__in=[row["pk"] for row in rows], code__in=["unknown_supersedes", "supersedes_cycle"]
    ).delete()
    _store({row["pk"]: check_supersedes(row, collection) for row in rows})


def _refresh_copies_of(uses_by_text: dict[str, set[tuple[str, int, str]]], skip: str | None) -> None:
    """Rewrite the copied-text warnings of every use of these texts (but the record `skip`, checked in full)."""
    found: dict[int, list[Finding]] = {}
    stale: dict[str, list[int]] = {}
    collection = Collection(set(), {}, {text: {use[0] for use in uses} for text, uses in uses_by_text.items()})
    for text, uses in uses_by_text.items():
        for policy_id, pk, name in uses:
            if policy_id == skip:
                continue
            stale.setdefault(_part_field(name), []).append(pk)
            warning = _copied_warning(name, *collection.others_using(text, policy_id))
            if warning:
                found.setdefault(pk, []).append(warning)
    for field_name, pks in stale.items():
        PolicyWarning.objects.filter(code="copied_text", field=field_name, policy_id__in=pks).delete()
    _store(found)


@dataclass
class _Deferred:
    """What the saves inside `deferred_refresh` left for its refresh."""

    saved: bool = False
    checked: dict[int, tuple[int, tuple[Finding, ...]]] = field(default_factory=dict)
    warnings: dict[Finding, Finding] = field(default_factory=dict)
    batch: set[int] = field(default_factory=set)  # noted since the last `store_batch_warnings`


_deferred: ContextVar[_Deferred | None] = ContextVar("policies_checks_deferred", default=None)


@contextmanager
def deferred_refresh() -> Iterator[None]:
    """Saves inside the block leave warnings alone; leaving it refreshes the whole collection once, if any saved
    or if a check an earlier block owes is still undone.

    For bulk writes (imports): refreshing around each of thousands of saves would cost far more than once. The
    writer calls `store_batch_warnings` in each of its transactions, so that a block killed midway leaves every
    record it stored with its own warnings and the collection's check owed (`CollectionCheckOwed`).
    """
    if _deferred.get() is not None:
        yield
        return
    deferred = _Deferred()
    token = _deferred.set(deferred)
    try:
        yield
    finally:
        _deferred.reset(token)
        if deferred.saved or CollectionCheckOwed.objects.exists():
            _refresh_collection(checked=deferred.checked)


def note_checked(policy: Policy, warnings: list[Finding]) -> None:
    """Inside `deferred_refresh`: `warnings` are `check_values` of the record as just saved.

    The refresh at the end of the block then does not read the record's facility list to check it again. It uses
    them only while the record is still at this version: a save rolled back, or a later save by anyone, makes
    the refresh check the record in full.
    """
    deferred = _deferred.get()
    if deferred is not None and policy.pk is not None:
        # Kept for every record of the import: equal warnings (most are the same few) are kept once.
        shared = tuple(deferred.warnings.setdefault(warning, warning) for warning in warnings)
        deferred.checked[policy.pk] = (policy.version, shared)
        deferred.batch.add(policy.pk)


def store_batch_warnings() -> None:
    """Inside `deferred_refresh`, in the writer's transaction: store the warnings of the records noted since the
    last call (their own content's; the block's end compares them with the collection) and owe that check."""
    deferred = _deferred.get()
    if deferred is None or not deferred.batch:
        return
    found = {pk: list(deferred.checked[pk][1]) for pk in deferred.batch}
    deferred.batch.clear()
    PolicyWarning.objects.filter(policy_id__in=list(found)).delete()
    _store(found)
    if not CollectionCheckOwed.objects.exists():
        CollectionCheckOwed.objects.create()


def settle_owed_check() -> bool:
    """Check the whole collection if an interrupted import left that owed; whether it did."""
    if not CollectionCheckOwed.objects.exists():
        return False
    _refresh_collection()
    return True


def refresh_after_save(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, *, policy: Policy | None = None
) -> None:
    """Rewrite the warnings a save (or, with `after` None, a deletion) of one record may have changed.

    The record is checked in full. Of the others, only the warnings that compare them with it: the supersedes
    warnings of the records naming its old or new id and of every record on a cycle (before or after), and the
    copied-text warnings of the records sharing an old or new label or evidence of it. A save that changed none of
    what records are compared by (`policy` given: a score, a citation, the approval stamp) rewrites only the
    record's own warnings.
    """
    deferred = _deferred.get()
    if deferred is not None:
        deferred.saved = True
        return
    if policy is not None and before is not None and after is not None and not _compared_changed(before, after):
        _refresh_own(policy, after)
        return
    versions = [v for v in (before, after) if v is not None]
    ids = {v["policy_id"] for v in versions}
    current = after["policy_id"] if after is not None else None
    with transaction.atomic(savepoint=False):
        # Other records' warnings are rewritten here: one such refresh at a time, or two saves deadlock.
        locks.serialize_transaction("record warnings")
        graph = load_supersedes()
        # Every use of the record's old and new texts, read once for its own check and for the others'.
        texts = {text for v in versions for name in COPYABLE_FIELDS if (text := _copyable(v.get(name)))}
        uses = _text_uses(texts)
        if current is not None:
            refresh_records([current], supersedes=graph, text_uses=uses)
        neighbours = {policy_id for policy_id, named in graph.items() if ids & set(named)}
        # A cycle the save made or broke runs through its record, in the graph after the save or before it.
        if current is not None:
            neighbours |= cycle_members(current, graph)
        if before is not None:
            neighbours |= cycle_members(before["policy_id"], _graph_before(graph, before, current))
        neighbours.discard(current)
        if neighbours:
            _refresh_supersedes_of(neighbours, graph)
        _refresh_copies_of(uses, skip=current)


# The warnings that compare a record with others; every other warning is the record's own.
COLLECTION_CODES = ("unknown_supersedes", "supersedes_cycle", "copied_text")


def _compared_changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    return any(before[name] != after[name] for name in _COMPARED_FIELDS)


def _refresh_own(policy: Policy, values: Mapping[str, Any]) -> None:
    """Rewrite the record's own warnings (its problems placed in the file it exports as), keeping the others."""
    warnings = check_values(values)
    if any(warning.is_problem for warning in warnings):
        warnings = [*located_problems(policy), *(warning for warning in warnings if not warning.is_problem)]
    with transaction.atomic(savepoint=False):
        PolicyWarning.objects.filter(policy_id=policy.pk).exclude(code__in=COLLECTION_CODES).delete()
        _store({policy.pk: warnings})


def _graph_before(graph: dict[str, list[str]], before: Mapping[str, Any], current: str | None) -> dict[str, list[str]]:
    """The supersedes graph as it was before a save of one record changed it from `before`."""
    old = {policy_id: named for policy_id, named in graph.items() if policy_id != current}
    if before["supersedes"]:
        old[before["policy_id"]] = before["supersedes"]
    return old


def stored_values(pk: int) -> dict[str, Any] | None:
    """A record's CHECKED_FIELDS as stored, or None."""
    return Policy.objects.filter(pk=pk).values(*CHECKED_FIELDS).first()
