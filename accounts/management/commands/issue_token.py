from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.tokens import issue_token


class Command(BaseCommand):
    help = (
        "Issue an API token for USERNAME and print its key, the only time it is shown: for accounts that do not "
        "sign in to the admin, such as the publishing site. People issue their own on the admin's API tokens page."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"There is no user {username!r}.") from None
        if not user.is_active:
            raise CommandError(f"{username!r} is not active: a token would not authenticate.")
        _, key = issue_token(user, by=None)
        self.stdout.write(key)
