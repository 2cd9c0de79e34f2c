"""Bulk approval from the policy list: a page that lists what would be approved, then the approval of what was
ticked on it (reviews.views.approve_selected)."""

import re

import pytest
from django.urls import reverse

from policies.models import Policy, ReviewState
from reviews import views, workflow
from reviews.models import ReviewEvent
from tests.data import SEED_DIMENSIONS
from tests.factories import edit, make_policy, make_policy_needing_a_fix, make_policy_without_warnings, make_user
from tests.snapshots import Snapshot, database_state

pytestmark = pytest.mark.django_db

LIST = reverse("admin:policies_policy_changelist")


def make_warned_policy(**values) -> Policy:
    """A record whose one warning is a facility listed twice."""
    return make_policy_without_warnings(related_facilities=["1103", "1103"], **values)


def select(client, policies, url=LIST):
    """Choose "Approve selected" on the list for these records: the confirmation page."""
    return client.post(url, {"action": "approve_selected", "_selected_action": [p.pk for p in policies]})


def confirm(client, page, *, tick=(), untick=(), url=LIST):
    """Send the confirmation page's form as shown, with the boxes of `tick` ticked and those of `untick` not."""
    html = page.content.decode()
    form = html[html.index('id="approve-selected-form"') :]
    data: dict[str, list[str]] = {}
    for tag in re.findall(r"<input [^>]*>", form):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        if "name" not in attributes or attributes.get("type") == "submit":
            continue
        if attributes.get("type") == "checkbox" and "checked" not in tag:
            continue
        data.setdefault(attributes["name"], []).append(attributes.get("value", ""))
    ticked = {str(p.pk) for p in tick}
    unticked = {str(p.pk) for p in untick}
    data["approve"] = sorted((set(data.get("approve", [])) | ticked) - unticked)
    return client.post(url, data, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def row(page, policy: Policy) -> str:
    html = page.content.decode()
    start = html.index(f'data-policy="{policy.policy_id}"')
    return html[start : html.index("</tr>", start)]


def tick_box(page, policy: Policy) -> str | None:
    """Whether the record's approval box on the page is "ticked" or "unticked"; None if it has none."""
    box = re.search(rf'<input type="checkbox" name="approve" value="{policy.pk}"[^>]*>', page.content.decode())
    if box is None:
        return None
    return "ticked" if " checked" in box.group() else "unticked"


def state_of(policy: Policy) -> str:
    return Policy.objects.get(pk=policy.pk).state


def test_choosing_bulk_approval_shows_a_confirmation_page_and_approves_nothing(client, editor, reviewer):
    policies = [make_policy(user=editor, policy_id=f"p{i}", title=f"政策 {i}") for i in range(3)]
    before = database_state()
    client.force_login(reviewer)

    page = select(client, policies)

    assert page.status_code == 200
    assert "Approve the selected policies" in page.content.decode()
    assert database_state() == before
    for policy in policies:
        assert reverse("admin:policies_policy_review", args=[policy.pk]) in row(page, policy)


def test_the_confirmation_page_lists_warnings_problems_waiting_time_and_who_edited(client, editor, reviewer):
    warned = make_warned_policy(user=editor, policy_id="warned")
    broken = make_policy_needing_a_fix(user=editor, policy_id="broken")
    edit(warned, user=make_user("sam", first_name="Sam", last_name="Second"), title="改过的标题")
    client.force_login(reviewer)

    page = select(client, [warned, broken])

    warned_row = row(page, warned)
    assert "lists &#x27;1103&#x27; more than once" in warned_row
    assert "Ada Editor, Sam Second" in warned_row
    assert "since its last save" in warned_row
    broken_row = row(page, broken)
    assert "Needs fixing:" in broken_row and "analysis.market.score" in broken_row


def test_a_record_with_warnings_is_not_ticked_and_is_left_alone_unless_ticked(client, editor, reviewer):
    clean = make_policy_without_warnings(user=editor, policy_id="clean")
    warned = make_warned_policy(user=editor, policy_id="warned")
    client.force_login(reviewer)
    page = select(client, [clean, warned])
    assert (tick_box(page, clean), tick_box(page, warned)) == ("ticked", "unticked")

    response = confirm(client, page)

    assert state_of(clean) == ReviewState.VERIFIED
    assert state_of(warned) == ReviewState.PENDING
    assert not warned.review_events.exists()
    assert "Approved 1 of 2 selected; 1 left alone (not ticked); 0 not allowed." in messages_of(response)


def test_a_record_with_warnings_ticked_on_the_page_is_approved_confirming_every_dimension(client, editor, reviewer):
    warned = make_warned_policy(user=editor, policy_id="warned")
    client.force_login(reviewer)

    response = confirm(client, select(client, [warned]), tick=[warned])

    assert state_of(warned) == ReviewState.VERIFIED
    event = ReviewEvent.objects.get(policy=warned, action="approve")
    assert event.actor == reviewer
    assert dict(event.verdicts.values_list("dimension", "verdict")) == dict.fromkeys(SEED_DIMENSIONS, "confirmed")
    assert "Approved 1 of 1 selected; 0 left alone (not ticked); 0 not allowed." in messages_of(response)


def test_records_the_reviewer_may_not_approve_are_listed_with_the_reason_and_left_alone(client, editor, reviewer):
    fine = make_policy_without_warnings(user=editor, policy_id="fine", title="可以批准")
    mine = make_policy(user=reviewer, policy_id="mine", title="我改过的")
    rejected = make_policy(user=editor, policy_id="gone", title="已驳回")
    workflow.reject(rejected, user=reviewer, comment="Duplicate.")
    broken = make_policy_needing_a_fix(user=editor, policy_id="broken", title="待修正")
    before = {p.pk: Snapshot.of(p) for p in (mine, rejected, broken)}
    client.force_login(reviewer)

    page = select(client, [fine, mine, rejected, broken])

    html = page.content.decode()
    refused = html[html.index('id="bulk-refused"') :]
    assert "someone else must approve it" in row(page, mine) and "我改过的" in refused
    assert "Rejected" in row(page, rejected)
    assert "cannot be approved while a value needs fixing" in row(page, broken)
    assert [tick_box(page, policy) for policy in (fine, mine, rejected, broken)] == ["ticked", None, None, None]

    # Ticking them anyway (a forged form) changes nothing: the server refuses each.
    response = confirm(client, page, tick=[mine, rejected, broken])

    assert state_of(fine) == ReviewState.VERIFIED
    assert {p.pk: Snapshot.of(p) for p in (mine, rejected, broken)} == {
        pk: Snapshot(s.state, s.version, s.history_rows, s.events + 1) for pk, s in before.items()
    }
    messages = messages_of(response)
    assert "Approved 1 of 4 selected; 0 left alone (not ticked); 3 not allowed." in messages
    assert any("Not approved: 我改过的 (mine)" in m and "someone else must approve" in m for m in messages)
    assert any("Not approved: 已驳回 (gone)" in m and "Rejected" in m for m in messages)
    assert any(
        "Not approved: 待修正 (broken)" in m and "analysis.market.score: must be a whole number" in m for m in messages
    )


def test_a_record_changed_after_the_page_was_shown_is_not_approved(client, editor, reviewer):
    policy = make_policy_without_warnings(user=editor, policy_id="stale")
    client.force_login(reviewer)
    page = select(client, [policy])
    edit(policy, user=editor, title="页面之后改的")

    response = confirm(client, page)

    assert state_of(policy) == ReviewState.PENDING
    messages = messages_of(response)
    assert "Approved 0 of 1 selected; 0 left alone (not ticked); 1 not allowed." in messages
    assert any("changed since you opened it" in m for m in messages)


def test_the_count_is_of_the_records_selected_on_a_filtered_list(client, editor, reviewer):
    # The list filtered to pending records no longer holds them once approved; the count must not shrink.
    policies = [make_policy_without_warnings(user=editor, policy_id=f"p{i}") for i in range(3)]
    filtered = f"{LIST}?state__exact=pending"
    client.force_login(reviewer)

    response = confirm(client, select(client, policies, url=filtered), url=filtered)

    assert "Approved 3 of 3 selected; 0 left alone (not ticked); 0 not allowed." in messages_of(response)
    assert all(state_of(p) == ReviewState.VERIFIED for p in policies)


@pytest.mark.parametrize("role", ["editor", "staff", "anonymous"])
def test_bulk_approval_is_refused_to_non_reviewers(role, client, editor, other_editor, staff):
    policy = make_policy(user=editor)
    user = {"editor": other_editor, "staff": staff, "anonymous": None}[role]
    if user is not None:
        client.force_login(user)
    before = Snapshot.of(policy)

    client.post(
        LIST,
        {
            "action": "approve_selected",
            "_selected_action": [policy.pk],
            "post": "yes",
            "approve": [policy.pk],
            f"version_{policy.pk}": policy.version,
        },
    )

    assert Snapshot.of(policy) == before


def test_selecting_more_records_than_a_reviewer_can_read_at_once_approves_nothing_and_says_so(client, editor, reviewer):
    for i in range(views.BULK_APPROVAL_LIMIT + 1):
        make_policy_without_warnings(user=editor, policy_id=f"p{i:03}")
    before = database_state()
    client.force_login(reviewer)

    response = client.post(
        LIST, {"action": "approve_selected", "select_across": "1", "_selected_action": ["1"]}, follow=True
    )

    assert database_state() == before
    assert "101 records are selected; approve at most 100 at once, so that each is read." in messages_of(response)
