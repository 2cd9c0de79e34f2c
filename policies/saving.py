"""The one way a record is saved, whoever saves it: the admin, the API, an import, a settled conflict, a restore or
a review decision.

`save_record` runs in one transaction and in this order:

1. read the stored row under a lock (or take what `lock` read, when the caller locked it in this transaction);
2. refuse a copy that is not the stored version (`StaleVersion`);
3. ask the review rule which state the record is saved in (the workflow registers the rule at start-up, since
   `policies` never imports `reviews`); a state change that is not a review move is refused there;
4. write the row as the next version, with its content's fingerprint;
5. write its history row: who, when, why, and its facility list by reference;
6. rewrite the warnings the change may have changed (`policies.checks`);
7. let the review rule record what it decided (an "edited" event when an edit reopened a verified record).

Nothing else runs on a save: no signal receiver changes state behind the caller's back.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from policies import checks, records
from policies.models import FacilityList, Policy, history_row


class StaleVersion(Exception):
    """The record was saved by someone else after this copy of it was read; nothing was saved."""

    def __init__(self, policy: Policy, loaded_version: int, current_version: int, message: str = "") -> None:
        super().__init__(
            message
            or gettext("%(id)s was saved as version %(current)d after version %(loaded)d was read; nothing was saved.")
            % {"id": policy.policy_id, "current": current_version, "loaded": loaded_version}
        )
        self.policy = policy  # the record as it is stored now
        self.policy_id = policy.policy_id
        self.loaded_version = loaded_version
        self.current_version = current_version


@dataclass(frozen=True)
class Saved:
    """What one save did."""

    history_id: int
    version: int  # the version the save wrote
    from_state: str
    changed: tuple[str, ...]  # the content fields that changed


class ReviewRule(Protocol):
    """How review states follow saves: the workflow's, registered with `register_review_rule`."""

    def state_after_save(self, policy: Policy, *, stored_state: str, changed: Sequence[str], action: str | None) -> str:
        """The state to save the record in (`policy.state` is the one asked for); raises to refuse the save."""
        ...

    def after_save(self, policy: Policy, saved: Saved, *, user: Any, reason: str, action: str | None) -> None:
        """Record what the rule decided, in the save's transaction, once the version is written."""
        ...


class _StatesStayAsTheyAre:
    """Before the workflow registers its rule (and in code that runs without it): no state is ever changed."""

    def state_after_save(self, policy: Policy, *, stored_state: str, changed: Sequence[str], action: str | None) -> str:
        return stored_state

    def after_save(self, policy: Policy, saved: Saved, *, user: Any, reason: str, action: str | None) -> None:
        return None


_review_rule: ReviewRule = _StatesStayAsTheyAre()


def register_review_rule(rule: ReviewRule) -> None:
    """Called once, by the review workflow's app when Django starts."""
    global _review_rule
    _review_rule = rule


def lock(pk: int) -> Policy:
    """The record, read and locked until the transaction ends; `save_record` compares with what was read here."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock() holds a row lock until the transaction ends: call it inside transaction.atomic()")
    policy = Policy.objects.select_for_update(no_key=True, of=("self",)).select_related("template").get(pk=pk)
    policy._stored = _stored_values(policy)  # type: ignore[attr-defined]
    return policy


def _stored_values(policy: Policy) -> dict[str, Any]:
    # Lists are copied: a caller may change a list of the record in place before saving it.
    values = records.policy_values(policy)
    copied = {name: list(value) if isinstance(value, list) else value for name, value in values.items()}
    return {**copied, "version": policy.version, "state": policy.state}


def create_record(policy: Policy, *, user: Any, reason: str) -> Saved:
    """Store a new record as its version 1."""
    with _transaction():
        _normalize(policy)
        policy.version = 1
        policy.content_hash = records.content_hash(records.policy_values(policy))
        policy.save(force_insert=True)
        row = history_of(policy, user=user, reason=reason, history_type="+")
        checks.refresh_after_save(None, _checked(policy), policy=policy)
        return Saved(row.history_id, policy.version, policy.state, ())


def save_record(policy: Policy, *, user: Any, reason: str, action: str | None = None) -> Saved:
    """Save `policy` as the next version of the version it was read as (`policy.version`).

    `action` names the review move that saves it (the workflow's own saves); any other save keeps the state the
    review rule gives it. Raises StaleVersion, or what the review rule raises, before writing anything.
    """
    if policy._state.adding:
        return create_record(policy, user=user, reason=reason)
    with _transaction():
        stored = policy.__dict__.pop("_stored", None) or _read_locked(policy.pk)
        if stored["version"] != policy.version:
            raise StaleVersion(policy, policy.version, stored["version"])
        _normalize(policy)
        values = records.policy_values(policy)
        changed = tuple(records.changed_fields(stored, values))
        policy.state = _review_rule.state_after_save(
            policy, stored_state=stored["state"], changed=changed, action=action
        )
        policy.content_hash = records.content_hash(values)
        policy.version += 1
        try:
            policy.save()
        except BaseException:
            policy.version -= 1
            raise
        unchanged = stored["related_facilities"] == policy.related_facilities
        row = history_of(policy, user=user, reason=reason, history_type="~", facilities_unchanged=unchanged)
        checks.refresh_after_save(_checked(stored), _checked(policy), policy=policy)
        saved = Saved(row.history_id, policy.version, stored["state"], changed)
        _review_rule.after_save(policy, saved, user=user, reason=reason, action=action)
        return saved


def _transaction() -> Any:
    """A transaction of the save's own, or none inside the caller's.

    Inside a caller's transaction the save opens no savepoint: its refusals come before its first write, so they
    leave that transaction as it was, and a database error is the caller's to roll back, with the rest of its work.
    """
    return contextlib.nullcontext() if connection.in_atomic_block else transaction.atomic()


def _normalize(policy: Policy) -> None:
    # A form or a caller may hand over a value in another type that means the same (the date as "2024-10-01"): it
    # is stored, compared and fingerprinted as the field's own type.
    for name in records.CONTENT_FIELDS:
        setattr(policy, name, Policy._meta.get_field(name).to_python(getattr(policy, name)))


def _read_locked(pk: int) -> dict[str, Any]:
    return dict(
        Policy.objects.select_for_update(no_key=True)
        .filter(pk=pk)
        .values("version", "state", *records.CONTENT_FIELDS)
        .get()
    )


def _checked(values: Policy | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(values, Policy):
        return {name: getattr(values, name) for name in checks.CHECKED_FIELDS}
    return {name: values[name] for name in checks.CHECKED_FIELDS}


def history_of(
    policy: Policy,
    *,
    user: Any,
    reason: str,
    history_type: str,
    facilities_unchanged: bool = False,
    date: datetime.datetime | None = None,
) -> Any:
    """Store the history row of `policy` as it is now and return it.

    A version whose facility ids are those of the version before refers to the list already stored.
    """
    facilities = FacilityList.for_ids(policy.related_facilities) if facilities_unchanged else None
    row = history_row(
        policy,
        user=user,
        reason=reason,
        history_type=history_type,
        date=date or timezone.now(),
        facilities=facilities,
    )
    row.save()
    return row


def last_save(policy: Policy) -> Any | None:
    """The history row of the record's latest save (who, when, why), or None for a record never saved."""
    return policy.history.select_related("history_user").order_by("-history_id").first()


def saved_by(row: Any) -> str:
    """Who made a save, named as `name_of` names people."""
    return name_of(row.history_user if row is not None else None)


def name_of(user: Any) -> str:
    """A person as screens and messages name them: full name, else user name; no one (an import or another
    command run by the operator) is "a command"."""
    if user is None:
        return gettext("a command")
    return user.get_full_name().strip() or user.get_username()


def delete_records(policies: Sequence[Policy], *, user: Any, reason: str) -> None:
    """Delete records, each with a last history row saying who deleted it and why, and rewrite the warnings of
    the records that were compared with them."""
    with transaction.atomic():
        for policy in policies:
            history_of(policy, user=user, reason=reason, history_type="-")
            before = _checked(policy)
            policy.delete()
            checks.refresh_after_save(before, None)


def take_saved(copy: Policy, saved: Policy) -> None:
    """Give a caller's copy of a record the values of the copy that was saved, without reading the row again."""
    for field in Policy._meta.concrete_fields:
        setattr(copy, field.attname, getattr(saved, field.attname))
