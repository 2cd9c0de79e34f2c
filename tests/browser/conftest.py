"""The admin in a real browser: Debian's Chromium, driven by Playwright's sync API, against pytest-django's live
server (which makes each test transactional).

Where Chromium or Playwright is missing the tests are skipped, saying how to install them; with REQUIRE_BROWSER=1
(as `.ci/run` sets) they fail instead, so CI cannot pass without having run them.
"""

from __future__ import annotations

import datetime
import importlib.util
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from policies.models import Policy
from tests.data import EXAMPLES
from tests.factories import import_folder, make_editor, make_reviewer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}
REPORT_BLOCKED = """document.addEventListener("securitypolicyviolation",
    (event) => window.reportBlocked(event.effectiveDirective, event.documentURI));"""


def _missing_browser() -> str | None:
    if not CHROMIUM.exists():
        return (
            f"{CHROMIUM} is missing: install Debian's Chromium to run the browser tests "
            "(apt-get install chromium fonts-wqy-microhei)"
        )
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing: pip install -r requirements.txt"
    return None


@pytest.fixture
def browser() -> Iterator:
    missing = _missing_browser()
    if missing:
        if os.environ.get("REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}:
            pytest.fail(f"REQUIRE_BROWSER is set but {missing}", pytrace=False)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while it is started, so Django takes the
    # ORM calls made here for async code (pytest-django's docs advise this switch) and gives them connections of
    # their own, closed before the loop stops. Started per test, it is stopped before pytest-django flushes.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            connections.close_all()


@pytest.fixture
def dialogs() -> list[str]:
    """The messages of the alerts, confirms and prompts the test's pages opened (each is dismissed)."""
    return []


@pytest.fixture
def new_page(browser, live_server, dialogs) -> Iterator[Callable]:
    """Opens a page in a browser context of its own (its own cookies: one signed-in user each).

    A dialog, an uncaught script error or a script or stylesheet blocked by the Content Security Policy on any
    page fails the test.
    """
    contexts = []
    errors: list[str] = []

    def open_page(**options):
        """`options` go to the browser context: `locale="zh-CN"` for a Chinese browser."""
        context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, accept_downloads=True, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        context.expose_function("reportBlocked", lambda directive, url: _note_blocked(directive, url, errors))
        context.add_init_script(REPORT_BLOCKED)
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not dialogs, f"a page opened a dialog: {dialogs}"
    assert not errors, f"a page broke: {errors}"


def _note_blocked(directive: str, url: str, errors: list[str]) -> None:
    # A script or stylesheet the Content Security Policy blocked leaves a screen half working, with no other sign.
    # A blocked style attribute only changes looks (simple-history's history list has one outside any block).
    if directive != "style-src-attr":
        errors.append(f"{url}: the Content Security Policy blocked {directive}")


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def groups(transactional_db) -> None:
    """The Editor, Reviewer and Admin groups, made again by their data migrations' own code where missing.

    A transactional test (every test with a live server) ends by emptying every table, groups included.
    """
    if Group.objects.filter(name__in=["Editor", "Reviewer", "Admin"]).count() == 3:
        return
    loader = MigrationLoader(connection)
    for migration, function in [("0002_review_groups", "create_groups"), ("0005_import_conflict_permissions", "grant")]:
        state_apps = loader.project_state(("reviews", migration)).apps
        getattr(importlib.import_module(f"reviews.migrations.{migration}"), function)(state_apps, None)


@pytest.fixture
def editor(groups):
    return make_editor(first_name="Ada", last_name="Editor")


@pytest.fixture
def second_editor(groups):
    return make_editor("editor2", first_name="Ben", last_name="Second")


@pytest.fixture
def reviewer(groups):
    return make_reviewer(first_name="Rita", last_name="Reviewer")


@pytest.fixture
def second_reviewer(groups):
    return make_reviewer("reviewer2", first_name="Ravi", last_name="Second")


@pytest.fixture
def collection(transactional_db) -> dict[str, Policy]:
    """The example collection, imported as the import command does: every record pending review."""
    import_folder(EXAMPLES)
    return {policy.policy_id: policy for policy in Policy.objects.all()}


class Clock:
    """A stopped clock for the whole process, live server included, moved on only by the test."""

    def __init__(self, start: datetime.datetime) -> None:
        self.current = start

    def now(self) -> datetime.datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    # The screenshots are committed: with the times they show fixed, a test run leaves them byte for byte alone.
    clock = Clock(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC))
    monkeypatch.setattr(timezone, "now", clock.now)
    return clock
