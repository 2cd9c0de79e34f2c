"""Give the groups the permissions on import conflicts: editors and admins settle them, reviewers see them.

The Admin group got every permission of the apps that existed when it was made (0002); import conflicts came later
(policies 0006), so their permissions are added here, created first as 0002 does (on a new database they are
otherwise made only after `migrate`).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Editor": ["view_importconflict", "change_importconflict"],
    "Admin": ["view_importconflict", "change_importconflict"],
    "Reviewer": ["view_importconflict"],
}


def create_all_permissions(apps):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def grant(apps, schema_editor):
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        permissions = Permission.objects.filter(content_type__app_label="policies", codename__in=codenames)
        Group.objects.get_or_create(name=name)[0].permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        permissions = Permission.objects.filter(content_type__app_label="policies", codename__in=codenames)
        for group in Group.objects.filter(name=name):
            group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0004_withdraw_action"),
        ("policies", "0008_collection_check_owed"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
