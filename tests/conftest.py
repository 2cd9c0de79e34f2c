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
