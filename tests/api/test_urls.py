"""Every URL of the API (api/urls.py, walked) answers in JSON and in a browser, for a signed-in user who may do
everything: the status it should, never a 500, and nothing changes.

A browser asks for HTML first, and gets DRF's browsable API; that renderer asks a view more than JSON does (its
queryset, for filter forms; a description of it, for OPTIONS), and the history and review events answered every
browser with a 500.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from api import urls
from tests.factories import approve, edit, make_policy
from tests.snapshots import database_state

pytestmark = pytest.mark.django_db

JSON = "application/json"
HTML = "text/html"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACCEPTS = (JSON, HTML, BROWSER)
DECISIONS = ["approve", "request-changes", "reject", "reopen", "withdraw", "resubmit"]
# What a GET of each URL answers to each of ACCEPTS.
GET = {
    "policy-list": (200, 200, 200),
    "policy-detail": (200, 200, 200),
    "policy-file": (406, 406, 200),  # the file is text/markdown only, which a browser also takes
    "policy-history": (200, 200, 200),
    "policy-reviews": (200, 200, 200),
    **{f"policy-{decision}": (405, 405, 405) for decision in DECISIONS},
    "schema": (200, 406, 200),  # YAML or JSON
    "docs": (406, 200, 200),  # an HTML page
    "no-such-endpoint": (404, 404, 404),
}
# What the other methods may answer: a body of `{}` is refused (400, 428) where the method is allowed.
OTHER_METHODS = ("post", "patch", "put", "delete", "options")
REFUSED_OR_DESCRIBED = {200, 400, 404, 405, 406, 428}


@pytest.fixture
def record(editor, reviewer):
    """A record with a published version, a newer one, a history and review events."""
    policy = make_policy(user=editor, policy_id="a-record")
    approve(policy, reviewer)
    return edit(policy, user=editor, title="Edited after its approval")


@pytest.fixture
def browser(client, superuser):
    client.force_login(superuser)
    return client


def api_urls(policy_id: str) -> dict[str, str]:
    return {
        pattern.name: reverse(
            f"api:{pattern.name}", kwargs={"policy_id": policy_id} if "policy_id" in str(pattern.pattern) else {}
        )
        for pattern in urls.urlpatterns
    }


# Every pattern of api/urls.py: one missing from GET fails its test.
NAMES = [pattern.name for pattern in urls.urlpatterns]


@pytest.mark.parametrize("name", NAMES)
def test_every_api_url_answers_a_get_in_json_and_in_a_browser(name, record, browser):
    url = api_urls(record.policy_id)[name]

    answered = tuple(browser.get(url, HTTP_ACCEPT=accept).status_code for accept in ACCEPTS)

    assert answered == GET[name]
    if answered[1] == 200 and name.startswith("policy-"):
        page = browser.get(url, HTTP_ACCEPT=HTML)
        assert page["Content-Type"] == "text/html; charset=utf-8"
        assert 'class="response-info"' in page.content.decode(), "the browsable API's page, showing the answer"


@pytest.mark.parametrize("name", NAMES)
def test_every_api_url_refuses_or_describes_other_methods_in_json_and_in_a_browser_and_changes_nothing(
    name, record, browser
):
    url = api_urls(record.policy_id)[name]
    allowed = {404} if name == "no-such-endpoint" else REFUSED_OR_DESCRIBED
    before = database_state()

    for method in OTHER_METHODS:
        for accept in ACCEPTS:
            response = getattr(browser, method)(url, "{}", content_type=JSON, HTTP_ACCEPT=accept)
            assert response.status_code in allowed, (method.upper(), accept, response.status_code)

    assert database_state() == before
