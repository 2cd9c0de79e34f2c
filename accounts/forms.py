from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError

from .access import ROLE_GROUPS, STAFF_FOLLOWS_GROUPS


class UserChangeForm(auth_forms.UserChangeForm):
    """Django's user change form, refusing to take staff status from a member of a role group."""

    def clean(self):
        super().clean()
        cleaned_data = self.cleaned_data
        groups = cleaned_data.get("groups")
        if cleaned_data.get("is_staff") is False and groups is not None and {g.name for g in groups} & ROLE_GROUPS:
            self.add_error("is_staff", ValidationError(STAFF_FOLLOWS_GROUPS, code="staff_follows_groups"))
        return cleaned_data
