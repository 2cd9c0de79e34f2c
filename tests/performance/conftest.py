"""Fixtures for the performance tests: the users that make and read the records."""

import pytest

from tests.conftest import make_user


@pytest.fixture
def editor(db):
    return make_user("editor", groups=("Editor",))
