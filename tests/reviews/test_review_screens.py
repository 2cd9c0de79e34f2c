from itertools import product

import pytest
from django.urls import reverse

from policies.models import Policy, ReviewState
from reviews import workflow
from reviews.models import ReviewEvent
from tests.data import SEED_DIMENSIONS
from tests.factories import edit, make_policy, make_policy_needing_a_fix, put_in_state
from tests.snapshots import Snapshot

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "staff", "editor", "reviewer", "admin_member"]
DECISIONS = ["approve", "request_changes", "reject", "resubmit", "reopen", "withdraw"]
PERMITTED = {
    "approve": {"reviewer", "admin_member"},
    "request_changes": {"reviewer", "admin_member"},
    "reject": {"reviewer", "admin_member"},
    "reopen": {"reviewer", "admin_member"},
    "resubmit": {"editor", "admin_member"},
    "withdraw": {"reviewer", "admin_member"},
}


def review_url(policy: Policy) -> str:
    return reverse("admin:policies_policy_review", args=[policy.pk])


def decision(policy: Policy, action: str, **extra) -> dict:
    data = {"action": action, "expected_version": policy.version, "comment": "Because."}
    data.update({f"verdict_{d}": "confirmed" for d in workflow.dimensions_present(policy)})
    data.update(extra)
    return data


@pytest.fixture
def actors(other_editor, other_reviewer, admin_member, staff):
    return {
        "anonymous": None,
        "staff": staff,
        "editor": other_editor,
        "reviewer": other_reviewer,
        "admin_member": admin_member,
    }


@pytest.fixture
def login(client):
    def login_as(user):
        if user is not None:
            client.force_login(user)
        return client

    return login_as


@pytest.mark.parametrize(("role", "state", "action"), list(product(ROLES, ReviewState.values, DECISIONS)))
def test_review_screen_decision_matrix(role, state, action, actors, login, policy, editor, reviewer):
    put_in_state(policy, state, reviewer=reviewer, editor=editor)
    if state == ReviewState.CHANGES_REQUESTED:
        edit(policy, user=editor, market_citation="Decision 3/CMA.3")
    before = Snapshot.of(policy)
    client = login(actors[role])

    response = client.post(review_url(policy), decision(policy, action))

    move = workflow.MOVES[action]
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    elif role == "staff":
        assert response.status_code == 403
    elif role not in PERMITTED[action]:
        assert response.status_code == 403
        assert "do not have permission" in response.content.decode()
    elif state not in move.sources or (action == "withdraw" and state != ReviewState.VERIFIED):
        # Only a published record can be withdrawn: of these, only the verified one has been verified.
        assert response.status_code == 409
    else:
        assert response.status_code == 302
        policy.refresh_from_db()
        assert policy.state == move.target
        assert ReviewEvent.objects.latest("id").actor == actors[role]
        return
    assert Snapshot.of(policy) == before


def test_the_review_screen_shows_the_record_as_published_and_sanitized(login, editor, reviewer):
    policy = make_policy(
        user=editor,
        description="## 政策概览\n\n**15 年** 计入期<script>alert('x')</script><img src=x onerror=alert(1)>",
    )
    response = login(reviewer).get(review_url(policy))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h2>政策概览</h2>" in html
    assert "<strong>15 年</strong>" in html
    assert "alert(" not in html
    assert "onerror" not in html
    assert "New record: it has never been verified." in html
    assert f'name="expected_version" value="{policy.version}"' in html
    for d in SEED_DIMENSIONS:
        assert f'name="verdict_{d}"' in html
    assert 'name="verdict_incentive"' not in html


def test_the_review_screen_diffs_chinese_text_character_by_character(login, policy, editor, reviewer, other_reviewer):
    put_in_state(policy, ReviewState.VERIFIED, reviewer=reviewer, editor=editor)
    edit(
        policy,
        user=editor,
        mrv_evidence=policy.mrv_evidence.replace("15 年", "20 年"),
        market_citation="Decision 3/CMA.3 & SBM Standards 2024",
    )
    html = login(other_reviewer).get(review_url(policy)).content.decode()
    assert "Analysis: MRV" in html
    assert "<del>15</del><ins>20</ins> 年动态计入期" in html
    assert "Decision <del>18/CMA.1</del><ins>3/CMA.3</ins> &amp; SBM" in html
    assert "Analysis: statutory" not in html


def test_the_screen_tells_a_reviewer_they_edited_the_record(login, policy, reviewer):
    edit(policy, user=reviewer, mrv_score=1)
    html = login(reviewer).get(review_url(policy)).content.decode()
    assert "someone else must approve it" in html


def test_approving_on_the_screen_records_the_checklist_and_opens_the_next_record(login, editor, reviewer):
    first = make_policy(user=editor, policy_id="first")
    second = make_policy(user=editor, policy_id="second")
    client = login(reviewer)
    data = decision(first, "approve", verdict_mrv="corrected", note_mrv="Fixed the crediting period.", comment="")

    response = client.post(review_url(first), data, follow=True)

    assert response.redirect_chain[-1][0] == review_url(second)
    first.refresh_from_db()
    assert first.state == ReviewState.VERIFIED
    event = ReviewEvent.objects.get(policy=first)
    assert {v.dimension: v.verdict for v in event.verdicts.all()} == {
        "market": "confirmed",
        "mrv": "corrected",
        "statutory": "confirmed",
    }
    assert event.verdicts.get(dimension="mrv").note == "Fixed the crediting period."


def test_approving_without_the_checklist_is_refused(login, policy, reviewer):
    before = Snapshot.of(policy)
    data = decision(policy, "approve")
    del data["verdict_statutory"]
    response = login(reviewer).post(review_url(policy), data)
    assert response.status_code == 409
    assert "missing: statutory" in response.content.decode()
    assert Snapshot.of(policy) == before


def test_a_stale_approval_on_the_screen_is_refused(login, policy, editor, reviewer):
    data = decision(policy, "approve")
    edit(Policy.objects.get(pk=policy.pk), user=editor, mrv_score=80)
    before = Snapshot.of(policy)
    response = login(reviewer).post(review_url(policy), data)
    assert response.status_code == 409
    assert "changed since you opened it" in response.content.decode()
    assert Snapshot.of(policy) == before


def test_four_eyes_on_the_screen_applies_to_superusers(login, policy, superuser):
    edit(policy, user=superuser, mrv_score=80)
    before = Snapshot.of(policy)
    response = login(superuser).post(review_url(policy), decision(policy, "approve"))
    assert response.status_code == 403
    assert "administrators included" in response.content.decode()
    assert Snapshot.of(policy) == before


def test_requesting_changes_without_a_comment_is_refused(login, policy, reviewer):
    before = Snapshot.of(policy)
    response = login(reviewer).post(review_url(policy), decision(policy, "request_changes", comment=" "))
    assert response.status_code == 409
    assert Snapshot.of(policy) == before


def test_a_malformed_decision_is_a_bad_request(login, policy, reviewer):
    before = Snapshot.of(policy)
    response = login(reviewer).post(review_url(policy), {"action": "publish", "expected_version": "x"})
    assert response.status_code == 400
    assert Snapshot.of(policy) == before


def test_the_queue_lists_what_the_reviewer_may_approve(login, editor, reviewer):
    make_policy(user=editor, policy_id="theirs")
    make_policy(user=reviewer, policy_id="mine")
    html = login(reviewer).get(reverse("admin:policies_policy_review_queue")).content.decode()
    assert "theirs" in html
    assert "(mine)" not in html


def test_the_queue_shows_fifty_records_a_page_and_next_opens_the_first(login, editor, reviewer):
    make_policy(user=reviewer, policy_id="mine")
    for number in range(55):
        make_policy(user=editor, policy_id=f"record-{number:02}")
    client = login(reviewer)
    queue = reverse("admin:policies_policy_review_queue")
    first = client.get(queue).content.decode()
    assert "(record-49)" in first and "(record-50)" not in first
    assert "?page=2" in first
    second = client.get(queue, {"page": 2}).content.decode()
    assert "(record-50)" in second and "(record-54)" in second and "(record-49)" not in second
    assert "?page=3" not in second
    response = client.get(reverse("admin:policies_policy_review_next"))
    assert response.url == review_url(Policy.objects.get(policy_id="record-00"))


def test_the_queue_is_for_reviewers_only(login, editor):
    assert login(editor).get(reverse("admin:policies_policy_review_queue")).status_code == 403
    assert login(editor).get(reverse("admin:policies_policy_review_next")).status_code == 403


def test_an_empty_queue_says_so(login, reviewer):
    response = login(reviewer).get(reverse("admin:policies_policy_review_next"), follow=True)
    assert "Your review queue is empty." in response.content.decode()


def test_the_review_screen_shows_the_problems_and_offers_no_approval_until_they_are_fixed(login, editor, reviewer):
    policy = make_policy_needing_a_fix(user=editor)
    client = login(reviewer)
    content = client.get(review_url(policy)).content.decode()
    problems = content[content.index('id="record-problems"') :]
    assert "analysis.market.score" in problems and "must be a whole number, not the number 85.5" in problems
    assert 'value="approve"' not in content
    before = Snapshot.of(policy)
    response = client.post(review_url(policy), decision(policy, "approve"))
    assert response.status_code == 409
    assert "cannot be approved while a value needs fixing" in response.content.decode()
    assert Snapshot.of(policy) == before


@pytest.mark.parametrize(("role", "state"), list(product([*ROLES, "superuser"], ReviewState.values)))
def test_the_history_form_does_not_save(role, state, actors, login, policy, editor, reviewer, superuser):
    original = policy.history.earliest()
    edit(policy, user=editor, title="改过的标题")
    put_in_state(policy, state, reviewer=reviewer, editor=editor)
    before = Snapshot.of(policy)
    client = login({**actors, "superuser": superuser}[role])
    url = reverse("admin:policies_policy_simple_history", args=[policy.pk, original.history_id])
    response = client.post(url, {"policy_id": policy.policy_id, "title": original.title, "_save": "Revert"})
    assert response.status_code in (302, 403, 405)
    assert Snapshot.of(policy) == before
    assert Policy.objects.get(pk=policy.pk).title == "改过的标题"


@pytest.mark.parametrize("role", ROLES)
def test_restore_through_the_screen_keeps_the_reason_in_the_history(role, actors, login, policy, editor):
    original = policy.history.earliest()
    edit(policy, user=editor, title="改过的标题")
    before = Snapshot.of(policy)
    url = reverse("admin:policies_policy_restore", args=[policy.pk, original.history_id])

    response = login(actors[role]).post(url, {"reason": "改错了标题"})

    if role in ("editor", "admin_member"):
        assert response.status_code == 302
        policy.refresh_from_db()
        assert policy.title == original.title
        latest = policy.history.latest()
        assert latest.history_user == actors[role]
        assert latest.history_change_reason == "Restored an earlier version: Restored version 1. 改错了标题"
        assert policy.review_events.latest("id").comment == "Restored version 1. 改错了标题"
        assert policy.state == ReviewState.PENDING
    else:
        assert response.status_code in (302, 403)
        assert Snapshot.of(policy) == before


def test_restore_shows_what_it_changes_and_asks_why_before_changing_anything(login, policy, editor):
    original = policy.history.earliest()
    edit(policy, user=editor, title="改过的标题")
    before = Snapshot.of(policy)
    url = reverse("admin:policies_policy_restore", args=[policy.pk, original.history_id])
    client = login(editor)

    page = client.get(url)

    content = page.content.decode()
    assert page.status_code == 200
    assert '<tr data-field="title"><th scope="row">Title</th><td><del>改过的</del>' in content
    assert 'name="reason"' in content
    assert Snapshot.of(policy) == before

    refused = client.post(url, {"reason": "  "})

    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()
    assert Snapshot.of(policy) == before


def test_the_restore_page_is_for_editors_only(login, policy, reviewer):
    url = reverse("admin:policies_policy_restore", args=[policy.pk, policy.history.earliest().history_id])
    assert login(reviewer).get(url).status_code == 403


def test_restore_is_offered_on_the_history_form_to_editors_only(login, policy, editor, reviewer):
    original = policy.history.earliest()
    url = reverse("admin:policies_policy_simple_history", args=[policy.pk, original.history_id])
    restore_url = reverse("admin:policies_policy_restore", args=[policy.pk, original.history_id])
    assert restore_url in login(editor).get(url).content.decode()
    assert restore_url not in login(reviewer).get(url).content.decode()


def test_the_admin_index_counts_records_per_state_and_the_reviewers_queue(login, editor, reviewer):
    make_policy(user=editor, policy_id="a")
    make_policy(user=editor, policy_id="b")
    make_policy(user=reviewer, policy_id="mine")
    workflow.reject(make_policy(user=editor, policy_id="c"), user=reviewer, comment="No.")
    html = login(reviewer).get(reverse("admin:index")).content.decode()
    assert 'data-state="pending">3<' in html
    assert 'data-state="rejected">1<' in html
    assert 'id="review-queue-length">2<' in html


def test_review_events_are_read_only_in_the_admin(login, policy, reviewer, admin_member, superuser):
    event = workflow.reject(policy, user=reviewer, comment="No.")
    change_url = reverse("admin:reviews_reviewevent_change", args=[event.pk])
    delete_url = reverse("admin:reviews_reviewevent_delete", args=[event.pk])
    for user in (reviewer, admin_member, superuser):
        client = login(user)
        assert client.get(reverse("admin:reviews_reviewevent_changelist")).status_code == 200
        assert client.get(change_url).status_code == 200
        assert client.get(reverse("admin:reviews_reviewevent_add")).status_code == 403
        assert client.post(change_url, {"comment": "x"}).status_code == 403
        assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert ReviewEvent.objects.get(pk=event.pk).comment == "No."


def test_the_record_page_shows_its_review_trail_oldest_first(client, policy, reviewer, editor):
    workflow.request_changes(policy, user=reviewer, comment="Cite the 2024 decision.")
    edit(policy, user=editor, market_citation="Decision 3/CMA.5")
    workflow.resubmit(policy, user=editor)
    client.force_login(editor)
    content = client.get(reverse("admin:policies_policy_change", args=[policy.pk])).content.decode()
    trail = content[content.index('id="review-trail"') :]
    assert trail.index("Changes requested") < trail.index("Resubmitted")
    assert "Cite the 2024 decision." in trail


def test_a_reviewer_is_offered_withdrawal_of_a_published_record_only(login, policy, editor, reviewer):
    client = login(reviewer)
    assert "Withdraw from publication" not in client.get(review_url(policy)).content.decode()
    put_in_state(policy, ReviewState.VERIFIED, reviewer=reviewer, editor=editor)
    assert "Withdraw from publication" in client.get(review_url(policy)).content.decode()


def test_the_audit_list_shows_each_comment_and_links_the_record(login, policy, reviewer):
    workflow.reject(policy, user=reviewer, comment="重复的记录，见 intl-paris")

    html = login(reviewer).get(reverse("admin:reviews_reviewevent_changelist")).content.decode()

    assert "重复的记录，见 intl-paris" in html
    assert f'<a href="{reverse("admin:policies_policy_change", args=[policy.pk])}">{policy}</a>' in html


@pytest.mark.parametrize("state", [ReviewState.PENDING, ReviewState.REJECTED])
def test_the_record_page_says_before_it_can_be_approved_only_while_it_can_be(state, login, editor, reviewer):
    policy = make_policy_needing_a_fix(user=editor)
    put_in_state(policy, state, reviewer=reviewer, editor=editor)

    html = login(editor).get(reverse("admin:policies_policy_change", args=[policy.pk])).content.decode()

    assert "Needs fixing" in html
    assert ("before it can be approved" in html) == (state == ReviewState.PENDING)
