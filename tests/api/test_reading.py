"""Reading records: who may, the published and the current version, filters, pages, history, events, files."""

from __future__ import annotations

import pytest

from policies.filetext import published_version
from policies.models import Policy
from policies.schema import INDEXED_TEXT_MAX_LENGTH
from policies.search import MAX_CHARACTERS as SEARCH_MAX_LENGTH
from policies.transfer.exporting import export_to_folder
from tests.api.clients import ROLES, client_for, etag_of
from tests.factories import approve, edit, make_editor, make_reviewer, make_user

pytestmark = pytest.mark.django_db

READERS = {"editor", "reviewer", "admin"}
EXPECTED_STATUS = {"anonymous": 401, "staff": 403}


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "url",
    [
        "/api/policies/",
        "/api/policies/?version=current",
        "/api/policies/bb-verified/",
        "/api/policies/aa-pending/?version=current",
        "/api/policies/bb-verified/file/",
        "/api/policies/aa-pending/file/?version=current",
        "/api/policies/cc-reedited/history/",
        "/api/policies/cc-reedited/reviews/",
    ],
)
def test_only_signed_in_users_who_may_view_policies_can_read_them(role, url, clients, records):
    response = clients[role].get(url)
    assert response.status_code == EXPECTED_STATUS.get(role, 200), response.content
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == "Token"


def test_a_user_who_may_view_policies_but_not_their_history_cannot_read_history_or_events(records):
    client = client_for(make_user("viewer", perm_names=("policies.view_policy",)))
    assert client.get("/api/policies/cc-reedited/").status_code == 200
    assert client.get("/api/policies/cc-reedited/history/").status_code == 403
    assert client.get("/api/policies/cc-reedited/reviews/").status_code == 403


def test_the_published_list_holds_each_records_last_verified_version_and_nothing_rejected(clients, records):
    response = clients["editor"].get("/api/policies/")
    assert ids(response) == ["bb-verified", "cc-reedited"]
    reedited = response.json()["results"][1]
    assert reedited["snapshot"] == "published"
    assert reedited["state"] == "pending"
    assert reedited["frontmatter"]["country"] == "US"  # as verified, not the later edit to CA
    assert reedited["version"] < reedited["current_version"]
    assert reedited["etag"] == etag_of(records["reedited"])


def test_the_published_list_agrees_with_the_export_on_what_is_published(clients, records):
    published = {p.policy_id for p in Policy.objects.all() if published_version(p) is not None}
    assert set(ids(clients["reviewer"].get("/api/policies/"))) == published


def test_the_current_list_holds_every_record_at_its_latest_version(clients, records):
    response = clients["editor"].get("/api/policies/?version=current")
    assert ids(response) == sorted(p.policy_id for p in records.values())
    reedited = next(item for item in response.json()["results"] if item["id"] == "cc-reedited")
    assert reedited["frontmatter"]["country"] == "CA"
    assert reedited["version"] == reedited["current_version"] == records["reedited"].version


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=US", ["cc-reedited"]),
        ("country=CA", []),
        ("country=US&version=current", ["aa-pending"]),
        ("country=CA&version=current", ["cc-reedited"]),
        ("year=2021", ["bb-verified"]),
        ("category=Fiscal", ["cc-reedited"]),
        ("tag=DAC", ["bb-verified"]),
        ("tag=CCS&version=current", ["aa-pending"]),
        ("tag=CC&version=current", []),
        ("state=pending", ["cc-reedited"]),
        ("state=rejected&version=current", ["ee-rejected"]),
        ("search=REEDITED", ["cc-reedited"]),
        ("search=Edited+after&version=current", ["cc-reedited"]),
        ("search=Edited+after", []),
    ],
)
def test_filters_apply_to_the_version_the_list_shows(query, expected, clients, records):
    assert ids(clients["editor"].get(f"/api/policies/?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "field"), [("state=done", "state"), ("year=abc", "year"), ("version=latest", "version")]
)
def test_bad_filters_are_refused_naming_the_parameter(query, field, clients, records):
    response = clients["editor"].get(f"/api/policies/?{query}")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_texts_past_their_bounds_are_refused_naming_the_parameter_and_no_request_is_unbounded(clients, records):
    api = clients["editor"]
    past_the_bounds = {
        "search": "x" * (SEARCH_MAX_LENGTH + 1),
        "country": "x" * (INDEXED_TEXT_MAX_LENGTH + 1),
        "category": "x" * (INDEXED_TEXT_MAX_LENGTH + 1),
        "tag": "x" * (INDEXED_TEXT_MAX_LENGTH + 1),
        "year": "9" * 20,
        "version": "9" * 20,
    }
    for name, value in past_the_bounds.items():
        response = api.get("/api/policies/", {"version": "current", name: value})
        assert response.status_code == 400, name
        assert [e["field"] for e in response.json()["errors"]] == [name]

    assert ids(api.get("/api/policies/", {"version": "current", "search": "x" * SEARCH_MAX_LENGTH})) == []
    assert ids(api.get("/api/policies/", {"version": "current", "country": "x" * INDEXED_TEXT_MAX_LENGTH})) == []
    # DRF holds a page to `max_page_size` records however many are asked for (a number too long to read: the default).
    assert len(ids(api.get("/api/policies/", {"version": "current", "page_size": "9" * 20}))) == len(records)


def test_the_list_pages_by_cursor_until_every_record_is_read(clients, records):
    seen, url = [], "/api/policies/?version=current&page_size=2"
    while url:
        page = clients["editor"].get(url).json()
        seen += [item["id"] for item in page["results"]]
        url = page["next"]
    assert seen == sorted(p.policy_id for p in records.values())
    assert clients["editor"].get("/api/policies/?cursor=garbage").status_code == 400


def test_the_detail_gives_the_frontmatter_in_the_files_order_with_dates_as_text(clients, imported):
    response = clients["editor"].get(f"/api/policies/{imported.policy_id}/?version=current")
    assert response.status_code == 200
    assert response["ETag"] == f'"{imported.policy_id}@{imported.version}"'
    data = response.json()["frontmatter"]
    assert list(data)[:5] == ["id", "country", "year", "status", "category"]
    assert data["pubDate"] == "2024-10-01"
    assert data["provenance"]["lastAuditDate"] == "2026-02-08"
    assert response.json()["body"] == imported.body


def test_a_record_with_nothing_published_is_not_found_unless_its_current_version_is_asked_for(clients, records):
    for policy_id in ("aa-pending", "ee-rejected"):
        response = clients["editor"].get(f"/api/policies/{policy_id}/")
        assert response.status_code == 404
        assert "?version=current" in response.json()["detail"]
        assert clients["editor"].get(f"/api/policies/{policy_id}/?version=current").status_code == 200


def test_an_unknown_record_or_path_is_a_json_404(clients, records):
    for url in ("/api/policies/nope/", "/api/policies/bad%00id/file/", "/api/nothing/here/"):
        response = clients["editor"].get(url)
        assert (response.status_code, response["Content-Type"]) == (404, "application/json"), url


def test_the_file_is_byte_identical_to_what_export_policies_writes(clients, imported, tmp_path):
    approve(imported, make_reviewer("other_reviewer"))
    edit(imported, user=make_editor("later_editor"), market_score=42)
    export_to_folder(tmp_path / "published")
    export_to_folder(tmp_path / "current", all_records=True)
    published = clients["reviewer"].get(f"/api/policies/{imported.policy_id}/file/")
    current = clients["reviewer"].get(f"/api/policies/{imported.policy_id}/file/?version=current")
    assert published["Content-Type"] == current["Content-Type"] == "text/markdown; charset=utf-8"
    assert published.content == (tmp_path / "published" / "intl-paris-art-6-4-ccs.md").read_bytes()
    assert current.content == (tmp_path / "current" / "intl-paris-art-6-4-ccs.md").read_bytes()
    assert published.content != current.content
    assert b"score: 42" in current.content


def test_the_history_lists_each_version_with_who_when_why_and_what_changed(clients, records):
    history = clients["editor"].get("/api/policies/cc-reedited/history/").json()
    assert [entry["version"] for entry in history] == [3, 2, 1]
    newest = history[0]
    assert (newest["user"], newest["reason"], newest["state"]) == ("author", "Edited", "pending")
    assert newest["changed"] == ["country", "title"]
    assert history[1]["user"] == "second_reviewer"
    assert history[1]["changed"] == ["provenance.reviewer", "provenance.lastAuditDate"]


def test_the_review_events_list_decisions_with_their_verdicts(clients, records):
    events = clients["reviewer"].get("/api/policies/cc-reedited/reviews/").json()
    assert [e["action"] for e in events] == ["edit", "approve"]
    approval = events[1]
    assert approval["actor"] == "second_reviewer"
    assert (approval["from_state"], approval["to_state"]) == ("pending", "verified")
    assert {v["dimension"]: v["verdict"] for v in approval["verdicts"]} == {
        "market": "confirmed",
        "mrv": "confirmed",
        "statutory": "confirmed",
    }


def test_a_record_lists_the_problems_of_the_version_shown_with_line_column_and_field(
    clients, draft_needing_a_fix, records
):
    policy, text = draft_needing_a_fix
    response = clients["editor"].get(f"/api/policies/{policy.policy_id}/?version=current")
    assert response.status_code == 200
    body = response.json()
    assert body["problems"] == [
        {
            "field": "analysis.strategic.score",
            "line": text[: text.index("score: 85.5")].count("\n") + 1,
            "column": 12,
            "message": "must be a whole number, not the number 85.5",
        }
    ]
    assert body["frontmatter"]["analysis"]["strategic"]["score"] == 85.5
    listed = clients["editor"].get("/api/policies/?version=current").json()["results"]
    assert {item["id"]: len(item["problems"]) for item in listed} == {
        "aa-pending": 0,
        "bb-verified": 0,
        "cc-reedited": 0,
        "dd-changes-requested": 0,
        "ee-rejected": 0,
        "intl-paris-art-6-4-ccs": 1,
    }
