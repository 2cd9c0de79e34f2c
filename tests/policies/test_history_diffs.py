import pytest
from django.contrib import admin
from django.urls import reverse

from policies.admin import PolicyAdmin
from policies.diffing import compare, compare_history
from policies.models import Policy
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = make_user("editor", perm_names=("policies.view_policy", "policies.change_policy"), first_name="Erin")
    client.force_login(user)
    return user


@pytest.fixture
def policy():
    policy = Policy(
        policy_id="a",
        title="Alpha",
        market_score=40,
        market_citation="SBM Removals Standards 2024",
        mrv_evidence="引入了强制性的风险缓冲池与 15 年动态计入期。",
        related_facilities=["1", "10"],
    )
    policy.save_as(user=None, reason="Imported")
    return policy


def test_the_history_page_shows_each_change_by_dimension_with_user_and_reason(client, editor, policy):
    policy.market_score = 75
    policy.market_citation = "SBM Standards 2025"
    policy.mrv_evidence = "引入了强制性的风险缓冲池与 20 年动态计入期。"
    policy.save_as(user=editor, reason="Checked against the decision")

    html = client.get(reverse("admin:policies_policy_history", args=[policy.pk])).content.decode()

    newest = policy.history.order_by("-history_id").first()
    diff = html[html.index(f'id="history-diff-{newest.history_id}"') :]
    assert diff.index("Analysis: Market") < diff.index("Analysis: MRV")
    assert "<del>40</del><ins>75</ins>" in diff
    assert "SBM<del> Removals</del> Standards <del>2024</del><ins>2025</ins>" in diff
    assert "<del>15</del><ins>20</ins> 年动态计入期" in diff
    assert "Checked against the decision" in html and "editor" in html
    assert "Created" in html


def test_chinese_text_is_compared_character_by_character_and_lists_line_by_line(policy):
    old = Policy.objects.get(pk=policy.pk)
    policy.mrv_evidence = "引入了自愿性的风险缓冲池与 15 年动态计入期。"
    policy.related_facilities = ["1", "10", "1103-2"]
    [mrv, facilities] = compare(old, policy)
    assert mrv.title == "Analysis: MRV" and mrv.fields[0].label == "evidence"
    assert mrv.fields[0].diff == "引入了<del>强制</del><ins>自愿</ins>性的风险缓冲池与 15 年动态计入期。"
    assert facilities.title == "Related facilities" and facilities.fields[0].diff == "1\n10<ins>\n1103-2</ins>"


def test_each_history_entry_is_compared_with_the_one_before_it(policy, editor):
    policy.title = "Beta"
    policy.save_as(user=editor, reason="Renamed")
    policy.year = 2024
    policy.save_as(user=editor, reason="Dated")
    rows = list(policy.history.order_by("-history_id"))
    newest, middle, created = compare_history(rows)
    assert [f.name for s in newest for f in s.fields] == ["year"]
    assert [f.name for s in middle for f in s.fields] == ["title"]
    assert created == []


def test_a_page_of_history_is_compared_with_the_entry_before_the_page(editor, policy):
    policy.title = "Beta"
    policy.save_as(user=editor, reason="Renamed")
    rows = list(policy.history.order_by("-history_id"))
    PolicyAdmin(Policy, admin.site).set_history_delta_changes(None, rows[:1])
    assert [f.name for s in rows[0].field_changes for f in s.fields] == ["title"]
