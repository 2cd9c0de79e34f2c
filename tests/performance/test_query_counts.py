"""The admin and review screens make a fixed number of queries, however many records there are.

Each screen is counted with a handful of records and with ten times as many: the counts must be equal (no query
per listed record or per version), and each is pinned, so a change that adds queries shows up here first.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from policies.models import Policy
from tests.factories import edit, make_policy, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FEW, MANY = 5, 50
VERSIONS = 100


def add_records(count: int, *, user) -> None:
    start = Policy.objects.count()
    for number in range(start, start + count):
        make_policy(
            user=user,
            policy_id=f"record-{number:03}",
            title=f"Record {number}",
            country=("国际", "中国", "欧盟")[number % 3],
            category=("Market", "Regulation")[number % 2],
        )


def watched() -> Policy:
    return Policy.objects.get(policy_id="record-002")


SCREENS: dict[str, Callable[[Policy], str]] = {
    "admin list": lambda p: reverse("admin:policies_policy_changelist"),
    "admin list, filtered": lambda p: (
        reverse("admin:policies_policy_changelist") + "?state__exact=pending&category=Market"
    ),
    "admin list, searched": lambda p: reverse("admin:policies_policy_changelist") + "?q=Record",
    "change form": lambda p: reverse("admin:policies_policy_change", args=[p.pk]),
    "history": lambda p: reverse("admin:policies_policy_history", args=[p.pk]),
    "review screen": lambda p: reverse("admin:policies_policy_review", args=[p.pk]),
    "review queue": lambda p: reverse("admin:policies_policy_review_queue"),
}

# Pinned counts, the same for FEW and MANY records (and a record with VERSIONS versions).
# The list counts the open import conflicts and the change form lists the record's: one query each. The review
# screen reads the record's place in the queue: its number and the records before and after it, three more.
EXPECTED = {
    "admin list": 9,
    "admin list, filtered": 9,
    "admin list, searched": 9,
    "change form": 6,
    "history": 7,
    "review screen": 11,
    "review queue": 3,
}


@pytest.fixture
def viewer(db):
    """A superuser who edited nothing: every screen is open to them and every record is in their queue."""
    return make_user("root", is_superuser=True)


@pytest.fixture
def signed_in(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def collection(editor):
    """FEW records; the watched one has VERSIONS versions when the history is what is measured."""
    add_records(FEW, user=editor)
    return watched()


def add_versions(policy: Policy, *, user) -> None:
    for number in range(VERSIONS - policy.history.count()):
        edit(policy, user=user, reason=f"edit {number}", body=f"{policy.body}\n{number}")


def queries(client, url: str) -> int:
    client.get(url)  # the first request of a session loads what later ones find cached
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


@pytest.mark.parametrize("screen", SCREENS)
def test_a_screen_makes_its_pinned_number_of_queries_for_few_records_and_for_ten_times_as_many(
    screen, signed_in, collection, editor
):
    if screen == "history":
        add_versions(collection, user=editor)
    url = SCREENS[screen](collection)
    assert (screen, queries(signed_in, url)) == (screen, EXPECTED[screen])
    add_records(MANY - FEW, user=editor)
    assert (screen, queries(signed_in, url)) == (screen, EXPECTED[screen])
