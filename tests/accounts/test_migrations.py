"""The data migrations: role group members get staff status, admins see the record and revoke tokens, and the
tokens that were stored readable are gone."""

import importlib

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import AccessChange
from tests.accounts.helpers import group
from tests.factories import make_user

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


def test_admins_see_the_record_of_access_changes_and_see_and_revoke_everyones_tokens(admin_member, editor):
    granted = ["accounts.view_accesschange", "accounts.view_apitoken", "accounts.delete_apitoken"]

    assert admin_member.has_perms(granted)
    assert not any(editor.has_perm(name) for name in granted)


def test_the_table_of_readable_tokens_is_dropped_with_its_permissions():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, user_id integer)")
        cursor.execute("INSERT INTO authtoken_token VALUES ('readable-key', CURRENT_TIMESTAMP, 1)")
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('authtoken', '0001_initial', %s)",
            ["2026-01-01"],
        )
    token_type = ContentType.objects.create(app_label="authtoken", model="token")
    view_token = Permission.objects.create(content_type=token_type, codename="view_token", name="Can view token")
    group("Admin").permissions.add(view_token)
    module, apps = migration("0005_drop_readable_tokens")

    module.drop_readable_tokens(apps, connection.schema_editor())

    assert "authtoken_token" not in connection.introspection.table_names()
    assert not ContentType.objects.filter(app_label="authtoken").exists()
    assert not group("Admin").permissions.filter(codename="view_token").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations WHERE app = 'authtoken'")
        assert cursor.fetchone() == (0,)
    change = AccessChange.objects.get(via=module.VIA)
    assert (change.group_name, set(change.before) - set(change.after)) == ("Admin", {"authtoken.view_token"})
