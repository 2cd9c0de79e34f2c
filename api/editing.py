"""Edits of a record's content sent as frontmatter-shaped data, held to the import's rules.

The edit is merged into the record's current frontmatter, read with the import's readers
(`records.values_from_data`), checked to render as a file that reads back to the same values, and saved as the
next version only if the record is still at the version the editor read, all under the record's row lock.

This belongs to the domain (`policies`), next to the admin's form; it lives here until the store has an edit
function of its own that every door can call.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction

from policies import frontmatter, records
from policies.exporting import render_policy
from policies.models import Policy, PolicyFile
from policies.records import Problem, RecordError

# Written by the import and the review workflow, never by hand (the admin shows them read-only).
NOT_EDITABLE = ("provenance_author", "provenance_reviewer", "provenance_last_audit_date")
_PATHS = {leaf.attr: records.dotted(leaf.path) for leaf in records.LEAVES}


class StaleEdit(Exception):
    """The record is no longer at the version the editor read; nothing was saved."""

    def __init__(self, policy: Policy, expected_version: int) -> None:
        super().__init__(
            f"{policy.policy_id} changed since you read it (you read version {expected_version}, it is now "
            f"version {policy.version}); read it again and redo your change. Nothing was saved."
        )
        self.policy = policy


def current_data(policy: Any, template_of: Policy | None = None) -> dict[str, Any]:
    """The frontmatter of `policy` (or of a version of it), shaped like the record's file."""
    return records.data_from_values(records.policy_values(policy), template_data(template_of or policy))


def template_data(policy: Policy) -> dict[str, Any] | None:
    try:
        policy_file = policy.file
    except PolicyFile.DoesNotExist:
        return None
    return frontmatter.parse(policy_file.snapshot.text).data


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

    Raises StaleEdit if the record is not at `expected_version`, RecordError listing every field that is wrong.
    """
    with transaction.atomic():
        locked = Policy.objects.select_for_update(no_key=True).get(pk=policy.pk)
        if locked.version != expected_version:
            raise StaleEdit(locked, expected_version)
        before = records.policy_values(locked)
        data = merge(current_data(locked), changes or {})
        values = _read(data, locked.body if body is None else body)
        _check_rules(before, values)
        changed = [attr for attr in records.changed_fields(before, values) if not _same_extra(attr, before, values)]
        if not changed:
            return []
        for attr in changed:
            setattr(locked, attr, values[attr])
        _check_writable(locked)
        paths = [_PATHS.get(attr, attr) for attr in changed]
        locked.save_as(user=user, reason=reason or f"Edited through the API: {', '.join(paths)}")
    policy.refresh_from_db()
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
        problems.append(Problem("id", "cannot be changed here: the id names the record's URL and file"))
    for attr in NOT_EDITABLE:
        if values[attr] != before[attr]:
            problems.append(Problem(_PATHS[attr], "is written by the import and the review workflow, not by hand"))
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


def _check_writable(policy: Policy) -> None:
    """Refuse content the export could not write, or that the import would not read back the same."""
    try:
        text = render_policy(policy).text
        document = frontmatter.parse(text)
        back = records.values_from_data(document.data, document.body)
    except (TypeError, ValueError) as error:
        raise RecordError([Problem("", f"cannot be written as a policy file: {error}")]) from None
    size = len(text.encode("utf-8"))
    if size > settings.POLICY_FILE_MAX_BYTES:
        raise RecordError(
            [Problem("", f"the file would be {size:,} bytes; the limit is {settings.POLICY_FILE_MAX_BYTES:,}")]
        )
    differing = list(records.changed_fields(records.policy_values(policy), back))
    if differing:
        raise RecordError([Problem(_PATHS.get(a, a), "would not read back the same from the file") for a in differing])
