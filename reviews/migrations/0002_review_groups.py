"""Create the Editor, Reviewer and Admin groups with their permissions.

Permissions are normally created after `migrate` by a post_migrate signal, too late for this migration on a new
database, so they are created here first (Django's own create_permissions, run on the migration state).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = [
    "policies.view_policy",
    "policies.add_policy",
    "policies.change_policy",
    "policies.view_historicalpolicy",
    "reviews.resubmit_policy",
    "reviews.view_reviewevent",
    "reviews.view_dimensionverdict",
]
REVIEWER = [
    "policies.view_policy",
    "policies.view_historicalpolicy",
    "reviews.review_policy",
    "reviews.view_reviewevent",
    "reviews.view_dimensionverdict",
]
# Admins hold every permission of these apps, user and group management included.
ADMIN_APPS = ["auth", "policies", "reviews", "admin"]


def create_all_permissions(apps):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    create_all_permissions(apps)

    def permissions(names):
        found = []
        for name in names:
            app_label, codename = name.split(".")
            found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        return found

    Group.objects.get_or_create(name="Editor")[0].permissions.add(*permissions(EDITOR))
    Group.objects.get_or_create(name="Reviewer")[0].permissions.add(*permissions(REVIEWER))
    Group.objects.get_or_create(name="Admin")[0].permissions.add(
        *Permission.objects.filter(content_type__app_label__in=ADMIN_APPS)
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Reviewer", "Admin"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("policies", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
