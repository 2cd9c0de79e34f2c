"""Every link the admin shows a person opens for them: no link leads an editor, a reviewer or an administrator to a
"permission denied" page.

Each role walks the admin from its home page, following every link on every page it reaches, over records in
every review state with their history, decisions, verdicts and an import conflict.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from accounts import tokens
from policies.models import Policy, ReviewState
from policies.transfer.importing import ImportOutcome
from reviews import workflow
from reviews.models import DimensionVerdict, Verdict
from tests.factories import (
    edit,
    edit_in_app,
    make_editor,
    make_policy,
    make_reviewer,
    make_user,
    put_in_state,
    run_import,
    write,
)

pytestmark = pytest.mark.django_db

# Pages whose visit does something (logging out), or that only repeat a page with other sorting and filters.
NOT_FOLLOWED = re.compile(r"/logout/|[?&](o|p|q|_changelist_filters|e)=|/jsi18n/|/static/|\?.*=.*&")
PAGES_VISITED = 400


def links(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', html)]


def walk(client: Client) -> dict[str, tuple[int, str]]:
    """Every admin address reachable by links from the home page: its status and the page that linked to it."""
    found: dict[str, tuple[int, str]] = {}
    queue = deque([("/admin/", "")])
    while queue and len(found) < PAGES_VISITED:
        url, linked_from = queue.popleft()
        if url in found:
            continue
        response = client.get(url)
        found[url] = (response.status_code, linked_from)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in links(response.content.decode()):
            target = urldefrag(href).url
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith("/admin/") or NOT_FOLLOWED.search(target):
                continue
            if target.startswith("?"):
                target = urlsplit(url).path + target
            if target not in found:
                queue.append((target, url))
    return found


CONFLICTING = "---\nid: conflicting\ntitle: 碳捕集与封存条例\ncountry: Norway\n---\nBody\n"


@pytest.fixture
def desk(db, tmp_path):
    """Records in every review state, with history by several people, decisions with verdicts and notes, an
    import conflict and an API token for each person."""
    editor, reviewer = make_editor("ed", first_name="Ada"), make_reviewer("rev", first_name="Rita")
    for user in (editor, reviewer):
        tokens.issue_token(user, by=user)
    path = write(tmp_path, "conflicting.md", CONFLICTING)
    run_import(path, user=editor)
    edit_in_app("conflicting", username="ed", title="碳捕集与封存条例（应用修订）")
    write(tmp_path, "conflicting.md", CONFLICTING.replace("条例", "条例（文件修订）"))
    assert run_import(path, user=editor).results[0].outcome is ImportOutcome.CONFLICT
    for state in ReviewState.values:
        policy = make_policy(user=editor, policy_id=f"record-{state}", title=f"记录 {state}")
        edit(policy, user=editor, title=f"改过的记录 {state}")
        put_in_state(policy, state, reviewer=reviewer, editor=editor)
    sent_back = make_policy(user=editor, policy_id="sent-back", title="退回的记录")
    event = workflow.request_changes(sent_back, user=reviewer, comment="请修改")
    DimensionVerdict.objects.create(event=event, dimension="mrv", verdict=Verdict.CORRECTED, note="比例不对")
    return {"editor": editor, "reviewer": reviewer, "admin": make_user("adm", groups=("Admin",))}


@pytest.mark.parametrize("role", ["editor", "reviewer", "admin"])
def test_every_link_a_person_is_shown_opens_for_them(role, desk):
    client = Client()
    client.force_login(desk[role])

    found = walk(client)

    assert len(found) > 30, "the walk reached the records, their history and the decisions"
    assert reverse("admin:reviews_reviewevent_changelist") in found
    refused = {url: linked_from for url, (status, linked_from) in found.items() if status == 403}
    assert refused == {}


@pytest.mark.parametrize(("role", "linked"), [("editor", False), ("reviewer", False), ("admin", True)])
def test_the_history_links_a_name_to_the_persons_page_only_for_those_who_may_open_it(role, linked, desk):
    client = Client()
    client.force_login(desk[role])
    record = Policy.objects.get(policy_id="record-pending")

    html = client.get(reverse("admin:policies_policy_history", args=[record.pk])).content.decode()

    user_page = reverse("admin:auth_user_change", args=[desk["editor"].pk])
    shown_as = rf'<a href="{user_page}">ed</a>' if linked else r"<td>\s*ed\s*</td>"
    assert re.search(shown_as, html), "the name, in the 'changed by' column"
    assert (f'href="{user_page}"' in html) == linked
