"""The policy list on a laptop and on a desktop screen: nothing cut off, no sideways scrolling, two-line titles."""

import pytest

from tests.browser.pages import expect, log_in, save_screenshot
from tests.factories import make_policy

pytestmark = pytest.mark.browser

SCREENS = [{"width": 1366, "height": 768}, {"width": 1920, "height": 1080}]
LONG_TITLE = (
    "关于推进二氧化碳捕集、利用与封存（CCUS）技术研发、示范和产业化应用的若干政策措施及其配套实施细则（试行）"
    "暨全国碳排放权交易市场衔接办法"
)


@pytest.fixture
def long_records(editor):
    return [
        make_policy(
            user=editor,
            policy_id=f"cn-ndrc-ccus-demonstration-and-industrialisation-measures-{i}",
            title=f"{LONG_TITLE} {i}" if i % 2 else f"碳捕集示范项目管理办法 {i}",
            country="中华人民共和国国家发展和改革委员会",
            category="Administrative Regulation",
        )
        for i in range(6)
    ]


def overflow(page, selector: str) -> int:
    """How many pixels of the element's content are cut off at its right edge (scrolled out of view)."""
    return page.evaluate(
        f"(() => {{ const e = document.querySelector({selector!r}); return e.scrollWidth - e.clientWidth; }})()"
    )


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s['width']}x{s['height']}")
@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_the_list_fits_the_screen_with_the_review_link_and_state_in_view_and_titles_on_two_lines(
    role, screen, new_page, clock, long_records, editor, reviewer
):
    page = new_page()
    page.set_viewport_size(screen)
    log_in(page, {"reviewer": reviewer, "editor": editor}[role])

    page.goto("/admin/policies/policy/")

    expect(page.locator("#result_list tbody tr")).to_have_count(len(long_records))
    assert overflow(page, "html") == 0, "the page scrolls sideways"
    assert overflow(page, "#changelist .results") == 0, "the list's table scrolls sideways"
    for row in page.locator("#result_list tbody tr").all():
        for cell in (row.locator("td.field-review_link a"), row.locator("td.field-state")):
            box = cell.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= screen["width"]
        title = row.locator(".field-title a")
        lines = title.evaluate("a => Math.round(a.clientHeight / parseFloat(getComputedStyle(a).lineHeight))")
        assert lines <= 2
    if role == "reviewer" and screen["width"] == 1366:
        save_screenshot(page, "policy-list")


def test_the_lists_buttons_lead_an_editor_to_the_import(page, editor):
    log_in(page, editor)
    page.goto("/admin/policies/policy/")

    page.locator(".object-tools").get_by_role("link", name="Import files").click()

    expect(page.locator("#import-form")).to_be_visible()
