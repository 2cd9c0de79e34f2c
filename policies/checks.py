"""Record checks: things in a record a reviewer should look at before trusting it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from policies.models import HUMAN_AUDIT_PENDING


@dataclass(frozen=True)
class Warning:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def check_values(values: Mapping[str, Any]) -> list[Warning]:
    """The warnings for one record's content (model field values)."""
    warnings = []
    reviewer = values.get("provenance_reviewer", "")
    if values.get("review_status") == "verified" and reviewer.strip() in ("", HUMAN_AUDIT_PENDING):
        warnings.append(
            Warning(
                "reviewStatus",
                f"claims to be verified, but provenance.reviewer is {reviewer!r}: a verification without a "
                "human reviewer is not trusted",
            )
        )
    return warnings
