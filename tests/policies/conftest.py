"""Fixtures for the records' own screens: users with the model's permissions and no review group."""

from __future__ import annotations

import pytest

from tests.factories import make_user

EDITOR_PERMS = ("policies.view_policy", "policies.add_policy", "policies.change_policy")


@pytest.fixture
def editor(client):
    """An editor, signed in to `client`."""
    user = make_user("editor", perm_names=EDITOR_PERMS, first_name="Erin", last_name="Editor")
    client.force_login(user)
    return user


@pytest.fixture
def colleague(db):
    """A second editor, not signed in."""
    return make_user("colleague", perm_names=EDITOR_PERMS, first_name="Carl", last_name="Colleague")


@pytest.fixture
def viewer(client):
    """A user who may only view records, signed in to `client`."""
    user = make_user("viewer", perm_names=("policies.view_policy",))
    client.force_login(user)
    return user
