"""The data migrations: role group members get staff status, and admins see the record of access changes."""

import importlib

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import AccessChange
from tests.accounts.conftest import group
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def migration(name: str):
    """The migration module, and the app registry as the migration sees it (historical models, no receivers)."""
    module = importlib.import_module(f"accounts.migrations.{name}")
    apps = MigrationExecutor(connection).loader.project_state(("accounts", name)).apps
    return module, apps


def test_members_of_role_groups_without_staff_status_get_it_on_the_record():
    member = make_user("member", is_staff=False)
    member.groups.add(group("Reviewer"))
    outsider = make_user("outsider", is_staff=False)
    module, apps = migration("0002_role_members_are_staff")

    module.make_members_staff(apps, None)

    users = get_user_model().objects
    assert users.get(pk=member.pk).is_staff and not users.get(pk=outsider.pk).is_staff
    change = AccessChange.objects.get(via=module.VIA)
    assert (change.user_name, change.what, change.before, change.after) == ("member", "is_staff", False, True)


def test_admins_see_the_record_of_access_changes(admin_member, editor):
    assert admin_member.has_perm("accounts.view_accesschange")
    assert not editor.has_perm("accounts.view_accesschange")
