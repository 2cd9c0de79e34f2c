"""A NUL character gets the same answer on SQLite and PostgreSQL: refused, naming the field, and nothing stored.

SQLite stores one and PostgreSQL cannot (its text holds no NUL), so a file that wrote one as a YAML escape
(`"a\\0b"`) was a record on one database and a refused file or a crash on the other. Run this module on both
(`DATABASE_URL=postgres://... pytest tests/hardening/test_nul_characters.py`).
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from policies.models import Policy
from policies.transfer.importing import ImportOutcome
from tests.api.clients import client_for, etag_of
from tests.factories import change_form_data, make_policy, make_user, run_import, write
from tests.snapshots import database_state

pytestmark = pytest.mark.django_db

NUL = "contains a NUL character; policy files are text"
# A line of frontmatter writing a NUL (as YAML escapes it: \0, \x00 or \u0000), and where the import says it is.
IN_FILES = {
    "a text": ('country: "a\\0b"', "line 3, column 10, field country"),
    "a required text": ('title: "A\\x00title"', "line 3, column 8, field title"),
    "a list's item": ('tags: [ok, "a\\u0000b"]', "line 3, column 12, field tags[1]"),
    "a nested field": ('analysis: {market: {label: "a\\0b"}}', "line 3, column 28, field analysis.market.label"),
    "a value its field cannot hold": ('year: "a\\0b"', "line 3, column 7, field year"),
    "a key the schema does not know": ('note: "a\\0b"', "line 3, column 7, field note"),
}


def file_writing(line: str) -> str:
    title = "" if line.startswith("title:") else "title: A title\n"
    return f"---\nid: a\n{line}\n{title}---\nBody\n"


@pytest.mark.parametrize(("line", "where"), IN_FILES.values(), ids=IN_FILES.keys())
def test_a_nul_written_as_an_escape_refuses_the_file_naming_line_column_and_field(line, where, tmp_path):
    write(tmp_path, "a.md", file_writing(line))

    [result] = run_import(tmp_path).results

    assert (result.name, result.outcome, result.message) == ("a.md", ImportOutcome.REJECTED, f"{where}: {NUL}")
    assert not Policy.objects.exists()


def test_a_key_holding_a_nul_refuses_the_file_naming_the_key(tmp_path):
    write(tmp_path, "a.md", file_writing('analysis: {"mar\\0ket": {score: 5}}'))

    [result] = run_import(tmp_path).results

    assert result.outcome is ImportOutcome.REJECTED
    assert result.message == f"line 3, column 11, field analysis: has a key 'mar\\x00ket' that {NUL}"
    assert not Policy.objects.exists()


def test_the_admin_upload_refuses_it_with_the_same_message(client, editor):
    client.force_login(editor)
    upload = SimpleUploadedFile("a.md", file_writing('country: "a\\0b"').encode())

    response = client.post(reverse("admin:policies_policy_import"), {"files": [upload]})

    [result] = response.context["report"].results
    assert (result.outcome, result.message) == (ImportOutcome.REJECTED, f"line 3, column 10, field country: {NUL}")
    assert not Policy.objects.exists()


# A NUL sent through the API's PATCH, and the field its 400 names: the import's words for the same value.
IN_REQUESTS = {
    "a text": ({"country": "a\x00b"}, "frontmatter.country", NUL),
    "a list's item": ({"tags": ["ok", "a\x00b"]}, "frontmatter.tags[1]", NUL),
    "a key": (
        {"analysis": {"mar\x00ket": {"score": 5}}},
        "frontmatter.analysis",
        f"has a key 'mar\\x00ket' that {NUL}",
    ),
}


@pytest.mark.parametrize(("changes", "field", "message"), IN_REQUESTS.values(), ids=IN_REQUESTS.keys())
def test_the_api_refuses_a_nul_as_the_import_does_naming_the_field(changes, field, message, editor):
    policy = make_policy(user=make_user("author"), policy_id="a")
    before = database_state()

    response = client_for(editor).patch(
        "/api/policies/a/", {"frontmatter": changes}, format="json", HTTP_IF_MATCH=etag_of(policy)
    )

    assert response.status_code == 400, response.content
    assert response.json()["errors"] == [{"field": field, "message": message}]
    assert database_state() == before


# What an editor may type into the change form with a NUL in it (a browser sends one as typed), and what the
# field then says.
IN_FORMS = {
    "a text": ("title", "A\x00title", "Null characters are not allowed."),
    "a list": ("tags", "ok\na\x00b", "Null characters are not allowed."),
    "the body": ("body", "Body\x00", "Null characters are not allowed."),
    "other frontmatter, as an escape": ("extra", 'note: "a\\0b"', f"note {NUL}."),
    "other frontmatter, nested": ("extra", 'series:\n  name: "\\x00"', f"series.name {NUL}."),
}


@pytest.mark.parametrize(("name", "typed", "message"), IN_FORMS.values(), ids=IN_FORMS.keys())
def test_the_change_form_refuses_a_nul_at_its_field(name, typed, message, client, editor):
    policy = make_policy(user=editor, policy_id="a")
    client.force_login(editor)
    data = change_form_data(client, policy, **{name: typed})
    before = database_state()

    response = client.post(reverse("admin:policies_policy_change", args=[policy.pk]), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {name: [message]}
    assert database_state() == before


def test_the_add_form_refuses_a_nul_in_other_frontmatter(client, editor):
    client.force_login(editor)

    response = client.post(
        reverse("admin:policies_policy_add"), {"policy_id": "a", "title": "A title", "extra": 'note: "\\0"'}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"extra": [f"note {NUL}."]}
    assert not Policy.objects.exists()


def list_parameters(model_admin: admin.ModelAdmin) -> list[str]:
    """The query parameters of an admin list: its search and each of its filters."""
    names = ["q"]
    for list_filter in model_admin.list_filter:
        if isinstance(list_filter, str):
            names.append(list_filter)
        elif isinstance(list_filter, tuple):
            names.append(list_filter[0])
        else:
            names.append(list_filter.parameter_name)
    return names


def test_every_admin_list_filtered_by_a_nul_gets_the_400_page_and_the_api_names_the_parameter(client, superuser):
    # PostgreSQL refused the filters' values (a 500) where SQLite found nothing.
    client.force_login(superuser)
    make_policy(user=superuser, policy_id="a")
    lists = {
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"): list_parameters(model_admin)
        for model, model_admin in admin.site._registry.items()
    }
    assert len(lists) > 5

    answers = {
        (url, name): client.get(url, {name: "a\x00b"}).status_code for url, names in lists.items() for name in names
    }

    assert set(answers.values()) == {400}, {key: status for key, status in answers.items() if status != 400}
    page = client.get(reverse("admin:policies_policy_changelist"), {"state": "\x00"}).content.decode()
    assert "<h1>Bad request</h1>" in page
    response = client_for(superuser).get("/api/policies/", {"country": "a\x00b"})
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["country"]
