"""Admin forms for policy records: lists edited one item a line, unknown keys edited as YAML, Markdown with a live
preview, values kept as written shown as the file wrote them until fixed, and every edit bound to the version the
editor loaded."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django import forms
from django.conf import settings
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy

from policies import diffing, editing, records, schema
from policies.codec import frontmatter
from policies.models import ImportConflict, Policy
from policies.records import CONTENT_FIELDS
from policies.rendering import render_markdown
from policies.transfer import uploads
from policies.transfer.conflicts import Choice, Side
from policies.transfer.sources import SourceFile, iter_uploads

TEXT_FIELDS = (models.CharField, models.TextField)
LIST_FIELDS = tuple(field.attr for field in schema.FIELDS if field.kind == "list")
# The name of the box that takes a value kept as written as its field shows it ("fix__analysis__market__score").
FIX_PREFIX = "fix__"


def fix_field_name(key: str) -> str:
    return FIX_PREFIX + key.replace(".", "__")


class LinesField(forms.Field):
    """A list of text items, one a line; blank lines are dropped, the items' own spaces are kept."""

    widget = forms.Textarea(attrs={"rows": 4})
    # As a CharField's: no item may hold a NUL, which PostgreSQL's JSON cannot store.
    default_validators = [validators.ProhibitNullCharactersValidator()]

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
        return records.typed_lines("" if value in self.empty_values else str(value).strip())

    def has_changed(self, initial: Any, data: Any) -> bool:
        return (initial or []) != self.to_python(data)

    def run_validators(self, value: Any) -> None:
        # The validators read text: each item is one. Given the list, they would read its repr, in which a NUL is
        # written as an escape.
        for item in value or []:
            super().run_validators(item)


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


def as_written_text(value: Any, *, lines: bool) -> str:
    """A value kept as written, as its box shows it: text as it is, other values as YAML writes them, and for a
    list field each item on a line of its own."""
    if lines and isinstance(value, list):
        return "\n".join(as_written_text(item, lines=False) for item in value)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return frontmatter.dump(value).rstrip("\n")


class KeptAsWritten(forms.Field):
    """A field whose box still shows the value its file wrote, which the field cannot hold: left so, the value
    stays as written (and its field empty) whatever else the form changes."""

    def __init__(self, shown: forms.Field, value: Any) -> None:
        super().__init__(required=False, widget=shown.widget, label=shown.label, help_text=shown.help_text)
        self.problem = getattr(shown, "problem", "")
        self.value = value

    def clean(self, value: Any) -> Any:
        return self.value

    def has_changed(self, initial: Any, data: Any) -> bool:
        return False


class MarkdownTextarea(forms.Textarea):
    """A Markdown textarea followed by its preview as published; `policy_admin.js` keeps the preview live."""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        textarea = super().render(name, value, attrs, renderer)
        source = (attrs or {}).get("id") or f"id_{name}"
        return format_html(
            '<div class="markdown-field">{}<div class="markdown-preview" id="preview-{}" data-source="{}" '
            'data-preview-url="{}" data-state="ready" aria-live="polite" aria-label="{}">{}</div></div>',
            textarea,
            name,
            source,
            reverse("admin:policies_policy_preview"),
            gettext("Preview of %(field)s") % {"field": name},
            render_markdown(value or ""),
        )


def schema_widget(field: schema.Field) -> forms.Widget | None:
    """The box a schema row's field gets in forms: by its kind, as wide or as tall as its row says (None: the
    admin's own, a date's with its calendar)."""
    box = field.form_box
    if field.value_range is not None:
        low, high = field.value_range
        return forms.NumberInput(attrs={"min": low, "max": high, "class": "vIntegerField"})
    if field.kind == "date":
        return None
    if box.markdown:
        return MarkdownTextarea(attrs={"rows": box.rows})
    if box.rows > 1:
        return forms.Textarea(attrs={"rows": box.rows})
    # A url too: a record may hold a url that is not one (a check warns), and must stay editable.
    return forms.TextInput(attrs={"size": box.width})


SCHEMA_WIDGETS = {field.attr: widget for field in schema.FIELDS if (widget := schema_widget(field)) is not None}


class PolicyForm(forms.ModelForm):
    expected_version = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        help_text=gettext_lazy(
            "The version of the record this form was loaded with: a save onto any other is refused."
        ),
    )
    change_reason = forms.CharField(
        label=gettext_lazy("Reason for this change"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Kept in the record's history with your name."),
        widget=forms.TextInput(attrs={"size": 80}),
    )

    class Meta:
        model = Policy
        # The admin shows the rest read-only (its `readonly_fields` come from the same table); values kept as written
        # are shown in their fields' boxes.
        fields = [name for name in CONTENT_FIELDS if name not in editing.NOT_EDITABLE and name != "invalid"]
        field_classes = {
            **{name: KeptTextField for name in CONTENT_FIELDS if isinstance(Policy._meta.get_field(name), TEXT_FIELDS)},
            **{name: LinesField for name in LIST_FIELDS},
        }
        widgets = {
            **SCHEMA_WIDGETS,
            "body": MarkdownTextarea(attrs={"rows": 16}),
            "extra": forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField monospace"}),
        }

    # The request's QueryDict, or a dict: a stale form's data is copied and edited (`_rebase_onto_current`).
    data: MultiValueDict[str, Any] | dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conflict: editing.Conflict | None = None
        # Keys whose values kept as written this form replaces with what their boxes hold.
        self.fixed: list[str] = []
        self.kept: dict[str, Any] = {}
        if self.instance.pk is not None:
            self.fields["expected_version"].initial = self.instance.version
            self.kept = records.as_written({"invalid": self.instance.invalid})
            self._show_problems()
        if isinstance(pub_date := self.fields.get("pub_date"), forms.DateField):
            # The collection writes dates YYYY-MM-DD; 01/10/2024 is January or October depending on who reads it.
            pub_date.input_formats = ["%Y-%m-%d"]
            pub_date.error_messages["invalid"] = gettext_lazy("Enter the date as YYYY-MM-DD.")

    def _show_problems(self) -> None:
        """Show each value kept as written in its field's box, with what is wrong, and decide which ones a bound form
        fixes: those whose box now holds something else, or whose box says to take it as shown."""
        values = records.policy_values(self.instance)
        found = {problem.field: problem.message for problem in records.problems(values)}
        for leaf in records.LEAVES:
            key = records.dotted(leaf.path)
            field = self.fields.get(leaf.attr)
            if field is not None and key in found and key not in self.kept:
                # A required text left empty: the form saves other edits while it stays so.
                field.required = False
                field.problem = found[key]  # type: ignore[attr-defined]
                field.help_text = gettext("Needs fixing: %(problem)s.") % {"problem": found[key]}
        for key, value in self.kept.items():
            kept_leaf = records.leaf_for_key(key)
            if kept_leaf is None:
                self._show_section(key, found.get(key, ""))
            elif kept_leaf.attr in self.fields:
                self._show_value(key, kept_leaf.attr, value, found.get(key, ""))

    def _show_value(self, key: str, name: str, value: Any, problem: str) -> None:
        field = self.fields[name]
        shown = as_written_text(value, lines=isinstance(field, LinesField))
        self.initial[name] = shown
        if "\n" in shown and not isinstance(field.widget, forms.Textarea):
            field.widget = forms.Textarea(attrs={"rows": 3})
        elif isinstance(field.widget, forms.NumberInput):
            field.widget = forms.TextInput(attrs={"size": 10})
        field.widget.attrs["aria-invalid"] = "true"
        field.problem = problem  # type: ignore[attr-defined]
        field.help_text = gettext("Needs fixing: %(problem)s. The box shows the value as the file wrote it.") % {
            "problem": problem
        }
        fix = self.fields[fix_field_name(key)] = forms.BooleanField(
            required=False,
            label=gettext("Take “%(field)s” as its box shows it") % {"field": field.label},
            help_text=gettext("Otherwise a box left as the file wrote it keeps the value as written."),
        )
        if not self.is_bound:
            return
        taken = fix.widget.value_from_datadict(self.data, self.files, self.add_prefix(fix_field_name(key)))
        if taken or not self._still_shows(name, shown):
            self.fixed.append(key)
        else:
            self.fields[name] = KeptAsWritten(field, getattr(self.instance, name))

    def _still_shows(self, name: str, shown: str) -> bool:
        field = self.fields[name]
        sent = self[name].data
        if isinstance(field, LinesField):
            return field.to_python(sent) == field.to_python(shown)
        return _lf(str(sent or "")).rstrip("\n") == shown.rstrip("\n")

    def _show_section(self, key: str, problem: str) -> None:
        """A section the file wrote as something other than a mapping: replaced by its fields' boxes once any of them
        changes, or when its box says so."""
        fix = self.fields[fix_field_name(key)] = forms.BooleanField(
            required=False,
            label=gettext("Replace “%(section)s” with its fields below") % {"section": key},
            help_text=problem,
        )
        if not self.is_bound:
            return
        inside = [leaf.attr for leaf in records.LEAVES if records.dotted(leaf.path).startswith(key + ".")]
        taken = fix.widget.value_from_datadict(self.data, self.files, self.add_prefix(fix_field_name(key)))
        # BoundField._has_changed (which heeds show_hidden_initial) is private: django-stubs leave it out.
        if taken or any(name in self.fields and self[name]._has_changed() for name in inside):  # type: ignore[attr-defined]
            self.fixed.append(key)

    @cached_property
    def changed_data(self) -> list[str]:
        changed = list(super().changed_data)
        for key in self.fixed:
            leaf = records.leaf_for_key(key)
            name = leaf.attr if leaf is not None else key
            if name not in changed:
                changed.append(name)
        return changed

    def edited_keys(self) -> list[str]:
        """What the form changes, named as the file names it."""
        names = [name for name in self.changed_data if name in CONTENT_FIELDS or name in self.fixed]
        return [records.paths([name]) if name in CONTENT_FIELDS else name for name in names]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for name, field in self.fields.items():
            if isinstance(field, KeptTextField) and isinstance(cleaned.get(name), str):
                cleaned[name] = field.as_written(cleaned[name], getattr(self.instance, name, "") or "")
        if self.fixed:
            self.instance.invalid = records.without_as_written({"invalid": self.instance.invalid}, self.fixed)
        if self.instance.pk is None:
            return cleaned
        loaded = cleaned.get("expected_version")
        if loaded is None:
            raise ValidationError(
                gettext(
                    "Not saved: the form did not say which version of the record it edits, so saving could "
                    "overwrite someone else's changes. Reload the record and make the change again."
                ),
                code="missing_version",
            )
        if loaded != self.instance.version:
            self.conflict = editing.conflict_since(self.instance, loaded)
            both = self._rebase_onto_current(self.conflict)
            messages = [ValidationError(editing.describe(self.conflict), code="stale_version")]
            if both:
                labels = ", ".join(str(self.fields[name].label) for name in both)
                messages.append(
                    ValidationError(
                        gettext("You and they both changed: %(fields)s. Yours is in the form.") % {"fields": labels},
                        code="both_changed",
                    )
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
        both: list[str] = []
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
            elif name in self.initial and isinstance(self.initial[name], str) and self._kept_for(name):
                self.data[self.add_prefix(name)] = self.initial[name]
            else:
                self.data[self.add_prefix(name)] = "" if current is None else field.prepare_value(current)
        return both

    def _kept_for(self, name: str) -> bool:
        leaf = next((leaf for leaf in records.LEAVES if leaf.attr == name), None)
        return leaf is not None and records.dotted(leaf.path) in self.kept

    def clean_extra(self) -> str:
        text = self.cleaned_data["extra"]
        if not text.strip():
            return ""
        try:
            value = frontmatter.load(text)
        except frontmatter.FrontmatterError as error:
            raise ValidationError(
                gettext("Not valid YAML: %(error)s") % {"error": error}, code="invalid_yaml"
            ) from None
        if not isinstance(value, dict):
            raise ValidationError(gettext("Must be a YAML mapping (key: value lines)."), code="not_mapping")
        refused = [self._schema_key_error(path, leaf) for path, leaf in records.schema_keys(value)]
        refused += [
            ValidationError(
                gettext("%(key)s %(problem)s.") % {"key": records.dotted(path) or gettext("It"), "problem": message},
                code="unholdable",
            )
            for path, message in records.unholdable_text(value)
        ]
        if refused:
            raise ValidationError(refused)
        return text

    def _schema_key_error(self, path: tuple[str, ...], leaf: schema.Field | None) -> ValidationError:
        key = records.dotted(path)
        if leaf is None:
            message = gettext(
                "%(key)s is a section of the record's fields: here it may only hold keys the schema does not know, "
                "as a mapping; edit its fields in their own boxes."
            ) % {"key": key}
        elif leaf.attr in editing.NOT_EDITABLE:
            message = gettext("%(key)s %(why)s; remove it from here.") % {
                "key": key,
                "why": editing.NOT_EDITABLE[leaf.attr],
            }
        else:
            field = self.fields.get(leaf.attr)
            label = field.label if field is not None else capfirst(Policy._meta.get_field(leaf.attr).verbose_name)
            message = gettext(
                "%(key)s is a field of the record: edit it in its own box, “%(label)s”, and remove it from here."
            ) % {"key": key, "label": label}
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
    """The files to import (cleaned as the `SourceFile`s they hold), if the upload is small enough to import
    within the request; `upload` is the `UploadLimit` that read it."""

    # The metaclass moves form fields to `base_fields`, so `form.files` stays the uploads; django-stubs miss that.
    files = MultipleFileField(  # type: ignore[assignment]
        widget=MultipleFileInput(attrs={"accept": ".md,.markdown,.zip"}),
        label=gettext_lazy("Files"),
        help_text=gettext_lazy("Markdown files (.md) or zip archives of them."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run"), required=False, help_text=gettext_lazy("Show what would happen; change nothing.")
    )
    force = forms.BooleanField(
        label=gettext_lazy("Force"),
        required=False,
        help_text=gettext_lazy("Take the file even where the record was edited in the app since."),
    )

    def __init__(self, *args: Any, upload: uploads.UploadLimit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.upload = upload
        if upload is not None and upload.exceeded:
            # Django kept only the files before the limit, perhaps none: `clean_files` refuses them all.
            self.fields["files"].required = False

    def clean_files(self) -> list[SourceFile]:
        if self.upload is not None and self.upload.exceeded:
            raise ValidationError(uploads.too_large(self.upload.exceeded), code="too_large")
        sources = list(iter_uploads(self.cleaned_data["files"]))
        if len(sources) > settings.WEB_IMPORT_MAX_FILES:
            raise ValidationError(
                uploads.too_large(gettext("%(count)s files") % {"count": f"{len(sources):,}"}), code="too_many_files"
            )
        size = sum(source.size for source in sources)
        if size > settings.WEB_IMPORT_MAX_BYTES:
            raise ValidationError(
                uploads.too_large(gettext("%(size)s of policy files") % {"size": filesizeformat(size)}),
                code="too_large",
            )
        return sources


class ExportForm(forms.Form):
    all_records = forms.BooleanField(
        required=False,
        label=gettext_lazy("Every record's current state"),
        help_text=gettext_lazy("Otherwise only published content: each record's last verified version."),
    )


@dataclass(frozen=True)
class ConflictValue:
    """One side's value of a conflicting field, as text, and as a change from the value both started from."""

    side: str  # "base", "ours" or "theirs"
    text: str
    change: SafeString


@dataclass(frozen=True)
class ConflictRow:
    """A conflicting field on the settle form: its three values and the person's choice."""

    name: str
    label: str
    path: str
    values: list[ConflictValue]
    choice: forms.BoundField
    written: forms.BoundField | None


SIDES = {
    Side.KEEP: gettext_lazy("Keep the record's value"),
    Side.TAKE: gettext_lazy("Take the file's value"),
    Side.WRITE: gettext_lazy("Write another value"),
}


def field_label(name: str) -> str:
    return str(capfirst(Policy._meta.get_field(name).verbose_name))


class SettleConflictForm(forms.Form):
    """For each field of an import conflict: keep the record's value, take the file's, or write another (typed as
    in the change form, which starts from the record's value); the values are read by `conflicts.settle_conflict`.

    The fields the review workflow or the import write are kept or taken, never written (`editing.NOT_EDITABLE`).
    """

    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, conflict: ImportConflict, policy: Policy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conflict = conflict
        for name in conflict.field_names:
            sides = [Side.KEEP, Side.TAKE] if name in editing.NOT_EDITABLE else list(Side)
            self.fields[f"{name}-choice"] = forms.ChoiceField(
                label=field_label(name),
                choices=[(side.value, SIDES[side]) for side in sides],
                widget=forms.RadioSelect,
                error_messages={"required": gettext_lazy("Keep the record's value, take the file's or write another.")},
            )
            if Side.WRITE in sides:
                typed = PolicyForm.base_fields[name]
                current = getattr(policy, name)
                widget = _written_widget(typed.widget)
                # Typing a value chooses to write it (import_conflicts.js); the id is that of its radio button.
                choice_id = self[f"{name}-choice"].auto_id
                widget.attrs["data-write-choice"] = f"{choice_id}_{sides.index(Side.WRITE)}"
                self.fields[f"{name}-written"] = forms.CharField(
                    label=gettext("Value to write for %(field)s") % {"field": field_label(name)},
                    required=False,
                    strip=False,
                    widget=widget,
                    initial="" if current is None else typed.prepare_value(current),
                )

    def choices(self) -> dict[str, Choice]:
        """The person's choice for each field; call after `is_valid()`."""
        chosen = {}
        for name in self.conflict.field_names:
            side = Side(self.cleaned_data[f"{name}-choice"])
            chosen[name] = Choice(side, self.cleaned_data.get(f"{name}-written") or "")
        return chosen

    def rows(self) -> list[ConflictRow]:
        """Each conflicting field with its values as the import compared them, and its inputs."""
        rows = []
        for entry in self.conflict.fields:
            name = entry["field"]
            base = diffing.as_text(entry["base"])
            values = [ConflictValue("base", base, escape(base))]
            for side in ("ours", "theirs"):
                text = diffing.as_text(entry[side])
                values.append(ConflictValue(side, text, diffing.diff_html(base, text)))
            rows.append(
                ConflictRow(
                    name=name,
                    label=field_label(name),
                    path=records.paths([name]),
                    values=values,
                    choice=self[f"{name}-choice"],
                    written=self[f"{name}-written"] if f"{name}-written" in self.fields else None,
                )
            )
        return rows

    def add_choice_errors(self, errors: dict[str, list[str]]) -> None:
        """Show the refusals of `conflicts.settle_conflict` at their fields (at the value written, if any)."""
        for name, messages in errors.items():
            field = f"{name}-written" if f"{name}-written" in self.fields else f"{name}-choice"
            self.add_error(field if field in self.fields else None, messages)


def _written_widget(widget: forms.Widget) -> forms.Widget:
    """The change form's input for the field; Markdown is written in a plain textarea here (no live preview)."""
    if isinstance(widget, MarkdownTextarea):
        return forms.Textarea(attrs={"rows": 8})
    return copy.deepcopy(widget)
