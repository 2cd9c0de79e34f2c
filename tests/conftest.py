"""Fixtures shared by every test module: users by role, and the seed record's text."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.data import SEED
from tests.factories import make_editor, make_reviewer, make_user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every test creates several users; the production hasher makes that take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def language_of_the_suite():
    # LocaleMiddleware activates the language a request asks for and leaves it active in the thread, where a
    # server's next request replaces it; here the next test would read Chinese after a Chinese request.
    yield
    translation.deactivate()


@pytest.fixture
def seed_text() -> str:
    return SEED.read_bytes().decode("utf-8")


@pytest.fixture
def draft_text(seed_text) -> str:
    """A draft as the generator writes them: the seed, before anyone claimed to have verified it."""
    return seed_text.replace("reviewStatus: verified", "reviewStatus: pending", 1)


@pytest.fixture
def editor(db):
    return make_editor(first_name="Ada", last_name="Editor")


@pytest.fixture
def other_editor(db):
    return make_editor("other_editor")


@pytest.fixture
def reviewer(db):
    return make_reviewer(first_name="Rita", last_name="Reviewer")


@pytest.fixture
def other_reviewer(db):
    return make_reviewer("other_reviewer")


@pytest.fixture
def admin_member(db):
    return make_user("admin_member", groups=("Admin",))


@pytest.fixture
def staff(db):
    return make_user("staff")


@pytest.fixture
def superuser(db):
    return make_user("root", is_superuser=True)
