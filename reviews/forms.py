"""The decision form of the review screen. It checks the shape of the input; the workflow checks the rules."""

from django import forms
from django.utils.translation import gettext_lazy

from .models import ReviewAction, Verdict
from .workflow import DimensionCheck

DECISIONS = [
    ReviewAction.APPROVE,
    ReviewAction.REQUEST_CHANGES,
    ReviewAction.REJECT,
    ReviewAction.RESUBMIT,
    ReviewAction.REOPEN,
    ReviewAction.WITHDRAW,
]


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a.value, a.label) for a in DECISIONS])
    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Required when requesting changes or rejecting.",
    )

    def __init__(self, *args, dimensions: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.dimensions = dimensions
        for d in dimensions:
            self.fields[f"verdict_{d}"] = forms.ChoiceField(
                label=d, choices=Verdict.choices, widget=forms.RadioSelect, required=False
            )
            self.fields[f"note_{d}"] = forms.CharField(
                label=f"{d} note", required=False, widget=forms.TextInput(attrs={"size": 60})
            )

    def checklist(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(d, self[f"verdict_{d}"], self[f"note_{d}"]) for d in self.dimensions]

    def verdicts(self) -> dict[str, DimensionCheck]:
        return {
            d: DimensionCheck(self.cleaned_data[f"verdict_{d}"], self.cleaned_data[f"note_{d}"])
            for d in self.dimensions
            if self.cleaned_data.get(f"verdict_{d}")
        }


class RestoreForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why restore this version?"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=gettext_lazy("Kept in the record's history and its review trail, for the reviewer who checks it."),
    )
