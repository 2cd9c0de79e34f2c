"""What tests build their data with: users by role, records and their review states, files and their import.

Plain functions, each saying what it builds; options are keyword-only. Fixtures (in the conftest.py files) are
made of these, and test modules import them from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from policies import editing
from policies.models import Policy, ReviewState
from policies.transfer.importing import ImportReport, import_sources
from policies.transfer.sources import iter_paths
from reviews import workflow
from reviews.models import ReviewEvent
from tests.data import SEED_VALUES

# --- users -----------------------------------------------------------------------------------------------------


def make_user(username: str = "user", *, perm_names: tuple[str, ...] = (), groups: tuple[str, ...] = (), **extra):
    """A staff user, password "pw-<username>", with the given permissions ('app_label.codename') and groups;
    `extra` sets the user's other fields (first_name, is_superuser, is_staff=False ...)."""
    extra.setdefault("is_staff", True)
    user = get_user_model().objects.create_user(username, password="pw-" + username, **extra)
    for name in perm_names:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    for group in groups:
        user.groups.add(Group.objects.get(name=group))
    return user


def make_editor(username: str = "editor", **extra):
    """A member of the Editor group (see `make_user` for `extra`)."""
    return make_user(username, groups=("Editor",), **extra)


def make_reviewer(username: str = "reviewer", **extra):
    """A member of the Reviewer group (see `make_user` for `extra`)."""
    return make_user(username, groups=("Reviewer",), **extra)


# --- records ---------------------------------------------------------------------------------------------------


def make_policy(*, user=None, reason: str = "Imported", **overrides: Any) -> Policy:
    """A pending record with the seed's values (three of the five dimensions filled in), `overrides` applied."""
    policy = Policy(**{**SEED_VALUES, **overrides})
    policy.save_as(user=user, reason=reason)
    return policy


def make_policy_without_warnings(*, policy_id: str, **overrides: Any) -> Policy:
    """A pending record with no warnings. The seed's values carry some: they claim a verification, name a record
    not in the collection, and a second record made from them copies their labels and evidence word for word."""
    own_texts = {
        name: f"{SEED_VALUES[name]} ({policy_id})"
        for name in SEED_VALUES
        if name.endswith(("_label", "_evidence")) and SEED_VALUES[name]
    }
    return make_policy(policy_id=policy_id, review_status="pending", supersedes=[], **{**own_texts, **overrides})


def make_policy_needing_a_fix(*, user=None, **overrides: Any) -> Policy:
    """A pending record whose market score its file wrote as 85.5: kept as written, it needs fixing."""
    return make_policy(user=user, market_score=None, invalid="analysis.market.score: 85.5\n", **overrides)


def change_form_data(client, policy: Policy, **changes: Any) -> dict[str, Any]:
    """The admin change form's own initial data for `policy`, as a browser would send it back (with the hidden
    initial values of the fields that have them), with `changes` applied (None leaves a field out)."""
    response = client.get(reverse("admin:policies_policy_change", args=[policy.pk]))
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        data[name] = field.prepare_value(value) if hasattr(field, "prepare_value") else value
        if field.show_hidden_initial:
            data[form[name].html_initial_name] = data[name]
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def edit(policy: Policy, *, user, reason: str = "Edited", **changes: Any) -> Policy:
    """`policy` with `changes` set on it, saved by `user` with `reason` as its new version."""
    for name, value in changes.items():
        setattr(policy, name, value)
    policy.save_as(user=user, reason=reason)
    return policy


def edit_in_app(
    policy_id: str, *, username: str = "editor", reason: str = "Edited in the app", **changes: Any
) -> Policy:
    """The record `policy_id`, edited (see `edit`) by the user called `username`, who is made on the first edit."""
    user = get_user_model().objects.filter(username=username).first() or make_user(username)
    return edit(Policy.objects.get(policy_id=policy_id), user=user, reason=reason, **changes)


def fix_market_score(policy: Policy, *, user, score: int = 85) -> list[str]:
    """Fix the score the way an editor does, through an edit of the record's frontmatter."""
    return editing.edit_policy(
        policy, user=user, expected_version=policy.version, changes={"analysis": {"market": {"score": score}}}
    )


def approve(policy: Policy, reviewer) -> ReviewEvent:
    """Approve the version the reviewer has in front of them, confirming every dimension."""
    return workflow.approve(
        policy, user=reviewer, expected_version=policy.version, verdicts=workflow.confirm_all(policy)
    )


def put_in_state(policy: Policy, state: str, *, reviewer, editor) -> Policy:
    """Walk a record created by `editor` through the workflow to `state`."""
    if state == ReviewState.PENDING:
        return policy
    if state == ReviewState.VERIFIED:
        approve(policy, reviewer)
    elif state == ReviewState.CHANGES_REQUESTED:
        workflow.request_changes(policy, user=reviewer, comment="Cite the decision number.")
    elif state == ReviewState.REJECTED:
        workflow.reject(policy, user=reviewer, comment="Out of scope.")
    elif state == ReviewState.WITHDRAWN:
        approve(policy, reviewer)
        workflow.withdraw(policy, user=reviewer, comment="Superseded by the 2025 rules.")
    policy.refresh_from_db()
    assert policy.state == state
    return policy


# --- files -----------------------------------------------------------------------------------------------------


def write(folder: Path, name: str, text: str | bytes, *, encoding: str = "utf-8") -> Path:
    """The file `name` in `folder` (folders made as needed), holding `text` encoded, or the bytes as given."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def with_defect(text: str, old: str, new: str) -> str:
    """`text` with its one `old` written as `new`."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def run_import(*paths: Path, **options: Any) -> ImportReport:
    """Import the files and folders at `paths` as the import command does, from the origin "test" unless told."""
    options.setdefault("origin", "test")
    return import_sources(iter_paths(paths), **options)


def import_folder(folder: Path) -> ImportReport:
    """Import the files in `folder` (or the one file), insisting that every one of them went in."""
    report = run_import(folder)
    assert report.ok, report.results
    return report
