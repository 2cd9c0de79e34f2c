"""The import conflicts in the admin: the list, the read-only detail, the settle page and the links to them."""

import html
import re

import pytest
from django.urls import reverse

from policies.models import ImportConflict, Policy
from policies.transfer.importing import ImportOutcome
from tests.factories import edit_in_app, make_user, run_import

pytestmark = pytest.mark.django_db

SETTLER_PERMS = (
    "policies.view_policy",
    "policies.change_policy",
    "policies.view_importconflict",
    "policies.change_importconflict",
)
FILE = """---
id: c
title: 碳捕集与封存条例
country: Norway
analysis:
  market:
    score: 40
    evidence: 原始证据：第一条规定了封存场地的许可。
---
Body
"""
APP_EVIDENCE = "应用中的证据：第一条规定了封存场地的许可与监测。"
FILE_EVIDENCE = "文件中的证据：第一条规定了封存场地的许可，第二条规定了责任转移。"


@pytest.fixture
def settler(client):
    user = make_user("settler", perm_names=SETTLER_PERMS, first_name="Sam", last_name="Settler")
    client.force_login(user)
    return user


@pytest.fixture
def conflict(tmp_path):
    """Title, market score and evidence changed in the app and in the file; the country in the file only."""
    path = tmp_path / "c.md"
    path.write_text(FILE)
    run_import(tmp_path)
    edit_in_app(
        "c",
        username="app-editor",
        reason="Corrected in the app",
        title="碳捕集与封存条例（应用修订）",
        market_score=55,
        market_evidence=APP_EVIDENCE,
    )
    path.write_text(
        FILE.replace("title: 碳捕集与封存条例", "title: 碳捕集与封存条例（文件修订）")
        .replace("score: 40", "score: 65")
        .replace("原始证据：第一条规定了封存场地的许可。", FILE_EVIDENCE)
        .replace("country: Norway", "country: 挪威")
    )
    [result] = run_import(tmp_path).results
    assert result.outcome is ImportOutcome.CONFLICT, result
    return ImportConflict.objects.get()


def settle_url(conflict):
    return reverse("admin:policies_importconflict_settle", args=[conflict.pk])


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def cell(page: str, field: str, side: str) -> str:
    """The text of one value on the settle page: `side` is base, ours or theirs."""
    block = re.search(rf'<fieldset[^>]*data-field="{field}".*?</fieldset>', page, re.S)
    assert block, f"no row for {field}"
    value = re.search(rf'<td class="conflict-value" data-side="{side}">(.*?)</td>', block.group(0), re.S)
    assert value, f"no {side} value for {field}"
    return value.group(1)


def posted(conflict, **choices):
    data = {"expected_version": conflict.version}
    for name, choice in choices.items():
        if isinstance(choice, tuple):
            data[f"{name}-choice"], data[f"{name}-written"] = choice
        else:
            data[f"{name}-choice"] = choice
    return data


def test_the_settle_page_shows_each_conflicting_field_with_the_base_the_records_and_the_files_value(
    client, settler, conflict
):
    response = client.get(settle_url(conflict))

    assert response.status_code == 200
    page = response.content.decode()
    assert conflict.field_names == ["market_score", "market_evidence", "title"]
    expected = {
        "title": ("碳捕集与封存条例", "碳捕集与封存条例（应用修订）", "碳捕集与封存条例（文件修订）"),
        "market_score": ("40", "55", "65"),
        "market_evidence": ("原始证据：第一条规定了封存场地的许可。", APP_EVIDENCE, FILE_EVIDENCE),
    }
    for field, (base, ours, theirs) in expected.items():
        assert text_of(cell(page, field, "base")) == base
        # Each side's value is shown as a change from the base: what was removed struck through, what was added marked.
        assert text_of(re.sub(r"<del>.*?</del>", "", cell(page, field, "ours"), flags=re.S)) == ours
        assert text_of(re.sub(r"<del>.*?</del>", "", cell(page, field, "theirs"), flags=re.S)) == theirs
    assert "<ins>（应用修订）</ins>" in cell(page, "title", "ours")
    for field in expected:
        for side in ("keep", "take", "write"):
            assert f'<input type="radio" name="{field}-choice" value="{side}"' in page
        assert f'<label for="id_{field}-written">' in page
    assert re.search(r'<textarea name="market_evidence-written"[^>]*>\s*' + APP_EVIDENCE, page)
    taken = re.search(r'<div class="module conflict-taken".*?</div>', page, re.S).group(0)
    assert 'data-field="country"' in taken and "挪威" in taken


def test_settling_in_the_admin_saves_the_choices_and_returns_to_the_record(client, settler, conflict):
    data = posted(conflict, title="take", market_score=("write", "60"), market_evidence="keep")

    response = client.post(settle_url(conflict), data)

    policy = Policy.objects.get(policy_id="c")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:policies_policy_change", args=[policy.pk])
    assert (policy.title, policy.market_score, policy.market_evidence, policy.country) == (
        "碳捕集与封存条例（文件修订）",
        60,
        APP_EVIDENCE,
        "挪威",
    )
    latest = policy.history.first()
    assert latest.history_user == settler
    assert latest.history_change_reason == (
        "Settled the import conflict of c.md: took country, title from the file, kept analysis.market.evidence, "
        "wrote analysis.market.score"
    )
    page = client.get(response["Location"]).content.decode()
    assert "The import conflict of c.md is settled" in page
    assert "This record has an import conflict" not in page


def test_a_stale_record_shows_the_message_and_the_page_again_with_the_choices_kept(client, settler, conflict):
    data = posted(conflict, title="take", market_score=("write", "61"), market_evidence="keep")
    policy = Policy.objects.get(policy_id="c")
    policy.scope = "National"
    policy.save_as(user=None, reason="Saved meanwhile")

    response = client.post(settle_url(conflict), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "The record c changed since c.md was compared with it (version 2; it is now at version 3)" in html.unescape(
        page
    )
    assert re.search(r'<input type="radio" name="title-choice" value="take"[^>]*checked', page)
    assert re.search(r'<input type="radio" name="market_score-choice" value="write"[^>]*checked', page)
    assert re.search(r'<input type="number" name="market_score-written" value="61"', page)
    policy.refresh_from_db()
    assert (policy.version, policy.title) == (3, "碳捕集与封存条例（应用修订）")
    assert ImportConflict.objects.open().count() == 1


def test_a_written_value_that_is_refused_is_shown_at_its_field_and_nothing_is_saved(client, settler, conflict):
    data = posted(conflict, title="keep", market_score=("write", "101"), market_evidence="keep")

    response = client.post(settle_url(conflict), data)

    assert response.status_code == 200
    written = re.search(r'<div class="conflict-written errors">.*?</div>', response.content.decode(), re.S)
    assert "analysis.market.score must be from 0 to 100, not 101" in written.group(0)
    assert 'name="market_score-written"' in written.group(0)
    assert Policy.objects.get(policy_id="c").version == 2


def test_a_field_left_without_a_choice_is_named_and_nothing_is_saved(client, settler, conflict):
    response = client.post(settle_url(conflict), posted(conflict, title="keep", market_score="keep"))

    assert response.status_code == 200
    assert "Keep the record&#x27;s value, take the file&#x27;s or write another." in response.content.decode()
    assert Policy.objects.get(policy_id="c").version == 2


@pytest.mark.parametrize(
    "perm_names",
    [
        ("policies.view_policy", "policies.view_importconflict"),
        ("policies.view_policy", "policies.change_policy", "policies.view_importconflict"),
        ("policies.view_policy", "policies.view_importconflict", "policies.change_importconflict"),
    ],
    ids=["viewer", "without change_importconflict", "without change_policy"],
)
def test_a_user_who_may_not_change_policies_and_import_conflicts_gets_403_on_the_settle_page_and_its_post(
    perm_names, client, conflict
):
    client.force_login(make_user("viewer", perm_names=perm_names))
    data = posted(conflict, title="take", market_score="take", market_evidence="take")

    assert client.get(settle_url(conflict)).status_code == 403
    assert client.post(settle_url(conflict), data).status_code == 403

    assert Policy.objects.get(policy_id="c").version == 2
    assert ImportConflict.objects.open().count() == 1
    detail = client.get(reverse("admin:policies_importconflict_change", args=[conflict.pk]))
    assert detail.status_code == 200, "viewers may view the conflict"
    assert settle_url(conflict) not in detail.content.decode()


def test_the_detail_is_read_only_and_links_to_the_settle_page(client, settler, conflict):
    url = reverse("admin:policies_importconflict_change", args=[conflict.pk])

    response = client.get(url)

    page = response.content.decode()
    assert settle_url(conflict) in page
    assert 'name="_save"' not in page
    assert "碳捕集与封存条例（文件修订）" in page and "analysis.market.evidence" in page
    assert client.post(url, {"source": "changed.md"}).status_code == 403
    assert client.get(reverse("admin:policies_importconflict_add")).status_code == 403
    assert client.get(reverse("admin:policies_importconflict_delete", args=[conflict.pk])).status_code == 403


def test_the_change_page_of_a_record_with_an_open_conflict_links_to_settling_it(client, settler, conflict):
    url = reverse("admin:policies_policy_change", args=[conflict.policy_id])

    page = client.get(url).content.decode()

    notice = re.search(r'<div class="module import-conflicts".*?</div>', page, re.S).group(0)
    assert "This record has an import conflict with c.md:" in notice
    assert f'<a href="{settle_url(conflict)}">settle it</a>' in notice


def test_the_policy_list_counts_the_open_conflicts_and_filters_the_records_with_one(client, settler, conflict):
    Policy(policy_id="other", title="Other").save_as(user=None, reason="t")
    url = reverse("admin:policies_policy_changelist")

    response = client.get(url)

    link = re.search(r'<a href="([^"]*)" id="open-import-conflicts">([^<]*)</a>', response.content.decode())
    assert (html.unescape(link.group(1)), link.group(2)) == (
        reverse("admin:policies_importconflict_changelist") + "?status=open",
        "1 open import conflict",
    )
    filtered = client.get(url, {"import_conflict": "open"}).context["cl"].result_list
    assert [policy.policy_id for policy in filtered] == ["c"]


def test_the_conflict_list_shows_open_ones_first_and_filters_open_and_settled(client, settler, conflict, tmp_path):
    client.post(settle_url(conflict), posted(conflict, title="take", market_score="take", market_evidence="take"))
    (tmp_path / "c.md").write_text(conflict.file.text.replace("Body", "Body, regenerated"))
    policy = Policy.objects.get(policy_id="c")
    policy.body = "Body, in the app\n"
    policy.save_as(user=None, reason="t")
    run_import(tmp_path)
    settled, open_one = ImportConflict.objects.order_by("pk")
    assert (settled.resolved_at is not None, open_one.resolved_at) == (True, None)
    url = reverse("admin:policies_importconflict_changelist")

    listed = list(client.get(url).context["cl"].result_list)

    assert listed == [open_one, settled]
    assert list(client.get(url, {"status": "open"}).context["cl"].result_list) == [open_one]
    assert list(client.get(url, {"status": "settled"}).context["cl"].result_list) == [settled]
    page = client.get(url).content.decode()
    assert "Settled by Sam Settler on " in page and settle_url(open_one) in page and settle_url(settled) not in page


def test_the_settle_page_of_a_settled_conflict_says_so_and_sends_back_to_its_detail(client, settler, conflict):
    client.post(settle_url(conflict), posted(conflict, title="take", market_score="take", market_evidence="take"))

    response = client.post(settle_url(conflict), posted(conflict, title="keep", market_score="keep"))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:policies_importconflict_change", args=[conflict.pk])
    assert Policy.objects.get(policy_id="c").version == 3
