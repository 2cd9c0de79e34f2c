"""A version of a record as its file: where the file lives, what it states, and its text.

Each version renders on the text of the file it came from (`Policy.template`), so that an unedited record comes out
byte-identical and an edited one differs only in the edited keys. What a file says of its review (`claims`): a
verified version says `reviewStatus: verified` with its reviewer and date; content no person approved that the app
changed says `reviewStatus: pending` and the reviewer `Human Audit Pending`; an untouched file says what it said.

The export writes these texts; the API serves them; the checks and the edit rules read what a version's file
states.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policies import records
from policies.codec import frontmatter
from policies.models import HUMAN_AUDIT_PENDING, Policy, ReviewState


@dataclass(frozen=True)
class RenderedPolicy:
    policy: Policy
    path: str
    text: str
    values: dict[str, Any]
    version: int = 0


def published_version(policy: Policy) -> Any | None:
    """The version of a record that is published: its newest verified one, unless it is rejected or withdrawn."""
    if policy.state in (ReviewState.REJECTED, ReviewState.WITHDRAWN):
        return None
    if policy.state == ReviewState.VERIFIED:
        return policy
    return policy.last_verified_version()


def claims(version: Any, values: dict[str, Any]) -> dict[str, Any]:
    """`values` as a file of `version` may state them: no claim of verification for content nobody approved.

    A review status or reviewer the file wrote in a form its field cannot hold is no exception: it is replaced too.
    """
    if version.state == ReviewState.VERIFIED:
        return values
    stated = dict(values)
    kept = records.as_written(values)
    status_key, reviewer_key = records.key_of("review_status"), records.key_of("provenance_reviewer")
    if str(values["review_status"]).strip().casefold() == ReviewState.VERIFIED.value or status_key in kept:
        stated["review_status"] = ReviewState.PENDING.value
    if values["provenance_reviewer"] not in ("", HUMAN_AUDIT_PENDING) or reviewer_key in kept:
        stated["provenance_reviewer"] = HUMAN_AUDIT_PENDING
    if status_key in kept or reviewer_key in kept:
        stated["invalid"] = records.without_as_written(values, [status_key, reviewer_key])
    return stated


def file_path(policy: Policy) -> str:
    """Where the record's file lives: the path it was imported from, else `<id>.md`."""
    policy_file = policy.file_or_none
    return policy_file.path if policy_file is not None else f"{policy.policy_id}.md"


def untouched(version: Any) -> bool:
    """Whether `version` holds exactly what the file it came from holds: its text is then its file, as is."""
    template = version.template
    return template is not None and version.content_hash == template.content_hash


def stated_values(version: Any) -> dict[str, Any]:
    """The content of `version` as its file states it: with `claims` unless the file is untouched."""
    values = records.policy_values(version)
    return values if untouched(version) else claims(version, values)


def render_policy(policy: Policy, version: Any | None = None) -> RenderedPolicy:
    """The file text of `version` (a historical version of the record, or the record itself by default)."""
    version = version if version is not None else policy
    values = records.policy_values(version)
    template = version.template
    if template is not None and untouched(version):
        text = template.text  # the file as it came: it claims what it claimed, byte for byte
    else:
        text = render_values(claims(version, values), template.text if template is not None else None)
    return RenderedPolicy(policy, file_path(policy), text, values, version.version)


def render_values(values: dict[str, Any], template_text: str | None) -> str:
    """The file text holding `values`, changing only their lines of `template_text` (a new file without one)."""
    if template_text is None:
        return frontmatter.render(None, records.data_from_values(values, None), values["body"])
    document = frontmatter.parse(template_text)
    return frontmatter.render(document, records.data_from_values(values, document.data), values["body"])
