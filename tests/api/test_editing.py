"""PATCH: the import's validation, the editing rules, history attribution and optimistic concurrency."""

from __future__ import annotations

import pytest

from policies import records
from policies.filetext import render_policy
from policies.models import Policy, ReviewState
from reviews import workflow
from reviews.models import ReviewAction
from tests.api.clients import ROLES, etag_of
from tests.factories import edit, make_editor, make_policy, run_import, with_defect
from tests.snapshots import database_state

pytestmark = pytest.mark.django_db

URL = "/api/policies/intl-paris-art-6-4-ccs/"


def patch(client, body, *, if_match: str | None = None, url: str = URL):
    headers = {} if if_match is None else {"HTTP_IF_MATCH": if_match}
    return client.patch(url, body, format="json", **headers)


@pytest.mark.parametrize("role", ROLES)
def test_only_editors_and_admins_can_edit(role, clients, imported):
    before = database_state()
    response = patch(
        clients[role], {"frontmatter": {"analysis": {"market": {"score": 80}}}}, if_match=etag_of(imported)
    )
    expected = {"anonymous": 401, "staff": 403, "reviewer": 403}.get(role, 200)
    assert response.status_code == expected, response.content
    if expected != 200:
        assert database_state() == before


def test_an_edit_merges_into_the_record_and_is_saved_as_the_next_version_with_who_and_why(
    clients, users, imported, seed_text
):
    response = patch(
        clients["editor"],
        {"frontmatter": {"analysis": {"market": {"score": 80}}}, "reason": "Score per the 2025 decision"},
        if_match=etag_of(imported),
    )
    assert response.status_code == 200, response.content
    imported.refresh_from_db()
    assert (imported.market_score, imported.market_label, imported.version) == (80, "A6.4ERs 主权基准", 2)
    assert response["ETag"] == etag_of(imported)
    assert response.json()["frontmatter"]["analysis"]["market"]["score"] == 80
    row = imported.history.latest()
    assert (row.history_user, row.history_change_reason) == (users["editor"], "Score per the 2025 decision")
    changed = [
        (old, new)
        for old, new in zip(seed_text.splitlines(), render_policy(imported).text.splitlines(), strict=True)
        if old != new
    ]
    # The seed claims to be verified; nobody approved this edit, so its file says it is pending.
    assert changed == [("reviewStatus: verified", "reviewStatus: pending"), ("    score: 100", "    score: 80")]


def test_an_edit_without_a_reason_is_described_by_the_fields_it_changed(clients, imported):
    patch(clients["editor"], {"frontmatter": {"year": 2025, "tags": ["COP29"]}}, if_match=etag_of(imported))
    assert imported.history.latest().history_change_reason == "Edited through the API: year, tags"


def test_an_edit_of_a_verified_record_sends_it_back_to_review(clients, records):
    verified = records["verified"]
    response = patch(
        clients["editor"],
        {"frontmatter": {"title": "Renamed"}},
        if_match=etag_of(verified),
        url="/api/policies/bb-verified/",
    )
    assert response.status_code == 200
    verified.refresh_from_db()
    assert verified.state == ReviewState.PENDING
    assert verified.review_events.first().action == ReviewAction.EDIT


def test_an_edit_that_changes_nothing_saves_nothing(clients, imported):
    before = database_state()
    response = patch(clients["editor"], {"frontmatter": {"year": 2024}}, if_match=etag_of(imported))
    assert response.status_code == 200
    assert database_state() == before


def test_unknown_keys_are_kept_as_the_import_keeps_them(clients, imported):
    patch(
        clients["editor"], {"frontmatter": {"analysis": {"market": {"confidence": "high"}}}}, if_match=etag_of(imported)
    )
    imported.refresh_from_db()
    assert "confidence: high" in imported.extra
    current = clients["editor"].get(f"{URL}?version=current").json()["frontmatter"]
    assert current["analysis"]["market"]["confidence"] == "high"


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"frontmatter": {"analysis": {"market": {"score": 120}}, "year": "2024"}},
            {
                "frontmatter.analysis.market.score": "must be from 0 to 100, not 120",
                "frontmatter.year": "must be a whole number, not '2024'",
            },
        ),
        ({"frontmatter": {"title": " "}}, {"frontmatter.title": "must not be empty"}),
        ({"frontmatter": {"pubDate": "2024-02-30"}}, {"frontmatter.pubDate": "'2024-02-30' is not a real date"}),
        ({"frontmatter": {"tags": "COP29"}}, {"frontmatter.tags": "must be a list, not 'COP29'"}),
        ({"frontmatter": {"analysis": 5}}, {"frontmatter.analysis": "must be a mapping, not the number 5"}),
        (
            {"frontmatter": {"provenance": {"reviewer": "Me"}}},
            {"frontmatter.provenance.reviewer": "is not edited by hand: the review workflow writes it when a reviewer"},
        ),
        (
            {"frontmatter": {"id": "another-id"}},
            {"frontmatter.id": "cannot be changed here: the id names the record's URL and file"},
        ),
        ({"frontmatter": {"note": 2**60 + 1}}, {"frontmatter.note": "1152921504606846977 cannot be written exactly"}),
        ({"frontmatter": {"title": "a\x00b"}}, {"frontmatter.title": "contains a NUL character"}),
        ({"analysis": {"market": {"score": 80}}}, {"analysis": "frontmatter keys go under `frontmatter`"}),
        ({"extra": "reviewStatus: verified"}, {"extra": "is not a field of an edit"}),
        ({"frontmatter": []}, {"frontmatter": "Expected a dictionary"}),
        ({"reason": "x" * 501}, {"reason": "no more than 500 characters"}),
    ],
)
def test_an_invalid_edit_is_refused_naming_each_field_and_changes_nothing(body, errors, clients, imported):
    before = database_state()
    response = patch(clients["editor"], body, if_match=etag_of(imported))
    assert response.status_code == 400, response.content
    found = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert found.keys() == errors.keys()
    for field, message in errors.items():
        assert message in found[field]
        assert f"field {field}: " in response.json()["detail"]
    assert database_state() == before


# A value for each field a reviewer's approval stamps, as an editor might try to set it by hand.
STAMPED = {"review_status": "verified", "provenance_reviewer": "Ada Editor", "provenance_last_audit_date": "2026-03-01"}


@pytest.mark.parametrize("attr", workflow.APPROVAL_STAMP_FIELDS)
def test_an_edit_cannot_stamp_an_approval_that_did_not_happen(attr, clients, author):
    unreviewed = make_policy(
        user=author,
        policy_id="unreviewed",
        review_status="pending",
        provenance_reviewer="Human Audit Pending",
        provenance_last_audit_date=None,
    )
    path = next(leaf.path for leaf in records.LEAVES if leaf.attr == attr)
    change: dict = {path[-1]: STAMPED[attr]}
    for key in reversed(path[:-1]):
        change = {key: change}
    before = database_state()
    response = patch(
        clients["editor"], {"frontmatter": change}, if_match=etag_of(unreviewed), url="/api/policies/unreviewed/"
    )
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert error["field"] == f"frontmatter.{records.dotted(path)}"
    assert (
        error["message"] == "is not edited by hand: the review workflow writes it when a reviewer approves the record"
    )
    assert database_state() == before
    unreviewed.refresh_from_db()
    assert (unreviewed.review_status, unreviewed.provenance_reviewer, unreviewed.provenance_last_audit_date) == (
        "pending",
        "Human Audit Pending",
        None,
    )


def test_an_edit_without_if_match_is_refused_with_428(clients, imported):
    before = database_state()
    for if_match in (None, "*"):
        response = patch(clients["editor"], {"frontmatter": {"year": 2025}}, if_match=if_match)
        assert response.status_code == 428
        assert "If-Match" in response.json()["detail"]
    assert database_state() == before


def test_an_edit_of_a_version_someone_saved_over_is_refused_with_412_saying_who(clients, imported):
    stale = etag_of(imported)
    edit(imported, user=make_editor("colleague", first_name="Wang Fang"), market_score=70, reason="Colleague's fix")
    before = database_state()
    response = patch(clients["editor"], {"frontmatter": {"analysis": {"market": {"score": 80}}}}, if_match=stale)
    assert response.status_code == 412
    body = response.json()
    assert (body["current_version"], body["changed_by"], body["change_reason"]) == (2, "colleague", "Colleague's fix")
    assert body["etag"] == etag_of(imported)
    # The field names the account; the sentence names the person, as the admin's messages do.
    assert "by Wang Fang" in body["detail"] and "version 1" in body["detail"]
    assert database_state() == before
    assert Policy.objects.get(pk=imported.pk).market_score == 70


@pytest.mark.parametrize("if_match", ['"other-record@1"', 'W/"intl-paris-art-6-4-ccs@1"', "garbage"])
def test_an_if_match_that_is_not_this_records_etag_is_refused_with_412(if_match, clients, imported):
    before = database_state()
    assert patch(clients["editor"], {"frontmatter": {"year": 2025}}, if_match=if_match).status_code == 412
    assert database_state() == before


def test_the_browsable_api_needs_the_csrf_token_for_a_session_edit(users, imported):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(users["editor"])
    assert client.get(f"{URL}?version=current", HTTP_ACCEPT="text/html").status_code == 200
    assert client.get("/api/policies/?version=current", HTTP_ACCEPT="text/html").status_code == 200
    before = database_state()
    response = patch(client, {"frontmatter": {"year": 2025}}, if_match=etag_of(imported))
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert database_state() == before


def test_a_patch_fixes_a_problem_with_its_history_and_only_its_line_changes(clients, users, draft_needing_a_fix):
    policy, text = draft_needing_a_fix
    response = patch(
        clients["editor"],
        {"frontmatter": {"analysis": {"strategic": {"score": 85}}}, "reason": "Per the SB's plan"},
        if_match=etag_of(policy),
    )
    assert response.status_code == 200, response.content
    assert response.json()["problems"] == []
    policy.refresh_from_db()
    assert (policy.strategic_score, policy.version) == (85, 2)
    assert not policy.warnings.filter(blocking=True).exists()
    row = policy.history.latest()
    assert (row.history_user, row.history_change_reason) == (users["editor"], "Per the SB's plan")
    changed = [
        (old, new)
        for old, new in zip(text.splitlines(), render_policy(policy).text.splitlines(), strict=True)
        if old != new
    ]
    assert changed == [("    score: 85.5", "    score: 85")]


def test_a_patch_elsewhere_keeps_a_value_as_written_and_its_problem(clients, draft_needing_a_fix):
    policy, _ = draft_needing_a_fix
    response = patch(clients["editor"], {"frontmatter": {"year": 2025}}, if_match=etag_of(policy))
    assert response.status_code == 200, response.content
    assert [p["field"] for p in response.json()["problems"]] == ["analysis.strategic.score"]
    assert response.json()["frontmatter"]["analysis"]["strategic"]["score"] == 85.5
    assert policy.history.latest().history_change_reason == "Edited through the API: year"
    assert "    score: 85.5\n" in render_policy(policy).text


def test_a_patch_cannot_write_a_value_its_field_cannot_hold_even_over_a_problem(clients, draft_needing_a_fix):
    policy, _ = draft_needing_a_fix
    before = database_state()
    response = patch(
        clients["editor"], {"frontmatter": {"analysis": {"strategic": {"score": 86.5}}}}, if_match=etag_of(policy)
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "frontmatter.analysis.strategic.score", "message": "must be a whole number, not the number 86.5"}
    ]
    assert database_state() == before


def test_a_patch_fixes_an_author_the_file_wrote_in_a_form_it_cannot_hold_and_then_it_is_the_imports_again(
    clients, tmp_path, draft_text
):
    (tmp_path / "a.md").write_text(
        with_defect(draft_text, "author: Gemini Intelligence", "author: 42"), encoding="utf-8"
    )
    run_import(tmp_path / "a.md")
    policy = Policy.objects.get()
    change = {"frontmatter": {"provenance": {"author": "Gemini Intelligence"}}}
    assert patch(clients["editor"], change, if_match=etag_of(policy)).status_code == 200
    policy.refresh_from_db()
    assert (policy.provenance_author, policy.invalid) == ("Gemini Intelligence", "")
    again = {"frontmatter": {"provenance": {"author": "Someone else"}}}
    response = patch(clients["editor"], again, if_match=etag_of(policy))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "frontmatter.provenance.author"
