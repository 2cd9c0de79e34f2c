"""Admin forms for policy records: lists edited one item a line, unknown keys edited as YAML."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from policies import frontmatter
from policies.models import ANALYSIS_DIMENSIONS, Policy
from policies.records import CONTENT_FIELDS

LIST_FIELDS = ("sectors", "tags", "supersedes", "clusters", "related_facilities")


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


class PolicyForm(forms.ModelForm):
    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=500,
        help_text="Kept in the record's history with your name.",
        widget=forms.TextInput(attrs={"size": 80}),
    )

    class Meta:
        model = Policy
        fields = list(CONTENT_FIELDS)
        field_classes = {name: LinesField for name in LIST_FIELDS}
        widgets = {
            "title": forms.TextInput(attrs={"size": 100}),
            "url": forms.URLInput(attrs={"size": 100}),
            "source": forms.TextInput(attrs={"size": 60}),
            **{f"{d}_label": forms.TextInput(attrs={"size": 40}) for d in ANALYSIS_DIMENSIONS},
            **{f"{d}_citation": forms.TextInput(attrs={"size": 40}) for d in ANALYSIS_DIMENSIONS},
            **{f"{d}_evidence": forms.Textarea(attrs={"rows": 4}) for d in ANALYSIS_DIMENSIONS},
            "related_facilities": forms.Textarea(attrs={"rows": 6}),
            "extra": forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField monospace"}),
        }

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
        return text


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
