"""Once let the Admin group issue and revoke Django REST framework's tokens in the admin.

Those tokens were stored readable, so that every administrator could read everyone's. They are gone:
`rest_framework.authtoken` is no longer installed, and `accounts.0005_drop_readable_tokens` drops their table
and permissions. This migration stays, doing nothing, because databases have it applied.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reviews", "0002_review_groups")]

    operations = []
