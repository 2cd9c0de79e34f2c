"""Readings of the database, taken before an act and compared after it: what a refused request must leave as it
was, and what a full recheck must agree with."""

from __future__ import annotations

from dataclasses import dataclass

from policies.models import Policy, PolicyWarning
from reviews.models import ReviewEvent


@dataclass(frozen=True)
class Snapshot:
    """What must not move when a request about one record is refused."""

    state: str
    version: int
    history_rows: int
    events: int

    @classmethod
    def of(cls, policy: Policy) -> Snapshot:
        fresh = Policy.objects.get(pk=policy.pk)
        return cls(fresh.state, fresh.version, fresh.history.count(), ReviewEvent.objects.count())


def database_state() -> tuple:
    """Every record's id, state, version, title and market score, and how many versions and review events there
    are: everything a refused request must leave as it was."""
    return (
        list(Policy.objects.order_by("pk").values_list("policy_id", "state", "version", "title", "market_score")),
        Policy.history.count(),
        ReviewEvent.objects.count(),
    )


def stored_warnings() -> list[tuple]:
    """Every record's stored warnings: (policy_id, field, code, message), sorted."""
    return sorted(PolicyWarning.objects.values_list("policy__policy_id", "field", "code", "message"))
