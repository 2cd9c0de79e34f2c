import pytest
from django.db import models

from policies.models import ANALYSIS_DIMENSIONS, Policy
from reviews import workflow
from tests.browser.pages import expect, log_in

pytestmark = pytest.mark.browser

PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "{{ 7|add:1 }}")
HOSTILE = " ".join(PAYLOADS)
NOT_TEXT = {"policy_id", "state", "extra", "url"}

# Anything that could run: a handler attribute, a javascript: link, or a script element holding a payload.
LIVE_MARKUP = """() => {
    const found = [];
    for (const element of document.querySelectorAll("*")) {
        for (const attribute of element.attributes) {
            if (attribute.name.startsWith("on")) found.push(`${element.tagName} ${attribute.name}`);
        }
    }
    for (const link of document.querySelectorAll("a[href], area[href], iframe[src], form[action]")) {
        const target = link.getAttribute("href") || link.getAttribute("src") || link.getAttribute("action");
        if (/^\\s*javascript:/i.test(target)) found.push(`${link.tagName} ${target}`);
    }
    for (const script of document.querySelectorAll("script")) {
        if (script.textContent.includes("alert(1)")) found.push("script " + script.textContent);
    }
    return found;
}"""


def hostile_policy() -> Policy:
    """A record whose every text field, list item and unknown key holds each payload."""
    policy = Policy(policy_id="hostile-record", year=2025)
    for field in Policy._meta.concrete_fields:
        if field.name in NOT_TEXT or not field.editable:
            continue
        if isinstance(field, models.CharField | models.TextField):
            setattr(policy, field.name, HOSTILE)
        elif isinstance(field, models.JSONField):
            setattr(policy, field.name, list(PAYLOADS))
    for dimension in ANALYSIS_DIMENSIONS:
        setattr(policy, f"{dimension}_score", 50)
    policy.url = "https://example.org/<script>alert(1)</script>"
    policy.extra = "".join(f'note{i}: "{payload}"\n' for i, payload in enumerate(PAYLOADS))
    return policy


def assert_inert(page, *, shows_text: bool = True) -> None:
    assert page.evaluate(LIVE_MARKUP) == [], page.url
    if shows_text:
        expect(page.locator("#content")).to_contain_text(HOSTILE)


def test_hostile_text_stays_inert_on_the_change_form_review_screen_lists_and_history(
    new_page, dialogs, editor, reviewer, second_reviewer
):
    policy = hostile_policy()
    policy.save_as(user=editor, reason=HOSTILE)
    workflow.approve(
        policy,
        user=second_reviewer,
        expected_version=policy.version,
        verdicts={d: workflow.DimensionCheck("confirmed", HOSTILE) for d in workflow.dimensions_present(policy)},
        comment=HOSTILE,
    )
    editor_page = new_page()
    log_in(editor_page, editor)

    editor_page.goto(f"/admin/policies/policy/{policy.pk}/change/")
    assert_inert(editor_page, shows_text=False)
    expect(editor_page.locator("#id_title")).to_have_value(HOSTILE)
    expect(editor_page.locator("#id_description")).to_have_value(HOSTILE)
    preview = editor_page.locator("#preview-description")
    editor_page.locator("#id_description").fill(f"{HOSTILE}\n\n**previewed**")
    expect(preview.locator("strong")).to_have_text("previewed")
    expect(preview).to_have_attribute("data-state", "ready")
    assert_inert(editor_page, shows_text=False)
    editor_page.locator("#id_description").fill(HOSTILE)
    # The live server shares one in-memory database connection between its threads: a preview still in flight
    # when the form is saved could interleave with the save's transaction (the flake this wait removed).
    expect(preview).to_have_attribute("data-state", "ready")
    editor_page.locator("#id_title").fill(f"{HOSTILE} (2)")
    editor_page.locator("#id_change_reason").fill(HOSTILE)
    editor_page.locator("input[name=_save]").click()
    expect(editor_page.locator(".messagelist .success")).to_contain_text(f"{HOSTILE} (2)")
    assert_inert(editor_page)
    editor_page.goto("/admin/")
    assert_inert(editor_page)
    editor_page.goto(f"/admin/policies/policy/{policy.pk}/history/")
    assert_inert(editor_page)

    reviewer_page = new_page()
    log_in(reviewer_page, reviewer)
    reviewer_page.goto(f"/admin/policies/policy/{policy.pk}/review/")
    expect(reviewer_page.locator(".review-diff ins").filter(has_text="(2)")).to_have_count(1)
    assert_inert(reviewer_page)
    reviewer_page.goto("/admin/policies/policy/review-queue/")
    assert_inert(reviewer_page)
    reviewer_page.goto("/admin/reviews/reviewevent/")
    assert_inert(reviewer_page)

    assert dialogs == []
