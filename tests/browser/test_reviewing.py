import pytest

from policies.models import Policy, ReviewState
from reviews import workflow
from reviews.models import ReviewEvent
from tests.browser.pages import expect, log_in, save_screenshot
from tests.factories import approve

pytestmark = pytest.mark.browser

EDITED = "de-dac-hubs-2024"


def test_a_reviewer_reads_the_diff_ticks_every_dimension_approves_and_gets_the_next_record(
    page, live_server, clock, collection, editor, reviewer, second_reviewer
):
    policy = collection[EDITED]
    clock.advance(minutes=30)
    approve(policy, second_reviewer)
    clock.advance(days=2, hours=3, minutes=12)
    policy.mrv_score = 64
    policy.mrv_evidence = policy.mrv_evidence.replace("2-year", "10-year")
    policy.save_as(user=editor, reason="The decision sets a 10-year monitoring period.")
    clock.advance(hours=1)
    longest_waiting = workflow.review_queue(reviewer)[0]

    log_in(page, reviewer)
    page.get_by_role("link", name="Your review queue").click()
    queue = page.locator("#review-queue")
    expect(queue.locator("tbody tr")).to_have_count(len(collection))
    save_screenshot(page, "review-queue")
    queue.get_by_role("link", name=str(policy)).click()

    expect(page.locator(".review-diff")).to_contain_text("Analysis: MRV")
    expect(page.locator(".review-diff del")).to_have_text(["69", "2-year"])
    expect(page.locator(".review-diff ins")).to_have_text(["64", "10-year"])
    save_screenshot(page, "review-screen")
    for dimension in workflow.dimensions_present(policy):
        page.locator(f'input[name="verdict_{dimension}"][value="confirmed"]').check()
    page.locator('textarea[name="note_mrv"]').fill("Checked the 10-year period against the decision.")
    page.locator('button[name="action"][value="approve"]').click()

    expect(page).to_have_url(f"{live_server.url}/admin/policies/policy/{longest_waiting.pk}/review/")
    expect(page.locator(".messagelist")).to_contain_text(f"{policy}: approve")
    expect(page.locator("h1").filter(has_text=longest_waiting.title)).to_be_visible()
    policy.refresh_from_db()
    assert policy.state == ReviewState.VERIFIED
    assert policy.provenance_reviewer == "Rita Reviewer"
    event = ReviewEvent.objects.filter(policy=policy).latest("id")
    assert event.actor == reviewer
    assert dict(event.verdicts.values_list("dimension", "verdict")) == {
        "market": "confirmed",
        "mrv": "confirmed",
        "statutory": "confirmed",
        "strategic": "confirmed",
        "incentive": "confirmed",
    }
    assert Policy.objects.pending().count() == len(collection) - 1
