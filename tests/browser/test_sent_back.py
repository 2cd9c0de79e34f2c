"""An editor finds the records sent back to them and sees why, in the browser; and restores an earlier version,
saying why."""

import pytest

from policies.models import ANALYSIS_DIMENSIONS, Policy, ReviewState
from reviews import workflow
from reviews.models import DimensionVerdict, Verdict
from tests.browser.pages import expect, log_in
from tests.browser.test_policy_list import SCREENS, overflow
from tests.factories import edit, make_policy_without_warnings

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s['width']}x{s['height']}")
def test_an_editor_opens_a_record_sent_back_from_the_dashboard_and_sees_why_without_scrolling(
    screen, new_page, clock, editor, reviewer
):
    policy = make_policy_without_warnings(user=editor, policy_id="cn-ccus-2024", title="二氧化碳捕集利用与封存管理办法")
    clock.advance(hours=5)
    event = workflow.request_changes(policy, user=reviewer, comment="引用的决定编号不对，请核对。")
    DimensionVerdict.objects.create(event=event, dimension="mrv", verdict=Verdict.CORRECTED, note="缓冲池比例应为 20%")
    page = new_page()
    page.set_viewport_size(screen)
    log_in(page, editor)

    page.locator("#sent-back-to-me").get_by_role("link", name=str(policy)).click()

    sent_back = page.locator("#sent-back")
    expect(sent_back).to_contain_text("Rita Reviewer asked for changes to version 1")
    expect(sent_back).to_contain_text("引用的决定编号不对，请核对。")
    expect(sent_back).to_contain_text("MRV is wrong: 缓冲池比例应为 20%")
    assert sent_back.bounding_box()["y"] < screen["height"], "the reason is on the first screen"
    assert overflow(page, "html") == 0
    note = page.locator(".analysis-sent-back td").nth(ANALYSIS_DIMENSIONS.index("mrv"))
    column = page.locator("#analysis-grid thead th.analysis-dimension-mrv")
    expect(note).to_have_text("Wrong: 缓冲池比例应为 20%")
    note_box, column_box = note.bounding_box(), column.bounding_box()
    assert abs(note_box["x"] - column_box["x"]) < 2, "the note is above its dimension's column"


def test_an_editor_restores_an_earlier_version_saying_why(page, editor):
    policy = make_policy_without_warnings(user=editor, policy_id="cn-ccus-2024", title="二氧化碳捕集利用与封存管理办法")
    first = policy.history.earliest()
    edit(policy, user=editor, title="错误的标题")
    log_in(page, editor)
    page.goto(f"/admin/policies/policy/{policy.pk}/history/{first.history_id}/")

    page.get_by_role("link", name="Restore this version").click()

    expect(page.locator('tr[data-field="title"] del')).to_contain_text("错误的")
    page.get_by_role("button", name="Restore this version").click()
    expect(page.locator("#id_reason")).to_be_focused()
    assert Policy.objects.get(pk=policy.pk).title == "错误的标题", "nothing restored without a reason"
    page.locator("#id_reason").fill("标题被误改，恢复原标题。")
    page.get_by_role("button", name="Restore this version").click()

    expect(page.locator(".messagelist")).to_contain_text("restored; the new version waits for review")
    policy.refresh_from_db()
    assert (policy.title, policy.state) == ("二氧化碳捕集利用与封存管理办法", ReviewState.PENDING)
    assert policy.history.latest().history_change_reason.endswith("Restored version 1. 标题被误改，恢复原标题。")
