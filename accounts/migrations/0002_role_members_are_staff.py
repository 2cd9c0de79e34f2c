"""Give staff status to every member of Editor, Reviewer or Admin who lacks it, and record it.

Membership of these groups now brings staff status (accounts.access.change_access); before, it had to be ticked by
hand, and members without it could not sign in. Reversing leaves staff status as it is: who had it before is in
the record.
"""

from django.db import migrations

ROLE_GROUPS = ["Editor", "Reviewer", "Admin"]
VIA = "migration accounts.0002_role_members_are_staff"


def make_members_staff(apps, schema_editor):
    User = apps.get_model("auth", "User")
    AccessChange = apps.get_model("accounts", "AccessChange")
    members = User.objects.filter(groups__name__in=ROLE_GROUPS, is_staff=False).distinct()
    for user in members:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        AccessChange.objects.create(
            user=user, user_name=user.username, what="is_staff", before=False, after=True, via=VIA
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("reviews", "0002_review_groups"),
    ]

    operations = [migrations.RunPython(make_members_staff, migrations.RunPython.noop)]
