"""Edits made by people: saved onto the version the editor loaded, or refused with what changed since.

Every `Policy.save` refuses a copy that is no longer the stored version (`VersionConflict`); this module gives an
editor's form what it needs to say so: who saved in between, when and why, and what they changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from policies import diffing
from policies.models import Policy


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
            name = _who(row)
            if name not in names:
                names.append(name)
        return names


def _who(row: Any) -> str:
    user = row.history_user
    if user is None:
        return "a command"
    return user.get_full_name().strip() or user.get_username()


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
        return (
            f"Not saved: this form edits version {conflict.loaded_version}, but the record is at version "
            f"{conflict.current_version}. Your input is kept below; save again to apply it to the current version."
        )
    when = f"{timezone.localtime(last.history_date):%Y-%m-%d %H:%M}"
    reason = f" ({last.history_change_reason})" if last.history_change_reason else ""
    others = conflict.editors
    who = others[-1] if len(others) == 1 else f"{', '.join(others[:-1])} and {others[-1]}"
    return (
        f"Not saved: {who} changed this record after you opened it (version {conflict.loaded_version}); the last "
        f"save, version {conflict.current_version}, was by {_who(last)} on {when}{reason}. Your input is kept "
        "below: compare it with their changes, then save again to apply it to the current version."
    )


def save_edit(policy: Policy, *, user: Any, reason: str, loaded_version: int) -> None:
    """Save an editor's changes to the version they loaded; raises VersionConflict if it is no longer current."""
    policy.version = loaded_version
    policy.save_as(user=user, reason=reason)
