"""Fixtures shared by every test module: users by role, and records shaped like the collection's."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission

ROOT = Path(__file__).resolve().parents[1]
# The real record, as the example collection carries it (a copy of shared/seeds/).
SEED = ROOT / "examples" / "policies" / "intl-paris-art-6-4-ccs.md"
FIXTURES = ROOT / "tests" / "fixtures"


def make_user(username: str = "user", *, perm_names: tuple[str, ...] = (), groups: tuple[str, ...] = (), **extra):
    """A staff user with the given permissions ('app_label.codename') and groups."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    extra.setdefault("is_staff", True)
    user = get_user_model().objects.create_user(username, password="pw-" + username, **extra)
    for name in perm_names:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    for group in groups:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every test creates several users; the production hasher makes that take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seed_text() -> str:
    return SEED.read_bytes().decode("utf-8")


@pytest.fixture
def draft_text(seed_text) -> str:
    """A draft as the generator writes them: the seed, before anyone claimed to have verified it."""
    return seed_text.replace("reviewStatus: verified", "reviewStatus: pending", 1)


def with_defect(text: str, old: str, new: str) -> str:
    """`text` with its one `old` written as `new`."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def position_of(text: str, new: str, written: str) -> tuple[int, int]:
    """The 1-based line and column of `written` inside the one `new` of `text`."""
    index = text.index(new) + new.index(written)
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)
