"""Optimistic concurrency: the ETag of a record's version, and the If-Match every write must carry.

An ETag names the record and its current version (`"intl-paris-art-6-4-ccs@5"`); a write whose If-Match names
another version is refused with 412 and says who saved the record since, so that a script re-reads instead of
overwriting someone's work.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request

from policies import saving
from policies.models import Policy

_ETAG = re.compile(r'"(?P<policy_id>[^"@]+)@(?P<version>[0-9]{1,10})"')


def etag(policy: Policy) -> str:
    return f'"{policy.policy_id}@{policy.version}"'


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = gettext_lazy(
        "Send the record's ETag in If-Match (read it from the record's GET), so that the change applies only to "
        "the version you read."
    )
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    """412, with the facts a client needs to re-read the record (`facts` is added to the response body)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "stale_version"

    def __init__(self, detail: str, facts: dict[str, Any]) -> None:
        super().__init__(detail)
        self.facts = facts


def expected_version(request: Request, policy: Policy) -> int:
    """The version of `policy` the request's If-Match names; raises 428 without one, 412 for another record."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        raise PreconditionRequired()
    match = _ETAG.fullmatch(header)
    if match is None or match["policy_id"] != policy.policy_id:
        raise stale(
            policy,
            gettext("If-Match %(header)s is not an ETag of %(id)s; nothing was saved.")
            % {"header": header[:100], "id": policy.policy_id},
        )
    return int(match["version"])


def stale(policy: Policy, detail: str) -> PreconditionFailed:
    """The 412 for a write based on an old version: who saved the record last, when and why."""
    policy.refresh_from_db()
    last = saving.last_save(policy)
    user = last.history_user if last else None
    facts = {
        "current_version": policy.version,
        "etag": etag(policy),
        "changed_by": user.get_username() if user else None,
        "changed_at": timezone.localtime(last.history_date).isoformat() if last else None,
        "change_reason": (last.history_change_reason or "") if last else "",
    }
    who = saving.saved_by(last)
    return PreconditionFailed(
        gettext("%(detail)s Last saved as version %(version)d by %(who)s at %(when)s.")
        % {"detail": detail, "version": policy.version, "who": who, "when": facts["changed_at"]},
        facts,
    )
