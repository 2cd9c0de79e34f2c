import re

import pytest

from policies.models import ImportConflict, Policy
from policies.transfer.importing import ImportOutcome
from tests.browser.pages import expect, log_in, save_screenshot
from tests.data import EXAMPLES
from tests.factories import run_import

pytestmark = pytest.mark.browser

RECORD = "intl-paris-art-6-4-ccs"
EVIDENCE = "正式立法确立了联合国监管下的全球碳资产标准，实现了物理减排量与国际货币化信用的深度绑定。"
APP_EVIDENCE = "正式立法确立了联合国监管下的全球碳资产标准，并以 2024 年监管机构标准实现了减排量与国际信用的绑定。"
FILE_EVIDENCE = "正式立法确立了联合国监管下的全球碳资产标准，实现了物理减排量与国际货币化信用的深度绑定（A6.4ERs）。"
ADDED = "已核对第 18/CMA.1 号决定。"


@pytest.fixture
def conflict(collection, editor, tmp_path) -> ImportConflict:
    """The seed corrected in the app (market evidence, MRV score, title) and regenerated as a file that changes
    the same three fields otherwise, and the statutory label."""
    policy = collection[RECORD]
    policy.market_evidence, policy.mrv_score = APP_EVIDENCE, 90
    policy.title = policy.title.replace("碳交易机制", "碳信用机制")
    policy.save_as(user=editor, reason="Corrected against the 2024 standards.")
    text = (EXAMPLES / f"{RECORD}.md").read_text(encoding="utf-8")
    for old, new in [
        (f"evidence: {EVIDENCE}", f"evidence: {FILE_EVIDENCE}"),
        ("score: 95", "score: 92"),
        ("title: 《巴黎协定》第 6.4 条碳交易机制", "title: 《巴黎协定》第 6.4 条减排机制"),
        ("label: 国际公约效力", "label: 国际公约与缔约方大会决定"),
    ]:
        assert old in text
        text = text.replace(old, new)
    (tmp_path / f"{RECORD}.md").write_text(text, encoding="utf-8")
    [result] = run_import(tmp_path).results
    assert result.outcome is ImportOutcome.CONFLICT, result
    return ImportConflict.objects.get()


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.className")


def test_an_editor_settles_an_import_conflict_by_keyboard_at_1366_by_768(page, clock, conflict, editor):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, editor)
    page.goto(f"/admin/policies/policy/{conflict.policy_id}/change/")
    notice = page.locator("#import-conflicts")
    expect(notice).to_contain_text(f"This record has an import conflict with {RECORD}.md:")
    notice.get_by_role("link", name="settle it").focus()
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text(f"Settle the import conflict of {RECORD}.md")
    page.keyboard.press("Tab")
    assert focused(page) == "skip-to-content-link"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the record's link in the introduction
    page.keyboard.press("Tab")
    # Market evidence: write another value, starting from the record's.
    assert focused(page) == "id_market_evidence-choice_0"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_market_evidence-choice_2")).to_be_checked()
    page.keyboard.press("Tab")
    assert focused(page) == "id_market_evidence-written"
    page.keyboard.press("Control+End")
    page.keyboard.type(ADDED)
    # MRV score: take the file's.
    page.keyboard.press("Tab")
    assert focused(page) == "id_mrv_score-choice_0"
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_mrv_score-choice_1")).to_be_checked()
    page.keyboard.press("Tab")
    assert focused(page) == "id_mrv_score-written"
    # Title: keep the record's.
    page.keyboard.press("Tab")
    assert focused(page) == "id_title-choice_0"
    page.keyboard.press("Space")
    expect(page.locator("#id_title-choice_0")).to_be_checked()
    expect(page.locator("#conflict-taken ins")).to_have_text("与缔约方大会决定")
    page.evaluate("window.scrollTo(0, 0)")
    save_screenshot(page, "settle-conflict")
    page.keyboard.press("Tab")
    assert focused(page) == "id_title-written"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")

    # The skip link's fragment stays in the address across the redirect.
    expect(page).to_have_url(re.compile(rf"/admin/policies/policy/{conflict.policy_id}/change/(#content-start)?$"))
    expect(page.locator(".messagelist .success")).to_contain_text(f"The import conflict of {RECORD}.md is settled")
    expect(page.locator("#import-conflicts")).to_have_count(0)
    policy = Policy.objects.get(policy_id=RECORD)
    assert policy.market_evidence == APP_EVIDENCE + ADDED
    assert (policy.mrv_score, policy.statutory_label) == (92, "国际公约与缔约方大会决定")
    assert "碳信用机制" in policy.title
    latest = policy.history.first()
    assert latest.history_user == editor
    assert latest.history_change_reason == (
        f"Settled the import conflict of {RECORD}.md: took analysis.mrv.score, analysis.statutory.label from the "
        "file, kept title, wrote analysis.market.evidence"
    )
