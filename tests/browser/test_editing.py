import pytest

from policies.models import ReviewState
from policies.records import CONTENT_FIELDS
from reviews.models import ReviewAction, ReviewEvent
from tests.browser.pages import expect, log_in
from tests.factories import approve

pytestmark = pytest.mark.browser

RECORD = "no-methane-rules-2024"


def open_change_form(page, policy) -> None:
    page.goto(f"/admin/policies/policy/{policy.pk}/change/")
    expect(page.locator("#id_mrv_score")).to_be_visible()


def test_an_editor_corrects_a_score_within_0_to_100_and_the_verified_record_goes_back_to_the_queue(
    new_page, collection, editor, reviewer, second_reviewer
):
    policy = collection[RECORD]
    approve(policy, second_reviewer)
    verified_version = policy.version
    page = new_page()
    log_in(page, editor)
    page.get_by_role("link", name="Policies", exact=True).first.click()
    page.locator("#searchbar").fill(policy.policy_id)
    page.locator("#changelist-search [type=submit]").click()
    page.locator("#result_list").get_by_role("link", name=policy.title, exact=True).click()

    score = page.locator("#id_mrv_score")
    score.fill("150")
    page.locator("#id_change_reason").fill("Rescored MRV after reading the monitoring rules.")
    page.locator("input[name=_save]").click()

    # The browser refuses to send it, saying why; without the browser's check the server refuses it too.
    assert "100" in score.evaluate("input => input.validationMessage")
    score.evaluate("input => input.removeAttribute('max')")
    page.locator("input[name=_save]").click()
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator("#id_mrv_score_error")).to_contain_text("100")
    policy.refresh_from_db()
    assert (policy.version, policy.state) == (verified_version, ReviewState.VERIFIED)

    score.fill("58")
    page.locator("input[name=_save]").click()

    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    row = page.locator("#result_list tbody tr").filter(has_text=RECORD)
    expect(row.locator(".field-state")).to_have_text(str(ReviewState.PENDING.label))
    policy.refresh_from_db()
    assert (policy.mrv_score, policy.state) == (58, ReviewState.PENDING)
    edit = ReviewEvent.objects.filter(policy=policy).latest("id")
    assert (edit.action, edit.actor) == (ReviewAction.EDIT, editor)
    assert policy.history.latest().history_change_reason == "Rescored MRV after reading the monitoring rules."

    reviewer_page = new_page()
    log_in(reviewer_page, reviewer)
    reviewer_page.get_by_role("link", name="Your review queue").click()
    reviewer_page.locator("#review-queue").get_by_role("link", name=str(policy)).click()
    score_row = reviewer_page.locator(".review-field[data-field=mrv_score]")
    expect(score_row.locator("del")).to_have_text("71")
    expect(score_row.locator("ins")).to_have_text("58")


def test_a_second_editor_saving_a_stale_form_is_warned_who_changed_the_record_and_nothing_is_overwritten(
    new_page, collection, editor, second_editor
):
    policy = collection[RECORD]
    first, second = new_page(), new_page()
    log_in(first, editor)
    log_in(second, second_editor)
    open_change_form(first, policy)
    open_change_form(second, policy)

    first.locator("#id_mrv_score").fill("64")
    first.locator("#id_change_reason").fill("MRV rescored against the 2024 rules.")
    first.locator("input[name=_save]").click()
    expect(first.locator(".messagelist .success")).to_contain_text("was changed successfully")

    second.locator("#id_mrv_label").fill("Third-party verification")
    second.locator("input[name=_save]").click()

    expect(second.locator(".errornote")).to_be_visible()
    refusal = second.locator(".errorlist.nonfield")
    expect(refusal).to_contain_text("Not saved: Ada Editor changed this record after you opened it")
    expect(refusal).to_contain_text("MRV rescored against the 2024 rules.")
    expect(second.locator("#edit-conflict")).to_contain_text("MRV rescored against the 2024 rules.")
    expect(second.locator("#edit-conflict tr[data-field=mrv_score] del")).to_have_text("71")
    expect(second.locator("#id_mrv_label")).to_have_value("Third-party verification")
    policy.refresh_from_db()
    assert (policy.mrv_score, policy.mrv_label) == (64, "Reversal risk buffer")
    assert policy.history.latest().history_user == editor


def test_saving_the_change_form_untouched_changes_no_field(page, collection, editor):
    policy = collection[RECORD]
    before = {name: getattr(policy, name) for name in CONTENT_FIELDS}
    log_in(page, editor)
    open_change_form(page, policy)

    page.locator("input[name=_save]").click()

    expect(page.locator(".messagelist")).to_be_visible()
    policy.refresh_from_db()
    changed = {name for name in CONTENT_FIELDS if getattr(policy, name) != before[name]}
    assert changed == set()
