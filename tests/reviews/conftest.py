"""Fixtures for the review workflow: a record shaped like the seed, written by the editor."""

from __future__ import annotations

import pytest

from policies.models import Policy
from tests.factories import make_policy


@pytest.fixture
def policy(db, editor) -> Policy:
    return make_policy(user=editor)
