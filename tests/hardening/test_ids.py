"""Ids are what they look like: an id that cannot name a file on every platform is refused at every door that
takes one (the import command, the admin's upload, add and change forms, the API's PATCH and its URLs), with a
message naming the field and what is wrong, and nothing is stored.

A trailing line break was the hole: the check matched with `$`, which also matches before a final "\\n".
"""

from __future__ import annotations

import io
import json
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from policies.models import Policy
from tests.api.clients import client_for, etag_of
from tests.factories import change_form_data, make_policy, make_user, write
from tests.snapshots import database_state

pytestmark = pytest.mark.django_db

# Each id a file, a form or a request might bring, and what the refusal says is wrong with it.
UNSAFE_IDS = {
    "a trailing line break": ("newline-id\n", "'\\n', U+000A"),
    "a line break inside": ("two\nlines", "'\\n', U+000A"),
    "a carriage return": ("cr-id\r", "'\\r', U+000D"),
    "a tab": ("tab\tid", "'\\t', U+0009"),
    "a NUL": ("nul-\x00-id", "contains a NUL character"),
    "a control character": ("bell\x07", "'\\x07', U+0007"),
    "a Unicode line separator": ("line\u2028separator", "'\\u2028', U+2028"),
    "a slash": ("folder/id", "'/', U+002F"),
    "a backslash": ("folder\\id", "'\\\\', U+005C"),
    "two dots": ("up..id", "'..'"),
    "a leading dot": (".hidden", "starts with '.'"),
    "a space": ("two words", "' ', U+0020"),
    "a leading space": (" padded", "' ', U+0020"),
    "over 200 characters": ("x" * 201, "201 characters long"),
}
CASES = pytest.mark.parametrize(("unsafe_id", "what"), UNSAFE_IDS.values(), ids=UNSAFE_IDS.keys())
# The admin's forms say these two in Django's words, before the id's own check runs.
FORMS_SAY = {"contains a NUL character": "Null characters are not allowed.", "201 characters long": "(it has 201)"}


def assert_names(message: str, what: str) -> None:
    assert what in message, message
    if what not in ("contains a NUL character", *FORMS_SAY.values()):
        assert "is not a safe file name" in message, message


def file_with_id(policy_id: str) -> str:
    # A JSON string is a YAML double-quoted scalar: every character above is written as an escape.
    return f"---\nid: {json.dumps(policy_id)}\ntitle: A title\n---\nBody\n"


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@CASES
def test_the_import_command_refuses_an_unsafe_id_naming_file_line_column_and_field(unsafe_id, what, tmp_path):
    write(tmp_path, "record.md", file_with_id(unsafe_id))
    out = io.StringIO()

    with pytest.raises(SystemExit) as exit_:
        call_command("import_policies", str(tmp_path), stdout=out, stderr=io.StringIO())

    assert exit_.value.code == 1
    [line] = [line for line in out.getvalue().splitlines() if line.startswith("rejected: ")]
    assert line.startswith("rejected: record.md: line 2, column 5, field id: "), line
    assert_names(line, what)
    assert not Policy.objects.exists()


@CASES
def test_the_admin_upload_refuses_an_unsafe_id_naming_file_line_column_and_field(unsafe_id, what, editor_client):
    upload = SimpleUploadedFile("record.md", file_with_id(unsafe_id).encode())

    response = editor_client.post(reverse("admin:policies_policy_import"), {"files": [upload]})

    assert response.status_code == 200
    [result] = response.context["report"].results
    assert (result.name, result.outcome) == ("record.md", "rejected")
    assert result.message.startswith("line 2, column 5, field id: "), result.message
    assert_names(result.message, what)
    assert "field id: " in response.content.decode()
    assert not Policy.objects.exists()


@CASES
def test_the_admin_add_form_refuses_an_unsafe_id_at_the_id_field(unsafe_id, what, editor_client):
    response = editor_client.post(reverse("admin:policies_policy_add"), {"policy_id": unsafe_id, "title": "A title"})

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["policy_id"]
    assert_names(" ".join(errors["policy_id"]), FORMS_SAY.get(what, what))
    assert not Policy.objects.exists()


@CASES
def test_the_admin_change_form_refuses_an_unsafe_id_at_the_id_field(unsafe_id, what, editor_client, editor):
    policy = make_policy(user=editor, policy_id="safe-id")
    data = change_form_data(editor_client, policy, policy_id=unsafe_id)
    before = database_state()

    response = editor_client.post(reverse("admin:policies_policy_change", args=[policy.pk]), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["policy_id"]
    assert_names(" ".join(errors["policy_id"]), FORMS_SAY.get(what, what))
    assert database_state() == before


@CASES
def test_the_api_refuses_a_patch_to_an_unsafe_id_naming_the_field(unsafe_id, what, editor):
    policy = make_policy(user=make_user("author"), policy_id="safe-id")
    before = database_state()

    response = client_for(editor).patch(
        "/api/policies/safe-id/",
        {"frontmatter": {"id": unsafe_id}},
        format="json",
        HTTP_IF_MATCH=etag_of(policy),
    )

    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert error["field"] == "frontmatter.id"
    assert_names(error["message"], what)
    assert database_state() == before


def test_the_api_refuses_the_records_own_id_with_a_line_break_added(editor):
    """What passed the old check: the record's id and a final line break, which named another file."""
    policy = make_policy(user=make_user("author"), policy_id="safe-id")

    response = client_for(editor).patch(
        "/api/policies/safe-id/", {"frontmatter": {"id": "safe-id\n"}}, format="json", HTTP_IF_MATCH=etag_of(policy)
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "frontmatter.id",
            "message": "'safe-id\\n' is not a safe file name (it holds '\\n', U+000A): use letters, digits, '.', '_' "
            "and '-', starting with a letter or digit, at most 200 characters.",
        }
    ]


@CASES
def test_the_api_answers_404_for_an_unsafe_id_in_its_urls_even_for_a_record_stored_with_it_before(
    unsafe_id, what, superuser
):
    if "\x00" not in unsafe_id and len(unsafe_id) <= 200:
        # Stored as the old check let the admin and the import store it (a save itself checks nothing).
        make_policy(user=superuser, policy_id=unsafe_id)
    client = client_for(superuser)
    base = f"/api/policies/{quote(unsafe_id, safe='')}/"

    for url in (base, f"{base}file/", f"{base}history/", f"{base}reviews/"):
        response = client.get(url, {"version": "current"}, HTTP_ACCEPT="application/json, text/markdown")
        assert response.status_code == 404, (url, response.status_code)
        assert response["Content-Type"] == "application/json"
    response = client.post(f"{base}approve/", {}, format="json", HTTP_IF_MATCH='"x@1"')
    assert response.status_code == 404
