"""Let the Admin group issue and revoke API tokens in the admin, as it manages users.

Permissions are normally created after `migrate` by a post_migrate signal, too late for this migration on a new
database, so they are created here first (as in `reviews.0002_review_groups`).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant_token_permissions(apps, schema_editor):
    app_config = apps.get_app_config("authtoken")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Admin")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="authtoken"))


def revoke_token_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Admin"):
        group.permissions.remove(*group.permissions.filter(content_type__app_label="authtoken"))


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_review_groups"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(grant_token_permissions, revoke_token_permissions)]
