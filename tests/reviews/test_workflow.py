from itertools import product

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone

from policies.filetext import published_version
from policies.models import Policy, ReviewState
from policies.saving import StaleVersion
from reviews import workflow
from reviews.models import ReviewAction
from reviews.workflow import DimensionCheck, NotAllowedToReview, TransitionNotAllowed
from tests.data import SEED_DIMENSIONS, SEED_VALUES
from tests.factories import approve, edit, fix_market_score, make_policy, make_policy_needing_a_fix, put_in_state
from tests.snapshots import Snapshot

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "staff", "editor", "reviewer", "admin_member"]
STATES = list(ReviewState.values)
ACTIONS = ["approve", "request_changes", "resubmit", "reject", "reopen", "restore"]
PERMITTED = {
    "approve": {"reviewer", "admin_member"},
    "request_changes": {"reviewer", "admin_member"},
    "reject": {"reviewer", "admin_member"},
    "reopen": {"reviewer", "admin_member"},
    "resubmit": {"editor", "admin_member"},
    "restore": {"editor", "admin_member"},
}


def do(action: str, policy: Policy, user, *, first_history_id: int):
    if action == "approve":
        return approve(policy, user)
    if action == "restore":
        return workflow.restore_version(policy, first_history_id, user=user)
    return getattr(workflow, action)(policy, user=user, comment="Because.")


@pytest.fixture
def actors(editor, other_editor, reviewer, other_reviewer, admin_member, staff):
    return {
        "anonymous": AnonymousUser(),
        "staff": staff,
        "editor": other_editor,
        "reviewer": other_reviewer,
        "admin_member": admin_member,
    }


@pytest.mark.parametrize(("role", "state", "action"), list(product(ROLES, STATES, ACTIONS)))
def test_role_state_action_matrix(role, state, action, actors, editor, reviewer):
    policy = make_policy(user=editor)
    first_history_id = policy.history.earliest().history_id
    edit(policy, user=editor, title="《巴黎协定》第 6.4 条 (修订)")
    put_in_state(policy, state, reviewer=reviewer, editor=editor)
    if state == ReviewState.CHANGES_REQUESTED:
        edit(policy, user=editor, market_citation="Decision 3/CMA.3")
    before = Snapshot.of(policy)
    move = workflow.MOVES[action]
    user = actors[role]

    if role not in PERMITTED[action]:
        with pytest.raises(NotAllowedToReview):
            do(action, policy, user, first_history_id=first_history_id)
    elif state not in move.sources:
        with pytest.raises(TransitionNotAllowed):
            do(action, policy, user, first_history_id=first_history_id)
    else:
        event = do(action, policy, user, first_history_id=first_history_id)
        policy.refresh_from_db()
        assert policy.state == move.target
        assert (event.action, event.from_state, event.to_state, event.actor) == (action, state, move.target, user)
        assert policy.version == before.version + 1
        assert policy.history.count() == before.history_rows + 1
        assert policy.history.latest().history_user == user
        return
    assert Snapshot.of(policy) == before


def test_approval_stamps_the_record_in_the_same_save(policy, reviewer):
    rows = policy.history.count()
    event = approve(policy, reviewer)
    policy.refresh_from_db()
    assert policy.state == ReviewState.VERIFIED
    assert policy.review_status == "verified"
    assert policy.provenance_reviewer == "Rita Reviewer"
    assert policy.provenance_last_audit_date == timezone.localdate()
    assert policy.history.count() == rows + 1
    published = policy.history.filter(state=ReviewState.VERIFIED).latest()
    assert published.history_id == event.history_id
    assert published.provenance_reviewer == "Rita Reviewer"
    assert published.history_user == reviewer


def test_approval_stamps_the_username_when_the_reviewer_has_no_name(policy, other_reviewer):
    approve(policy, other_reviewer)
    policy.refresh_from_db()
    assert policy.provenance_reviewer == "other_reviewer"


def test_approval_records_a_verdict_per_dimension_the_record_has(policy, reviewer):
    verdicts = {d: DimensionCheck("confirmed") for d in SEED_DIMENSIONS}
    verdicts["mrv"] = DimensionCheck("confirmed", "Crediting period checked: 15 years.")
    event = workflow.approve(policy, user=reviewer, expected_version=policy.version, verdicts=verdicts)
    recorded = {v.dimension: (v.verdict, v.note) for v in event.verdicts.all()}
    assert recorded == {
        "market": ("confirmed", ""),
        "mrv": ("confirmed", "Crediting period checked: 15 years."),
        "statutory": ("confirmed", ""),
    }


@pytest.mark.parametrize("verdict", ["wrong", "corrected"])
def test_approval_with_a_dimension_not_confirmed_is_refused(verdict, policy, reviewer):
    # Reviewers do not edit: "corrected" is no longer theirs to give, and a wrong dimension goes back to editors.
    verdicts = {**workflow.confirm_all(policy), "mrv": DimensionCheck(verdict, "The crediting period is 10 years.")}
    before = Snapshot.of(policy)
    with pytest.raises(TransitionNotAllowed, match="request changes instead" if verdict == "wrong" else "or wrong"):
        workflow.approve(policy, user=reviewer, expected_version=policy.version, verdicts=verdicts)
    assert Snapshot.of(policy) == before


def test_a_request_for_changes_records_the_dimensions_marked_wrong_and_their_notes_are_its_comment(policy, reviewer):
    verdicts = {
        "market": DimensionCheck("confirmed"),
        "mrv": DimensionCheck("wrong", "The crediting period is 10 years, not 15."),
    }
    event = workflow.request_changes(
        policy, user=reviewer, comment="", expected_version=policy.version, verdicts=verdicts
    )
    policy.refresh_from_db()
    assert policy.state == ReviewState.CHANGES_REQUESTED
    assert event.comment == "MRV: The crediting period is 10 years, not 15."
    assert {v.dimension: (v.verdict, v.note) for v in event.verdicts.all()} == {
        "market": ("confirmed", ""),
        "mrv": ("wrong", "The crediting period is 10 years, not 15."),
    }


def test_a_dimension_marked_wrong_without_a_note_is_refused(policy, reviewer):
    before = Snapshot.of(policy)
    with pytest.raises(TransitionNotAllowed, match="no note for: MRV"):
        workflow.request_changes(
            policy, user=reviewer, comment="See the notes.", verdicts={"mrv": DimensionCheck("wrong", " ")}
        )
    assert Snapshot.of(policy) == before


def test_approval_without_a_verdict_for_every_dimension_is_refused(policy, reviewer):
    before = Snapshot.of(policy)
    with pytest.raises(TransitionNotAllowed, match="missing: Statutory force"):
        workflow.approve(
            policy,
            user=reviewer,
            expected_version=policy.version,
            verdicts={"market": DimensionCheck("confirmed"), "mrv": DimensionCheck("confirmed")},
        )
    assert Snapshot.of(policy) == before


def test_approval_with_a_verdict_for_a_dimension_the_record_lacks_is_refused(policy, reviewer):
    verdicts = {**workflow.confirm_all(policy), "incentive": DimensionCheck("confirmed")}
    with pytest.raises(TransitionNotAllowed, match="no analysis for incentive"):
        workflow.approve(policy, user=reviewer, expected_version=policy.version, verdicts=verdicts)


def test_approval_with_an_unknown_verdict_is_refused(policy, reviewer):
    verdicts = {**workflow.confirm_all(policy), "market": DimensionCheck("looks fine")}
    with pytest.raises(TransitionNotAllowed, match="confirmed or wrong"):
        workflow.approve(policy, user=reviewer, expected_version=policy.version, verdicts=verdicts)


def test_a_record_without_analysis_is_approved_without_verdicts(editor, reviewer):
    empty = {f"{d}_{p}": None if p == "score" else "" for d in SEED_DIMENSIONS for p in workflow.ANALYSIS_PARTS}
    policy = make_policy(user=editor, policy_id="no-analysis", **empty)
    event = workflow.approve(policy, user=reviewer, expected_version=policy.version, verdicts={})
    assert event.verdicts.count() == 0


def test_approval_is_refused_while_a_value_needs_fixing_and_changes_nothing(editor, reviewer):
    policy = make_policy_needing_a_fix(user=editor)
    before = Snapshot.of(policy)
    with pytest.raises(TransitionNotAllowed) as refused:
        approve(policy, reviewer)
    assert str(refused.value) == (
        "intl-paris-art-6-4-ccs cannot be approved while a value needs fixing: analysis.market.score: must be a "
        "whole number, not the number 85.5. Fix it in the record first."
    )
    assert Snapshot.of(policy) == before


def test_approval_succeeds_once_another_user_fixed_the_value(editor, other_editor, reviewer):
    policy = make_policy_needing_a_fix(user=editor)
    assert fix_market_score(policy, user=other_editor) == ["analysis.market.score"]
    approve(policy, reviewer)
    policy.refresh_from_db()
    assert (policy.state, policy.market_score, policy.invalid) == (ReviewState.VERIFIED, 85, "")


def test_the_fixer_cannot_approve_their_own_fix(editor, reviewer):
    policy = make_policy_needing_a_fix(user=editor)
    fix_market_score(policy, user=reviewer)
    with pytest.raises(NotAllowedToReview, match="someone else must approve it"):
        approve(policy, reviewer)


def test_an_approval_replaces_a_stamp_the_file_wrote_in_a_form_its_field_cannot_hold(editor, reviewer):
    policy = make_policy(user=editor, provenance_last_audit_date=None, invalid="provenance.lastAuditDate: 08/02/2026\n")
    approve(policy, reviewer)
    policy.refresh_from_db()
    assert (policy.state, policy.provenance_last_audit_date, policy.invalid) == (
        ReviewState.VERIFIED,
        timezone.localdate(),
        "",
    )


def test_a_stale_approval_is_refused_and_changes_nothing(policy, editor, reviewer):
    seen = policy.version
    edit(Policy.objects.get(pk=policy.pk), user=editor, mrv_score=80)
    before = Snapshot.of(policy)
    with pytest.raises(StaleVersion, match=f"you saw version {seen}, it is now version {seen + 1}"):
        workflow.approve(policy, user=reviewer, expected_version=seen, verdicts=workflow.confirm_all(policy))
    assert Snapshot.of(policy) == before


def test_a_stale_request_for_changes_is_refused(policy, reviewer):
    with pytest.raises(StaleVersion):
        workflow.request_changes(policy, user=reviewer, comment="Fix it.", expected_version=policy.version - 1)


def test_a_reviewer_cannot_approve_a_version_with_their_own_edits(policy, reviewer):
    edit(policy, user=reviewer, market_label="A6.4ERs 主权基准 (修订)")
    before = Snapshot.of(policy)
    with pytest.raises(NotAllowedToReview, match="someone else must approve it") as refusal:
        approve(policy, reviewer)
    assert "administrators included" in str(refusal.value)
    assert Snapshot.of(policy) == before


def test_a_superuser_cannot_approve_their_own_edits_either(policy, superuser):
    edit(policy, user=superuser, mrv_score=96)
    with pytest.raises(NotAllowedToReview, match="administrators included"):
        approve(policy, superuser)


def test_an_admin_cannot_approve_a_record_they_created(admin_member):
    policy = make_policy(user=admin_member)
    with pytest.raises(NotAllowedToReview):
        approve(policy, admin_member)


def test_edits_before_the_last_verified_version_do_not_count_for_four_eyes(policy, reviewer, other_reviewer, editor):
    edit(policy, user=reviewer, mrv_score=96)
    approve(policy, other_reviewer)
    edit(policy, user=editor, statutory_score=85)
    assert policy.state == ReviewState.PENDING
    approve(policy, reviewer)
    assert policy.state == ReviewState.VERIFIED


def test_a_reviewer_who_requested_changes_may_approve_the_resubmitted_record(policy, reviewer, editor):
    workflow.request_changes(policy, user=reviewer, comment="Cite the decision.")
    edit(policy, user=editor, market_citation="Decision 3/CMA.3")
    workflow.resubmit(policy, user=editor)
    approve(policy, reviewer)
    assert policy.state == ReviewState.VERIFIED


@pytest.mark.parametrize("action", ["request_changes", "reject"])
@pytest.mark.parametrize("comment", ["", "   \n"])
def test_refusals_need_a_comment(policy, reviewer, action, comment):
    before = Snapshot.of(policy)
    with pytest.raises(TransitionNotAllowed, match="needs a comment"):
        getattr(workflow, action)(policy, user=reviewer, comment=comment)
    assert Snapshot.of(policy) == before


def test_resubmitting_without_an_edit_is_refused(policy, reviewer, editor):
    workflow.request_changes(policy, user=reviewer, comment="Cite the decision.")
    before = Snapshot.of(policy)
    with pytest.raises(TransitionNotAllowed) as refused:
        workflow.resubmit(policy, user=editor)
    assert str(refused.value) == (
        "intl-paris-art-6-4-ccs is the same as when changes were requested: it has not been edited since. Make the "
        "requested changes, then resubmit."
    )
    assert Snapshot.of(policy) == before


def test_resubmitting_after_an_edit_and_its_revert_is_refused(policy, reviewer, editor):
    workflow.request_changes(policy, user=reviewer, comment="Cite the decision.")
    edit(policy, user=editor, market_citation="Decision 3/CMA.3")
    edit(policy, user=editor, market_citation=SEED_VALUES["market_citation"])
    before = Snapshot.of(policy)
    with pytest.raises(TransitionNotAllowed) as refused:
        workflow.resubmit(policy, user=editor)
    assert str(refused.value) == (
        "intl-paris-art-6-4-ccs is the same as when changes were requested: the edits since then undo each other. "
        "Make the requested changes, then resubmit."
    )
    assert Snapshot.of(policy) == before


def test_resubmitting_after_a_change_that_stands_is_accepted(policy, reviewer, editor):
    workflow.request_changes(policy, user=reviewer, comment="Cite the decision.")
    edit(policy, user=editor, market_citation="Decision 3/CMA.3")
    edit(policy, user=editor, market_citation=SEED_VALUES["market_citation"], mrv_citation="Decision 3/CMA.3")
    event = workflow.resubmit(policy, user=editor)
    assert (event.action, policy.state) == ("resubmit", ReviewState.PENDING)


def test_a_command_can_move_a_record_and_is_recorded_without_an_actor(policy):
    event = workflow.reject(policy, user=None, comment="Duplicate of another record.")
    assert event.actor is None
    assert policy.state == ReviewState.REJECTED
    assert policy.history.latest().history_user is None


def test_a_command_cannot_approve(policy):
    with pytest.raises(NotAllowedToReview, match="signed-in reviewer"):
        approve(policy, None)


def test_restore_makes_a_new_pending_version_with_the_old_content(policy, reviewer, editor, other_editor):
    original = policy.history.earliest()
    edit(policy, user=editor, title="改过的标题", mrv_score=10)
    put_in_state(policy, ReviewState.VERIFIED, reviewer=reviewer, editor=editor)
    version = policy.version

    event = workflow.restore_version(policy, original.history_id, user=other_editor)

    policy.refresh_from_db()
    assert (policy.title, policy.mrv_score) == (original.title, original.mrv_score)
    assert policy.state == ReviewState.PENDING
    assert policy.version == version + 1
    assert policy.provenance_reviewer == "Rita Reviewer"  # the stamp of the last audit stays
    latest = policy.history.latest()
    assert latest.history_user == other_editor
    assert latest.history_change_reason == f"Restored an earlier version: Restored version {original.version}."
    assert (event.action, event.from_state, event.to_state) == ("restore", "verified", "pending")
    assert event.history_id == latest.history_id


def test_restore_counts_as_an_edit_for_four_eyes(policy, editor, reviewer):
    reviewer.groups.add(Group.objects.get(name="Editor"))
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)  # drop the cached permissions
    original = policy.history.earliest()
    edit(policy, user=editor, title="改过的标题")
    workflow.restore_version(policy, original.history_id, user=reviewer)
    with pytest.raises(NotAllowedToReview, match="someone else must approve it"):
        approve(policy, reviewer)


def test_restoring_a_version_of_another_record_is_refused(policy, editor):
    other = make_policy(user=editor, policy_id="other", title="另一条")
    before = Snapshot.of(policy)
    with pytest.raises(TransitionNotAllowed, match="no version with history id"):
        workflow.restore_version(policy, other.history.earliest().history_id, user=editor)
    assert Snapshot.of(policy) == before


def test_restoring_the_current_content_is_refused(policy, editor):
    with pytest.raises(TransitionNotAllowed, match="is the same as the current one"):
        workflow.restore_version(policy, policy.history.latest().history_id, user=editor)


def test_the_queue_lists_pending_records_oldest_first_without_the_reviewers_own(editor, reviewer):
    first = make_policy(user=editor, policy_id="first")
    mine = make_policy(user=reviewer, policy_id="mine")
    second = make_policy(user=editor, policy_id="second")
    done = make_policy(user=editor, policy_id="done")
    workflow.reject(done, user=reviewer, comment="Duplicate.")
    edit(first, user=editor, title="较晚修改")  # now the most recently updated
    assert list(workflow.review_queue(reviewer)) == [second, first]
    assert mine not in workflow.review_queue(reviewer)
    assert list(workflow.review_queue(editor)) == []


def test_the_queue_keeps_a_record_whose_reviewer_only_moved_it_through_the_workflow(policy, reviewer, editor):
    workflow.request_changes(policy, user=reviewer, comment="Cite the decision.")
    edit(policy, user=editor, market_citation="Decision 3/CMA.3")
    workflow.resubmit(policy, user=editor)
    assert list(workflow.review_queue(reviewer)) == [policy]
    assert list(workflow.review_queue(editor)) == []


def test_the_queue_leaves_out_records_the_reviewer_edited_since_they_were_last_verified(
    policy, reviewer, other_reviewer, editor
):
    edit(policy, user=reviewer, mrv_score=96)
    assert list(workflow.review_queue(reviewer)) == []
    approve(policy, other_reviewer)
    edit(policy, user=editor, statutory_score=85)
    assert list(workflow.review_queue(reviewer)) == [policy]
    edit(policy, user=reviewer, statutory_score=86)
    assert list(workflow.review_queue(reviewer)) == []


def test_the_queue_leaves_out_records_the_reviewer_restored(policy, editor, admin_member):
    edit(policy, user=editor, mrv_score=50)
    assert list(workflow.review_queue(admin_member)) == [policy]
    workflow.restore_version(policy, policy.history.earliest().history_id, user=admin_member)
    assert list(workflow.review_queue(admin_member)) == []


def test_a_reviewer_withdraws_a_published_record_saying_why_and_no_export_writes_it(policy, reviewer, editor):
    put_in_state(policy, ReviewState.VERIFIED, reviewer=reviewer, editor=editor)

    event = workflow.withdraw(policy, user=reviewer, comment="Repealed in 2025.", expected_version=policy.version)

    policy.refresh_from_db()
    assert policy.state == ReviewState.WITHDRAWN
    assert (event.action, event.from_state, event.to_state, event.actor, event.comment) == (
        ReviewAction.WITHDRAW,
        ReviewState.VERIFIED,
        ReviewState.WITHDRAWN,
        reviewer,
        "Repealed in 2025.",
    )
    assert published_version(policy) is None
    workflow.reopen(policy, user=reviewer)
    policy.refresh_from_db()
    assert policy.state == ReviewState.PENDING


def test_withdrawing_needs_a_reason_and_a_published_version(policy, reviewer):
    with pytest.raises(workflow.TransitionNotAllowed, match="needs a comment saying why"):
        workflow.withdraw(policy, user=reviewer, comment=" ")
    with pytest.raises(workflow.TransitionNotAllowed, match="nothing of it is published to withdraw"):
        workflow.withdraw(policy, user=reviewer, comment="Repealed.")
    policy.refresh_from_db()
    assert (policy.state, policy.review_events.count()) == (ReviewState.PENDING, 0)
    assert ReviewAction.WITHDRAW not in workflow.allowed_moves(policy, reviewer)


def test_an_editor_cannot_withdraw(policy, reviewer, editor):
    put_in_state(policy, ReviewState.VERIFIED, reviewer=reviewer, editor=editor)
    with pytest.raises(workflow.NotAllowedToReview):
        workflow.withdraw(policy, user=editor, comment="Repealed.")
    policy.refresh_from_db()
    assert policy.state == ReviewState.VERIFIED
