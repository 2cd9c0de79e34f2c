"""What the browser tests do on a page: sign in, expect, and keep a screenshot for the README."""

from __future__ import annotations

from tests.data import ROOT

SCREENSHOTS = ROOT / "docs" / "screenshots"


def expect(actual):
    """Playwright's retrying assertions, imported late so that a machine without Playwright skips, not errors."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(actual)


def log_in(page, user) -> None:
    """Sign in through the admin's own login form, with the password `make_user` gives."""
    page.goto("/admin/login/?next=/admin/")
    page.locator("#id_username").fill(user.get_username())
    page.locator("#id_password").fill(f"pw-{user.get_username()}")
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url("**/admin/")
    assert page.locator("#user-tools").is_visible(), "the login form did not sign the user in"


def save_screenshot(page, name: str) -> None:
    """Write the page as docs/screenshots/<name>.png (the README shows it), only where its pixels changed."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    data = page.screenshot(type="png", animations="disabled", caret="hide")
    if not target.exists() or target.read_bytes() != data:
        target.write_bytes(data)
