"""Bulk approval from the policy list, in the browser: the confirmation page first, then only what was ticked."""

import pytest

from policies.models import Policy, ReviewState
from tests.browser.pages import expect, log_in, save_screenshot
from tests.browser.test_policy_list import SCREENS, overflow
from tests.factories import make_policy_without_warnings

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s['width']}x{s['height']}")
def test_a_reviewer_approves_from_the_list_after_seeing_each_records_warnings_and_who_edited_it(
    screen, new_page, clock, editor, reviewer
):
    clean = make_policy_without_warnings(user=editor, policy_id="cn-ccus-2024", title="二氧化碳捕集利用与封存管理办法")
    warned = make_policy_without_warnings(
        user=editor, policy_id="de-ccs-2024", title="德国二氧化碳封存法修正案", related_facilities=["1103", "1103"]
    )
    mine = make_policy_without_warnings(user=reviewer, policy_id="no-ccs-2024", title="挪威封存许可条例")
    clock.advance(days=3, hours=4)
    page = new_page()
    page.set_viewport_size(screen)
    log_in(page, reviewer)
    page.goto("/admin/policies/policy/")
    for policy in (clean, warned, mine):
        page.locator(f'#result_list input.action-select[value="{policy.pk}"]').check()
    page.locator("select[name=action]").select_option("approve_selected")
    page.locator(".actions button[type=submit], .actions input[type=submit]").first.click()

    expect(page.locator("h1")).to_have_text("Approve the selected policies")
    assert overflow(page, "html") == 0
    clean_row = page.locator('tr[data-policy="cn-ccus-2024"]')
    warned_row = page.locator('tr[data-policy="de-ccs-2024"]')
    expect(clean_row.locator("input[name=approve]")).to_be_checked()
    expect(clean_row.locator(".bulk-edited-by")).to_have_text("Ada Editor")
    expect(clean_row.locator(".bulk-waiting")).to_contain_text("3\xa0days, 4\xa0hours")
    expect(warned_row.locator("input[name=approve]")).not_to_be_checked()
    expect(warned_row.locator(".bulk-warnings")).to_contain_text("lists '1103' more than once")
    expect(page.locator('#bulk-refused tr[data-policy="no-ccs-2024"]')).to_contain_text("someone else must approve it")
    expect(page.locator('#bulk-refused tr[data-policy="no-ccs-2024"] input[name=approve]')).to_have_count(0)
    if screen["width"] == 1366:
        save_screenshot(page, "bulk-approval")
    page.get_by_role("button", name="Approve the ticked records").click()

    expect(page.locator(".messagelist")).to_contain_text(
        "Approved 1 of 3 selected; 1 left alone (not ticked); 1 not allowed."
    )
    states = dict(Policy.objects.values_list("policy_id", "state"))
    assert states == {
        "cn-ccus-2024": ReviewState.VERIFIED,
        "de-ccs-2024": ReviewState.PENDING,
        "no-ccs-2024": ReviewState.PENDING,
    }
