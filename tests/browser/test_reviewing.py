import pytest

from policies.models import Policy, ReviewState
from reviews import workflow
from reviews.models import ReviewAction, ReviewEvent
from tests.browser.pages import expect, log_in, save_screenshot
from tests.factories import approve

pytestmark = pytest.mark.browser

EDITED = "de-dac-hubs-2024"
# A laptop's screen and a desktop's, as Chromium's window shows pages on them.
WINDOWS = {"laptop": {"width": 1366, "height": 768}, "desktop": {"width": 1920, "height": 1080}}


def scrolled(page) -> dict[str, float]:
    return page.evaluate(
        """() => ({y: window.scrollY, x: window.scrollX,
                   overflow: document.scrollingElement.scrollWidth - window.innerWidth})"""
    )


def assert_panel_in_view_without_scrolling(page) -> None:
    position = scrolled(page)
    assert position["y"] == 0 and position["x"] == 0, position
    assert position["overflow"] <= 0, f"the page scrolls sideways by {position['overflow']} px"
    box = page.locator("#decision-panel").bounding_box()
    viewport = page.viewport_size
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (box, viewport)
    assert box["x"] + box["width"] <= viewport["width"], (box, viewport)


def queue_starting_with_a_clean_record(reviewer, other_reviewer) -> list[Policy]:
    """The reviewer's queue, once the records ahead of the first one without warnings were rejected."""
    for policy in workflow.review_queue(reviewer):
        if not Policy.objects.get(pk=policy.pk).warnings.exists():
            break
        workflow.reject(policy, user=other_reviewer, comment="Out of scope.")
    return list(workflow.review_queue(reviewer))


def open_first_from_the_queue(page) -> None:
    page.get_by_role("link", name="Your review queue").click()
    page.get_by_role("link", name="Start with the first").click()
    # The keys work once the screen's script has started (a person is never that quick).
    expect(page.locator("#decision-panel[data-keys=ready]")).to_be_visible()


def test_a_reviewer_reads_the_changes_confirms_every_dimension_approves_and_gets_the_next_record(
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
    queue = list(workflow.review_queue(reviewer))
    following = queue[(queue.index(policy) + 1) % len(queue)]

    page.set_viewport_size(WINDOWS["laptop"])
    log_in(page, reviewer)
    page.get_by_role("link", name="Your review queue").click()
    listed = page.locator("#review-queue")
    expect(listed.locator("tbody tr")).to_have_count(len(collection))
    save_screenshot(page, "review-queue")
    listed.get_by_role("link", name=str(policy)).click()

    mrv = page.locator("#section-analysis\\.mrv")
    expect(mrv.locator("h2")).to_contain_text("Analysis: MRV")
    expect(mrv.locator(".review-diff del")).to_have_text(["69", "2-year"])
    expect(mrv.locator(".review-diff ins")).to_have_text(["64", "10-year"])
    expect(page.locator("#queue-place")).to_have_text(f"{queue.index(policy) + 1} of {len(queue)}")
    mrv.scroll_into_view_if_needed()
    expect(page.locator("#decision-panel")).to_be_in_viewport()
    save_screenshot(page, "review-screen")
    page.locator("#confirm-all").click()
    page.locator('button[name="action"][value="approve"]').click()

    expect(page).to_have_url(f"{live_server.url}/admin/policies/policy/{following.pk}/review/")
    expect(page.locator(".messagelist")).to_contain_text(f"{policy}: approve")
    expect(page.locator("h1").filter(has_text=following.title)).to_be_visible()
    policy.refresh_from_db()
    assert policy.state == ReviewState.VERIFIED
    assert policy.provenance_reviewer == "Rita Reviewer"
    event = ReviewEvent.objects.filter(policy=policy).latest("id")
    assert event.actor == reviewer
    assert dict(event.verdicts.values_list("dimension", "verdict")) == dict.fromkeys(
        workflow.dimensions_present(policy), "confirmed"
    )
    assert Policy.objects.pending().count() == len(collection) - 1


@pytest.mark.parametrize("window", WINDOWS)
def test_a_reviewer_approves_a_clean_record_from_the_queue_in_two_key_presses_without_scrolling(
    window, page, live_server, collection, reviewer, second_reviewer
):
    page.set_viewport_size(WINDOWS[window])
    first, following = queue_starting_with_a_clean_record(reviewer, second_reviewer)[:2]
    log_in(page, reviewer)
    open_first_from_the_queue(page)
    assert_panel_in_view_without_scrolling(page)

    page.keyboard.press("a")
    assert_panel_in_view_without_scrolling(page)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/admin/policies/policy/{following.pk}/review/")
    expect(page.locator("#decision-panel[data-keys=ready]")).to_be_visible()
    assert_panel_in_view_without_scrolling(page)
    first.refresh_from_db()
    assert (first.state, first.provenance_reviewer) == (ReviewState.VERIFIED, "Rita Reviewer")
    event = ReviewEvent.objects.get(policy=first)
    assert (event.action, event.actor, event.version) == (ReviewAction.APPROVE, reviewer, first.version - 1)
    assert dict(event.verdicts.values_list("dimension", "verdict")) == dict.fromkeys(
        workflow.dimensions_present(first), "confirmed"
    )


@pytest.mark.parametrize("window", WINDOWS)
def test_a_reviewer_marks_a_dimension_wrong_and_requests_changes_with_its_note_by_keyboard(
    window, page, live_server, collection, reviewer, second_reviewer
):
    page.set_viewport_size(WINDOWS[window])
    first = queue_starting_with_a_clean_record(reviewer, second_reviewer)[0]
    dimensions = workflow.dimensions_present(first)
    log_in(page, reviewer)
    open_first_from_the_queue(page)

    page.keyboard.press("a")
    page.keyboard.press("Shift+Digit2")
    note = page.locator(f'textarea[name="note_{dimensions[1]}"]')
    expect(note).to_be_focused()
    expect(page.locator('button[name="action"][value="approve"]')).to_be_disabled()
    expect(page.locator('button[name="action"][value="request_changes"]')).to_have_class("default")
    page.keyboard.type("证据引用的是 2019 年的旧版规则。")
    assert_panel_in_view_without_scrolling(page)
    page.keyboard.press("Control+Enter")

    expect(page.locator(".messagelist")).to_contain_text(f"{first}: changes requested")
    first.refresh_from_db()
    assert first.state == ReviewState.CHANGES_REQUESTED
    event = ReviewEvent.objects.get(policy=first)
    assert (event.action, event.actor) == (ReviewAction.REQUEST_CHANGES, reviewer)
    assert event.comment.endswith(": 证据引用的是 2019 年的旧版规则。")
    verdicts = {v.dimension: (v.verdict, v.note) for v in event.verdicts.all()}
    assert verdicts[dimensions[1]] == ("wrong", "证据引用的是 2019 年的旧版规则。")
    assert {d: v for d, (v, _) in verdicts.items() if d != dimensions[1]} == dict.fromkeys(
        [d for d in dimensions if d != dimensions[1]], "confirmed"
    )


@pytest.mark.parametrize("window", WINDOWS)
def test_question_mark_lists_the_shortcuts_and_escape_closes_them(window, page, collection, reviewer, second_reviewer):
    page.set_viewport_size(WINDOWS[window])
    log_in(page, reviewer)
    open_first_from_the_queue(page)
    shortcuts = page.locator("#review-shortcuts")
    expect(shortcuts).to_be_hidden()

    page.keyboard.press("?")

    expect(shortcuts).to_be_visible()
    for text in ("All dimensions confirmed", "Request changes", "Reject", "Skip", "Next · previous record"):
        expect(shortcuts).to_contain_text(text)
    page.keyboard.press("a")  # the list is open: no verdict is given behind it
    expect(page.locator("input[type=radio]:checked")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(shortcuts).to_be_hidden()
    assert scrolled(page)["overflow"] <= 0


def test_after_closing_the_shortcuts_opened_by_their_button_enter_decides(
    page, live_server, collection, reviewer, second_reviewer
):
    first, following = queue_starting_with_a_clean_record(reviewer, second_reviewer)[:2]
    log_in(page, reviewer)
    open_first_from_the_queue(page)
    page.locator("#show-shortcuts").click()
    expect(page.locator("#review-shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#review-shortcuts")).to_be_hidden()

    # The focus went back to the button that opened the list: Enter must decide, not open the list again.
    page.keyboard.press("a")
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/admin/policies/policy/{following.pk}/review/")
    first.refresh_from_db()
    assert first.state == ReviewState.VERIFIED


def test_skip_next_and_previous_move_through_the_queue_by_key(page, live_server, collection, reviewer):
    queue = list(workflow.review_queue(reviewer))
    log_in(page, reviewer)
    open_first_from_the_queue(page)
    expect(page.locator("#queue-place")).to_have_text(f"1 of {len(queue)}")

    page.keyboard.press("s")
    expect(page).to_have_url(f"{live_server.url}/admin/policies/policy/{queue[1].pk}/review/")
    expect(page.locator("#queue-place")).to_have_text(f"2 of {len(queue)}")
    expect(page.locator("#decision-panel[data-keys=ready]")).to_be_visible()
    page.keyboard.press("n")
    expect(page).to_have_url(f"{live_server.url}/admin/policies/policy/{queue[2].pk}/review/")
    expect(page.locator("#decision-panel[data-keys=ready]")).to_be_visible()
    page.keyboard.press("p")
    expect(page).to_have_url(f"{live_server.url}/admin/policies/policy/{queue[1].pk}/review/")
    assert Policy.objects.pending().count() == len(collection)


def test_a_record_changed_while_open_shows_the_change_keeps_the_verdicts_and_is_approved_as_it_is_now(
    page, live_server, collection, editor, reviewer, second_reviewer
):
    page.set_viewport_size(WINDOWS["laptop"])
    first = queue_starting_with_a_clean_record(reviewer, second_reviewer)[0]
    score = f"{workflow.dimensions_present(first)[0]}_score"
    seen, old_score = first.version, getattr(first, score)
    log_in(page, reviewer)
    open_first_from_the_queue(page)
    page.keyboard.press("a")
    edited = Policy.objects.get(pk=first.pk)
    setattr(edited, score, 12)
    edited.save_as(user=editor, reason="Rescored.")

    page.keyboard.press("Enter")

    stale = page.locator("#review-stale")
    expect(stale).to_contain_text(f"between version {seen}, which you saw, and version {seen + 1}")
    expect(stale.locator(f"[data-field={score}] del")).to_have_text(str(old_score))
    expect(stale.locator(f"[data-field={score}] ins")).to_have_text("12")
    expect(stale.get_by_role("link", name="Review the current version")).to_be_visible()
    verdicts = page.locator(".review-verdict")
    expect(verdicts.locator("input[value=confirmed]:checked")).to_have_count(verdicts.count())
    first.refresh_from_db()
    assert (first.state, first.version) == (ReviewState.PENDING, seen + 1)

    expect(page.locator("#decision-panel[data-keys=ready]")).to_be_visible()
    page.keyboard.press("Enter")

    expect(page.locator(".messagelist")).to_contain_text(f"{first}: approved")
    event = ReviewEvent.objects.get(policy=first, action=ReviewAction.APPROVE)
    assert (event.actor, event.version) == (reviewer, seen + 1)


def test_a_reviewer_rejects_by_keyboard_after_saying_why(page, live_server, collection, reviewer):
    first, following = list(workflow.review_queue(reviewer))[:2]
    log_in(page, reviewer)
    open_first_from_the_queue(page)

    page.keyboard.press("x")
    comment = page.locator("textarea[name=comment]")
    expect(comment).to_be_focused()
    expect(page.locator("#review-panel-status")).to_have_text("Say why in the comment, then press Ctrl+Enter.")
    expect(page.locator('button[name="action"][value="reject"]')).to_have_class("default")
    page.keyboard.type("重复记录：与 2021 年的规则相同。")
    page.keyboard.press("Control+Enter")

    expect(page).to_have_url(f"{live_server.url}/admin/policies/policy/{following.pk}/review/")
    first.refresh_from_db()
    assert first.state == ReviewState.REJECTED
    event = ReviewEvent.objects.get(policy=first)
    assert (event.action, event.actor, event.comment) == (
        ReviewAction.REJECT,
        reviewer,
        "重复记录：与 2021 年的规则相同。",
    )


def test_on_a_narrow_window_the_decision_panel_follows_the_record_and_nothing_scrolls_sideways(
    page, collection, reviewer
):
    page.set_viewport_size({"width": 900, "height": 800})
    log_in(page, reviewer)
    open_first_from_the_queue(page)

    record = page.locator("#review-record").bounding_box()
    panel = page.locator("#decision-panel").bounding_box()
    assert record is not None and panel is not None
    assert panel["y"] >= record["y"] + record["height"]
    assert scrolled(page)["overflow"] <= 0
