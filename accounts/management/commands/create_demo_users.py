import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.access import change_access

DEMO_USERS = (
    ("editor", "Editor", "Erin", "Editor"),
    ("reviewer", "Reviewer", "Riley", "Reviewer"),
    ("admin", "Admin", "Ada", "Admin"),
)


class Command(BaseCommand):
    help = (
        "Create one demo account per role (editor, reviewer, admin) where it does not exist yet, each with a "
        "random password that is printed once. Existing accounts are left exactly as they are."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        created = []
        with transaction.atomic():
            for username, group_name, first_name, last_name in DEMO_USERS:
                if User.objects.filter(username=username).exists():
                    continue
                try:
                    group = Group.objects.get(name=group_name)
                except Group.DoesNotExist:
                    raise CommandError(f"The group {group_name!r} is missing: run 'manage.py migrate' first.") from None
                password = secrets.token_urlsafe(12)
                user = User.objects.create_user(username, password=password, first_name=first_name, last_name=last_name)
                # The group brings staff status, so that the account signs in to the admin.
                change_access(user, by=None, via="manage.py create_demo_users", groups=[group])
                created.append((username, group_name, password))
        if not created:
            self.stdout.write("Demo accounts exist already; their passwords were printed when they were made.")
            return
        self.stdout.write("Demo accounts (the passwords are shown only this once):")
        for username, group_name, password in created:
            self.stdout.write(f"  {username:<9} {group_name:<9} {password}")
