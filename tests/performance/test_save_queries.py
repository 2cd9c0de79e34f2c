"""What one edit and one approval cost in queries, whichever door they come through: pinned, so that a change
that adds a read of the record on the save path shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from policies import editing
from reviews import workflow
from tests.factories import approve, make_policy, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def verified(db):
    author = make_user("author", groups=("Editor",))
    policy = make_policy(user=author)
    approve(policy, make_user("first-reviewer", groups=("Reviewer",)))
    policy.refresh_from_db()
    return policy


def count(action) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def test_an_edit_of_a_verified_record_through_the_api_path(verified):
    editor = make_user("editor", groups=("Editor",))
    used = count(
        lambda: editing.edit_policy(
            verified, user=editor, expected_version=verified.version, changes={"analysis": {"market": {"score": 80}}}
        )
    )
    assert used == EDIT_QUERIES


def test_an_approval(verified):
    editor = make_user("editor", groups=("Editor",))
    editing.edit_policy(verified, user=editor, expected_version=verified.version, changes={"title": "Edited"})
    verified.refresh_from_db()
    reviewer = make_user("second-reviewer", groups=("Reviewer",))
    used = count(
        lambda: workflow.approve(
            verified, user=reviewer, expected_version=verified.version, verdicts=workflow.confirm_all(verified)
        )
    )
    assert used == APPROVE_QUERIES


EDIT_QUERIES = 7  # 24 before the one save path
APPROVE_QUERIES = 12  # 29 before the one save path
