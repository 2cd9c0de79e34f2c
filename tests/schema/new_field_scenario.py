"""Run by `test_a_new_field.py` in a copy of the project whose schema has one row more, `region`, and the migration
`makemigrations` wrote for it; nothing else of the copy differs. Its name keeps the suite from collecting it.

Each test follows the new key through one layer: the import, the change form, a diff, the review screen, the API
and the export.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from policies import diffing, schema
from policies.filetext import render_policy
from policies.forms import PolicyForm
from policies.models import Policy
from tests.api.clients import client_for
from tests.factories import approve, edit, make_editor, make_reviewer, run_import, write

pytestmark = pytest.mark.django_db

TEXT = """---
id: cn-region-test
country: 中国
year: 2024
region: 华东地区
title: 区域试点
---
正文。
"""


@pytest.fixture
def record(tmp_path) -> Policy:
    write(tmp_path, "cn-region-test.md", TEXT)
    assert run_import(tmp_path).ok
    return Policy.objects.get(policy_id="cn-region-test")


def test_the_row_is_in_the_schema_and_the_model():
    field = schema.BY_ATTR["region"]
    assert (field.path, str(field.label)) == (("region",), "Region")
    assert str(Policy._meta.get_field("region").verbose_name) == "Region"


def test_the_import_keeps_the_value_in_its_field_not_among_unknown_keys(record):
    assert record.region == "华东地区"
    assert "region" not in record.extra


def test_the_change_form_offers_it_with_its_label_and_saves_it(record, admin_client):
    assert "region" in PolicyForm.base_fields
    page = admin_client.get(reverse("admin:policies_policy_change", args=[record.pk]))
    assert "Region" in page.text and "华东地区" in page.text


def test_a_diff_names_it(record):
    before = Policy.history.get(policy_id=record.policy_id, version=record.version)
    edit(record, user=make_editor(), region="华南地区")
    changed = [change for section in diffing.compare(before, record) for change in section.fields]
    assert [(change.name, str(change.label)) for change in changed] == [("region", "Region")]


def test_the_review_screen_shows_its_change_since_the_verified_version(record, admin_client):
    approve(record, make_reviewer())
    edit(record, user=make_editor(), region="西部")
    page = admin_client.get(reverse("admin:policies_policy_review", args=[record.pk]))
    assert "Region" in page.text and "西部" in page.text


def test_the_api_reads_and_edits_it(record):
    api = client_for(make_editor("api-editor"))
    shown = api.get(f"/api/policies/{record.policy_id}/?version=current").json()
    assert shown["frontmatter"]["region"] == "华东地区"
    response = api.patch(
        f"/api/policies/{record.policy_id}/",
        {"frontmatter": {"region": "西北地区"}, "reason": "API edit"},
        format="json",
        HTTP_IF_MATCH=f'"{record.policy_id}@{record.version}"',
    )
    assert response.status_code == 200, response.content
    record.refresh_from_db()
    assert record.region == "西北地区"


def test_the_export_gives_the_file_back_unchanged_and_an_edit_changes_only_its_line(record):
    assert render_policy(record).text == TEXT
    edit(record, user=make_editor(), region="华南地区")
    assert render_policy(record).text == TEXT.replace("华东地区", "华南地区")
