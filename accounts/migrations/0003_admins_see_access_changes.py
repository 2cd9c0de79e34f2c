"""Let the Admin group see the record of access changes.

Permissions are normally created after `migrate` by a post_migrate signal, too late for this migration on a new
database, so they are created here first (as in `reviews.0002_review_groups`). The grant is recorded.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_accesschange"]
VIA = "migration accounts.0003_admins_see_access_changes"


def grant(apps, schema_editor):
    app_config = apps.get_app_config("accounts")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    AccessChange = apps.get_model("accounts", "AccessChange")
    group, _ = Group.objects.get_or_create(name="Admin")

    def names():
        permissions = group.permissions.select_related("content_type")
        return sorted(f"{p.content_type.app_label}.{p.codename}" for p in permissions)

    before = names()
    group.permissions.add(*Permission.objects.filter(content_type__app_label="accounts", codename__in=CODENAMES))
    after = names()
    if after != before:
        AccessChange.objects.create(
            group=group, group_name=group.name, what="permissions", before=before, after=after, via=VIA
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Admin"):
        group.permissions.remove(*group.permissions.filter(content_type__app_label="accounts", codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_role_members_are_staff"),
        ("reviews", "0002_review_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
