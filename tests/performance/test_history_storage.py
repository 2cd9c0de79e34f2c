"""Versions refer to their facility list by hash instead of copying it, and still answer as if they held it."""

from __future__ import annotations

import pytest

from policies.models import FacilityList, Policy
from reviews import workflow
from tests.factories import edit, make_policy

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FIRST = [str(n) for n in range(1, 1001)]
SECOND = [*FIRST, "1103-2"]


def versions(policy: Policy) -> list:
    return list(policy.history.order_by("history_id"))


def test_versions_that_keep_the_facility_list_share_one_stored_copy(editor):
    policy = make_policy(user=editor, related_facilities=FIRST)
    for number in range(5):
        edit(policy, user=editor, market_label=f"label {number}")
    assert policy.history.count() == 6
    assert FacilityList.objects.count() == 1
    assert all(row.related_facilities == FIRST for row in versions(policy))


def test_records_listing_the_same_facilities_share_one_stored_copy(editor):
    make_policy(user=editor, policy_id="a", related_facilities=FIRST)
    make_policy(user=editor, policy_id="b", related_facilities=list(FIRST))
    assert FacilityList.objects.count() == 1


def test_each_version_reads_back_the_list_it_had(editor):
    policy = make_policy(user=editor, related_facilities=FIRST)
    edit(policy, user=editor, related_facilities=SECOND)
    edit(policy, user=editor, related_facilities=[])
    first, second, third = versions(policy)
    assert (first.related_facilities, second.related_facilities, third.related_facilities) == (FIRST, SECOND, [])
    assert first.instance.related_facilities == FIRST
    assert Policy.history.as_of(first.history_date).get(pk=policy.pk).related_facilities == FIRST


def test_the_difference_between_versions_names_a_changed_facility_list(editor):
    policy = make_policy(user=editor, related_facilities=FIRST)
    edit(policy, user=editor, related_facilities=SECOND, market_label="new")
    first, second = versions(policy)
    delta = second.diff_against(first)
    assert delta.changed_fields == ["market_label", "related_facilities"]
    change = next(change for change in delta.changes if change.field == "related_facilities")
    assert (change.old, change.new) == (FIRST, SECOND)
    assert second.diff_against(first, excluded_fields=["related_facilities"]).changed_fields == ["market_label"]


def test_restoring_a_version_brings_back_its_facility_list(editor):
    policy = make_policy(user=editor, related_facilities=FIRST)
    first = policy.history.get()
    edit(policy, user=editor, related_facilities=SECOND)
    workflow.restore_version(policy, first.history_id, user=editor)
    policy.refresh_from_db()
    assert policy.related_facilities == FIRST


def test_reading_a_hundred_versions_takes_one_query(editor, django_assert_num_queries):
    policy = make_policy(user=editor, related_facilities=FIRST)
    for number in range(99):
        edit(policy, user=editor, related_facilities=[*FIRST, str(2000 + number)])
    with django_assert_num_queries(1):
        assert len({tuple(row.related_facilities) for row in policy.history.all()}) == 100
