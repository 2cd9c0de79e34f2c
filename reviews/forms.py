"""The decision form of the review screen. It checks the shape of the input; the workflow checks the rules."""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from policies import schema

from .models import OFFERED_VERDICTS, ReviewAction, Verdict
from .workflow import DimensionCheck

DECISIONS = [
    ReviewAction.APPROVE,
    ReviewAction.REQUEST_CHANGES,
    ReviewAction.REJECT,
    ReviewAction.RESUBMIT,
    ReviewAction.REOPEN,
    ReviewAction.WITHDRAW,
]


@dataclass(frozen=True)
class Check:
    """One row of the checklist: a dimension, its verdict and the note for its editors."""

    number: int
    dimension: str
    label: str
    verdict: forms.BoundField
    note: forms.BoundField


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a.value, a.label) for a in DECISIONS])
    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to request changes or reject, unless the notes on what is wrong say it."),
    )
    refusal: Exception | None = None  # why the workflow refused the decision, once it has

    def __init__(self, *args, dimensions: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.dimensions = dimensions
        for d in dimensions:
            label = schema.DIMENSION_LABELS[d]
            self.fields[f"verdict_{d}"] = forms.ChoiceField(
                label=label,
                choices=[(v.value, v.label) for v in OFFERED_VERDICTS],
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"note_{d}"] = forms.CharField(
                label=format_lazy(_("What is wrong with {dimension}"), dimension=label),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        wrong = [d for d in self.dimensions if data.get(f"verdict_{d}") == Verdict.WRONG]
        for d in wrong:
            if not data.get(f"note_{d}", "").strip():
                self.add_error(
                    f"note_{d}", ValidationError(_("Say what is wrong, for its editors."), code="note_required")
                )
        # A dimension found wrong is sent back to its editors with the notes, whichever button sent the form.
        if wrong and data.get("action") == ReviewAction.APPROVE:
            data["action"] = ReviewAction.REQUEST_CHANGES
        return data

    def checklist(self) -> list[Check]:
        return [
            Check(number, d, str(schema.DIMENSION_LABELS[d]), self[f"verdict_{d}"], self[f"note_{d}"])
            for number, d in enumerate(self.dimensions, start=1)
        ]

    def verdicts(self) -> dict[str, DimensionCheck]:
        return {
            d: DimensionCheck(self.cleaned_data[f"verdict_{d}"], self.cleaned_data[f"note_{d}"])
            for d in self.dimensions
            if self.cleaned_data.get(f"verdict_{d}")
        }


class RestoreForm(forms.Form):
    reason = forms.CharField(
        label=_("Why restore this version?"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Kept in the record's history and its review trail, for the reviewer who checks it."),
    )
