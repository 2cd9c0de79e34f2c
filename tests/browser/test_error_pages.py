"""The error pages a person can meet in the desk, in a real browser at a laptop's and a desktop's size: in the
admin's look, fitting the screen, each with a way back that works."""

import pytest

from tests.browser.pages import expect, log_in
from tests.factories import make_user

pytestmark = pytest.mark.browser

SCREENS = [{"width": 1366, "height": 768}, {"width": 1920, "height": 1080}]
PAGES = {
    "404": ("/admin/policies/policy/no-such-record/review/", 404, "Page not found"),
    "403": ("/admin/policies/policy/", 403, "Permission denied"),
    "400": ("/admin/policies/policy/?title__regex=x", 400, "Bad request"),
}


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s['width']}x{s['height']}")
@pytest.mark.parametrize("kind", PAGES)
def test_an_error_page_is_in_the_admins_look_fits_the_screen_and_leads_back_home(kind, screen, new_page, reviewer):
    url, status, heading = PAGES[kind]
    page = new_page()
    page.set_viewport_size(screen)
    # The 403: a signed-in person without the right to the list; the others: a reviewer.
    log_in(page, make_user("stan") if kind == "403" else reviewer)

    response = page.goto(url)

    assert response is not None and response.status == status
    expect(page.locator("#header")).to_be_visible()
    expect(page.locator("h1")).to_contain_text(heading)
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    page.get_by_role("link", name="Go to the home page").click()
    page.wait_for_url("**/admin/")
    expect(page.locator("#user-tools")).to_be_visible()


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s['width']}x{s['height']}")
def test_a_form_sent_without_its_security_token_gets_the_csrf_page_with_a_way_back_to_the_form(
    screen, new_page, reviewer
):
    page = new_page()
    page.set_viewport_size(screen)
    log_in(page, reviewer)
    page.goto("/admin/policies/policy/review-queue/")
    page.context.clear_cookies(name="csrftoken")  # as a browser that dropped the cookie, or an old tab

    with page.expect_response(lambda answer: answer.request.method == "POST") as sent:
        page.locator(".language-switch button").click()

    assert sent.value.status == 403
    expect(page.locator("#header")).to_be_visible()
    expect(page.locator("#content-main")).to_contain_text("Nothing was changed.")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    page.get_by_role("link", name="Reload the form").click()
    page.wait_for_url("**/review-queue/")
