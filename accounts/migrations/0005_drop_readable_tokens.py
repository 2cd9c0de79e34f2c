"""Revoke every token of Django REST framework's `authtoken`: it stored keys readable, for any administrator.

The app is no longer installed (tokens are django-rest-knox's now, stored as hashes), so its table is dropped with
the keys in it, its permissions and content types are deleted, and its migrations are forgotten, as
`migrate authtoken zero` would have done. Scripts that used such a token need a new one (README, "JSON API").
The permissions taken from groups and users are recorded. There is nothing to reverse: the keys must not come
back.
"""

from django.db import migrations

VIA = "migration accounts.0005_drop_readable_tokens"


def drop_readable_tokens(apps, schema_editor):
    if "authtoken_token" in schema_editor.connection.introspection.table_names():
        schema_editor.execute(schema_editor.sql_delete_table % {"table": schema_editor.quote_name("authtoken_token")})
    record_lost_permissions(apps)
    # Deleting the content types deletes their permissions, and takes them from every group and user.
    apps.get_model("contenttypes", "ContentType").objects.filter(app_label="authtoken").delete()
    schema_editor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


def record_lost_permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    AccessChange = apps.get_model("accounts", "AccessChange")
    lost = Permission.objects.filter(content_type__app_label="authtoken")

    def names(permissions):
        return sorted(f"{p.content_type.app_label}.{p.codename}" for p in permissions.select_related("content_type"))

    for group in apps.get_model("auth", "Group").objects.filter(permissions__in=lost).distinct():
        before = names(group.permissions.all())
        after = names(group.permissions.exclude(pk__in=lost))
        AccessChange.objects.create(
            group=group, group_name=group.name, what="permissions", before=before, after=after, via=VIA
        )
    for user in apps.get_model("auth", "User").objects.filter(user_permissions__in=lost).distinct():
        before = names(user.user_permissions.all())
        after = names(user.user_permissions.exclude(pk__in=lost))
        AccessChange.objects.create(
            user=user, user_name=user.username, what="permissions", before=before, after=after, via=VIA
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_api_tokens"),
        ("api", "0001_admins_manage_tokens"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(drop_readable_tokens, migrations.RunPython.noop)]
