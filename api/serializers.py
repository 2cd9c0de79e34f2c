"""The API's JSON shapes: records as frontmatter-shaped JSON, their versions and review events, and the bodies of
edits and decisions. Shapes only: the rules live in `policies.records` and `reviews.workflow`."""

from __future__ import annotations

import base64
import datetime
import math
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from policies import checks, editing, records
from policies.models import ReviewState
from reviews.models import OFFERED_VERDICTS, DimensionVerdict, ReviewEvent
from reviews.workflow import DimensionCheck

from .preconditions import etag
from .versions import Shown, Snapshot

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

JSON_VALUES = (
    "YAML values that JSON cannot carry are written as text: dates and timestamps in ISO 8601 (`2024-10-01`, "
    "`2024-10-01T08:00:00+00:00`), `!!binary` as base64, infinite and undefined numbers as `.inf`, `-.inf` and "
    "`.nan`."
)
_KIND_SCHEMAS: dict[str, dict[str, Any]] = {
    "id": {"type": "string"},
    "required_text": {"type": "string"},
    "text": {"type": "string", "nullable": True},
    "year": {"type": "integer", "nullable": True},
    "score": {"type": "integer", "nullable": True},
    "date": {"type": "string", "nullable": True, "description": "A date, YYYY-MM-DD."},
    "list": {"type": "array", "items": {"type": "string"}, "nullable": True},
}
AS_WRITTEN = (
    "A value the file wrote in a form its field cannot hold (a score of 85.5) is shown as written, and listed in "
    "`problems`, until an edit fixes it."
)


def _labels(leaf: Any) -> dict[str, str]:
    """A field's label and help text from the schema, as OpenAPI's title and description."""
    described = {"title": str(leaf.label)}
    if leaf.help_text:
        described["description"] = str(leaf.help_text)
    return described


def _bounds(leaf: Any) -> dict[str, int]:
    if leaf.value_range is not None:
        return {"minimum": leaf.value_range[0], "maximum": leaf.value_range[1]}
    return {"maxLength": leaf.max_length} if leaf.max_length is not None else {}


def _frontmatter_schema(*, request: bool) -> dict[str, Any]:
    """The frontmatter as OpenAPI describes it, built from the fields `policies.records` knows."""
    root: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": True}
    for container in records.CONTAINERS:
        parent = root
        for key in container[:-1]:
            parent = parent["properties"][key]
        parent["properties"][container[-1]] = {
            "type": "object",
            "nullable": True,
            "properties": {},
            "additionalProperties": True,
        }
    for leaf in records.LEAVES:
        parent = root
        for key in leaf.path[:-1]:
            parent = parent["properties"][key]
        schema = {**_KIND_SCHEMAS[leaf.kind], **_labels(leaf)}
        if request:
            schema.update(_bounds(leaf))
            if leaf.attr in editing.NOT_EDITABLE:
                schema["readOnly"] = True
        elif leaf.kind != "id":
            schema = {"anyOf": [schema, {"description": AS_WRITTEN}]}
        parent["properties"][leaf.path[-1]] = schema
    if request:
        root["description"] = (
            "Only the keys to change, shaped as in the file: mappings are merged key by key, any other value "
            "replaces the current one. Keys the schema does not know are kept, as the import keeps them. The id, "
            "reviewStatus and the provenance are not edited here: the import and the review workflow write them. "
            "A value its field cannot hold is refused; one the record keeps as written stays until a valid value "
            "replaces it."
        )
    else:
        root["required"] = ["id"]
        root["description"] = (
            f"The record's frontmatter: the keys of its file, in the file's order. {JSON_VALUES} {AS_WRITTEN}"
        )
    return root


def json_safe(value: Any) -> Any:
    """A YAML value (as `policies.frontmatter` reads it) as JSON can carry it; see JSON_VALUES."""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    return value


@extend_schema_field(_frontmatter_schema(request=False))
class FrontmatterField(serializers.Field):
    def to_representation(self, value: Any) -> Any:
        return json_safe(value)


class ProblemSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The frontmatter key, e.g. `analysis.market.score`.")
    line = serializers.IntegerField(allow_null=True, help_text="Where its value is in the record's file (1-based).")
    column = serializers.IntegerField(allow_null=True)
    message = serializers.CharField(help_text="What is wrong, e.g. `must be a whole number, not the number 85.5`.")


class PolicySerializer(serializers.Serializer):
    """A record as its shown version (`Shown`) says."""

    id = serializers.CharField(source="policy.policy_id", help_text="The record's id, as in its URL.")
    snapshot = serializers.ChoiceField(
        choices=[s.value for s in Snapshot],
        help_text="Which version this is: the published one (last verified) or the current one.",
    )
    state = serializers.ChoiceField(source="policy.state", choices=ReviewState.choices, help_text="Review state now.")
    version = serializers.IntegerField(source="version.version", help_text="The version shown.")
    current_version = serializers.IntegerField(source="policy.version", help_text="The record's latest version.")
    etag = serializers.SerializerMethodField(help_text="The record's ETag: send it in If-Match to change it.")
    frontmatter = serializers.SerializerMethodField()
    body = serializers.CharField(source="version.body", help_text="The Markdown after the frontmatter.")
    problems = serializers.SerializerMethodField(
        help_text="What needs fixing before the version can be approved: values the file wrote in a form their "
        "fields cannot hold, and required fields left empty. Empty when there is nothing to fix."
    )

    def get_etag(self, shown: Shown) -> str:
        return etag(shown.policy)

    @extend_schema_field(ProblemSerializer(many=True))
    def get_problems(self, shown: Shown) -> Any:
        found = [problem for problem in checks.located_problems(shown.policy, shown.version) if problem.blocking]
        return ProblemSerializer(found, many=True).data

    @extend_schema_field(FrontmatterField)
    def get_frontmatter(self, shown: Shown) -> Any:
        return json_safe(editing.current_data(shown.version, as_stated=True))


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    history_id = serializers.IntegerField()
    date = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True, help_text="Who saved it; null for a command.")
    reason = serializers.CharField()
    state = serializers.ChoiceField(choices=ReviewState.choices, help_text="The review state it was saved with.")
    changed = serializers.ListField(
        child=serializers.CharField(), help_text="Fields this version changed, as the file names them."
    )


class DimensionVerdictSerializer(serializers.ModelSerializer):
    class Meta:
        model = DimensionVerdict
        fields = ["dimension", "verdict", "note"]


class ReviewEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    verdicts = DimensionVerdictSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewEvent
        fields = [
            "id",
            "action",
            "version",
            "from_state",
            "to_state",
            "actor",
            "created_at",
            "comment",
            "history_id",
            "verdicts",
        ]

    def get_actor(self, event: ReviewEvent) -> str | None:
        return event.actor.get_username() if event.actor else None


@extend_schema_field(_frontmatter_schema(request=True))
class FrontmatterChangesField(serializers.DictField):
    def to_internal_value(self, data: Any) -> dict[str, Any]:
        value = super().to_internal_value(data)
        problems: dict[str, list[str]] = {}
        for path, message in records.unholdable_text(value):
            problems.setdefault(records.dotted(path), []).append(message)
        if problems:
            raise serializers.ValidationError(problems)
        return value


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, so that a misplaced key is an error rather than silently ignored."""

    unknown_message: StrOrPromise = gettext_lazy("is not a field of this request")

    def to_internal_value(self, data: Any) -> Any:
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        if unknown:
            raise serializers.ValidationError({str(key): [self.unknown_message] for key in unknown})
        return super().to_internal_value(data)


class EditSerializer(StrictSerializer):
    frontmatter = FrontmatterChangesField(required=False)
    body = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="The new Markdown body, if it changes."
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Kept in the record's history with your name."
    )
    unknown_message = gettext_lazy("is not a field of an edit; frontmatter keys go under `frontmatter`")


class VerdictSerializer(StrictSerializer):
    verdict = serializers.ChoiceField(choices=[(v.value, v.label) for v in OFFERED_VERDICTS])
    note = serializers.CharField(default="", allow_blank=True)


class ApproveSerializer(StrictSerializer):
    verdicts = serializers.DictField(
        child=VerdictSerializer(),
        help_text="A verdict for every analysis dimension the record has, keyed by dimension (e.g. `market`).",
    )
    comment = serializers.CharField(default="", allow_blank=True)

    def validate_verdicts(self, verdicts: dict[str, dict[str, str]]) -> dict[str, DimensionCheck]:
        return {d: DimensionCheck(v["verdict"], v["note"]) for d, v in verdicts.items()}


class DecisionSerializer(StrictSerializer):
    comment = serializers.CharField(default="", allow_blank=True)


class ExplainedDecisionSerializer(StrictSerializer):
    comment = serializers.CharField(help_text="Why: required for this decision.")


class RequestChangesSerializer(ExplainedDecisionSerializer):
    verdicts = serializers.DictField(
        child=VerdictSerializer(),
        required=False,
        help_text="Verdicts on some or all analysis dimensions, keyed by dimension: a `wrong` one needs a `note`, "
        "which goes to the record's editors on that dimension.",
    )

    def validate_verdicts(self, verdicts: dict[str, dict[str, str]]) -> dict[str, DimensionCheck]:
        return {d: DimensionCheck(v["verdict"], v["note"]) for d, v in verdicts.items()}


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Where in the request body, e.g. `frontmatter.analysis.market.score`.")
    message = serializers.CharField()


class InvalidSerializer(ErrorSerializer):
    errors = FieldErrorSerializer(many=True)


class StaleSerializer(ErrorSerializer):
    current_version = serializers.IntegerField(required=False)
    etag = serializers.CharField(required=False, help_text="The record's ETag now.")
    changed_by = serializers.CharField(
        required=False, allow_null=True, help_text="Who saved the latest version; null for a command."
    )
    changed_at = serializers.CharField(required=False, allow_null=True)
    change_reason = serializers.CharField(required=False)
