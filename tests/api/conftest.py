"""Fixtures for the API: a token client per role and records in each review state."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.tokens import issue_token
from policies.importing import import_sources
from policies.models import Policy, ReviewState
from policies.sources import iter_paths
from reviews import workflow
from reviews.models import ReviewEvent
from tests.conftest import SEED, make_user
from tests.reviews.conftest import approve_as_seen, edit, make_policy

ROLES = ["anonymous", "staff", "editor", "reviewer", "admin"]
GROUPS = {"editor": ("Editor",), "reviewer": ("Reviewer",), "admin": ("Admin",)}


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        _, key = issue_token(user, by=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def users(db):
    """One user per role (None for anonymous); the editor and reviewer have names, as the stamps use them."""
    return {
        "anonymous": None,
        "staff": make_user("staff"),
        "editor": make_user("editor", groups=GROUPS["editor"], first_name="Ada", last_name="Editor"),
        "reviewer": make_user("reviewer", groups=GROUPS["reviewer"], first_name="Rita", last_name="Reviewer"),
        "admin": make_user("admin", groups=GROUPS["admin"]),
    }


@pytest.fixture
def clients(users):
    return {role: client_for(user) for role, user in users.items()}


@pytest.fixture
def author(db):
    """The editor who wrote the records: not one of the role users, so four eyes does not get in their way."""
    return make_user("author", groups=GROUPS["editor"])


@pytest.fixture
def second_reviewer(db):
    return make_user("second_reviewer", groups=GROUPS["reviewer"])


@pytest.fixture
def imported(db) -> Policy:
    """The seed record imported from its file (so it has a template), pending."""
    report = import_sources(iter_paths([SEED]), origin="test")
    assert report.ok, report.results
    return Policy.objects.get(policy_id="intl-paris-art-6-4-ccs")


@pytest.fixture
def records(db, author, second_reviewer):
    """One record per review state, plus a verified record edited since (published version != current)."""
    pending = make_policy(user=author, policy_id="aa-pending", country="US", year=2020, tags=["CCS", "tax"])
    verified = make_policy(user=author, policy_id="bb-verified", country="DE", year=2021, tags=["DAC"])
    approve_as_seen(verified, second_reviewer)
    reedited = make_policy(user=author, policy_id="cc-reedited", country="US", year=2022, category="Fiscal")
    approve_as_seen(reedited, second_reviewer)
    edit(reedited, user=author, country="CA", title="Edited after verification")
    requested = make_policy(user=author, policy_id="dd-changes-requested")
    workflow.request_changes(requested, user=second_reviewer, comment="Cite the decision.")
    rejected = make_policy(user=author, policy_id="ee-rejected")
    approve_as_seen(rejected, second_reviewer)
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


def etag_of(policy: Policy) -> str:
    policy.refresh_from_db()
    return f'"{policy.policy_id}@{policy.version}"'


def database_state() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        list(Policy.objects.order_by("pk").values_list("policy_id", "state", "version", "title", "market_score")),
        Policy.history.count(),
        ReviewEvent.objects.count(),
    )
