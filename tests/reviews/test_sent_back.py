"""Editors see why a record came back: on the record's page, beside each dimension marked wrong, and on the
dashboard's list of records sent back to them."""

import re

import pytest
from django.urls import reverse

from policies.models import ANALYSIS_DIMENSIONS, Policy
from reviews import workflow
from reviews.models import DimensionVerdict, ReviewEvent, Verdict
from tests.factories import edit, make_policy

pytestmark = pytest.mark.django_db


def send_back(policy: Policy, reviewer, comment: str, **wrong: str) -> ReviewEvent:
    """Request changes, marking the dimensions in `wrong` (dimension=note) wrong, the others confirmed."""
    event = workflow.request_changes(policy, user=reviewer, comment=comment)
    for dimension in workflow.dimensions_present(policy):
        verdict = Verdict.CORRECTED if dimension in wrong else Verdict.CONFIRMED
        note = wrong.get(dimension, "")
        DimensionVerdict.objects.create(event=event, dimension=dimension, verdict=verdict, note=note)
    return event


def record_page(client, policy: Policy) -> str:
    return client.get(reverse("admin:policies_policy_change", args=[policy.pk])).content.decode()


def section(html: str, element_id: str, end: str = "</div>") -> str:
    start = html.index(f'id="{element_id}"')
    return html[start : html.index(end, start)]


def test_the_record_page_says_at_the_top_who_sent_it_back_and_why(client, policy, editor, reviewer):
    send_back(policy, reviewer, "引用的决定编号不对。", mrv="缓冲池比例应为 20%")
    client.force_login(editor)

    html = record_page(client, policy)

    sent_back = section(html, "sent-back")
    assert html.index('id="sent-back"') < html.index('id="analysis-grid"')
    assert "Rita Reviewer asked for changes to version 1" in sent_back
    assert "引用的决定编号不对。" in sent_back
    assert "MRV is wrong: 缓冲池比例应为 20%" in sent_back
    assert "Market is wrong" not in sent_back
    assert reverse("admin:policies_policy_review", args=[policy.pk]) in sent_back


def test_each_dimension_marked_wrong_has_its_note_above_its_column(client, policy, editor, reviewer):
    send_back(policy, reviewer, "Two dimensions are off.", mrv="缓冲池比例应为 20%", statutory="不是公约本身")
    client.force_login(editor)

    html = record_page(client, policy)

    row = html[html.index('<tr class="analysis-sent-back">') :]
    cells = re.findall(r"<td>(.*?)</td>", row[: row.index("</tr>")])
    notes = {d: re.sub(r"<[^>]+>", "", cell).strip() for d, cell in zip(ANALYSIS_DIMENSIONS, cells, strict=True)}
    assert notes == {
        **dict.fromkeys(ANALYSIS_DIMENSIONS, ""),
        "mrv": "Wrong: 缓冲池比例应为 20%",
        "statutory": "Wrong: 不是公约本身",
    }


def test_the_record_page_stops_saying_so_once_resubmitted(client, policy, editor, reviewer):
    send_back(policy, reviewer, "引用的决定编号不对。", mrv="缓冲池比例应为 20%")
    edit(policy, user=editor, mrv_citation="Decision 3/CMA.5")
    workflow.resubmit(policy, user=editor)
    client.force_login(editor)

    html = record_page(client, policy)

    assert 'id="sent-back"' not in html
    assert "analysis-sent-back" not in html


def test_the_dashboard_lists_the_records_sent_back_to_the_editor_who_edited_them(
    client, editor, other_editor, reviewer
):
    mine = make_policy(user=editor, policy_id="mine", title="我的记录")
    edited_by_me = edit(make_policy(policy_id="imported", title="导入的记录"), user=editor, title="我改过的记录")
    theirs = make_policy(user=other_editor, policy_id="theirs", title="别人的记录")
    waiting = make_policy(user=editor, policy_id="waiting", title="待审的记录")
    for policy in (mine, edited_by_me, theirs):
        workflow.request_changes(policy, user=reviewer, comment=f"请修改 {policy.policy_id}")
    client.force_login(editor)

    html = client.get(reverse("admin:index")).content.decode()

    listed = section(html, "sent-back-to-me", end="</table>")
    assert reverse("admin:policies_policy_change", args=[mine.pk]) in listed
    assert "请修改 mine" in listed
    assert reverse("admin:policies_policy_change", args=[edited_by_me.pk]) in listed
    assert reverse("admin:policies_policy_change", args=[theirs.pk]) not in listed
    assert reverse("admin:policies_policy_change", args=[waiting.pk]) not in listed


def test_a_request_for_changes_by_a_reviewer_does_not_make_the_record_theirs(client, policy, reviewer):
    workflow.request_changes(policy, user=reviewer, comment="请修改")
    client.force_login(reviewer)

    html = client.get(reverse("admin:index")).content.decode()

    assert 'id="sent-back-to-me"' not in html
    assert list(workflow.sent_back_to(reviewer)) == []
