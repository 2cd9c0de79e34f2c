"""The list's filters. They apply to the version the list shows: filtering the published list by country finds
the records whose published version has that country.

Each text is bounded, so that no request can make the database compare long texts with every record: a country
or category longer than its column holds (`INDEXED_TEXT_MAX_LENGTH`) matches nothing, a tag is held to the same
length, and a search to what the admin's search takes (`policies.search.MAX_CHARACTERS`). A longer one is refused
with 400 naming the parameter.
"""

from __future__ import annotations

from typing import Any

from django.db import NotSupportedError
from django.db.models import BooleanField, F, Func, Q, Value
from rest_framework import serializers
from rest_framework.filters import BaseFilterBackend

from policies import countries
from policies.models import ReviewState
from policies.schema import INDEXED_TEXT_MAX_LENGTH
from policies.search import MAX_CHARACTERS as SEARCH_MAX_LENGTH

from . import versions


class ListHasItem(Func):
    """True where the JSON list in `field` has `item` as one of its items (JSONField's `contains` is not
    available on SQLite)."""

    output_field = BooleanField()

    def __init__(self, field: str, item: str) -> None:
        super().__init__(F(field), Value(item))

    def as_sql(self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context):
        raise NotSupportedError(f"Filtering lists is not implemented for {connection.vendor}.")

    def as_sqlite(self, compiler, connection, **extra_context):
        (field, field_params), (item, item_params) = (compiler.compile(e) for e in self.get_source_expressions())
        return f"EXISTS (SELECT 1 FROM json_each({field}) WHERE json_each.value = {item})", (
            *field_params,
            *item_params,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        (field, field_params), (item, item_params) = (compiler.compile(e) for e in self.get_source_expressions())
        return f"({field} @> jsonb_build_array(({item})::text))", (*field_params, *item_params)


class PolicyFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=ReviewState.choices, required=False, help_text="The record's review state.")
    country = serializers.CharField(
        required=False,
        max_length=INDEXED_TEXT_MAX_LENGTH,
        help_text=("A country or region in any of its spellings: `China`, `中国` and `CN` find the same records."),
    )
    category = serializers.CharField(
        required=False, max_length=INDEXED_TEXT_MAX_LENGTH, help_text="Exactly as the record writes it, e.g. `Market`."
    )
    year = serializers.IntegerField(required=False, min_value=0, max_value=9999)
    tag = serializers.CharField(
        required=False, max_length=INDEXED_TEXT_MAX_LENGTH, help_text="One of the record's tags, exactly."
    )
    search = serializers.CharField(
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        help_text=(
            "Words the id, title, country or tags contain, all of them, in any case; "
            '"a phrase in quotes" is one word. The admin list\'s search, applied to the version shown.'
        ),
    )


class PolicyFilter(BaseFilterBackend):
    def filter_queryset(self, request, queryset, view):
        params = PolicyFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        given = params.validated_data
        if "state" in given:
            queryset = queryset.filter(state=given["state"])
        conditions: list[Any] = [Q(**{name: given[name]}) for name in ("category", "year") if name in given]
        if "country" in given:
            # Any spelling of a place: country=China also finds the records that write 中国.
            conditions.append(Q(country__in=countries.spellings_of(given["country"])))
        if "tag" in given:
            conditions.append(ListHasItem("tags", given["tag"]))
        queryset = versions.whose_shown_version(view.snapshot, queryset, *conditions)
        if "search" in given:
            queryset = versions.whose_shown_version_matches(view.snapshot, queryset, given["search"])
        return queryset

    def get_schema_operation_parameters(self, view):
        types = {serializers.IntegerField: "integer"}
        parameters = []
        for name, field in PolicyFilterSerializer().fields.items():
            schema: dict[str, Any] = {"type": types.get(type(field), "string")}
            if isinstance(field, serializers.ChoiceField):
                schema["enum"] = list(field.choices)
            if getattr(field, "max_length", None):
                schema["maxLength"] = field.max_length
            parameters.append(
                {"name": name, "in": "query", "required": False, "description": field.help_text or "", "schema": schema}
            )
        return parameters
