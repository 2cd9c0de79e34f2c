"""A reviewer whose browser asks for Chinese works through the queue in Chinese, on a laptop's screen; the README's
screenshots in Chinese are taken on the way."""

import pytest

from policies.models import Policy, ReviewState
from reviews import workflow
from tests.browser.pages import expect, log_in, save_screenshot
from tests.browser.test_conflicts import RECORD, conflict  # noqa: F401 (a fixture)
from tests.browser.test_policy_list import long_records, overflow  # noqa: F401 (a fixture)
from tests.browser.test_reviewing import EDITED, WINDOWS, assert_panel_in_view_without_scrolling
from tests.factories import approve, make_policy_without_warnings

pytestmark = pytest.mark.browser

LAPTOP = WINDOWS["laptop"]


@pytest.fixture
def chinese_page(new_page):
    page = new_page(locale="zh-CN")
    page.set_viewport_size(LAPTOP)
    return page


def test_a_chinese_reviewer_goes_from_the_queue_to_the_review_screen_and_approves_by_keyboard(
    chinese_page, live_server, clock, collection, editor, reviewer, second_reviewer
):
    page = chinese_page
    policy = collection[EDITED]
    clock.advance(minutes=30)
    approve(policy, second_reviewer)
    clock.advance(days=2, hours=3, minutes=12)
    policy.mrv_score = 64
    policy.save_as(user=editor, reason="The decision sets a 10-year monitoring period.")
    clock.advance(hours=1)
    queue = list(workflow.review_queue(reviewer))
    following = queue[(queue.index(policy) + 1) % len(queue)]

    log_in(page, reviewer)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_role("link", name="您的审核队列").click()
    expect(page.locator("#content-main > p").first).to_contain_text("等待最久的排在最前")
    expect(page.locator("#review-queue thead")).to_contain_text("等待起始时间")
    assert overflow(page, "html") == 0
    save_screenshot(page, "review-queue-zh")
    page.locator("#review-queue").get_by_role("link", name=str(policy)).click()

    panel = page.locator("#decision-panel")
    expect(page.locator("#decision-panel[data-keys=ready]")).to_be_visible()
    expect(page.locator("#queue-place")).to_have_text(f"第 {queue.index(policy) + 1} 条，共 {len(queue)} 条")
    expect(page.locator(".review-baseline")).to_contain_text("修改对比的是版本")
    expect(panel.locator("#confirm-all")).to_contain_text("全部确认")
    expect(panel.locator('button[name="action"][value="approve"]')).to_contain_text("批准")
    expect(panel.locator('button[name="action"][value="request_changes"]')).to_contain_text("要求修改")
    expect(panel.locator('button[name="action"][value="reject"]')).to_contain_text("驳回")
    expect(page.locator("#review-trail")).to_have_text("审核决定")
    assert_panel_in_view_without_scrolling(page)
    page.locator("#section-analysis\\.mrv").scroll_into_view_if_needed()
    expect(panel).to_be_in_viewport()
    assert overflow(page, "html") == 0
    save_screenshot(page, "review-screen-zh")

    page.keyboard.press("?")
    shortcuts = page.locator("#review-shortcuts")
    expect(shortcuts.locator("h2")).to_have_text("快捷键")
    for text in ("确认全部维度", "要求修改", "驳回", "跳过", "审核队列中的下一条 · 上一条记录"):
        expect(shortcuts).to_contain_text(text)
    page.keyboard.press("Escape")
    expect(shortcuts).to_be_hidden()
    page.keyboard.press("a")
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/admin/policies/policy/{following.pk}/review/")
    policy.refresh_from_db()
    assert (policy.state, policy.provenance_reviewer) == (ReviewState.VERIFIED, "Rita Reviewer")


def test_a_chinese_reviewer_is_told_in_chinese_what_a_decision_still_needs(chinese_page, collection, reviewer):
    page = chinese_page
    log_in(page, reviewer)
    page.get_by_role("link", name="您的审核队列").click()
    page.get_by_role("link", name="从第一条开始").click()
    expect(page.locator("#decision-panel[data-keys=ready]")).to_be_visible()

    page.keyboard.press("x")

    expect(page.locator("#review-panel-status")).to_have_text("请在意见中写明原因，然后按 Ctrl+Enter。")
    expect(page.locator("textarea[name=comment]")).to_be_focused()


def test_the_policy_list_in_chinese_fits_a_laptops_screen(chinese_page, clock, long_records, reviewer):  # noqa: F811
    page = chinese_page
    log_in(page, reviewer)
    page.goto("/admin/policies/policy/")

    expect(page.locator("#result_list tbody tr")).to_have_count(len(long_records))
    expect(page.locator(".object-tools")).to_contain_text("审核队列")
    assert overflow(page, "html") == 0, "the page scrolls sideways"
    assert overflow(page, "#changelist .results") == 0, "the list's table scrolls sideways"
    save_screenshot(page, "policy-list-zh")


def test_bulk_approval_asks_first_in_chinese(chinese_page, clock, editor, reviewer):
    make_policy_without_warnings(user=editor, policy_id="cn-ccus-2024", title="二氧化碳捕集利用与封存管理办法")
    make_policy_without_warnings(
        user=editor, policy_id="de-ccs-2024", title="德国二氧化碳封存法修正案", related_facilities=["1103", "1103"]
    )
    make_policy_without_warnings(user=reviewer, policy_id="no-ccs-2024", title="挪威封存许可条例")
    clock.advance(days=3, hours=4)
    page = chinese_page
    log_in(page, reviewer)
    page.goto("/admin/policies/policy/")
    for policy in Policy.objects.all():
        page.locator(f'#result_list input.action-select[value="{policy.pk}"]').check()
    page.locator("select[name=action]").select_option("approve_selected")
    page.locator(".actions button[type=submit], .actions input[type=submit]").first.click()

    table = page.locator("#bulk-approval")
    expect(table.locator("thead")).to_contain_text("批准？")
    expect(page.locator('tr[data-policy="de-ccs-2024"] label')).to_have_text("忽略警告并批准")
    expect(page.locator("#bulk-refused")).to_contain_text("不作处理：您无权批准以下记录")
    assert overflow(page, "html") == 0
    save_screenshot(page, "bulk-approval-zh")
    assert set(Policy.objects.values_list("state", flat=True)) == {ReviewState.PENDING}


def test_an_import_conflict_is_settled_in_chinese(chinese_page, clock, conflict, editor):  # noqa: F811
    page = chinese_page
    log_in(page, editor)
    page.goto(f"/admin/policies/policy/{conflict.policy_id}/change/")
    notice = page.locator("#import-conflicts")
    expect(notice).to_contain_text(f"此记录与 {RECORD}.md 存在导入冲突：")
    notice.get_by_role("link", name="去解决").click()

    expect(page.locator(".conflict-intro")).to_contain_text("都修改了以下字段")
    expect(page.locator("#conflict-market_evidence thead")).to_contain_text("双方修改之前")
    expect(page.locator("#conflict-taken h2")).to_have_text("仅文件中有修改：已采用文件的值")
    expect(page.locator("#settle-form [type=submit]")).to_have_value("解决冲突并保存")
    assert overflow(page, "html") == 0
    save_screenshot(page, "settle-conflict-zh")
