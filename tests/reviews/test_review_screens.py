import datetime
from itertools import product

import pytest
from django.urls import reverse
from django.utils.html import escape

from policies import schema
from policies.models import Policy, ReviewState
from reviews import workflow
from reviews.models import DimensionVerdict, ReviewEvent
from tests.data import SEED_DIMENSIONS
from tests.factories import approve, edit, make_policy, make_policy_needing_a_fix, make_reviewer, put_in_state
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


def _written(field: schema.Field, number: int):
    """A value for the field that no other field of the record has."""
    return {
        "id": "every-field-record",
        "required_text": "每个字段都有值的记录",
        "year": 2031,
        "score": number,
        "date": datetime.date(2031, 5, number % 28 + 1),
        "list": [f"{field.attr}-甲", f"{field.attr}-乙"],
    }.get(field.kind, f"{field.attr}：{number} 号值")


def _shown_as(value) -> list[str]:
    if isinstance(value, list):
        return [escape(item) for item in value]
    if isinstance(value, datetime.date):
        return [value.isoformat()]
    return [escape(str(value))]


def field_html(html: str, name: str) -> str:
    start = html.index(f'<div class="review-field" data-field="{name}">')
    return html[start : html.index("</dd>", start)]


def test_the_review_screen_shows_every_value_an_approval_publishes(login, editor, reviewer):
    values = {field.attr: _written(field, number) for number, field in enumerate(schema.FIELDS, start=10)}
    values["description"] = "## 概览\n\n**加粗的描述**"
    values["related_facilities"] = [f"facility-{n}" for n in range(40)]
    policy = make_policy(
        user=editor, body="正文 *强调的正文*", extra="customKey: 自定义的值\nnested:\n  inner: 内层的值\n", **values
    )

    html = login(reviewer).get(review_url(policy)).content.decode()

    for field in schema.FIELDS:
        if field.attr == "description":
            continue
        shown = field_html(html, field.attr)
        assert str(field.label) in shown, field.attr
        for text in _shown_as(values[field.attr]):
            assert text in shown, (field.attr, text)
    assert "<h2>概览</h2>" in field_html(html, "description")
    assert "<strong>加粗的描述</strong>" in field_html(html, "description")
    assert "<em>强调的正文</em>" in field_html(html, "body")
    assert "customKey: 自定义的值\nnested:\n  inner: 内层的值" in field_html(html, "extra")
    for section in schema.SECTIONS:
        if section.key != "as_written":
            assert f'id="section-{section.key}"' in html, section.key


def test_a_value_the_file_wrote_in_a_form_its_field_cannot_hold_is_shown_as_written(login, editor, reviewer):
    policy = make_policy_needing_a_fix(user=editor)
    html = login(reviewer).get(review_url(policy)).content.decode()
    assert "as the file wrote it: <code>85.5</code>" in field_html(html, "market_score")
    assert "analysis.market.score: 85.5" in field_html(html, "invalid")


def test_changed_facility_ids_are_shown_as_counts_with_the_ids_added_and_removed(login, editor, reviewer):
    policy = make_policy(user=editor, related_facilities=[str(n) for n in range(1, 201)])
    approve(policy, reviewer)
    ids = [n for n in policy.related_facilities if n not in ("7", "8")] + ["9001"]
    edit(policy, user=editor, related_facilities=ids)

    shown = field_html(login(make_reviewer("third")).get(review_url(policy)).content.decode(), "related_facilities")

    assert "<summary>199 items</summary>" in shown
    change = shown[shown.index('class="review-diff review-list-change"') :]
    assert "200 → 199" in change
    assert "added <ins>9001</ins>" in change
    assert "removed <del>7, 8</del>" in change
    assert "150" not in change


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
    data = decision(first, "approve", note_mrv="Checked the crediting period.", comment="")

    response = client.post(review_url(first), data, follow=True)

    assert response.redirect_chain[-1][0] == review_url(second)
    first.refresh_from_db()
    assert first.state == ReviewState.VERIFIED
    event = ReviewEvent.objects.get(policy=first)
    assert {v.dimension: v.verdict for v in event.verdicts.all()} == dict.fromkeys(SEED_DIMENSIONS, "confirmed")
    assert event.verdicts.get(dimension="mrv").note == "Checked the crediting period."


def test_after_a_decision_the_screen_opens_the_record_after_it_in_the_queue_not_the_first(login, editor, reviewer):
    first, second, third = (make_policy(user=editor, policy_id=name) for name in ("first", "second", "third"))
    client = login(reviewer)

    response = client.post(review_url(second), decision(second, "approve", comment=""))

    assert response.url == review_url(third)
    response = client.post(review_url(third), decision(third, "reject"))
    assert response.url == review_url(first)


def test_the_screen_says_where_the_record_is_in_the_queue_and_links_the_records_around_it(login, editor, reviewer):
    first, second, third = (make_policy(user=editor, policy_id=name) for name in ("first", "second", "third"))
    html = login(reviewer).get(review_url(second)).content.decode()
    assert '<span id="queue-place">2 of 3</span>' in html
    assert f'id="review-previous" data-key="p" href="{review_url(first)}"' in html
    assert f'id="review-next" data-key="n" href="{review_url(third)}"' in html
    assert f'id="review-skip" data-key="s" href="{review_url(third)}"' in html


def test_reviewers_are_offered_confirmed_or_wrong_and_old_corrected_verdicts_still_read(login, policy, reviewer):
    html = login(reviewer).get(review_url(policy)).content.decode()
    assert 'name="verdict_mrv" value="wrong"' in html
    assert 'value="corrected"' not in html
    event = workflow.approve(
        policy, user=reviewer, expected_version=policy.version, verdicts=workflow.confirm_all(policy)
    )
    DimensionVerdict.objects.create(event=event, dimension="incentive", verdict="corrected", note="Fixed in 2025.")
    html = login(reviewer).get(review_url(policy)).content.decode()
    assert "Incentives: Corrected (Fixed in 2025.)" in html


def test_a_dimension_marked_wrong_turns_approve_into_a_request_for_changes_carrying_its_note(login, policy, reviewer):
    note = "The crediting period is 10 years (Decision 3/CMA.5), not 15."
    data = decision(policy, "approve", verdict_mrv="wrong", note_mrv=note, comment="")

    response = login(reviewer).post(review_url(policy), data)

    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.state == ReviewState.CHANGES_REQUESTED
    event = ReviewEvent.objects.get(policy=policy)
    assert (event.action, event.comment) == ("request_changes", f"MRV: {note}")
    assert {v.dimension: (v.verdict, v.note) for v in event.verdicts.all()} == {
        "market": ("confirmed", ""),
        "mrv": ("wrong", note),
        "statutory": ("confirmed", ""),
    }


def test_a_dimension_marked_wrong_needs_a_note_for_its_editors(login, policy, reviewer):
    before = Snapshot.of(policy)
    response = login(reviewer).post(review_url(policy), decision(policy, "approve", verdict_mrv="wrong"))
    assert response.status_code == 400
    assert "Say what is wrong, for its editors." in response.content.decode()
    assert Snapshot.of(policy) == before


def test_approving_without_the_checklist_is_refused(login, policy, reviewer):
    before = Snapshot.of(policy)
    data = decision(policy, "approve")
    del data["verdict_statutory"]
    response = login(reviewer).post(review_url(policy), data)
    assert response.status_code == 409
    assert "missing: Statutory force" in response.content.decode()
    assert Snapshot.of(policy) == before


def test_a_stale_approval_shows_what_changed_keeps_the_verdicts_and_decides_the_current_version_next(
    login, policy, editor, reviewer
):
    data = decision(policy, "approve", verdict_mrv="confirmed", note_mrv="Checked against SBM 2024.", comment="看过")
    seen = policy.version
    edit(Policy.objects.get(pk=policy.pk), user=editor, mrv_score=80)
    before = Snapshot.of(policy)
    client = login(reviewer)

    response = client.post(review_url(policy), data)

    assert response.status_code == 409
    html = response.content.decode()
    assert "changed since you opened it" in html
    stale = html[html.index('id="review-stale"') :]
    assert f"between version {seen}, which you saw, and version {seen + 1}" in stale
    assert '<dd class="review-diff"><del>95</del><ins>80</ins></dd>' in stale
    assert f'id="review-current" href="{review_url(policy)}">Review the current version' in stale
    assert ">\nChecked against SBM 2024.</textarea>" in html and ">\n看过</textarea>" in html
    assert 'name="verdict_statutory" value="confirmed" id="id_verdict_statutory_0" checked' in html
    assert f'name="expected_version" value="{seen + 1}"' in html
    assert Snapshot.of(policy) == before
    assert client.post(review_url(policy), {**data, "expected_version": seen + 1}).status_code == 302
    assert Policy.objects.get(pk=policy.pk).state == ReviewState.VERIFIED


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


def test_warnings_say_check_before_approving_only_while_the_reviewer_may_approve(login, editor, reviewer):
    policy = make_policy(user=editor, url="ftp://not-the-web")  # a warning: not an http(s) address
    client = login(reviewer)
    url = reverse("admin:policies_policy_review", args=[policy.pk])
    assert "check these before approving" in client.get(url).text

    approve(policy, reviewer)
    page = client.get(url).text
    assert "is not an http(s) address" in page and "check these before approving" not in page
