"""Import conflicts settled by a person, field by field.

The import leaves a file whose changes collide with the app's alone and keeps it as an `ImportConflict`, compared
with one version of the record (`importing._file_conflict`). Settling it builds the record's next content from
that version: the file's value of each field only the file changed and, for each field both changed, the person's
choice: keep the record's value, take the file's, or write another, read as the change form reads it and checked
as the import checks a file. It is saved as one version rendered on the file's text, as a merge is, and the file's
bytes are remembered, so that importing the same file again finds it older than the record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from policies import editing, records, saving
from policies.codec import frontmatter
from policies.models import ImportConflict, Policy, SeenFile

# Settling changes the record and closes the conflict.
SETTLE_PERMISSIONS = ("policies.change_policy", "policies.change_importconflict")


class Side(StrEnum):
    KEEP = "keep"  # the record's value
    TAKE = "take"  # the file's value
    WRITE = "write"  # another value, written by the person


@dataclass(frozen=True)
class Choice:
    """What a person chose for one field both sides changed."""

    side: Side
    text: str = ""  # for WRITE: the value as the change form takes it (a list one item a line)

    @classmethod
    def keep(cls) -> Choice:
        return cls(Side.KEEP)

    @classmethod
    def take(cls) -> Choice:
        return cls(Side.TAKE)

    @classmethod
    def write(cls, text: str) -> Choice:
        return cls(Side.WRITE, text)


@dataclass(frozen=True)
class Settlement:
    took: list[str]  # from the file: the fields only it changed and those chosen from it
    kept: list[str]
    wrote: list[str]
    version: int | None  # the version saved; None if the record already had the content chosen


class NotAllowedToSettle(PermissionDenied):
    """The user may not settle import conflicts."""


class CannotSettle(Exception):
    """The conflict cannot be settled as asked; nothing was saved."""


class AlreadySettled(CannotSettle):
    pass


class StaleConflict(CannotSettle):
    """The record, or the conflict, is no longer what the choices were made on."""


class InvalidChoices(CannotSettle):
    """A field lacks a choice or has a value that is refused; `errors` lists the messages of each field by name
    (`NON_FIELD_ERRORS` for the content as a whole)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()))
        self.errors = errors


def may_settle(user: Any) -> bool:
    """Whether `user` may settle import conflicts; None, a command run by the operator, may."""
    return user is None or user.has_perms(SETTLE_PERMISSIONS)


def file_values(conflict: ImportConflict) -> dict[str, Any]:
    """The content of the conflict's file, read as the import read it."""
    document = frontmatter.parse(conflict.file.text)
    return records.values_from_data(document.data, document.body)


def settle_conflict(
    conflict: ImportConflict, *, user: Any, choices: Mapping[str, Choice], expected_version: int
) -> Settlement:
    """Save the record's content with the file's changes and a choice for each conflicting field, as `user`.

    `expected_version` is the version of the record the choices were made on: the conflict must still compare the
    file with it, and the record must still be at it. Refusals raise NotAllowedToSettle, AlreadySettled,
    StaleConflict or InvalidChoices and change nothing. A verified record goes back to review, as with any edit.
    """
    if not may_settle(user):
        raise NotAllowedToSettle(
            gettext("Settling an import conflict needs the permissions to change policies and import conflicts.")
        )
    with transaction.atomic():
        # The record first, then the conflict: the order in which the import locks and writes them.
        policy = saving.lock(conflict.policy_id)
        locked = ImportConflict.objects.select_for_update().get(pk=conflict.pk)
        _check_current(locked, policy, expected_version)
        try:
            theirs = file_values(locked)
        except (frontmatter.FrontmatterError, records.RecordError) as error:
            raise StaleConflict(
                gettext("%(file)s no longer reads as a record (%(error)s): import it again.")
                % {"file": locked.source, "error": error}
            ) from None
        content, settlement = _decide(policy, locked, theirs, choices)
        changed = list(records.changed_fields(records.policy_values(policy), content))
        if changed:
            for name in changed:
                setattr(policy, name, content[name])
            policy.template = locked.file
            try:
                editing.check_writable(policy)
            except records.RecordError as error:
                raise InvalidChoices({NON_FIELD_ERRORS: [str(error)]}) from None
            saving.save_record(policy, user=user, reason=_reason(locked, settlement))
            settlement = Settlement(settlement.took, settlement.kept, settlement.wrote, policy.version)
        SeenFile.remember(policy, locked.file_sha256, records.content_hash(theirs), SeenFile.How.IMPORTED)
        locked.resolved_at = timezone.now()
        locked.resolved_by = user if user is not None and user.is_authenticated else None
        locked.save(update_fields=["resolved_at", "resolved_by"])
    conflict.refresh_from_db()
    return settlement


def _check_current(conflict: ImportConflict, policy: Policy, expected_version: int) -> None:
    if conflict.resolved_at is not None:
        who = saving.name_of(conflict.resolved_by)
        when = f"{timezone.localtime(conflict.resolved_at):%Y-%m-%d %H:%M}"
        raise AlreadySettled(
            gettext("The import conflict of %(file)s was settled already, by %(who)s on %(when)s. Nothing was saved.")
            % {"file": conflict.source, "who": who, "when": when}
        )
    if policy.version != conflict.version:
        raise StaleConflict(
            gettext(
                "The record %(record)s changed since %(file)s was compared with it (version %(compared)s; it is now "
                "at version %(current)s). Import the file again to compare it with the record as it is now. Nothing "
                "was saved."
            )
            % {
                "record": policy.policy_id,
                "file": conflict.source,
                "compared": conflict.version,
                "current": policy.version,
            }
        )
    if expected_version != conflict.version:
        raise StaleConflict(
            gettext(
                "Since you looked at it (version %(seen)s), %(file)s was compared anew with version %(current)s of "
                "%(record)s: look at its values again. Nothing was saved."
            )
            % {
                "seen": expected_version,
                "file": conflict.source,
                "current": conflict.version,
                "record": policy.policy_id,
            }
        )


def _decide(
    policy: Policy, conflict: ImportConflict, theirs: Mapping[str, Any], choices: Mapping[str, Choice]
) -> tuple[dict[str, Any], Settlement]:
    """The content chosen: the record's, with the file's changes and the choice for each conflicting field."""
    names = conflict.field_names
    errors: dict[str, list[str]] = {
        name: [gettext("%(field)s is not a field of this conflict.") % {"field": records.paths([name])}]
        for name in choices
        if name not in names
    }
    content = records.policy_values(policy)
    took, kept, wrote = list(conflict.taken), [], []
    for name in conflict.taken:
        content[name] = theirs[name]
    for name in names:
        choice = choices.get(name)
        if choice is None:
            errors[name] = [gettext("Keep the record's value, take the file's or write another.")]
        elif choice.side == Side.KEEP:
            kept.append(name)
        elif choice.side == Side.TAKE:
            content[name] = theirs[name]
            took.append(name)
        else:
            value, problems = read_written(policy, name, choice.text)
            if problems:
                errors[name] = problems
            else:
                content[name] = value
                wrote.append(name)
    if errors:
        raise InvalidChoices(errors)
    in_order = [name for name in records.CONTENT_FIELDS if name in took]
    return content, Settlement(in_order, kept, wrote, None)


def read_written(policy: Policy, name: str, text: str) -> tuple[Any, list[str]]:
    """The value written for field `name` of `policy` and what is wrong with it: read as its box in the change form
    reads it, and checked as the import checks a file's value."""
    path = records.paths([name])
    if name in editing.NOT_EDITABLE:
        return None, [f"{path} {editing.NOT_EDITABLE[name]}"]
    try:
        return records.read_typed(name, text), []
    except records.RecordError as error:
        return None, [f"{problem.field} {problem.message}" for problem in error.problems]


def _choices_made(settlement: Settlement) -> str:
    parts = []
    if settlement.took:
        parts.append(gettext("took %(fields)s from the file") % {"fields": records.paths(settlement.took)})
    if settlement.kept:
        parts.append(gettext("kept %(fields)s") % {"fields": records.paths(settlement.kept)})
    if settlement.wrote:
        parts.append(gettext("wrote %(fields)s") % {"fields": records.paths(settlement.wrote)})
    return ", ".join(parts)


def _reason(conflict: ImportConflict, settlement: Settlement) -> str:
    return gettext("Settled the import conflict of %(file)s: %(choices)s") % {
        "file": conflict.source,
        "choices": _choices_made(settlement),
    }


def describe_settlement(conflict: ImportConflict, settlement: Settlement) -> str:
    """One sentence for the person who settled the conflict."""
    if settlement.version is None:
        return gettext(
            "The import conflict of %(file)s is settled: %(choices)s. The record already had that content, so no "
            "version was saved."
        ) % {"file": conflict.source, "choices": _choices_made(settlement)}
    return gettext(
        "The import conflict of %(file)s is settled: %(choices)s. Saved as version %(version)s of %(record)s."
    ) % {
        "file": conflict.source,
        "choices": _choices_made(settlement),
        "version": settlement.version,
        "record": conflict.policy.policy_id,
    }
