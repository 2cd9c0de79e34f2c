"""Admin forms for policy records: lists edited one item a line, unknown keys edited as YAML, Markdown with a live
preview, and every edit bound to the version the editor loaded."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst

from policies import editing, frontmatter, records
from policies.models import ANALYSIS_DIMENSIONS, Policy
from policies.records import CONTENT_FIELDS
from policies.rendering import render_markdown

TEXT_FIELDS = (models.CharField, models.TextField)
LIST_FIELDS = ("sectors", "tags", "supersedes", "clusters", "related_facilities")
# Short texts: one line each, whatever their length.
LINE_FIELDS = (
    "country",
    "status",
    "category",
    "legal_weight",
    "scope",
    "review_status",
    "provenance_author",
    "provenance_reviewer",
)


class LinesField(forms.CharField):
    """A list of text items, one a line; blank lines are dropped, the items' own spaces are kept."""

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, *, encoder: Any = None, decoder: Any = None, **kwargs: Any) -> None:
        # JSONField hands its JSON encoder and decoder to the form field; lines need neither.
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list):
            return value
        text = super().to_python(value) or ""
        return [line.rstrip("\r") for line in text.split("\n") if line.strip()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return (initial or []) != self.to_python(data)


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")


class KeptTextField(forms.CharField):
    """Text kept exactly as typed: browsers send every line break as CRLF, and a stripped blank line or space
    would otherwise show up as an edit nobody made (and change the exported file)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["strip"] = False
        super().__init__(**kwargs)

    def has_changed(self, initial: Any, data: Any) -> bool:
        return _lf(initial or "") != _lf(self.to_python(data) or "")

    @staticmethod
    def as_written(value: str, original: str) -> str:
        """`value` with the line breaks `original` uses; `original` itself if only line breaks differ."""
        if _lf(value) == _lf(original):
            return original
        return _lf(value).replace("\n", "\r\n") if "\r\n" in original else _lf(value)


class MarkdownTextarea(forms.Textarea):
    """A Markdown textarea followed by its preview as published; `policy_admin.js` keeps the preview live."""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> str:
        textarea = super().render(name, value, attrs, renderer)
        source = (attrs or {}).get("id") or f"id_{name}"
        return format_html(
            '<div class="markdown-field">{}<div class="markdown-preview" id="preview-{}" data-source="{}" '
            'data-preview-url="{}" data-state="ready" aria-live="polite" aria-label="Preview of {}">{}</div></div>',
            textarea,
            name,
            source,
            reverse("admin:policies_policy_preview"),
            name,
            render_markdown(value or ""),
        )


class PolicyForm(forms.ModelForm):
    expected_version = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        help_text="The version of the record this form was loaded with: a save onto any other is refused.",
    )
    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=500,
        help_text="Kept in the record's history with your name.",
        widget=forms.TextInput(attrs={"size": 80}),
    )

    class Meta:
        model = Policy
        # The admin shows the rest read-only (its `readonly_fields` come from the same table); values kept as written
        # are not edited by hand.
        fields = [name for name in CONTENT_FIELDS if name not in editing.NOT_EDITABLE and name != "invalid"]
        field_classes = {
            **{name: KeptTextField for name in CONTENT_FIELDS if isinstance(Policy._meta.get_field(name), TEXT_FIELDS)},
            **{name: LinesField for name in LIST_FIELDS},
        }
        widgets = {
            **{name: forms.TextInput(attrs={"size": 40}) for name in LINE_FIELDS},
            "title": forms.TextInput(attrs={"size": 100}),
            # Not a URL input: a record may hold a url that is not one (a check warns), and must stay editable.
            "url": forms.TextInput(attrs={"size": 100}),
            "source": forms.TextInput(attrs={"size": 60}),
            **{f"{d}_score": forms.NumberInput(attrs={"min": 0, "max": 100}) for d in ANALYSIS_DIMENSIONS},
            **{f"{d}_label": forms.TextInput() for d in ANALYSIS_DIMENSIONS},
            **{f"{d}_citation": forms.Textarea(attrs={"rows": 2}) for d in ANALYSIS_DIMENSIONS},
            **{f"{d}_evidence": forms.Textarea(attrs={"rows": 7}) for d in ANALYSIS_DIMENSIONS},
            "description": MarkdownTextarea(attrs={"rows": 8}),
            "body": MarkdownTextarea(attrs={"rows": 16}),
            "related_facilities": forms.Textarea(attrs={"rows": 6}),
            "extra": forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField monospace"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conflict: editing.Conflict | None = None
        if self.instance.pk is not None:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name, field in self.fields.items():
            if isinstance(field, KeptTextField) and isinstance(cleaned.get(name), str):
                cleaned[name] = field.as_written(cleaned[name], getattr(self.instance, name, "") or "")
        if self.instance.pk is None:
            return cleaned
        loaded = cleaned.get("expected_version")
        if loaded is None:
            raise ValidationError(
                "Not saved: the form did not say which version of the record it edits, so saving could overwrite "
                "someone else's changes. Reload the record and make the change again.",
                code="missing_version",
            )
        if loaded != self.instance.version:
            self.conflict = editing.conflict_since(self.instance, loaded)
            both = self._rebase_onto_current(self.conflict)
            messages = [ValidationError(editing.describe(self.conflict), code="stale_version")]
            if both:
                labels = ", ".join(str(self.fields[name].label) for name in both)
                messages.append(
                    ValidationError(f"You and they both changed: {labels}. Yours is in the form.", code="both_changed")
                )
            raise ValidationError(messages)
        return cleaned

    def _rebase_onto_current(self, conflict: editing.Conflict) -> list[str]:
        """Show the editor's changes on top of the current version; return the fields both sides changed.

        A field the editor left as it was in the version they loaded now shows its current value, so saving again
        keeps the others' changes. The form carries the current version: saving it, after reading what the others
        changed, is then a deliberate choice, and is itself refused if yet another save comes first.
        """
        self.data = self.data.copy()
        self.data[self.add_prefix("expected_version")] = str(self.instance.version)
        both = []
        if conflict.base is None:
            return both
        for name in CONTENT_FIELDS:
            field = self.fields.get(name)
            if field is None:
                continue
            loaded, current = getattr(conflict.base, name), getattr(self.instance, name)
            if field.has_changed(loaded, self[name].data):
                if loaded != current:
                    both.append(name)
            else:
                self.data[self.add_prefix(name)] = "" if current is None else field.prepare_value(current)
        return both

    def clean_extra(self) -> str:
        text = self.cleaned_data["extra"]
        if not text.strip():
            return ""
        try:
            value = frontmatter.load(text)
        except frontmatter.FrontmatterError as error:
            raise ValidationError(f"Not valid YAML: {error}", code="invalid_yaml") from None
        if not isinstance(value, dict):
            raise ValidationError("Must be a YAML mapping (key: value lines).", code="not_mapping")
        refused = [self._schema_key_error(path, leaf) for path, leaf in records.schema_keys(value)]
        if refused:
            raise ValidationError(refused)
        return text

    def _schema_key_error(self, path: tuple[str, ...], leaf: records.Leaf | None) -> ValidationError:
        key = records.dotted(path)
        if leaf is None:
            message = (
                f"{key} is a section of the record's fields: here it may only hold keys the schema does not know, "
                "as a mapping; edit its fields in their own boxes."
            )
        elif leaf.attr in editing.NOT_EDITABLE:
            message = f"{key} {editing.NOT_EDITABLE[leaf.attr]}; remove it from here."
        else:
            field = self.fields.get(leaf.attr)
            label = field.label if field is not None else capfirst(Policy._meta.get_field(leaf.attr).verbose_name)
            message = f"{key} is a field of the record: edit it in its own box, “{label}”, and remove it from here."
        return ValidationError(message, code="schema_key")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploaded files under one name (Django's documented pattern)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class ImportForm(forms.Form):
    files = MultipleFileField(
        widget=MultipleFileInput(attrs={"accept": ".md,.markdown,.zip"}),
        help_text="Markdown files (.md) or zip archives of them.",
    )
    dry_run = forms.BooleanField(required=False, help_text="Show what would happen; change nothing.")
    force = forms.BooleanField(
        required=False, help_text="Take the file even where the record was edited in the app since."
    )


class ExportForm(forms.Form):
    all_records = forms.BooleanField(
        required=False,
        label="Every record's current state",
        help_text="Otherwise only published content: each record's last verified version.",
    )
