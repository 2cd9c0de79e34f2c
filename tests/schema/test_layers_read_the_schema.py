"""What a field's schema row says is what each layer does with it: its box in the change form, its label and bounds
in the API's description."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from policies import editing, schema
from policies.models import Policy

pytestmark = pytest.mark.django_db

EDITABLE = [field for field in schema.FIELDS if field.attr not in editing.NOT_EDITABLE]


@pytest.fixture
def form_fields(superuser) -> dict:
    request = RequestFactory().get("/")
    request.user = superuser
    return admin.site._registry[Policy].get_form(request)().fields


@pytest.mark.parametrize("field", EDITABLE, ids=lambda field: field.attr)
def test_each_editable_field_gets_the_box_its_row_describes(field, form_fields):
    attrs = form_fields[field.attr].widget.attrs
    if field.value_range is not None:
        assert (attrs["min"], attrs["max"]) == field.value_range
    elif field.form_box.rows > 1:
        assert attrs["rows"] == field.form_box.rows
        assert ("markdown" in type(form_fields[field.attr].widget).__name__.lower()) == field.form_box.markdown
    elif field.kind != "date":
        assert attrs["size"] == field.form_box.width
    assert str(form_fields[field.attr].label) == str(field.label)


def test_the_api_describes_each_field_with_its_label_help_and_bounds(client):
    document = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    edit_request = _edit_frontmatter(document)
    for field in schema.FIELDS:
        node = edit_request
        for key in field.path:
            node = node["properties"][key]
        assert node["title"] == str(field.label), field.attr
        assert str(field.help_text) in node.get("description", ""), field.attr
        if field.value_range is not None:
            assert (node["minimum"], node["maximum"]) == field.value_range, field.attr
        if field.max_length is not None:
            assert node["maxLength"] == field.max_length, field.attr


def _edit_frontmatter(document: dict) -> dict:
    # The edit request's `frontmatter` property, wherever drf-spectacular put the request body's component.
    for component in document["components"]["schemas"].values():
        frontmatter = component.get("properties", {}).get("frontmatter")
        if frontmatter and "readOnly" in str(frontmatter):
            return frontmatter
    raise AssertionError("no edit request with a frontmatter property")
