"""Review decisions through the API: exactly the workflow's rules, its refusals mapped to HTTP statuses."""

from __future__ import annotations

import pytest

from policies.models import ReviewState
from tests.api.clients import ROLES, client_for, etag_of
from tests.factories import edit
from tests.snapshots import database_state

pytestmark = pytest.mark.django_db

CONFIRM_ALL = {"verdicts": {d: {"verdict": "confirmed"} for d in ("market", "mrv", "statutory")}}
# (action, record it applies to, body, roles whose request succeeds)
DECISIONS = [
    ("approve", "pending", CONFIRM_ALL, {"reviewer", "admin"}),
    ("request-changes", "pending", {"comment": "Cite the decision."}, {"reviewer", "admin"}),
    ("reject", "pending", {"comment": "Out of scope."}, {"reviewer", "admin"}),
    ("reopen", "rejected", {}, {"reviewer", "admin"}),
    ("resubmit", "changes_requested", {}, {"editor", "admin"}),
    ("withdraw", "verified", {"comment": "Repealed in 2025."}, {"reviewer", "admin"}),
]


def decide(client, action: str, policy, body, *, if_match: str | None = "current"):
    headers = {} if if_match is None else {"HTTP_IF_MATCH": etag_of(policy) if if_match == "current" else if_match}
    return client.post(f"/api/policies/{policy.policy_id}/{action}/", body, format="json", **headers)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("action", "record", "body", "permitted"), DECISIONS)
def test_each_decision_is_made_only_by_the_roles_the_workflow_permits(
    role, action, record, body, permitted, clients, records, author
):
    policy = records[record]
    if action == "resubmit":
        edit(policy, user=author, market_citation="Decision 3/CMA.3")
    before = database_state()
    response = decide(clients[role], action, policy, body)
    if role in permitted:
        assert response.status_code == 200, response.content
        event = response.json()
        policy.refresh_from_db()
        assert (event["action"], event["actor"], event["to_state"]) == (action.replace("-", "_"), role, policy.state)
        assert response["ETag"] == etag_of(policy)
    else:
        assert response.status_code == {"anonymous": 401}.get(role, 403), response.content
        assert database_state() == before


def test_an_approval_records_the_reviewers_verdicts(clients, records):
    body = {
        "verdicts": {
            "market": {"verdict": "confirmed", "note": "Score checked against the 2024 rules."},
            "mrv": {"verdict": "confirmed"},
            "statutory": {"verdict": "confirmed"},
        },
        "comment": "Checked against the decision text.",
    }
    response = decide(clients["reviewer"], "approve", records["pending"], body)
    assert response.status_code == 200
    verdicts = {v["dimension"]: (v["verdict"], v["note"]) for v in response.json()["verdicts"]}
    assert verdicts["market"] == ("confirmed", "Score checked against the 2024 rules.")
    assert records["pending"].review_events.first().verdicts.count() == 3


def test_a_request_for_changes_carries_the_dimensions_found_wrong_with_their_notes(clients, records):
    body = {
        "comment": "See the notes on the dimensions.",
        "verdicts": {
            "market": {"verdict": "confirmed"},
            "mrv": {"verdict": "wrong", "note": "The period is 10 years."},
        },
    }
    response = decide(clients["reviewer"], "request-changes", records["pending"], body)
    assert response.status_code == 200, response.content
    verdicts = {v["dimension"]: (v["verdict"], v["note"]) for v in response.json()["verdicts"]}
    assert verdicts == {"market": ("confirmed", ""), "mrv": ("wrong", "The period is 10 years.")}


def test_an_approval_with_a_dimension_found_wrong_is_refused_with_409(clients, records):
    before = database_state()
    verdicts = {**CONFIRM_ALL["verdicts"], "mrv": {"verdict": "wrong", "note": "The period is 10 years."}}
    response = decide(clients["reviewer"], "approve", records["pending"], {"verdicts": verdicts})
    assert response.status_code == 409, response.content
    assert "request changes instead" in response.json()["detail"]
    assert database_state() == before


def test_a_reviewer_cannot_approve_a_record_they_edited(users, records):
    reviewer_who_edits = users["admin"]
    client = client_for(reviewer_who_edits)
    policy = records["pending"]
    edit(policy, user=reviewer_who_edits, market_score=80)
    before = database_state()
    response = decide(client, "approve", policy, CONFIRM_ALL)
    assert response.status_code == 403
    assert "Four eyes" in response.json()["detail"]
    assert database_state() == before


def test_a_decision_on_a_version_someone_saved_over_is_refused_with_412_saying_who(clients, records, author):
    policy = records["pending"]
    stale = etag_of(policy)
    edit(policy, user=author, market_score=81, reason="Late fix")
    before = database_state()
    response = decide(clients["reviewer"], "approve", policy, CONFIRM_ALL, if_match=stale)
    assert response.status_code == 412
    assert (response.json()["changed_by"], response.json()["change_reason"]) == ("author", "Late fix")
    assert "changed since you opened it" in response.json()["detail"]
    assert database_state() == before


def test_a_decision_without_if_match_is_refused_with_428(clients, records):
    before = database_state()
    assert decide(clients["reviewer"], "approve", records["pending"], CONFIRM_ALL, if_match=None).status_code == 428
    assert database_state() == before


@pytest.mark.parametrize(
    ("action", "record", "body", "message"),
    [
        ("approve", "verified", CONFIRM_ALL, "'Approved' is only possible from: Awaiting review"),
        ("reopen", "pending", {}, "'Reopened' is only possible from: Rejected"),
        ("approve", "pending", {"verdicts": {"market": {"verdict": "confirmed"}}}, "missing: MRV, Statutory force"),
        ("resubmit", "changes_requested", {}, "is the same as when changes were requested: it has not been edited"),
    ],
)
def test_a_move_the_records_state_does_not_allow_is_refused_with_409_and_the_workflows_reason(
    action, record, body, message, clients, records
):
    before = database_state()
    client = clients["editor" if action == "resubmit" else "reviewer"]
    response = decide(client, action, records[record], body)
    assert response.status_code == 409, response.content
    assert message in response.json()["detail"]
    assert database_state() == before


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("reject", {}, "comment"),
        ("request-changes", {"comment": "   "}, "comment"),
        ("approve", {"verdicts": {"market": {"verdict": "fine"}}}, "verdicts.market.verdict"),
        ("approve", {}, "verdicts"),
        ("reject", {"comment": "No.", "verdict": "x"}, "verdict"),
    ],
)
def test_a_malformed_decision_is_refused_with_400_naming_the_field(action, body, field, clients, records):
    before = database_state()
    response = decide(clients["reviewer"], action, records["pending"], body)
    assert response.status_code == 400, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert database_state() == before


def test_a_rejected_record_can_be_reopened_and_then_approved_by_another_reviewer(clients, records):
    policy = records["rejected"]
    assert decide(clients["reviewer"], "reopen", policy, {"comment": "In scope after all."}).status_code == 200
    policy.refresh_from_db()
    assert policy.state == ReviewState.PENDING
    assert decide(clients["reviewer"], "approve", policy, CONFIRM_ALL).status_code == 200
    policy.refresh_from_db()
    assert policy.state == ReviewState.VERIFIED


def test_a_withdrawn_record_leaves_the_published_list_and_its_file_answers_404(clients, records):
    verified = records["verified"]
    assert decide(clients["reviewer"], "withdraw", verified, {"comment": "Repealed."}).status_code == 200
    listed = clients["reviewer"].get("/api/policies/").json()["results"]
    assert verified.policy_id not in [record["id"] for record in listed]
    assert clients["reviewer"].get(f"/api/policies/{verified.policy_id}/file/").status_code == 404


def test_an_approval_is_refused_with_409_while_a_problem_remains_and_succeeds_after_a_fix(clients, draft_needing_a_fix):
    policy, _ = draft_needing_a_fix
    verdicts = {
        "verdicts": {d: {"verdict": "confirmed"} for d in ("market", "mrv", "statutory", "strategic", "incentive")}
    }
    before = database_state()
    response = decide(clients["reviewer"], "approve", policy, verdicts)
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "intl-paris-art-6-4-ccs cannot be approved while a value needs fixing: analysis.strategic.score: must be a "
        "whole number, not the number 85.5. Fix it in the record first."
    )
    assert database_state() == before
    fixed = clients["editor"].patch(
        f"/api/policies/{policy.policy_id}/",
        {"frontmatter": {"analysis": {"strategic": {"score": 85}}}},
        format="json",
        HTTP_IF_MATCH=etag_of(policy),
    )
    assert fixed.status_code == 200, fixed.content
    response = decide(clients["reviewer"], "approve", policy, verdicts)
    assert response.status_code == 200, response.content
    policy.refresh_from_db()
    assert (policy.state, policy.strategic_score) == (ReviewState.VERIFIED, 85)
