"""Which version of a record the API shows: the published one (as `export_policies` writes it) or the current one,
and the record's versions as its history lists them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet

from policies import records, search
from policies.filetext import published_version
from policies.models import Policy, ReviewState, last_verified_history_id


class Snapshot(StrEnum):
    PUBLISHED = "published"
    CURRENT = "current"


@dataclass(frozen=True)
class Shown:
    """A record and the version of it a response shows (the record itself, or a row of its history)."""

    policy: Policy
    version: Any
    snapshot: Snapshot


def shown(policy: Policy, snapshot: Snapshot) -> Shown | None:
    """The version of `policy` to show, or None when nothing of it is published."""
    version = policy if snapshot is Snapshot.CURRENT else published_version(policy)
    return None if version is None else Shown(policy, version, snapshot)


def records_with(snapshot: Snapshot) -> QuerySet[Policy]:
    """The records that have a version to show."""
    queryset = Policy.objects.select_related("file", "template")
    if snapshot is Snapshot.CURRENT:
        return queryset
    unpublished = (ReviewState.REJECTED, ReviewState.WITHDRAWN)
    return queryset.exclude(state__in=unpublished).filter(pk__in=_published_rows().values("id"))


def whose_shown_version(snapshot: Snapshot, queryset: QuerySet[Policy], *conditions: Q | Any) -> QuerySet[Policy]:
    """The records of `queryset` whose shown version meets `conditions` (written against Policy's fields)."""
    if not conditions:
        return queryset
    if snapshot is Snapshot.CURRENT:
        return queryset.filter(*conditions)
    return queryset.filter(pk__in=_published_rows().filter(*conditions).values("id"))


def whose_shown_version_matches(snapshot: Snapshot, queryset: QuerySet[Policy], text: str) -> QuerySet[Policy]:
    """The records of `queryset` whose shown version matches the search `text` (`policies.search`)."""
    if snapshot is Snapshot.CURRENT:
        return search.matching(queryset, text)
    return queryset.filter(pk__in=search.matching(_published_rows(), text).values("id"))


def _published_rows() -> QuerySet[Any]:
    # `published_version` as a query, for filtering and paging: each record's newest verified history row. The
    # rows shown are still picked by `published_version` itself; tests/api check that both agree.
    return Policy.history.filter(state=ReviewState.VERIFIED, history_id=last_verified_history_id())


@dataclass(frozen=True)
class VersionEntry:
    version: int
    history_id: int
    date: datetime.datetime
    user: str | None
    reason: str
    state: str
    changed: list[str]


def history(policy: Policy) -> list[VersionEntry]:
    """Every saved version of the record, newest first, with the fields each changed (none for the first)."""
    entries = []
    previous: dict[str, Any] | None = None
    for row in policy.history.select_related("history_user").order_by("history_id"):
        values = records.policy_values(row)
        changed = [] if previous is None else records.changed_keys(previous, values)
        user = row.history_user
        entries.append(
            VersionEntry(
                version=row.version,
                history_id=row.history_id,
                date=row.history_date,
                user=user.get_username() if user else None,
                reason=row.history_change_reason or "",
                state=row.state,
                changed=changed,
            )
        )
        previous = values
    return entries[::-1]
