import pytest
from django.test import Client
from django.urls import reverse

from policies import editing
from policies.forms import PolicyForm
from policies.models import Policy
from policies.saving import StaleVersion
from tests.factories import change_form_data, make_user

pytestmark = pytest.mark.django_db

FIELDSETS = [
    "Identity",
    "Classification",
    "Analysis",
    "Impact analysis",
    "Evolution",
    "Implementation",
    "Related facilities",
    "Provenance",
    "Description and body",
]


@pytest.fixture
def policy():
    policy = Policy(
        policy_id="a",
        title="Alpha",
        country="Norway",
        market_score=40,
        market_evidence="The levy applies to every tonne stored offshore.",
        market_citation="Act 2024",
        mrv_evidence="引入了强制性的风险缓冲池与 15 年动态计入期。",
        provenance_reviewer="Human Audit Pending",
        review_status="pending",
        description="Intro",
    )
    policy.save_as(user=None, reason="Imported")
    return policy


def change_url(policy):
    return reverse("admin:policies_policy_change", args=[policy.pk])


def form_data(form, **changes):
    """What a browser sends back for a rendered form, with `changes` applied."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is not None:
            data[name] = field.prepare_value(value)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_change_form_is_organised_as_the_record_is(client, editor, policy):
    html = client.get(change_url(policy)).content.decode()
    positions = [html.index(f'class="fieldset-heading">{name}</h2>') for name in FIELDSETS]
    assert positions == sorted(positions)
    assert 'id="analysis-grid"' in html
    for dimension in ("market", "mrv", "statutory", "strategic", "incentive"):
        for part in ("score", "label", "evidence", "citation"):
            assert f'name="{dimension}_{part}"' in html
    assert "policies/policy_admin.css" in html and "policies/policy_admin.js" in html


def test_the_form_carries_the_version_as_a_hidden_token_and_markdown_previews(client, editor, policy):
    html = client.get(change_url(policy)).content.decode()
    assert '<input type="hidden" name="expected_version" value="1" id="id_expected_version">' in html
    assert 'id="preview-description"' in html and 'id="preview-body"' in html
    assert "<p>Intro</p>" in html


def test_provenance_and_review_status_are_read_only(client, editor, policy):
    data = change_form_data(
        client,
        policy,
        provenance_reviewer="Mallory",
        provenance_author="Mallory",
        provenance_last_audit_date="2026-01-01",
        review_status="verified",
        title="Alpha, corrected",
    )
    assert client.post(change_url(policy), data).status_code == 302
    policy.refresh_from_db()
    assert policy.title == "Alpha, corrected"
    assert (policy.provenance_reviewer, policy.provenance_author) == ("Human Audit Pending", "")
    assert policy.provenance_last_audit_date is None and policy.review_status == "pending"


def test_a_new_record_takes_no_review_status_or_provenance_from_the_add_form(client, editor):
    data = {
        "policy_id": "new",
        "title": "New",
        "review_status": "verified",
        "provenance_reviewer": "Mallory",
        "provenance_author": "Mallory",
        "provenance_last_audit_date": "2026-01-01",
    }
    assert client.post(reverse("admin:policies_policy_add"), data).status_code == 302
    created = Policy.objects.get(policy_id="new")
    assert (created.review_status, created.provenance_reviewer, created.provenance_author) == ("", "", "")
    assert created.provenance_last_audit_date is None


def test_the_policy_form_has_no_field_for_what_the_import_and_the_review_workflow_write():
    form = PolicyForm(data={"policy_id": "new", "title": "New", "review_status": "verified"})
    assert not set(editing.NOT_EDITABLE) & set(form.fields)
    assert form.is_valid(), form.errors
    assert form.save(commit=False).review_status == ""


def test_the_preview_renders_markdown_without_scripts_handlers_or_javascript_links(client, editor):
    text = "**bold** <script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))"
    response = client.post(reverse("admin:policies_policy_preview"), {"text": text})
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "<strong>bold</strong>" in html and "<img" in html
    assert "<script" not in html and "alert(1)" not in html and "onerror" not in html
    # A javascript: link is not made a link at all: its text stays, inert.
    assert 'href="javascript:' not in html and "[x](javascript:alert(3))" in html


def test_the_preview_needs_post_and_permission_to_edit(client, editor):
    url = reverse("admin:policies_policy_preview")
    assert client.get(url, {"text": "a"}).status_code == 405
    client.force_login(make_user("viewer", perm_names=("policies.view_policy",)))
    assert client.post(url, {"text": "a"}).status_code == 403


def test_the_preview_needs_the_csrf_token(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(reverse("admin:policies_policy_preview"), {"text": "a"}).status_code == 403


def test_a_stale_save_is_refused_with_who_changed_what_and_keeps_the_input(client, editor, colleague, policy):
    mine = change_form_data(client, policy, title="Alpha (my title)", change_reason="Mine")
    theirs = Client()
    theirs.force_login(colleague)
    their_data = change_form_data(
        theirs,
        policy,
        market_citation="Act 2025",
        mrv_evidence="引入了强制性的风险缓冲池与 20 年动态计入期。",
        change_reason="The act was amended",
    )
    assert theirs.post(change_url(policy), their_data).status_code == 302

    response = client.post(change_url(policy), mine)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Not saved: Carl Colleague changed this record after you opened it (version 1)" in html
    assert "The act was amended" in html
    conflict = response.context["adminform"].form.conflict
    assert [section.title for section in conflict.changes] == ["Analysis: Market", "Analysis: MRV"]
    assert 'id="edit-conflict"' in html
    assert "Act <del>2024</del><ins>2025</ins>" in html
    assert "<del>15</del><ins>20</ins>" in html
    assert 'value="Alpha (my title)"' in html
    assert response.context["adminform"].form["market_citation"].value() == "Act 2025"
    assert '<input type="hidden" name="expected_version" value="2"' in html
    policy.refresh_from_db()
    assert (policy.title, policy.market_citation, policy.version) == ("Alpha", "Act 2025", 2)


def test_saving_again_after_reading_the_conflict_keeps_both_sides_changes(client, editor, colleague, policy):
    mine = change_form_data(client, policy, title="Alpha (my title)")
    policy.market_citation = "Act 2025"
    policy.save_as(user=colleague, reason="Amended")
    refused = client.post(change_url(policy), mine)
    again = form_data(refused.context["adminform"].form)
    assert client.post(change_url(policy), again).status_code == 302
    policy.refresh_from_db()
    assert (policy.title, policy.market_citation, policy.version) == ("Alpha (my title)", "Act 2025", 3)


def test_a_post_without_the_version_token_is_refused(client, editor, policy):
    data = change_form_data(client, policy, title="Sneaky")
    del data["expected_version"]
    response = client.post(change_url(policy), data)
    assert response.status_code == 200
    assert "did not say which version of the record it edits" in response.content.decode()
    policy.refresh_from_db()
    assert (policy.title, policy.version) == ("Alpha", 1)


def test_a_new_record_needs_no_version_token(client, editor):
    data = {"policy_id": "new", "title": "New", "change_reason": "Created"}
    assert client.post(reverse("admin:policies_policy_add"), data).status_code == 302
    assert Policy.objects.get(policy_id="new").version == 1


def test_of_two_copies_saved_from_the_same_version_only_the_first_is_stored(policy, editor, colleague):
    first, second = Policy.objects.get(pk=policy.pk), Policy.objects.get(pk=policy.pk)
    first.title = "First"
    first.save_as(user=editor, reason="First")
    second.title = "Second"
    with pytest.raises(StaleVersion) as refused:
        second.save_as(user=colleague, reason="Second")
    assert (refused.value.loaded_version, refused.value.current_version) == (1, 2)
    assert second.version == 1
    policy.refresh_from_db()
    assert (policy.title, policy.version, policy.history.count()) == ("First", 2, 2)


def test_an_edit_binds_to_the_version_the_editor_loaded_even_on_a_fresh_copy(policy, editor, colleague):
    policy.title = "Theirs"
    policy.save_as(user=colleague, reason="Theirs")
    fresh = Policy.objects.get(pk=policy.pk)
    fresh.title = "Mine, from version 1"
    with pytest.raises(StaleVersion):
        editing.save_edit(fresh, user=editor, reason="Mine", loaded_version=1)
    policy.refresh_from_db()
    assert policy.title == "Theirs"


def test_the_conflict_lists_every_save_since_and_the_changes_between_the_two_versions(policy, editor, colleague):
    for user, title in ((colleague, "B"), (editor, "C")):
        policy.title = title
        policy.save_as(user=user, reason=f"Title {title}")
    conflict = editing.conflict_since(policy, 1)
    assert [row.version for row in conflict.saves] == [2, 3]
    assert conflict.editors == ["Carl Colleague", "Erin Editor"]
    assert [(s.title, [f.name for f in s.fields]) for s in conflict.changes] == [("Identity", ["title"])]
    assert "Carl Colleague and Erin Editor changed this record" in editing.describe(conflict)


def test_a_field_both_sides_changed_is_named_and_shows_the_editors_value(client, editor, colleague, policy):
    mine = change_form_data(client, policy, market_citation="Act 2024, s. 3")
    policy.market_citation = "Act 2025"
    policy.save_as(user=colleague, reason="Amended")
    response = client.post(change_url(policy), mine)
    assert "You and they both changed: Market citation. Yours is in the form." in response.content.decode()
    assert response.context["adminform"].form["market_citation"].value() == "Act 2024, s. 3"
