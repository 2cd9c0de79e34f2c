"""What the accounts tests build: groups and permissions by name, and the user change form as a browser posts it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import Group, Permission
from django.urls import reverse


def group(name: str) -> Group:
    return Group.objects.get(name=name)


def permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def user_form(client, user, **changes: Any) -> dict[str, Any]:
    """What the user change form posts when the one signed in on `client` saves it for `user` with `changes`.

    The fields are the ones the admin shows this viewer, with their values; checkboxes are sent only when ticked,
    as browsers do; a change to None leaves a field out, and a change to a field the form lacks forges it.
    """
    form = client.get(reverse("admin:auth_user_change", args=[user.pk])).context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.disabled or value is None:
            continue
        if isinstance(field, forms.BooleanField):
            data[name] = "on" if value else None
        elif isinstance(field, forms.ModelMultipleChoiceField):
            data[name] = [getattr(item, "pk", item) for item in value]
        elif isinstance(field, forms.SplitDateTimeField):
            data[f"{name}_0"], data[f"{name}_1"] = value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")
        else:
            data[name] = value
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}
