"""Edits made by people: saved onto the version the editor loaded, or refused with what changed since.

Every save refuses a copy that is no longer the stored version (`saving.StaleVersion`); this module gives an
editor's form what it needs to say so: who saved in between, when and why, and what they changed. Edits sent as
frontmatter-shaped data (the API's PATCH) are held to the import's rules by `edit_policy`, and more: the import
keeps a value its field cannot hold as written, for a person to fix, but a person's edit never writes one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import text, timezone
from django.utils.translation import gettext, gettext_lazy

from policies import diffing, records, saving, schema
from policies.codec import frontmatter
from policies.filetext import render_values, stated_values
from policies.models import Policy
from policies.records import Problem, RecordError
from policies.saving import StaleVersion

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


@dataclass(frozen=True)
class Conflict:
    """What happened to a record since an editor loaded `loaded_version` of it."""

    loaded_version: int
    current_version: int
    saves: list[Any]
    changes: list[diffing.Section]
    base: Any = None  # the history row of the loaded version, if there is one

    @property
    def last_save(self) -> Any:
        return self.saves[-1] if self.saves else None

    @property
    def editors(self) -> list[str]:
        """Who saved since, in order, each once ("a command" for saves without a user)."""
        names: list[str] = []
        for row in self.saves:
            name = saving.saved_by(row)
            if name not in names:
                names.append(name)
        return names


def conflict_since(policy: Policy, loaded_version: int) -> Conflict:
    """The saves of `policy` after `loaded_version` (oldest first) and the field changes between the two."""
    history = policy.history.select_related("history_user")
    saves = list(history.filter(version__gt=loaded_version).order_by("history_id"))
    loaded = history.filter(version=loaded_version).order_by("-history_id").first()
    return Conflict(
        loaded_version=loaded_version,
        current_version=policy.version,
        saves=saves,
        changes=diffing.compare(loaded, policy) if loaded is not None else [],
        base=loaded,
    )


def describe(conflict: Conflict) -> str:
    """One sentence for the editor whose save was refused."""
    last = conflict.last_save
    if last is None:
        return gettext(
            "Not saved: this form edits version %(loaded)d, but the record is at version %(current)d. Your input "
            "is kept below; save again to apply it to the current version."
        ) % {"loaded": conflict.loaded_version, "current": conflict.current_version}
    when = f"{timezone.localtime(last.history_date):%Y-%m-%d %H:%M}"
    reason = f" ({last.history_change_reason})" if last.history_change_reason else ""
    others = conflict.editors
    who = others[-1] if len(others) == 1 else str(text.get_text_list(others, gettext("and")))
    last_by = saving.saved_by(last)
    return gettext(
        "Not saved: %(who)s changed this record after you opened it (version %(loaded)d); the last save, version "
        "%(current)d, was by %(last_by)s on %(when)s%(reason)s. Your input is kept below: compare it with their "
        "changes, then save again to apply it to the current version."
    ) % {
        "who": who,
        "loaded": conflict.loaded_version,
        "current": conflict.current_version,
        "last_by": last_by,
        "when": when,
        "reason": reason,
    }


def save_edit(policy: Policy, *, user: Any, reason: str, loaded_version: int) -> None:
    """Save an editor's changes to the version they loaded; raises StaleVersion if it is no longer current."""
    policy.version = loaded_version
    saving.save_record(policy, user=user, reason=reason)


# Written by the import and the review workflow, never by hand (the admin shows them read-only), with what an
# editor is told instead. A file must not claim an approval that did not happen, nor an author it did not name.
_WRITTEN_BY = {
    schema.Editable.WORKFLOW: gettext_lazy(
        "is not edited by hand: the review workflow writes it when a reviewer approves the record"
    ),
    schema.Editable.IMPORT: gettext_lazy("is not edited by hand: the import writes it from the record's file"),
}
NOT_EDITABLE: dict[str, StrPromise] = {
    field.attr: _WRITTEN_BY[field.editable] for field in schema.FIELDS if field.editable in _WRITTEN_BY
}
# The id is refused apart, with what it names (`_check_rules`).
del NOT_EDITABLE["policy_id"]
# Of those, the ones a person may still correct while the file's value is kept as written (a problem): the approval
# replaces the stamps, but nothing else would ever fix an author the file wrote as a number or a list.
FIXED_BY_HAND = ("provenance_author",)
_PATHS = {leaf.attr: records.dotted(leaf.path) for leaf in records.LEAVES}


def editable_by_hand(attr: str, kept: Mapping[str, Any]) -> bool:
    """Whether an editor may change the field, given the record's values kept as written (by dotted key)."""
    return attr not in NOT_EDITABLE or (attr in FIXED_BY_HAND and _PATHS[attr] in kept)


def current_data(version: Any, *, as_stated: bool = False) -> dict[str, Any]:
    """The frontmatter of a record (or of one of its versions), shaped like the file it renders on.

    `as_stated`: as its file states it (`filetext.stated_values`), rather than as stored.
    """
    values = stated_values(version) if as_stated else records.policy_values(version)
    template = version.template
    return records.data_from_values(values, frontmatter.parse(template.text).data if template is not None else None)


def edit_policy(
    policy: Policy,
    *,
    user: Any,
    expected_version: int,
    changes: Mapping[str, Any] | None = None,
    body: str | None = None,
    reason: str = "",
) -> list[str]:
    """Lay `changes` (frontmatter-shaped) and `body` over the record and save it as `user`.

    Returns the changed fields' paths (empty when there was nothing to save).

    Raises StaleVersion if the record is not at `expected_version`, RecordError listing every field that is wrong.
    """
    with transaction.atomic():
        locked = saving.lock(policy.pk)
        if locked.version != expected_version:
            raise StaleVersion(
                locked,
                expected_version,
                locked.version,
                gettext(
                    "%(id)s changed since you read it (you read version %(seen)d, it is now version %(now)d); read "
                    "it again and redo your change. Nothing was saved."
                )
                % {"id": locked.policy_id, "seen": expected_version, "now": locked.version},
            )
        before = records.policy_values(locked)
        data = merge(current_data(locked), changes or {})
        values = _read(data, locked.body if body is None else body)
        _check_rules(before, values)
        changed = [attr for attr in records.changed_fields(before, values) if not _same_extra(attr, before, values)]
        if not changed:
            return []
        for attr in changed:
            setattr(locked, attr, values[attr])
        check_writable(locked)
        paths = records.changed_keys(before, values)
        saving.save_record(locked, user=user, reason=reason or f"Edited through the API: {', '.join(paths)}")
    saving.take_saved(policy, locked)
    return paths


def merge(base: Mapping[str, Any], change: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `change` laid over it: mappings merge key by key, anything else replaces."""
    merged = dict(base)
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read(data: dict[str, Any], body: str) -> dict[str, Any]:
    try:
        return records.values_from_data(data, body)
    except RecordError:
        raise
    except (TypeError, ValueError) as error:
        # Raised by the YAML writer for keys the schema does not know whose values YAML cannot hold exactly.
        path = next(_unwritable(data, ()), ())
        raise RecordError([Problem(records.dotted(path), str(error))]) from None


def _unwritable(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _unwritable(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unwritable(item, (*path, index))
    else:
        try:
            frontmatter.dump({"value": value})
        except (TypeError, ValueError):
            yield path


def _check_rules(before: Mapping[str, Any], values: Mapping[str, Any]) -> None:
    problems = []
    if values["policy_id"] != before["policy_id"]:
        problems.append(Problem("id", gettext("cannot be changed here: the id names the record's URL and file")))
    old_kept, new_kept = records.as_written(before), records.as_written(values)
    for attr, message in NOT_EDITABLE.items():
        key = _PATHS[attr]
        kept_changed = (key in old_kept) != (key in new_kept) or (
            key in new_kept and not frontmatter.same(old_kept[key], new_kept[key])
        )
        if (values[attr] != before[attr] or kept_changed) and not editable_by_hand(attr, old_kept):
            problems.append(Problem(key, str(message)))
    refused = {problem.field for problem in problems}
    problems.extend(problem for problem in records.new_problems(before, values) if problem.field not in refused)
    if problems:
        raise RecordError(problems)


def _same_extra(attr: str, before: Mapping[str, Any], values: dict[str, Any]) -> bool:
    """True if `extra` changed only in how its YAML is written (the admin lets editors write it by hand)."""
    if attr != "extra":
        return False
    try:
        old, new = (frontmatter.load(text) if text else None for text in (before["extra"], values["extra"]))
    except frontmatter.FrontmatterError:
        return False
    return frontmatter.same(old, new)


def check_writable(policy: Policy) -> None:
    """Refuse content the export could not write, or that the import would not read back the same (RecordError)."""
    try:
        text = render_values(records.policy_values(policy), policy.template.text if policy.template else None)
        document = frontmatter.parse(text)
        back = records.values_from_data(document.data, document.body)
    except (TypeError, ValueError) as error:
        raise RecordError(
            [Problem("", gettext("cannot be written as a policy file: %(error)s") % {"error": error})]
        ) from None
    size = len(text.encode("utf-8"))
    if size > settings.POLICY_FILE_MAX_BYTES:
        raise RecordError(
            [
                Problem(
                    "",
                    gettext("the file would be %(size)s bytes; the limit is %(limit)s")
                    % {"size": f"{size:,}", "limit": f"{settings.POLICY_FILE_MAX_BYTES:,}"},
                )
            ]
        )
    differing = list(records.changed_fields(records.policy_values(policy), back))
    if differing:
        raise RecordError(
            [Problem(_PATHS.get(a, a), gettext("would not read back the same from the file")) for a in differing]
        )
