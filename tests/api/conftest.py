"""Fixtures for the API: a token client per role and records in each review state."""

from __future__ import annotations

import pytest

from policies.models import Policy, ReviewState
from reviews import workflow
from tests.api.clients import client_for
from tests.data import SEED
from tests.factories import (
    approve,
    edit,
    import_folder,
    make_editor,
    make_policy,
    make_reviewer,
    make_user,
    run_import,
    with_defect,
    write,
)


@pytest.fixture
def users(db):
    """One user per role (None for anonymous); the editor and reviewer have names, as the stamps use them."""
    return {
        "anonymous": None,
        "staff": make_user("staff"),
        "editor": make_editor(first_name="Ada", last_name="Editor"),
        "reviewer": make_reviewer(first_name="Rita", last_name="Reviewer"),
        "admin": make_user("admin", groups=("Admin",)),
    }


@pytest.fixture
def clients(users):
    return {role: client_for(user) for role, user in users.items()}


@pytest.fixture
def author(db):
    """The editor who wrote the records: not one of the role users, so four eyes does not get in their way."""
    return make_editor("author")


@pytest.fixture
def second_reviewer(db):
    return make_reviewer("second_reviewer")


@pytest.fixture
def imported(db) -> Policy:
    """The seed record imported from its file (so it has a template), pending."""
    import_folder(SEED)
    return Policy.objects.get(policy_id="intl-paris-art-6-4-ccs")


@pytest.fixture
def draft_needing_a_fix(db, tmp_path, draft_text) -> tuple[Policy, str]:
    """A draft whose strategic score is written 85.5, imported from its file: the record and the file's text."""
    text = with_defect(draft_text, "    score: 85\n", "    score: 85.5\n")
    write(tmp_path / "drafts", "intl-paris-art-6-4-ccs.md", text)
    report = run_import(tmp_path / "drafts")
    assert report.problem_count == 1, report.results
    return Policy.objects.get(policy_id="intl-paris-art-6-4-ccs"), text


@pytest.fixture
def records(db, author, second_reviewer):
    """One record per review state, plus a verified record edited since (published version != current)."""
    pending = make_policy(user=author, policy_id="aa-pending", country="US", year=2020, tags=["CCS", "tax"])
    verified = make_policy(user=author, policy_id="bb-verified", country="DE", year=2021, tags=["DAC"])
    approve(verified, second_reviewer)
    reedited = make_policy(user=author, policy_id="cc-reedited", country="US", year=2022, category="Fiscal")
    approve(reedited, second_reviewer)
    edit(reedited, user=author, country="CA", title="Edited after verification")
    requested = make_policy(user=author, policy_id="dd-changes-requested")
    workflow.request_changes(requested, user=second_reviewer, comment="Cite the decision.")
    rejected = make_policy(user=author, policy_id="ee-rejected")
    approve(rejected, second_reviewer)
    edit(rejected, user=author, title="Rejected after an edit")
    workflow.reject(rejected, user=second_reviewer, comment="Out of scope.")
    for policy in (pending, verified, reedited, requested, rejected):
        policy.refresh_from_db()
    assert [p.state for p in (pending, verified, reedited, requested, rejected)] == [
        ReviewState.PENDING,
        ReviewState.VERIFIED,
        ReviewState.PENDING,
        ReviewState.CHANGES_REQUESTED,
        ReviewState.REJECTED,
    ]
    return {
        "pending": pending,
        "verified": verified,
        "reedited": reedited,
        "changes_requested": requested,
        "rejected": rejected,
    }
