import datetime

import pytest

from policies.models import Policy, ReviewState
from reviews.models import ReviewAction, ReviewEvent
from reviews.workflow import TransitionNotAllowed
from tests.factories import edit, put_in_state
from tests.snapshots import Snapshot

pytestmark = pytest.mark.django_db


def test_a_content_change_puts_a_verified_record_back_to_pending(policy, reviewer, editor):
    put_in_state(policy, ReviewState.VERIFIED, reviewer=reviewer, editor=editor)
    events = ReviewEvent.objects.count()
    edit(policy, user=editor, reason="Updated the MRV evidence", mrv_evidence="引入了强制性的风险缓冲池。")
    policy.refresh_from_db()
    assert policy.state == ReviewState.PENDING
    latest = policy.history.latest()
    assert latest.state == ReviewState.PENDING
    assert latest.history_user == editor
    event = ReviewEvent.objects.latest("id")
    assert ReviewEvent.objects.count() == events + 1
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        ReviewAction.EDIT,
        ReviewState.VERIFIED,
        ReviewState.PENDING,
        editor,
    )
    assert event.comment == "Updated the MRV evidence"
    assert event.history_id == latest.history_id


@pytest.mark.parametrize(
    "change",
    [
        {"tags": ["巴黎协定"]},
        {"related_facilities": ["1", "10"]},
        {"pub_date": datetime.date(2024, 10, 2)},
        {"body": "改写"},
        {"provenance_reviewer": "Someone"},
        {"incentive_score": 75},
    ],
)
def test_every_kind_of_content_change_puts_a_verified_record_back_to_pending(policy, reviewer, editor, change):
    put_in_state(policy, ReviewState.VERIFIED, reviewer=reviewer, editor=editor)
    edit(policy, user=editor, **change)
    assert Policy.objects.get(pk=policy.pk).state == ReviewState.PENDING


def test_saving_a_verified_record_unchanged_keeps_it_verified(policy, reviewer, editor):
    put_in_state(policy, ReviewState.VERIFIED, reviewer=reviewer, editor=editor)
    events = ReviewEvent.objects.count()
    fresh = Policy.objects.get(pk=policy.pk)
    fresh.pub_date = "2024-10-01"  # same value, as a form or importer may hand it over
    fresh.save_as(user=editor, reason="Re-imported, unchanged")
    assert Policy.objects.get(pk=policy.pk).state == ReviewState.VERIFIED
    assert ReviewEvent.objects.count() == events


@pytest.mark.parametrize("state", [ReviewState.CHANGES_REQUESTED, ReviewState.REJECTED, ReviewState.PENDING])
def test_editing_a_record_that_is_not_verified_keeps_its_state(policy, reviewer, editor, state):
    put_in_state(policy, state, reviewer=reviewer, editor=editor)
    events = ReviewEvent.objects.count()
    edit(policy, user=editor, mrv_score=50)
    assert Policy.objects.get(pk=policy.pk).state == state
    assert ReviewEvent.objects.count() == events


def test_the_state_cannot_be_changed_outside_the_workflow(policy, editor):
    before = Snapshot.of(policy)
    policy.state = ReviewState.VERIFIED
    with pytest.raises(TransitionNotAllowed, match="only through the review workflow"):
        policy.save_as(user=editor, reason="Sneaky")
    assert Snapshot.of(policy) == before
